#include "plugins/netconf/openconfig_interfaces/plugin.hpp"

#include <charconv>

namespace colosla::plugins::openconfig_interfaces {

namespace {

using core::DataNode;

constexpr const char* kModule = "openconfig-interfaces";

class OpenconfigInterfaces final : public core::DevicePlugin {
 public:
  OpenconfigInterfaces() {
    info_.name = "openconfig-interfaces";
    info_.stability = core::Stability::alpha;
    info_.summary = "switch ports by name over NETCONF: openconfig-interfaces state/oper-status";
    info_.kind = core::PluginKind::netconf;
    // openconfig-interfaces 3.8.1 as the tests' stand-in (tests/data/yang) dates it.
    info_.yang_modules = {{kModule, "2024-01-01"}};
  }

  [[nodiscard]] const core::PluginRecord& info() const override { return info_; }

  [[nodiscard]] core::NetconfRequest netconf_request(
      const core::Device& /*d*/, const core::NetconfServerInfo& server) const override {
    if (!server.implements(kModule)) {
      return {};
    }
    return {{"/openconfig-interfaces:interfaces/interface/state"}};
  }

  [[nodiscard]] Result<core::PollMeaning> on_netconf(const core::NetconfAnswer& answer,
                                                     const core::DeviceView& d) const override {
    core::PollMeaning m;
    for (const DataNode& top : answer.data) {
      if (top.module != kModule || top.name != "interfaces") {
        continue;
      }
      for (const DataNode* i : top.all("interface")) {
        const std::string* name = i->leaf("name");
        if (name == nullptr || name->empty()) {
          return make_error(Errc::invalid_input, "interfaces/interface without a name");
        }
        const DataNode* state = i->child("state");
        const std::string* oper = state != nullptr ? state->leaf("oper-status") : nullptr;
        if (oper == nullptr) {
          continue;
        }
        auto s = core::oper_status_state(*oper);
        if (!s) {
          return make_error(Errc::invalid_input, "interface " + *name + ": " + s.error().msg);
        }
        core::StateReport r{core::EntityId::port(d.device.name, *name), *s, std::nullopt,
                            "state/oper-status " + *oper};
        // last-change: oc-types:timeticks64, nanoseconds since the Unix epoch (0: never changed).
        if (const std::string* change = state->leaf("last-change")) {
          std::uint64_t ns = 0;
          const auto [end, ec] =
              std::from_chars(change->data(), change->data() + change->size(), ns);
          if (ec != std::errc{} || end != change->data() + change->size()) {
            return make_error(Errc::invalid_input, "interface " + *name + ": last-change \"" +
                                                       *change +
                                                       "\" is not nanoseconds since 1970");
          }
          if (ns != 0) {
            r.since = Timestamp{
                std::chrono::duration_cast<std::chrono::seconds>(std::chrono::nanoseconds{ns})};
            r.detail += ", last-change " + *change;
          }
        }
        core::PortInfo p;
        p.name = *name;
        p.state = *s;
        if (const std::string* index = state->leaf("ifindex")) {
          std::from_chars(index->data(), index->data() + index->size(), p.if_index);
        }
        if (const std::string* description = state->leaf("description")) {
          p.alias = *description;
        }
        m.states.push_back(std::move(r));
        m.ports.push_back(std::move(p));
      }
    }
    return m;
  }

 private:
  core::PluginRecord info_;
};

}  // namespace

std::unique_ptr<core::DevicePlugin> make() { return std::make_unique<OpenconfigInterfaces>(); }

}  // namespace colosla::plugins::openconfig_interfaces
