#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "colosla/plugin/plugin.hpp"

namespace colosla::core {

/// The plugins a program knows, by name, and the trap OIDs their records declare. Filled once at
/// start-up from plugins/builtin.cpp.
class Registry {
 public:
  /// Adds the plugin the factory makes. Throws ConfigError for a plugin built against another
  /// kPluginApi, a record that record_problem() refuses (a bad YANG revision, a trap OID given
  /// twice, …: its message) or a name already taken.
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

  /// The plugins a device names (Device::plugin, see plugin_names()), in its order.
  struct DevicePlugins {
    std::vector<const DevicePlugin*> found;
    std::vector<std::string> missing;  ///< the names this registry does not have
  };
  [[nodiscard]] DevicePlugins plugins_of(const Device& d) const;

  /// A plugin that reads a trap, and the snmpTrapOID as its record declares it.
  struct TrapReader {
    const DevicePlugin* plugin = nullptr;
    /// The record's entry the trap matched (same_notification, oid.hpp): the received OID
    /// itself, or the E.N a record declares when it came in its SNMPv1 form E.0.N (RFC 3584).
    /// Under a ".*" entry, the received OID. Valid as long as the registry and the trap_oid
    /// given to for_trap.
    std::string_view trap_oid;
  };
  /// Of a device's plugins, those whose records declare this snmpTrapOID, in either of its
  /// RFC 3584 forms, in the device's order.
  [[nodiscard]] std::vector<TrapReader> for_trap(const std::vector<const DevicePlugin*>& of_device,
                                                 std::string_view trap_oid) const;
  /// Of a device's plugins, those whose records declare the notification name of module.
  [[nodiscard]] static std::vector<const DevicePlugin*> for_notification(
      const std::vector<const DevicePlugin*>& of_device, std::string_view module,
      std::string_view name);

 private:
  std::map<std::string, std::unique_ptr<DevicePlugin>, std::less<>> plugins_;
  // Exact trap OIDs, and the SNMPv1 forms of those that have one (v1_form) → the plugins that
  // declare them, each with the entry it declares; ".*" entries: (prefix, plugin).
  std::map<std::string, std::vector<TrapReader>, std::less<>> by_trap_;
  std::vector<std::pair<std::string, const DevicePlugin*>> by_prefix_;
};

/// Adds every built-in plugin (the list plugins/CMakeLists.txt generates).
void register_builtins(Registry& r);

/// What a restart trap (coldStart, warmStart) means for a device read by these plugins, decided
/// here once for the device whatever its plugins: poll it; walk it again too when a plugin's
/// record says so (OnRestart::walk: ifIndex may have been renumbered), and then the summary
/// names the trap ("coldStart"), otherwise it says "agent restarted". nullopt when the trap is
/// not a restart trap or no plugin of the device reads SNMP (then it is a trap no plugin
/// declares, like any other).
std::optional<TrapMeaning> restart_meaning(std::string_view trap_oid,
                                           const std::vector<const DevicePlugin*>& plugins);

}  // namespace colosla::core
