#include "plugins/netconf/ietf_hardware/plugin.hpp"

#include "colosla/base/calendar.hpp"

namespace colosla::plugins::ietf_hardware {

namespace {

using core::DataNode;
using core::State;

constexpr const char* kModule = "ietf-hardware";
// The deprecated non-NMDA copy of the same tree (RFC 8348 Appendix A).
constexpr const char* kStateModule = "ietf-hardware-state";
constexpr const char* kPowerSupply = "iana-hardware:power-supply";

// oper-state → power: enabled delivers; disabled does not; testing and unknown say nothing.
Result<State> power_state(const std::string& oper) {
  if (oper == "enabled") {
    return State::on;
  }
  if (oper == "disabled") {
    return State::off;
  }
  if (oper == "testing" || oper == "unknown") {
    return State::unknown;
  }
  return make_error(
      Errc::invalid_input,
      "oper-state \"" + oper + "\" is not one of unknown, disabled, enabled, testing");
}

class IetfHardware final : public core::DevicePlugin {
 public:
  IetfHardware() {
    info_.name = "ietf-hardware";
    info_.stability = core::Stability::alpha;
    info_.summary =
        "power supplies over NETCONF: ietf-hardware power-supply oper-state, hardware-state "
        "notifications";
    info_.kind = core::PluginKind::netconf;
    info_.yang_modules = {
        {kModule, "2018-03-13"}, {kStateModule, "2018-03-13"}, {"iana-hardware", "2018-03-13"}};
    for (const char* module : {kModule, kStateModule}) {
      for (const char* name : {"hardware-state-oper-enabled", "hardware-state-oper-disabled",
                               "hardware-state-change"}) {
        info_.notifications.push_back(std::string(module) + ":" + name);
      }
    }
  }

  [[nodiscard]] const core::PluginRecord& info() const override { return info_; }

  [[nodiscard]] core::NetconfRequest netconf_request(
      const core::Device& /*d*/, const core::NetconfServerInfo& server) const override {
    if (server.implements(kModule)) {
      return {{"/ietf-hardware:hardware/component"}};
    }
    if (server.implements(kStateModule)) {
      return {{"/ietf-hardware-state:hardware/component"}};
    }
    return {};
  }

  [[nodiscard]] Result<core::PollMeaning> on_netconf(const core::NetconfAnswer& answer,
                                                     const core::DeviceView& d) const override {
    core::PollMeaning m;
    for (const DataNode& top : answer.data) {
      if ((top.module != kModule && top.module != kStateModule) || top.name != "hardware") {
        continue;
      }
      for (const DataNode* c : top.all("component")) {
        const std::string* name = c->leaf("name");
        if (name == nullptr || name->empty()) {
          return make_error(Errc::invalid_input, "hardware/component without a name");
        }
        const std::string* cls = c->leaf("class");
        if (cls == nullptr || *cls != kPowerSupply) {
          continue;  // chassis, fans, sensors: not a power source
        }
        const DataNode* st = c->child("state");
        const std::string* oper = st != nullptr ? st->leaf("oper-state") : nullptr;
        if (oper == nullptr) {
          // The server does not implement the hardware-state feature: nothing to say.
          continue;
        }
        auto s = power_state(*oper);
        if (!s) {
          return make_error(Errc::invalid_input, "component " + *name + ": " + s.error().msg);
        }
        core::StateReport r{core::EntityId::outlet(d.device.name, *name), *s, std::nullopt,
                            "oper-state " + *oper};
        if (const std::string* changed = st->leaf("state-last-changed")) {
          auto t = colosla::parse_time(*changed);
          if (!t) {
            return make_error(Errc::invalid_input,
                              "component " + *name + ": state-last-changed " + t.error().msg);
          }
          r.since = *t;
          r.detail += ", state-last-changed " + *changed;
        }
        m.states.push_back(std::move(r));
      }
    }
    return m;
  }

  [[nodiscard]] Result<core::TrapMeaning> on_notification(
      const core::NetconfNotification& n, const core::DeviceView& d) const override {
    core::TrapMeaning m;
    if (n.node.name == "hardware-state-change") {
      // The inventory of components changed: read it again.
      m.poll = true;
      m.summary = "hardware-state-change";
      return m;
    }
    // The notification names a component but not its class: the state is recorded for that
    // name (only a name the inventory gives as a power source matters to a contract), and a
    // read confirms it.
    const std::string* name = n.node.leaf("name");
    if (name == nullptr || name->empty()) {
      return make_error(Errc::invalid_input, n.node.name + " without a component name");
    }
    const bool enabled = n.node.name == "hardware-state-oper-enabled";
    m.states.push_back(core::StateReport{core::EntityId::outlet(d.device.name, *name),
                                         enabled ? State::on : State::off, n.event_time,
                                         n.node.name + " " + *name});
    m.poll = true;
    m.summary = n.node.name + " " + *name;
    return m;
  }

 private:
  core::PluginRecord info_;
};

}  // namespace

std::unique_ptr<core::DevicePlugin> make() { return std::make_unique<IetfHardware>(); }

}  // namespace colosla::plugins::ietf_hardware
