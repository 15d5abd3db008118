#include "plugins/snmp/if_mib/plugin.hpp"

#include "support_snmp.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::read_snmprec;
using colosla::test::read_trap;

namespace {

const Device kSwitch{"sw1", Role::network_switch, "192.0.2.10", "if-mib", "", {}, {}};

}  // namespace

TEST_CASE("if-mib: linkDown and linkUp traps", "[plugin][if-mib]") {
  const auto p = plugins::if_mib::make();
  const std::map<std::int64_t, std::string> names{{1, "Gi1/0/1"}, {2, "Gi1/0/2"}};
  const DeviceView view{kSwitch, names};
  CHECK(p->handles("1.3.6.1.6.3.1.1.5.3"));
  CHECK(p->handles("1.3.6.1.6.3.1.1.5.4"));
  CHECK_FALSE(p->handles("1.3.6.1.2.1.33.2.1"));
  // coldStart and warmStart are the core's (tests/unit/plugin/registry_test.cpp): its record
  // asks the core to walk the switch again after one.
  CHECK_FALSE(p->handles("1.3.6.1.6.3.1.1.5.1"));
  CHECK(p->info().on_restart == OnRestart::walk);

  SECTION("v2c linkDown that carries its ifName") {
    const auto m = p->on_trap(read_trap("linkdown-v2c.trap"), view);
    REQUIRE(m.has_value());
    REQUIRE(m->states.size() == 1);
    CHECK(m->states[0].entity == EntityId::port("sw1", "Gi1/0/3"));
    CHECK(m->states[0].state == State::down);
    CHECK(m->states[0].detail == "linkDown ifIndex 3, ifOperStatus 2");
    CHECK(m->summary == "linkDown Gi1/0/3");
    CHECK_FALSE(m->refresh);
  }
  SECTION("v1 linkUp with only ifIndex: the name as last walked") {
    const auto m = p->on_trap(read_trap("linkup-v1.trap"), view);
    REQUIRE(m.has_value());
    REQUIRE(m->states.size() == 1);
    CHECK(m->states[0].entity == EntityId::port("sw1", "Gi1/0/2"));
    CHECK(m->states[0].state == State::up);
  }
  SECTION("a linkUp into lowerLayerDown leaves the port down") {
    const auto m = p->on_trap(read_trap("linkup-lowerlayerdown.trap"), view);
    REQUIRE(m.has_value());
    CHECK(m->states.at(0).state == State::down);
  }
  SECTION("an ifIndex with no known name asks for a walk instead of guessing") {
    const DeviceView empty{kSwitch, {}};
    const auto m = p->on_trap(read_trap("linkup-v1.trap"), empty);
    REQUIRE(m.has_value());
    CHECK(m->states.empty());
    CHECK(m->refresh);
    CHECK(m->poll);
  }
}

// NX-OS's cieLinkDown/cieLinkUp are the shipped trap rules'
// (tests/unit/rules/switch_rules_test.cpp): the plugin declares only the IETF link traps.
TEST_CASE("if-mib: declares the IETF link traps only", "[plugin][if-mib]") {
  const auto p = plugins::if_mib::make();
  CHECK_FALSE(p->handles("1.3.6.1.4.1.9.9.276.0.1"));  // cieLinkDown
  CHECK_FALSE(p->handles("1.3.6.1.4.1.9.9.276.0.2"));  // cieLinkUp
}

TEST_CASE("if-mib: malformed traps are rejected with the reason", "[plugin][if-mib]") {
  const auto p = plugins::if_mib::make();
  const std::map<std::int64_t, std::string> names{{3, "Gi1/0/3"}};
  const DeviceView view{kSwitch, names};
  const std::vector<std::pair<const char*, const char*>> cases{
      {"linkdown-no-ifindex.trap", "linkDown without an ifIndex"},
      {"linkdown-ifindex-string.trap",
       "linkDown: 1.3.6.1.2.1.2.2.1.1.3 is STRING, not an INTEGER (ifIndex)"},
      {"linkdown-bad-operstatus.trap", "linkDown: ifOperStatus 9 is not one of 1..7"},
  };
  for (const auto& [file, why] : cases) {
    INFO(file);
    const auto m = p->on_trap(read_trap(file), view);
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().code == Errc::invalid_input);
    CHECK(m.error().msg == why);
  }
}

TEST_CASE("if-mib: a poll gives every named port, dated by ifLastChange", "[plugin][if-mib]") {
  const auto p = plugins::if_mib::make();
  const DeviceView view{kSwitch, {}};
  const auto req = p->poll_request(kSwitch);
  CHECK(req.get == std::vector<std::string>{"1.3.6.1.2.1.1.3.0"});
  CHECK(req.walk.size() == 5);

  const Timestamp now = at("2026-11-23T12:00:00Z");
  const auto m = p->on_poll(read_snmprec("switch.snmprec", now), view);
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 4);
  const auto& gi1 = m->states[0];
  CHECK(gi1.entity == EntityId::port("sw1", "Gi1/0/1"));
  CHECK(gi1.state == State::up);
  // sysUpTime 8640000, ifLastChange 8630000: changed 10000 ticks = 100 s before the poll.
  CHECK(gi1.since == now - std::chrono::seconds{100});
  const auto& gi2 = m->states[1];
  CHECK(gi2.state == State::down);
  CHECK_FALSE(gi2.since.has_value());        // ifLastChange 0: before the agent's last restart
  CHECK(m->states[2].state == State::down);  // lowerLayerDown(7)
  CHECK(m->states[3].entity == EntityId::port("sw1", "Vl10"));
  REQUIRE(m->ports.size() == 4);
  CHECK(m->ports[0].if_index == 1);
  CHECK(m->ports[0].alias == "CUST:C-001 rack A3");
  CHECK(m->ports[3].if_index == 10);

  SECTION("an answer without ifOperStatus is an error, not an empty switch") {
    PollAnswer nothing;
    nothing.at = now;
    nothing.varbinds.push_back(test::varbind("1.3.6.1.2.1.1.3.0", "Timeticks", "5"));
    const auto e = p->on_poll(nothing, view);
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().msg == "the agent gave no ifOperStatus with a name");
  }
  SECTION("an agent without ifXTable: ifDescr names the ports") {
    auto a = read_snmprec("switch.snmprec", now);
    std::erase_if(a.varbinds,
                  [](const Varbind& v) { return v.oid.rfind("1.3.6.1.2.1.31.", 0) == 0; });
    const auto d = p->on_poll(a, view);
    REQUIRE(d.has_value());
    CHECK(d->states[0].entity == EntityId::port("sw1", "GigabitEthernet1/0/1"));
  }
}
