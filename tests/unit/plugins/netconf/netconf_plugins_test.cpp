// The NETCONF plugins, fed data trees written by hand (what the session layer copies out of
// libyang's parse of a <get> reply or a notification).
#include <catch2/catch.hpp>

#include "colosla/base/calendar.hpp"
#include "plugins/netconf/ietf_hardware/plugin.hpp"
#include "plugins/netconf/ietf_interfaces/plugin.hpp"
#include "plugins/netconf/openconfig_interfaces/plugin.hpp"
#include "plugins/snmp/if_mib/plugin.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;

namespace {

const Device kSwitch{"nsw1", Role::network_switch, "192.0.2.20", "ietf-interfaces", "",
                     {},     NetconfAccess{}};
const Device kShelf{"shelf1", Role::pdu, "192.0.2.30", "ietf-hardware", "", {}, NetconfAccess{}};
const std::map<std::int64_t, std::string> kNoNames;

DataNode leaf(const std::string& module, const std::string& name, const std::string& value) {
  return DataNode{module, name, value, {}};
}

DataNode node(const std::string& module, const std::string& name, std::vector<DataNode> children) {
  return DataNode{module, name, "", std::move(children)};
}

// An ietf-interfaces interface entry: name, then (leaf, value) pairs.
DataNode ietf_if(const std::string& name, std::vector<std::pair<std::string, std::string>> leaves) {
  std::vector<DataNode> c{leaf("ietf-interfaces", "name", name)};
  for (auto& [l, v] : leaves) {
    c.push_back(leaf("ietf-interfaces", l, v));
  }
  return node("ietf-interfaces", "interface", std::move(c));
}

NetconfServerInfo server(std::map<std::string, std::string, std::less<>> modules) {
  NetconfServerInfo s;
  s.capabilities = {"urn:ietf:params:netconf:base:1.1",
                    "urn:ietf:params:netconf:capability:notification:1.0"};
  s.modules = std::move(modules);
  return s;
}

}  // namespace

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

TEST_CASE("openconfig-interfaces: state/oper-status dated by last-change",
          "[plugin][netconf][openconfig-interfaces]") {
  const auto p = plugins::openconfig_interfaces::make();
  const DeviceView view{kSwitch, kNoNames};
  CHECK(p->netconf_request(kSwitch, server({{"openconfig-interfaces", ""}})).xpaths ==
        std::vector<std::string>{"/openconfig-interfaces:interfaces/interface/state"});
  CHECK(p->netconf_request(kSwitch, server({{"ietf-interfaces", "2018-02-20"}})).xpaths.empty());

  const std::string oc = "openconfig-interfaces";
  const auto iface = [&](const std::string& name, std::vector<DataNode> state) {
    return node(oc, "interface", {leaf(oc, "name", name), node(oc, "state", std::move(state))});
  };
  NetconfAnswer a;
  a.data = {node(oc, "interfaces",
                 {iface("Ethernet1", {leaf(oc, "oper-status", "UP"), leaf(oc, "ifindex", "1"),
                                      leaf(oc, "last-change", "1793671200000000000")}),
                  iface("Ethernet2", {leaf(oc, "oper-status", "LOWER_LAYER_DOWN"),
                                      leaf(oc, "last-change", "0")}),
                  iface("Ethernet3", {leaf(oc, "admin-status", "UP")})})};
  auto m = p->on_netconf(a, view);
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 2);  // Ethernet3 says no oper-status
  // 1793671200 s after 1970 = 2026-11-03T02:00:00Z
  CHECK(m->states[0] == StateReport{EntityId::port("nsw1", "Ethernet1"), State::up,
                                    at("2026-11-03T02:00:00Z"), ""});
  CHECK(m->states[1] ==
        StateReport{EntityId::port("nsw1", "Ethernet2"), State::down, std::nullopt, ""});
  CHECK(m->ports.at(0).if_index == 1);

  a.data = {
      node(oc, "interfaces",
           {iface("Ethernet1", {leaf(oc, "oper-status", "UP"), leaf(oc, "last-change", "-5")})})};
  m = p->on_netconf(a, view);
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().msg == "interface Ethernet1: last-change \"-5\" is not nanoseconds since 1970");
  a.data = {node(oc, "interfaces", {iface("Ethernet1", {leaf(oc, "oper-status", "FLAPPING")})})};
  m = p->on_netconf(a, view);
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().code == Errc::invalid_input);
}

