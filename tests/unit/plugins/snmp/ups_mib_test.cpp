#include "plugins/snmp/ups_mib/plugin.hpp"

#include "support_snmp.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::read_snmprec;
using colosla::test::read_trap;

namespace {
const Device kUps{"ups1", Role::ups, "192.0.2.30", "ups-mib", "", {}, {}};
const std::map<std::int64_t, std::string> kNoNames;
}  // namespace

TEST_CASE("ups-mib: traps", "[plugin][ups-mib]") {
  const auto p = plugins::ups_mib::make();
  const DeviceView view{kUps, kNoNames};
  const auto one = [&](const char* file) {
    auto m = p->on_trap(read_trap(file), view);
    INFO(file);
    REQUIRE(m.has_value());
    return *m;
  };
  SECTION("on battery: still powered, state battery") {
    const auto m = one("ups-on-battery.trap");
    REQUIRE(m.states.size() == 1);
    CHECK(m.states[0].entity == EntityId::ups("ups1"));
    CHECK(m.states[0].state == State::battery);
  }
  SECTION("alarms that say what the output is") {
    CHECK(one("ups-alarm-output-off.trap").states.at(0).state == State::none);
    CHECK(one("ups-alarm-bypass.trap").states.at(0).state == State::bypass);
  }
  SECTION("an alarm about the battery says nothing of the output") {
    const auto m = one("ups-alarm-battery-bad.trap");
    CHECK(m.states.empty());
    CHECK_FALSE(m.poll);
  }
  SECTION("an output alarm that clears: poll for the state now") {
    const auto m = one("ups-alarm-removed-bypass.trap");
    CHECK(m.states.empty());
    CHECK(m.poll);
  }
  SECTION("malformed") {
    const auto m = p->on_trap(read_trap("ups-alarm-descr-string.trap"), view);
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().msg == "upsAlarmDescr is STRING, not an OBJECT IDENTIFIER");
    Trap t;
    t.trap_oid = "1.3.6.1.2.1.33.2.3";
    CHECK(p->on_trap(t, view).error().msg == "upsTrapAlarmEntryAdded without upsAlarmDescr");
  }
}

TEST_CASE("ups-mib: polls of upsOutputSource", "[plugin][ups-mib]") {
  const auto p = plugins::ups_mib::make();
  const DeviceView view{kUps, kNoNames};
  const Timestamp now = at("2026-11-23T12:00:00Z");
  const auto m = p->on_poll(read_snmprec("ups.snmprec", now), view);
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 1);
  CHECK(m->states[0].state == State::normal);
  CHECK(m->states[0].detail == "upsOutputSource.0 = 3");

  const std::vector<std::pair<std::string, State>> words{
      {"1", State::other},   {"2", State::none},    {"4", State::bypass},
      {"5", State::battery}, {"6", State::booster}, {"7", State::reducer}};
  for (const auto& [value, state] : words) {
    PollAnswer a{{test::varbind("1.3.6.1.2.1.33.1.4.1.0", "INTEGER", value)}, now};
    CHECK(p->on_poll(a, view)->states.at(0).state == state);
  }
  PollAnswer bad{{test::varbind("1.3.6.1.2.1.33.1.4.1.0", "INTEGER", "9")}, now};
  CHECK(p->on_poll(bad, view).error().msg == "upsOutputSource 9 is not one of 1..7");
  PollAnswer none{{}, now};
  CHECK(p->on_poll(none, view).error().msg == "the agent has no upsOutputSource.0");
}
