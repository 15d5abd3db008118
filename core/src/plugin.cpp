#include "colosla/plugin.hpp"

#include "colosla/oid.hpp"
#include "colosla/registry.hpp"

namespace colosla::core {

std::string_view to_string(Stability s) {
  switch (s) {
    case Stability::stable:
      return "stable";
    case Stability::alpha:
      return "alpha";
    case Stability::wip:
      return "wip";
  }
  return "?";
}

const Varbind* find_varbind(const std::vector<Varbind>& vbs, std::string_view prefix) {
  for (const auto& v : vbs) {
    if (oid_under(v.oid, prefix)) {
      return &v;
    }
  }
  return nullptr;
}

const Varbind* find_varbind(const std::vector<Varbind>& vbs, std::string_view column, std::int64_t index) {
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

void Registry::add(PluginFactory factory) {
  auto p = factory();
  const PluginInfo& info = p->info();
  if (info.api != kPluginApi) {
    throw ConfigError("plugin " + info.name + " was built for plugin API " +
                      std::to_string(info.api) + ", this colosla has " + std::to_string(kPluginApi));
  }
  if (plugins_.count(info.name) != 0) {
    throw ConfigError("two plugins are called " + info.name);
  }
  plugins_.emplace(info.name, std::move(p));
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

}  // namespace colosla::core
