// ietf-hardware, fed data trees written by hand.
#include "plugins/netconf/ietf_hardware/plugin.hpp"
#include "unit/plugins/netconf/support_netconf.hpp"

using namespace colosla;
using namespace colosla::core;
using namespace colosla::test::netconf;
using colosla::test::at;

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
