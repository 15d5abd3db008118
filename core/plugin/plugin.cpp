#include "colosla/plugin/plugin.hpp"

#include <cctype>

#include "colosla/base/oid.hpp"

namespace colosla::core {

const Varbind* find_varbind(const std::vector<Varbind>& vbs, std::string_view prefix) {
  for (const auto& v : vbs) {
    if (oid_under(v.oid, prefix)) {
      return &v;
    }
  }
  return nullptr;
}

const Varbind* find_varbind(const std::vector<Varbind>& vbs, std::string_view column,
                            std::int64_t index) {
  for (const auto& v : vbs) {
    if (oid_index(v.oid, column) == index) {
      return &v;
    }
  }
  return nullptr;
}

std::optional<Timestamp> since_uptime(Timestamp at, std::uint32_t sys_uptime, std::uint32_t ticks) {
  if (ticks == 0 || ticks > sys_uptime) {
    return std::nullopt;
  }
  const auto ago = std::chrono::seconds{(sys_uptime - ticks) / 100};
  return at - ago;
}

// -- what a plugin does not speak -------------------------------------------------------------

namespace {

Error not_spoken(const DevicePlugin& p, std::string_view what) {
  return make_error(Errc::invalid_input,
                    "plugin " + p.info().name + " does not read " + std::string(what));
}

}  // namespace

Result<TrapMeaning> DevicePlugin::on_trap(const Trap& /*trap*/, const DeviceView& /*d*/) const {
  return not_spoken(*this, "SNMP traps");
}

Result<PollMeaning> DevicePlugin::on_poll(const PollAnswer& /*answer*/,
                                          const DeviceView& /*d*/) const {
  return not_spoken(*this, "SNMP polls");
}

Result<PollMeaning> DevicePlugin::on_netconf(const NetconfAnswer& /*answer*/,
                                             const DeviceView& /*d*/) const {
  return not_spoken(*this, "NETCONF data");
}

Result<TrapMeaning> DevicePlugin::on_notification(const NetconfNotification& /*n*/,
                                                  const DeviceView& /*d*/) const {
  return not_spoken(*this, "NETCONF notifications");
}

// -- NETCONF data --------------------------------------------------------------------------------

const DataNode* DataNode::child(std::string_view child_name) const {
  for (const auto& c : children) {
    if (c.name == child_name) {
      return &c;
    }
  }
  return nullptr;
}

const std::string* DataNode::leaf(std::string_view leaf_name) const {
  const DataNode* c = child(leaf_name);
  return c != nullptr && c->children.empty() ? &c->value : nullptr;
}

std::vector<const DataNode*> DataNode::all(std::string_view child_name) const {
  std::vector<const DataNode*> out;
  for (const auto& c : children) {
    if (c.name == child_name) {
      out.push_back(&c);
    }
  }
  return out;
}

std::string NetconfServerInfo::revision(std::string_view module) const {
  const auto it = modules.find(module);
  return it == modules.end() ? std::string() : it->second;
}

bool NetconfServerInfo::has_capability(std::string_view uri) const {
  for (const auto& c : capabilities) {
    if (std::string_view(c).substr(0, uri.size()) == uri) {
      return true;
    }
  }
  return false;
}

Result<State> oper_status_state(std::string_view word) {
  std::string w;
  for (char c : word) {
    w.push_back(c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (w == "up") {
    return State::up;
  }
  if (w == "down" || w == "dormant" || w == "not-present" || w == "lower-layer-down") {
    return State::down;
  }
  if (w == "testing" || w == "unknown") {
    return State::unknown;
  }
  return make_error(Errc::invalid_input,
                    "oper-status \"" + std::string(word) + "\" is not an ifOperStatus word");
}

}  // namespace colosla::core
