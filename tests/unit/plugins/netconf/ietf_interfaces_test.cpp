// ietf-interfaces, fed data trees written by hand.
#include "plugins/netconf/ietf_interfaces/plugin.hpp"
#include "unit/plugins/netconf/support_netconf.hpp"

using namespace colosla;
using namespace colosla::core;
using namespace colosla::test::netconf;
using colosla::test::at;

TEST_CASE("ietf-interfaces: which tree to read", "[plugin][netconf][ietf-interfaces]") {
  const auto p = plugins::ietf_interfaces::make();
  using V = std::vector<std::string>;
  CHECK(p->netconf_request(kSwitch, server({{"ietf-interfaces", "2018-02-20"},
                                            {"ietf-netconf-nmda", "2019-01-07"}}))
            .xpaths == V{"/ietf-interfaces:interfaces/interface"});
  // RFC 7223: the state is only in /interfaces-state, even on a server that has NMDA.
  CHECK(p->netconf_request(kSwitch, server({{"ietf-interfaces", "2014-05-08"},
                                            {"ietf-netconf-nmda", "2019-01-07"}}))
            .xpaths == V{"/ietf-interfaces:interfaces-state/interface"});
  CHECK(p->netconf_request(kSwitch, server({{"ietf-interfaces", "2018-02-20"}})).xpaths ==
        V{"/ietf-interfaces:interfaces-state/interface"});
  CHECK(p->netconf_request(kSwitch, server({{"ietf-interfaces", ""}})).xpaths.size() == 2);
  CHECK(p->netconf_request(kSwitch, server({{"openconfig-interfaces", ""}})).xpaths.empty());
  CHECK(server({{"ietf-netconf-nmda", "2019-01-07"}}).nmda());
  CHECK(server({}).has_capability("urn:ietf:params:netconf:capability:notification:1.0"));
  CHECK_FALSE(server({}).has_capability("urn:ietf:params:netconf:capability:interleave:1.0"));
}

TEST_CASE("ietf-interfaces: oper-status of every interface", "[plugin][netconf][ietf-interfaces]") {
  const auto p = plugins::ietf_interfaces::make();
  const DeviceView view{kSwitch, kNoNames};
  NetconfAnswer a;
  a.at = at("2026-11-03T02:00:00Z");

  SECTION("interfaces-state (RFC 7223), with a configuration-only /interfaces beside it") {
    a.data = {node("ietf-interfaces", "interfaces", {ietf_if("eth0", {{"enabled", "true"}})}),
              node("ietf-interfaces", "interfaces-state",
                   {ietf_if("eth0", {{"oper-status", "up"}, {"if-index", "2"}}),
                    ietf_if("eth1", {{"oper-status", "lower-layer-down"},
                                     {"last-change", "2026-11-03T09:58:00+08:00"}}),
                    ietf_if("lo", {{"oper-status", "unknown"}}),
                    ietf_if("eth2", {{"oper-status", "dormant"}}),
                    ietf_if("eth3", {{"oper-status", "testing"}}),
                    ietf_if("eth4", {{"oper-status", "not-present"}})})};
    const auto m = p->on_netconf(a, view);
    REQUIRE(m.has_value());
    REQUIRE(m->states.size() == 6);
    CHECK(m->states[0] == StateReport{EntityId::port("nsw1", "eth0"), State::up, std::nullopt, ""});
    CHECK(m->states[0].detail == "oper-status up");
    // dated by the device: last-change, an absolute time
    CHECK(m->states[1] ==
          StateReport{EntityId::port("nsw1", "eth1"), State::down, at("2026-11-03T01:58:00Z"), ""});
    CHECK(m->states[1].detail ==
          "oper-status lower-layer-down, last-change 2026-11-03T09:58:00+08:00");
    CHECK(m->states[2].state == State::unknown);
    CHECK(m->states[3].state == State::down);
    CHECK(m->states[4].state == State::unknown);
    CHECK(m->states[5].state == State::down);
    REQUIRE(m->ports.size() == 6);
    CHECK(m->ports[0].name == "eth0");
    CHECK(m->ports[0].if_index == 2);
    CHECK(m->ports[0].state == State::up);
  }
  SECTION("NMDA (RFC 8343): oper-status and description in /interfaces") {
    a.data = {
        node("ietf-interfaces", "interfaces",
             {ietf_if("ge-0/0/1", {{"description", "CUST:C-001"}, {"oper-status", "down"}})})};
    const auto m = p->on_netconf(a, view);
    REQUIRE(m.has_value());
    REQUIRE(m->states.size() == 1);
    CHECK(m->states[0].entity == EntityId::port("nsw1", "ge-0/0/1"));
    CHECK(m->states[0].state == State::down);
    CHECK(m->ports.at(0).alias == "CUST:C-001");
  }
  SECTION("other modules' trees are not read") {
    a.data = {
        node("openconfig-interfaces", "interfaces", {ietf_if("eth0", {{"oper-status", "up"}})})};
    const auto m = p->on_netconf(a, view);
    REQUIRE(m.has_value());
    CHECK(m->states.empty());
  }
  SECTION("malformed data is an error naming the interface, never a guess") {
    a.data = {node("ietf-interfaces", "interfaces-state",
                   {ietf_if("eth0", {{"oper-status", "sideways"}})})};
    auto m = p->on_netconf(a, view);
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().code == Errc::invalid_input);
    CHECK(m.error().msg == "interface eth0: oper-status \"sideways\" is not an ifOperStatus word");
    a.data = {node(
        "ietf-interfaces", "interfaces-state",
        {node("ietf-interfaces", "interface", {leaf("ietf-interfaces", "oper-status", "up")})})};
    m = p->on_netconf(a, view);
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().msg == "interfaces-state/interface without a name");
    a.data = {node("ietf-interfaces", "interfaces-state",
                   {ietf_if("eth0", {{"oper-status", "up"}, {"last-change", "yesterday"}})})};
    m = p->on_netconf(a, view);
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().msg.rfind("interface eth0: last-change ", 0) == 0);
  }
}

TEST_CASE("ietf-interfaces: yuma123's link-up and link-down notifications",
          "[plugin][netconf][ietf-interfaces]") {
  const auto p = plugins::ietf_interfaces::make();
  const DeviceView view{kSwitch, kNoNames};
  CHECK(p->handles_notification("interfaces-notifications", "link-down"));
  CHECK(p->handles_notification("interfaces-notifications", "link-up"));
  CHECK_FALSE(p->handles_notification("ietf-netconf-notifications", "netconf-session-start"));
  CHECK_FALSE(p->handles("1.3.6.1.6.3.1.1.5.3"));  // no SNMP

  NetconfNotification n{node("interfaces-notifications", "link-down",
                             {leaf("interfaces-notifications", "if-name", "eth1")}),
                        at("2026-11-03T02:00:05Z")};
  auto m = p->on_notification(n, view);
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 1);
  CHECK(m->states[0] ==
        StateReport{EntityId::port("nsw1", "eth1"), State::down, at("2026-11-03T02:00:05Z"), ""});
  CHECK(m->summary == "link-down eth1");
  n.node = node("interfaces-notifications", "link-up", {});
  m = p->on_notification(n, view);
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().msg == "link-up without an if-name");
}
