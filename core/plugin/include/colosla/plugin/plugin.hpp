#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/base/result.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/model/model.hpp"
#include "colosla/model/trap.hpp"
#include "colosla/plugin/record.hpp"

/// The device plugin interface: pure translation of what a device says (a trap, a poll, a
/// NETCONF reply or notification) into states of the model. A plugin sees no socket, no
/// Net-SNMP, libnetconf2 or libyang type, no clock, no store;
/// it is tested with plain values. What it reads is data, its record (record.hpp): the registry
/// dispatches traps by the OIDs records declare, and the core handles restart traps itself.
/// Adding one is a folder under plugins/snmp/ or plugins/netconf/ and a line in
/// plugins/CMakeLists.txt.
namespace colosla::core {

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

// -- NETCONF ---------------------------------------------------------------------------------

/// One node of a YANG data tree (a <get> reply, a notification) as plain values: the session
/// layer parses and validates the XML with libyang, then copies the tree into these, so that a
/// plugin never sees libyang and is tested with trees written by hand.
struct DataNode {
  std::string module;  ///< the module that defines the node: "ietf-interfaces"
  std::string name;    ///< "oper-status"
  std::string value;   ///< a leaf's canonical value ("iana-hardware:power-supply" for an
                       ///< identityref); empty for a container or a list entry
  std::vector<DataNode> children;

  /// The first child called name, or nullptr.
  [[nodiscard]] const DataNode* child(std::string_view child_name) const;
  /// The value of the child leaf called name, or nullptr when there is none.
  [[nodiscard]] const std::string* leaf(std::string_view leaf_name) const;
  /// Every child called name (the entries of a list).
  [[nodiscard]] std::vector<const DataNode*> all(std::string_view child_name) const;
};

/// What a device's NETCONF server says of itself: the capabilities of its <hello> and the
/// modules it implements (from the capabilities, or its YANG library).
struct NetconfServerInfo {
  std::vector<std::string> capabilities;
  std::map<std::string, std::string, std::less<>> modules;  ///< name → revision ("" if none)

  [[nodiscard]] bool implements(std::string_view module) const {
    return modules.count(module) != 0;
  }
  /// The revision of a module it implements ("" when it gives none or does not implement it).
  [[nodiscard]] std::string revision(std::string_view module) const;
  /// Whether a capability starts with this URI
  /// ("urn:ietf:params:netconf:capability:notification:1.0").
  [[nodiscard]] bool has_capability(std::string_view uri) const;
  /// NMDA: the server implements ietf-netconf-nmda, so operational state lives in the same
  /// trees as configuration (RFC 8342).
  [[nodiscard]] bool nmda() const { return implements("ietf-netconf-nmda"); }
};

/// What to read in one NETCONF poll: XPath filters for <get>, each naming its module
/// ("/ietf-interfaces:interfaces-state/interface"). Empty: nothing this plugin can read there.
struct NetconfRequest {
  std::vector<std::string> xpaths;
};

/// A <get> reply (its top-level nodes) and the instant it came.
struct NetconfAnswer {
  std::vector<DataNode> data;
  Timestamp at;
};

/// A notification: the node named by its module and name, with its leaves, and its eventTime.
struct NetconfNotification {
  DataNode node;
  Timestamp event_time;
};

/// A plugin translates what one kind of device says, over SNMP, NETCONF or both; what it does
/// not speak it leaves at these defaults.
class DevicePlugin {
 public:
  virtual ~DevicePlugin() = default;
  /// Its record: what it reads, as data.
  [[nodiscard]] virtual const PluginRecord& info() const = 0;

  // -- SNMP --
  /// Whether its record declares this snmpTrapOID (numeric).
  [[nodiscard]] bool handles(std::string_view trap_oid) const {
    return info().declares_trap(trap_oid);
  }
  /// Translates a trap its record declares (never a restart trap: the core handles those). Errors:
  /// invalid_input for a malformed trap (a varbind missing, of the wrong type, an unknown
  /// enumeration), with the reason; never throws.
  [[nodiscard]] virtual Result<TrapMeaning> on_trap(const Trap& trap, const DeviceView& d) const;
  /// What to poll on this device: its record's polls unless it overrides this.
  [[nodiscard]] virtual PollRequest poll_request(const Device& /*d*/) const { return info().polls; }
  /// Translates a poll's answer. Errors: invalid_input for an answer it cannot read.
  [[nodiscard]] virtual Result<PollMeaning> on_poll(const PollAnswer& answer,
                                                    const DeviceView& d) const;

  // -- NETCONF --
  /// What to read from the device, given what its server implements.
  [[nodiscard]] virtual NetconfRequest netconf_request(const Device& /*d*/,
                                                       const NetconfServerInfo& /*server*/) const {
    return {};
  }
  /// Translates a <get> reply. Errors: invalid_input for data it cannot read.
  [[nodiscard]] virtual Result<PollMeaning> on_netconf(const NetconfAnswer& answer,
                                                       const DeviceView& d) const;
  /// Whether its record declares the notification `name` of `module`.
  [[nodiscard]] bool handles_notification(std::string_view module, std::string_view name) const {
    return info().declares_notification(module, name);
  }
  /// Translates a notification it handles. Errors: invalid_input, with the reason.
  [[nodiscard]] virtual Result<TrapMeaning> on_notification(const NetconfNotification& n,
                                                            const DeviceView& d) const;
};

/// Makes a plugin. Built-in plugins give one each (plugins/<name>/plugin.hpp).
using PluginFactory = std::unique_ptr<DevicePlugin> (*)();

/// The first varbind under prefix, or nullptr.
const Varbind* find_varbind(const std::vector<Varbind>& vbs, std::string_view prefix);
/// The varbind of column.index (a table's column at one row), or nullptr.
const Varbind* find_varbind(const std::vector<Varbind>& vbs, std::string_view column,
                            std::int64_t index);

/// When a state a device reports with a TimeTicks timestamp (ifLastChange) began: `at` minus
/// (sysUpTime − ticks) hundredths of a second. nullopt when ticks is 0 (before the agent's last
/// re-initialisation) or later than sysUpTime (the counter wrapped).
std::optional<Timestamp> since_uptime(Timestamp at, std::uint32_t sys_uptime, std::uint32_t ticks);

/// A port's state from an interface's oper-status as YANG models spell ifOperStatus:
/// ietf-interfaces ("up", "lower-layer-down") or OpenConfig ("UP", "LOWER_LAYER_DOWN"). up carries
/// traffic; down, dormant, not-present and lower-layer-down do not; testing and unknown say
/// nothing about the customer's link. Errors: invalid_input for any other word.
Result<State> oper_status_state(std::string_view word);

}  // namespace colosla::core
