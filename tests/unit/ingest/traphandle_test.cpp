#include "colosla/ingest/traphandle.hpp"

#include <sstream>

#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;

TEST_CASE("snmptrapd's traphandle input, numeric (snmptrapd -Onet)", "[trap-handler]") {
  // As captured from snmptrapd 5.9.3 (reference: nms-conventions §3.2).
  std::istringstream in(
      "localhost\n"
      "UDP: [127.0.0.1]:40183->[127.0.0.1]:11162\n"
      ".1.3.6.1.2.1.1.3.0 74848\n"
      ".1.3.6.1.6.3.1.1.4.1.0 .1.3.6.1.6.3.1.1.5.3\n"
      ".1.3.6.1.2.1.2.2.1.1.3 3\n"
      ".1.3.6.1.2.1.2.2.1.7.3 1\n"
      ".1.3.6.1.2.1.2.2.1.8.3 2\n"
      ".1.3.6.1.2.1.31.1.1.1.1.3 Gi1/0/3\n");
  const auto t = parse_traphandle_input(in, at("2026-11-23T12:00:00Z"));
  REQUIRE(t.has_value());
  CHECK(t->source_address == "127.0.0.1");
  CHECK(t->source_port == 40183);
  CHECK(t->trap_oid == "1.3.6.1.6.3.1.1.5.3");
  CHECK(t->uptime == 74848);
  CHECK(t->version == 2);
  REQUIRE(t->varbinds.size() == 4);
  CHECK(t->varbinds[0].oid == "1.3.6.1.2.1.2.2.1.1.3");
  CHECK(t->varbinds[0].type == VarType::integer);
  CHECK(t->varbinds[0].number == 3);
  CHECK(t->varbinds[3].type == VarType::octet_string);
  CHECK(t->varbinds[3].text == "Gi1/0/3");
}

TEST_CASE("a converted v1 trap, with type prefixes", "[trap-handler]") {
  std::istringstream in(
      "192.0.2.20\n"
      "UDP: [192.0.2.20]:59541->[127.0.0.1]:162\n"
      ".1.3.6.1.2.1.1.3.0 Timeticks: (1271) 0:00:12.71\n"
      ".1.3.6.1.6.3.1.1.4.1.0 OID: .1.3.6.1.4.1.318.0.269\n"
      ".1.3.6.1.4.1.318.1.1.12.3.3.1.1.1.4 INTEGER: 4\n"
      ".1.3.6.1.4.1.318.2.3.3.0 STRING: \"Outlet 4 turned off.\"\n"
      ".1.3.6.1.6.3.18.1.3.0 IpAddress: 192.0.2.21\n"
      ".1.3.6.1.6.3.18.1.4.0 STRING: \"public\"\n"
      ".1.3.6.1.6.3.1.1.4.3.0 OID: .1.3.6.1.4.1.318\n");
  const auto t = parse_traphandle_input(in, at("2026-11-23T12:00:00Z"));
  REQUIRE(t.has_value());
  CHECK(t->version == 1);
  CHECK(t->community == "public");
  CHECK(t->agent_address == "192.0.2.21");
  CHECK(t->uptime == 1271);
  CHECK(t->trap_oid == "1.3.6.1.4.1.318.0.269");
  REQUIRE(t->varbinds.size() == 2);
  CHECK(t->varbinds[0].number == 4);
  CHECK(t->varbinds[1].text == "Outlet 4 turned off.");
}

TEST_CASE("input that is not snmptrapd's is refused with the reason", "[trap-handler]") {
  std::istringstream empty("");
  CHECK(parse_traphandle_input(empty, at("2026-11-23T12:00:00Z")).error().msg ==
        "no host and transport lines: not snmptrapd's traphandle input");
  std::istringstream named(
      "h\nUDP: [127.0.0.1]:1->[127.0.0.1]:162\nDISMAN-EXPRESSION-MIB::sysUpTimeInstance "
      "0:0:12:09.57\n");
  CHECK(parse_traphandle_input(named, at("2026-11-23T12:00:00Z"))
            .error()
            .msg.find("run snmptrapd with numeric output") != std::string::npos);
  std::istringstream no_oid("h\nUDP: [127.0.0.1]:1->[127.0.0.1]:162\n.1.3.6.1.2.1.1.3.0 5\n");
  CHECK(parse_traphandle_input(no_oid, at("2026-11-23T12:00:00Z")).error().msg ==
        "no snmpTrapOID.0 in the input");
}

TEST_CASE("a v2c trap's own snmpTrapAddress.0 is a varbind, not an agent-addr",
          "[trap-handler][relay]") {
  // What snmptrapd hands on for a v2c trap a relay forwarded: snmpTrapAddress.0 without the
  // snmpTrapCommunity.0 and snmpTrapEnterprise.0 its translation of a v1 trap appends.
  std::istringstream in(
      "localhost\n"
      "UDP: [127.0.0.1]:47742->[127.0.0.1]:57182\n"
      ".1.3.6.1.2.1.1.3.0 1728816\n"
      ".1.3.6.1.6.3.1.1.4.1.0 .1.3.6.1.6.3.1.1.5.3\n"
      ".1.3.6.1.2.1.2.2.1.1.3 3\n"
      ".1.3.6.1.6.3.18.1.3.0 192.0.2.21\n");
  const auto t = parse_traphandle_input(in, at("2026-11-23T12:00:00Z"));
  REQUIRE(t.has_value());
  CHECK(t->version == 2);
  CHECK(t->agent_address.empty());
  REQUIRE(t->varbinds.size() == 2);
  CHECK(t->varbinds[1].oid == "1.3.6.1.6.3.18.1.3.0");
  CHECK(t->varbinds[1].type == VarType::ip_address);
  CHECK(t->varbinds[1].text == "192.0.2.21");
}
