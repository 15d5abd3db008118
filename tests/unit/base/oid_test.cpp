// RFC 3584 §3: an SNMPv1 trap and its SNMPv2 notification OID, both ways.
#include "colosla/base/oid.hpp"

#include <catch2/catch.hpp>

using namespace colosla::core;

TEST_CASE("an SNMPv1 enterprise-specific trap is enterprise.0.specific", "[oid][rfc3584]") {
  CHECK(v1_trap_oid("1.3.6.1.4.1.318", 269) == "1.3.6.1.4.1.318.0.269");
  CHECK(v1_trap_oid("1.3.6.1.2.1.33.2", 1) == "1.3.6.1.2.1.33.2.0.1");
}

TEST_CASE("a MIB's E.N notification arrives from SNMPv1 agents as E.0.N", "[oid][rfc3584]") {
  // UPS-MIB: upsTraps = { upsMIB 2 }, upsTrapOnBattery = { upsTraps 1 }.
  CHECK(v1_form("1.3.6.1.2.1.33.2.1") == "1.3.6.1.2.1.33.2.0.1");
  CHECK(v1_form("1.3.6.1.6.3.1.1.5.3") == "1.3.6.1.6.3.1.1.5.0.3");
  // E.0.N is its own SNMPv1 form.
  CHECK_FALSE(v1_form("1.3.6.1.4.1.318.0.269"));
  CHECK_FALSE(v1_form("1.3.6.1.4.1.9.9.276.0.1"));
  CHECK_FALSE(v1_form("1.3"));
  CHECK_FALSE(v1_form("1"));

  CHECK(same_notification("1.3.6.1.2.1.33.2.1", "1.3.6.1.2.1.33.2.1"));
  CHECK(same_notification("1.3.6.1.2.1.33.2.1", "1.3.6.1.2.1.33.2.0.1"));
  CHECK(same_notification("1.3.6.1.4.1.318.0.269", "1.3.6.1.4.1.318.0.269"));
  // Not the other way: a v2 E.0.N notification is not sent as E.N.
  CHECK_FALSE(same_notification("1.3.6.1.2.1.33.2.0.1", "1.3.6.1.2.1.33.2.1"));
  // Another specific, another enterprise, digits that only look alike.
  CHECK_FALSE(same_notification("1.3.6.1.2.1.33.2.1", "1.3.6.1.2.1.33.2.0.2"));
  CHECK_FALSE(same_notification("1.3.6.1.2.1.33.2.1", "1.3.6.1.2.1.33.3.0.1"));
  CHECK_FALSE(same_notification("1.3.6.1.2.1.33.2.1", "1.3.6.1.2.1.33.2.0.11"));
  CHECK_FALSE(same_notification("1.3.6.1.2.1.33.2.1", "1.3.6.1.2.1.33.2.1.0.1"));
  CHECK_FALSE(same_notification("1.3.6.1.2.1.33.2.1", "1.3.6.1.2.1.33.2.9.1"));
  // E.0.0.N: declared E.0.N has no other form.
  CHECK_FALSE(same_notification("1.3.6.1.4.1.318.0.269", "1.3.6.1.4.1.318.0.0.269"));
  for (const char* declared : {"1.3.6.1.2.1.33.2.1", "1.3.6.1.2.1.33.2.4", "1.3.6.1.6.3.1.1.5.4"}) {
    INFO(declared);
    CHECK(same_notification(declared, *v1_form(declared)));
  }
}
