#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "colosla/inventory.hpp"
#include "colosla/model.hpp"
#include "colosla/result.hpp"
#include "colosla/trap.hpp"

/// The device plugin interface: pure translation of what a device says (a trap, a poll) into
/// states of the model. A plugin sees no socket, no Net-SNMP or libyang type, no clock, no store;
/// it is tested with plain values. Adding one is a folder under plugins/ and a line in
/// plugins/CMakeLists.txt.
namespace colosla::core {

/// Bumped when this header changes incompatibly; the registry refuses other versions.
constexpr int kPluginApi = 1;

enum class Stability : std::uint8_t { stable, alpha, wip };
std::string_view to_string(Stability s);

struct PluginInfo {
  std::string name;  ///< what an inventory device gives as its plugin ("if-mib")
  int api = kPluginApi;
  Stability stability = Stability::alpha;
  std::string summary;
  std::vector<std::string> mibs;          ///< the MIB modules it reads
  std::vector<std::string> yang_modules;  ///< the YANG modules it reads
};

/// A state a device reports for one of its entities, and since when if the device says so
/// (a poll's ifLastChange); otherwise the caller dates it (the trap's arrival, the poll's time).
struct StateReport {
  EntityId entity;
  State state = State::unknown;
  std::optional<Timestamp> since;
  std::string detail;  ///< what in the message said so: "ifOperStatus.3 = 2", for the evidence

  /// Equal in what it reports (the detail is only evidence).
  friend bool operator==(const StateReport& a, const StateReport& b) {
    return a.entity == b.entity && a.state == b.state && a.since == b.since;
  }
};

/// What the plugin knows about the device when it translates.
struct DeviceView {
  const Device& device;
  /// ifIndex → ifName as last walked on this device (empty before the first walk).
  const std::map<std::int64_t, std::string>& if_names;
};

/// What a trap means.
struct TrapMeaning {
  std::vector<StateReport> states;
  /// The device restarted or renumbered its interfaces (coldStart, warmStart, an unknown
  /// ifIndex): walk it again before trusting the names.
  bool refresh = false;
  /// The trap says something changed but not the resulting state: poll to confirm.
  bool poll = false;
  std::string summary;  ///< "linkDown ge-0/0/1", for the log
};

/// What to ask a device for in one poll.
struct PollRequest {
  std::vector<std::string> get;   ///< scalars (with their .0)
  std::vector<std::string> walk;  ///< table columns or subtrees
};

/// What the device answered (every varbind of every get and walk, numeric OIDs), with the
/// instant the answer came.
struct PollAnswer {
  std::vector<Varbind> varbinds;
  Timestamp at;
};

/// A port as a poll sees it, for discovery and for the ifIndex → ifName map.
struct PortInfo {
  std::int64_t if_index = 0;
  std::string name;   ///< ifName (or ifDescr when the agent has no ifName)
  std::string alias;  ///< ifAlias, the operator's label
  State state = State::unknown;
};

struct PollMeaning {
  std::vector<StateReport> states;
  std::vector<PortInfo> ports;  ///< switches: every interface seen
};

class DevicePlugin {
 public:
  virtual ~DevicePlugin() = default;
  [[nodiscard]] virtual const PluginInfo& info() const = 0;

  /// Whether this plugin translates traps with this snmpTrapOID (numeric).
  [[nodiscard]] virtual bool handles(const std::string& trap_oid) const = 0;
  /// Translates a trap it handles. Errors: invalid_input for a malformed trap (a varbind
  /// missing, of the wrong type, an unknown enumeration), with the reason; never throws.
  [[nodiscard]] virtual Result<TrapMeaning> on_trap(const Trap& trap, const DeviceView& d) const = 0;

  /// What to poll on this device.
  [[nodiscard]] virtual PollRequest poll_request(const Device& d) const = 0;
  /// Translates a poll's answer. Errors: invalid_input for an answer it cannot read.
  [[nodiscard]] virtual Result<PollMeaning> on_poll(const PollAnswer& answer,
                                                    const DeviceView& d) const = 0;
};

/// Makes a plugin. Built-in plugins give one each (plugins/<name>/plugin.hpp).
using PluginFactory = std::unique_ptr<DevicePlugin> (*)();

/// The first varbind under prefix, or nullptr.
const Varbind* find_varbind(const std::vector<Varbind>& vbs, std::string_view prefix);
/// The varbind of column.index (a table's column at one row), or nullptr.
const Varbind* find_varbind(const std::vector<Varbind>& vbs, std::string_view column, std::int64_t index);

/// When a state a device reports with a TimeTicks timestamp (ifLastChange) began: `at` minus
/// (sysUpTime − ticks) hundredths of a second. nullopt when ticks is 0 (before the agent's last
/// re-initialisation) or later than sysUpTime (the counter wrapped).
std::optional<Timestamp> since_uptime(Timestamp at, std::uint32_t sys_uptime, std::uint32_t ticks);

}  // namespace colosla::core
