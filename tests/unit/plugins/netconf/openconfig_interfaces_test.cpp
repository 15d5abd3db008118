// openconfig-interfaces, fed data trees written by hand.
#include "plugins/netconf/openconfig_interfaces/plugin.hpp"
#include "unit/plugins/netconf/support_netconf.hpp"

using namespace colosla;
using namespace colosla::core;
using namespace colosla::test::netconf;
using colosla::test::at;

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
