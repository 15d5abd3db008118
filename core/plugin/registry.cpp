#include "colosla/plugin/registry.hpp"

#include <algorithm>

#include "colosla/base/oid.hpp"

namespace colosla::core {

void Registry::add(PluginFactory factory) {
  auto p = factory();
  const PluginRecord& r = p->info();
  if (r.api != kPluginApi) {
    throw ConfigError("plugin " + r.name + " was built for plugin API " + std::to_string(r.api) +
                      ", this colosla has " + std::to_string(kPluginApi));
  }
  if (std::string problem = record_problem(r); !problem.empty()) {
    throw ConfigError(problem);
  }
  if (plugins_.count(r.name) != 0) {
    throw ConfigError("two plugins are called " + r.name);
  }
  const DevicePlugin* plugin = p.get();
  for (const auto& entry : r.trap_oids) {
    if (entry.size() > 2 && entry.compare(entry.size() - 2, 2, ".*") == 0) {
      by_prefix_.emplace_back(entry.substr(0, entry.size() - 2), plugin);
    } else {
      by_trap_[entry].push_back(TrapReader{plugin, entry});
      if (auto v1 = v1_form(entry)) {
        by_trap_[*v1].push_back(TrapReader{plugin, entry});
      }
    }
  }
  plugins_.emplace(r.name, std::move(p));
}

const DevicePlugin* Registry::find(std::string_view name) const {
  const auto it = plugins_.find(name);
  return it == plugins_.end() ? nullptr : it->second.get();
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : plugins_) {
    out.push_back(name);
  }
  return out;
}

Registry::DevicePlugins Registry::plugins_of(const Device& d) const {
  DevicePlugins out;
  for (auto& name : plugin_names(d)) {
    const DevicePlugin* p = find(name);
    if (p == nullptr) {
      out.missing.push_back(std::move(name));
    } else if (std::find(out.found.begin(), out.found.end(), p) == out.found.end()) {
      out.found.push_back(p);
    }
  }
  return out;
}

std::vector<Registry::TrapReader> Registry::for_trap(
    const std::vector<const DevicePlugin*>& of_device, std::string_view trap_oid) const {
  // The index says which plugins declare the OID; the device's list says which of them read it.
  std::vector<TrapReader> out;
  const auto exact = by_trap_.find(trap_oid);
  if (exact == by_trap_.end() && by_prefix_.empty()) {
    return out;
  }
  for (const DevicePlugin* p : of_device) {
    std::optional<std::string_view> declared;
    if (exact != by_trap_.end()) {
      // A record declaring the received OID itself wins over one declaring its E.N form
      // (record_problem refuses one record declaring both).
      for (const TrapReader& r : exact->second) {
        if (r.plugin == p && (!declared || r.trap_oid == trap_oid)) {
          declared = r.trap_oid;
        }
      }
    }
    if (!declared && std::any_of(by_prefix_.begin(), by_prefix_.end(), [&](const auto& entry) {
          return entry.second == p && trap_oid.size() > entry.first.size() &&
                 oid_under(trap_oid, entry.first);
        })) {
      declared = trap_oid;
    }
    if (declared) {
      out.push_back(TrapReader{p, *declared});
    }
  }
  return out;
}

std::vector<const DevicePlugin*> Registry::for_notification(
    const std::vector<const DevicePlugin*>& of_device, std::string_view module,
    std::string_view name) {
  std::vector<const DevicePlugin*> out;
  for (const DevicePlugin* p : of_device) {
    if (p->handles_notification(module, name)) {
      out.push_back(p);
    }
  }
  return out;
}

std::optional<TrapMeaning> restart_meaning(std::string_view trap_oid,
                                           const std::vector<const DevicePlugin*>& plugins) {
  if (!is_restart_trap(trap_oid)) {
    return std::nullopt;
  }
  bool snmp = false;
  bool walk = false;
  for (const DevicePlugin* p : plugins) {
    const PluginRecord& r = p->info();
    snmp = snmp || r.kind == PluginKind::snmp;
    walk = walk || (r.kind == PluginKind::snmp && r.on_restart == OnRestart::walk);
  }
  if (!snmp) {
    return std::nullopt;
  }
  // The agent restarted: what it reported may have changed while it was down (a PDU that lost
  // its only inlet cannot send a trap; it says coldStart when power is back), and a switch may
  // have renumbered its ifIndex.
  TrapMeaning m;
  m.poll = true;
  m.refresh = walk;
  m.summary = !walk ? "agent restarted" : trap_oid == kColdStart ? "coldStart" : "warmStart";
  return m;
}

}  // namespace colosla::core
