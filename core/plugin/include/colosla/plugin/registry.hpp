#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "colosla/plugin/plugin.hpp"

namespace colosla::core {

/// The plugins a program knows, by name. Filled once at start-up from plugins/builtin.cpp.
class Registry {
 public:
  /// Adds the plugin the factory makes. Throws ConfigError for a name already taken or a plugin
  /// built against another kPluginApi.
  void add(PluginFactory factory);
  /// The plugin called name, or nullptr.
  [[nodiscard]] const DevicePlugin* find(std::string_view name) const;
  /// Every name, sorted.
  [[nodiscard]] std::vector<std::string> names() const;
  /// Every plugin, by name.
  [[nodiscard]] const std::map<std::string, std::unique_ptr<DevicePlugin>, std::less<>>& all()
      const {
    return plugins_;
  }

 private:
  std::map<std::string, std::unique_ptr<DevicePlugin>, std::less<>> plugins_;
};

/// Adds every built-in plugin (the list plugins/CMakeLists.txt generates).
void register_builtins(Registry& r);

}  // namespace colosla::core
