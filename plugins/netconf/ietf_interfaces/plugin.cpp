#include "plugins/netconf/ietf_interfaces/plugin.hpp"

#include <charconv>

#include "colosla/base/calendar.hpp"

namespace colosla::plugins::ietf_interfaces {

namespace {

using core::DataNode;
using core::State;

constexpr const char* kModule = "ietf-interfaces";
// RFC 8343 moved oper-status into /interfaces (NMDA); RFC 7223 has it only in /interfaces-state.
constexpr const char* kNmdaRevision = "2018-02-20";
// yuma123's example notifications, which its netconfd sends when a link changes.
constexpr const char* kNotifModule = "interfaces-notifications";

class IetfInterfaces final : public core::DevicePlugin {
 public:
  IetfInterfaces() {
    info_.name = "ietf-interfaces";
    info_.stability = core::Stability::alpha;
    info_.summary =
        "switch ports by name over NETCONF: ietf-interfaces oper-status (NMDA or interfaces-state)";
    info_.kind = core::PluginKind::netconf;
    // RFC 8343 (NMDA) and RFC 7223 (yuma123's netconfd has this one); yuma123's example
    // notifications module.
    info_.yang_modules = {
        {kModule, kNmdaRevision}, {kModule, "2014-05-08"}, {kNotifModule, "2016-11-12"}};
    info_.notifications = {std::string(kNotifModule) + ":link-up",
                           std::string(kNotifModule) + ":link-down"};
  }

  [[nodiscard]] const core::PluginRecord& info() const override { return info_; }

  [[nodiscard]] core::NetconfRequest netconf_request(
      const core::Device& /*d*/, const core::NetconfServerInfo& server) const override {
    if (!server.implements(kModule)) {
      return {};
    }
    // Revisions compare as text (YYYY-MM-DD). A server that gives no revision gets both trees.
    const std::string rev = server.revision(kModule);
    if (server.nmda() && rev >= kNmdaRevision) {
      return {{"/ietf-interfaces:interfaces/interface"}};
    }
    if (!rev.empty()) {
      return {{"/ietf-interfaces:interfaces-state/interface"}};
    }
    return {
        {"/ietf-interfaces:interfaces/interface", "/ietf-interfaces:interfaces-state/interface"}};
  }

  [[nodiscard]] Result<core::PollMeaning> on_netconf(const core::NetconfAnswer& answer,
                                                     const core::DeviceView& d) const override {
    core::PollMeaning m;
    for (const DataNode& top : answer.data) {
      if (top.module != kModule || (top.name != "interfaces" && top.name != "interfaces-state")) {
        continue;
      }
      for (const DataNode* i : top.all("interface")) {
        const std::string* name = i->leaf("name");
        if (name == nullptr || name->empty()) {
          return make_error(Errc::invalid_input, top.name + "/interface without a name");
        }
        const std::string* oper = i->leaf("oper-status");
        if (oper == nullptr) {
          continue;  // configuration only (RFC 7223's /interfaces): the state is elsewhere
        }
        auto state = core::oper_status_state(*oper);
        if (!state) {
          return make_error(Errc::invalid_input, "interface " + *name + ": " + state.error().msg);
        }
        core::StateReport r{core::EntityId::port(d.device.name, *name), *state, std::nullopt,
                            "oper-status " + *oper};
        if (const std::string* change = i->leaf("last-change")) {
          auto t = colosla::parse_time(*change);
          if (!t) {
            return make_error(Errc::invalid_input,
                              "interface " + *name + ": last-change " + t.error().msg);
          }
          r.since = *t;
          r.detail += ", last-change " + *change;
        }
        core::PortInfo p;
        p.name = *name;
        p.state = *state;
        if (const std::string* index = i->leaf("if-index")) {
          std::from_chars(index->data(), index->data() + index->size(),
                          p.if_index);  // 0 if not a number
        }
        if (const std::string* description = i->leaf("description")) {
          p.alias = *description;
        }
        m.states.push_back(std::move(r));
        m.ports.push_back(std::move(p));
      }
    }
    return m;
  }

  [[nodiscard]] Result<core::TrapMeaning> on_notification(
      const core::NetconfNotification& n, const core::DeviceView& d) const override {
    const std::string* name = n.node.leaf("if-name");
    if (name == nullptr || name->empty()) {
      return make_error(Errc::invalid_input, n.node.name + " without an if-name");
    }
    const bool up = n.node.name == "link-up";
    core::TrapMeaning m;
    m.states.push_back(core::StateReport{core::EntityId::port(d.device.name, *name),
                                         up ? State::up : State::down, n.event_time,
                                         n.node.name + " " + *name});
    m.summary = n.node.name + " " + *name;
    return m;
  }

 private:
  core::PluginRecord info_;
};

}  // namespace

std::unique_ptr<core::DevicePlugin> make() { return std::make_unique<IetfInterfaces>(); }

}  // namespace colosla::plugins::ietf_interfaces