TEST_CASE("ietf-hardware: power supplies are power sources", "[plugin][netconf][ietf-hardware]") {
  const auto p = plugins::ietf_hardware::make();
  const DeviceView view{kShelf, kNoNames};
  CHECK(p->netconf_request(kShelf, server({{"ietf-hardware", "2018-03-13"}})).xpaths ==
        std::vector<std::string>{"/ietf-hardware:hardware/component"});
  CHECK(p->netconf_request(kShelf, server({{"ietf-hardware-state", "2018-03-13"}})).xpaths ==
        std::vector<std::string>{"/ietf-hardware-state:hardware/component"});
  CHECK(p->netconf_request(kShelf, server({})).xpaths.empty());

  const std::string hw = "ietf-hardware";
  const auto component = [&](const std::string& name, const std::string& cls,
                             std::vector<DataNode> state) {
    std::vector<DataNode> c{leaf(hw, "name", name), leaf(hw, "class", cls)};
    if (!state.empty()) {
      c.push_back(node(hw, "state", std::move(state)));
    }
    return node(hw, "component", std::move(c));
  };
  NetconfAnswer a;
  a.data = {
      node(hw, "hardware",
           {component("chassis", "iana-hardware:chassis", {leaf(hw, "oper-state", "enabled")}),
            component("PSU1", "iana-hardware:power-supply",
                      {leaf(hw, "oper-state", "enabled"),
                       leaf(hw, "state-last-changed", "2026-11-01T00:00:00Z")}),
            component("PSU2", "iana-hardware:power-supply", {leaf(hw, "oper-state", "disabled")}),
            component("PSU3", "iana-hardware:power-supply", {leaf(hw, "oper-state", "testing")}),
            component("PSU4", "iana-hardware:power-supply", {}),
            component("fan1", "iana-hardware:fan", {leaf(hw, "oper-state", "disabled")})})};
  auto m = p->on_netconf(a, view);
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 3);
  CHECK(m->states[0] ==
        StateReport{EntityId::outlet("shelf1", "PSU1"), State::on, at("2026-11-01T00:00:00Z"), ""});
  CHECK(m->states[1] ==
        StateReport{EntityId::outlet("shelf1", "PSU2"), State::off, std::nullopt, ""});
  CHECK(m->states[2] ==
        StateReport{EntityId::outlet("shelf1", "PSU3"), State::unknown, std::nullopt, ""});

  a.data = {
      node(hw, "hardware",
           {component("PSU1", "iana-hardware:power-supply", {leaf(hw, "oper-state", "burning")})})};
  m = p->on_netconf(a, view);
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().msg ==
        "component PSU1: oper-state \"burning\" is not one of unknown, disabled, enabled, testing");
}

TEST_CASE("ietf-hardware: the hardware-state notifications", "[plugin][netconf][ietf-hardware]") {
  const auto p = plugins::ietf_hardware::make();
  const DeviceView view{kShelf, kNoNames};
  const std::string hw = "ietf-hardware";
  CHECK(p->handles_notification(hw, "hardware-state-oper-disabled"));
  CHECK(p->handles_notification(hw, "hardware-state-oper-enabled"));
  CHECK(p->handles_notification(hw, "hardware-state-change"));
  CHECK_FALSE(p->handles_notification("ietf-alarms", "alarm-notification"));

  NetconfNotification n{node(hw, "hardware-state-oper-disabled",
                             {leaf(hw, "name", "PSU2"), leaf(hw, "admin-state", "unlocked"),
                              leaf(hw, "alarm-state", "critical")}),
                        at("2026-11-03T02:00:00Z")};
  auto m = p->on_notification(n, view);
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 1);
  CHECK(m->states[0] == StateReport{EntityId::outlet("shelf1", "PSU2"), State::off,
                                    at("2026-11-03T02:00:00Z"), ""});
  CHECK(m->poll);  // a read confirms, and tells a power supply from a fan
  n.node.name = "hardware-state-oper-enabled";
  m = p->on_notification(n, view);
  REQUIRE(m.has_value());
  CHECK(m->states.at(0).state == State::on);
  n.node = node(hw, "hardware-state-change", {});
  m = p->on_notification(n, view);
  REQUIRE(m.has_value());
  CHECK(m->states.empty());
  CHECK(m->poll);
  n.node = node(hw, "hardware-state-oper-enabled", {});
  m = p->on_notification(n, view);
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().msg == "hardware-state-oper-enabled without a component name");
}

TEST_CASE("a plugin says what it does not speak", "[plugin][netconf]") {
  const auto snmp = plugins::if_mib::make();
  const DeviceView view{kSwitch, kNoNames};
  CHECK(snmp->netconf_request(kSwitch, server({{"ietf-interfaces", ""}})).xpaths.empty());
  const auto m = snmp->on_netconf(NetconfAnswer{}, view);
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().msg == "plugin if-mib does not read NETCONF data");
  const auto nc = plugins::ietf_hardware::make();
  CHECK(nc->poll_request(kShelf).walk.empty());
  const auto t = nc->on_trap(Trap{}, DeviceView{kShelf, kNoNames});
  REQUIRE_FALSE(t.has_value());
  CHECK(t.error().msg == "plugin ietf-hardware does not read SNMP traps");
}
