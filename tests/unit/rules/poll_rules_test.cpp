// Poll rules (the `poll` list of a rule file): which devices they read, and their value maps.
#include "colosla/rules/trap_rules.hpp"
#include "support_snmp.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::source_file;
using colosla::test::varbind;

namespace {

constexpr const char* kApcStatus = "1.3.6.1.4.1.318.1.1.1.4.1.1.0";   // upsBasicOutputStatus.0
constexpr const char* kCpsStatus = "1.3.6.1.4.1.3808.1.1.1.4.1.1.0";  // upsBaseOutputStatus.0

TrapRules shipped() {
  TrapRuleLoader loader;
  auto all = loader.load_all({source_file("rules")});
  REQUIRE(all.has_value());
  return std::move(*all);
}

// What the poll rules for a device with this sysObjectID make of one value of `oid`.
Result<PollMeaning> read(const TrapRules& rules, const std::string& sys_object_id,
                         const std::string& oid, const std::string& value) {
  const Device d{"ups2", Role::ups, "192.0.2.40", "rules", "", {}, {}};
  const std::map<std::int64_t, std::string> names;
  PollAnswer a;
  a.varbinds = {varbind(oid, "INTEGER", value)};
  a.at = at("2026-12-08T10:00:00Z");
  return read_polls(rules.polls_for(sys_object_id), a, DeviceView{d, names});
}

std::string state_of(const Result<PollMeaning>& m) {
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 1);
  CHECK(m->states.front().entity == EntityId::ups("ups2"));
  return std::string(to_string(m->states.front().state));
}

}  // namespace

TEST_CASE("a poll rule reads the devices at or below its sysObjectID", "[rules][poll]") {
  const TrapRules rules = shipped();
  CHECK(rules.poll_count() >= 2);
  // An APC Smart-UPS (a product under apc 318) and CyberPower's UPS agent (3808.1.1.1).
  REQUIRE(rules.polls_for("1.3.6.1.4.1.318.1.3.27").size() == 1);
  CHECK(rules.polls_for("1.3.6.1.4.1.318.1.3.27").front()->oid == kApcStatus);
  CHECK(rules.polls_for("1.3.6.1.4.1.318").size() == 1);
  REQUIRE(rules.polls_for("1.3.6.1.4.1.3808.1.1.1").size() == 1);
  CHECK(rules.polls_for("1.3.6.1.4.1.3808.1.1.1").front()->object == "upsBaseOutputStatus");
  // Not a sibling that shares digits, not another vendor, not a prefix of the rule's OID.
  CHECK(rules.polls_for("1.3.6.1.4.1.3180.1").empty());
  CHECK(rules.polls_for("1.3.6.1.4.1.8072.3.2.10").empty());
  CHECK(rules.polls_for("1.3.6.1.4.1").empty());
}

TEST_CASE("APC upsBasicOutputStatus maps to the UPS states", "[rules][poll]") {
  const TrapRules rules = shipped();
  const std::string apc = "1.3.6.1.4.1.318.1.3.27";
  CHECK(state_of(read(rules, apc, kApcStatus, "2")) == "normal");    // onLine
  CHECK(state_of(read(rules, apc, kApcStatus, "3")) == "battery");   // onBattery
  CHECK(state_of(read(rules, apc, kApcStatus, "4")) == "booster");   // onSmartBoost
  CHECK(state_of(read(rules, apc, kApcStatus, "6")) == "bypass");    // softwareBypass
  CHECK(state_of(read(rules, apc, kApcStatus, "7")) == "none");      // off
  CHECK(state_of(read(rules, apc, kApcStatus, "12")) == "reducer");  // onSmartTrim
  CHECK(state_of(read(rules, apc, kApcStatus, "1")) == "unknown");
  const auto m = read(rules, apc, kApcStatus, "3");
  REQUIRE(m.has_value());
  CHECK(m->states.front().detail == "upsBasicOutputStatus = 3 (poll rule apc-ups-output-status)");
}

TEST_CASE("CyberPower upsBaseOutputStatus maps to the UPS states", "[rules][poll]") {
  const TrapRules rules = shipped();
  const std::string cps = "1.3.6.1.4.1.3808.1.1.1";
  CHECK(state_of(read(rules, cps, kCpsStatus, "2")) == "normal");    // onLine
  CHECK(state_of(read(rules, cps, kCpsStatus, "3")) == "battery");   // onBattery
  CHECK(state_of(read(rules, cps, kCpsStatus, "6")) == "none");      // off
  CHECK(state_of(read(rules, cps, kCpsStatus, "9")) == "bypass");    // onBypass
  CHECK(state_of(read(rules, cps, kCpsStatus, "10")) == "reducer");  // onBuck
}

TEST_CASE("a value outside the map, or no such object, is an answer that cannot be read",
          "[rules][poll]") {
  const TrapRules rules = shipped();
  const std::string apc = "1.3.6.1.4.1.318.1.3.27";
  auto m = read(rules, apc, kApcStatus, "99");
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().code == Errc::invalid_input);
  CHECK(m.error().msg ==
        "upsBasicOutputStatus = 99 is not in poll rule apc-ups-output-status's state map");
  m = read(rules, apc, "1.3.6.1.4.1.318.1.1.12.1.1.0", "1");  // a rack PDU answers another OID
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().msg == "the agent has no upsBasicOutputStatus (1.3.6.1.4.1.318.1.1.1.4.1.1.0)");
}

TEST_CASE("a poll rule's state must be a UPS state", "[rules][poll]") {
  TrapRuleLoader loader;
  const std::string text = R"({
  "colosla-trap-rules:trap-rules": {
    "mib": {"name": "TEST-MIB", "revision": "1"},
    "poll": [{
      "name": "p", "object": "status", "sys-object-id": "1.3.6.1.4.1.99", "oid": "1.3.6.1.4.1.99.1.0",
      "entity": {"ups": {}},
      "state-map": {"value": [{"equals": "1", "state": "up"}]}
    }]
  }
})";
  auto f = loader.load("bad.json", text);
  REQUIRE_FALSE(f.has_value());
  REQUIRE(f.error().size() == 1);
  CHECK(f.error().front().to_string().starts_with(
      "bad.json:7: /colosla-trap-rules:trap-rules/poll[name='p']/state-map/value[equals='1']/"
      "state: \"up\" is not a state of a ups"));
}
