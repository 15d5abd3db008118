#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

/// A plugin record: what a device plugin reads, as data. The registry checks it when it is built
/// and dispatches traps by it; `colosla plugins` prints it. Nothing here runs device code.
namespace colosla::core {

/// Bumped when the plugin interface (plugin.hpp, this header) changes incompatibly; the
/// registry refuses other versions.
constexpr int kPluginApi = 3;

enum class Stability : std::uint8_t { stable, alpha, wip };
std::string_view to_string(Stability s);

/// How a plugin reads its devices.
enum class PluginKind : std::uint8_t { snmp, netconf };
std::string_view to_string(PluginKind k);

/// A YANG module at one revision: "ietf-interfaces@2018-02-20".
struct YangModule {
  std::string name;
  std::string revision;  ///< YYYY-MM-DD, as the module's revision statement gives it
  friend bool operator==(const YangModule&, const YangModule&) = default;
};
/// "name@revision".
std::string to_string(const YangModule& m);

/// What the core does when a device says it restarted (coldStart, warmStart): it always polls
/// the device; `walk` also walks its interface names again (ifIndex may have been renumbered).
enum class OnRestart : std::uint8_t { poll, walk };

/// What to ask a device for in one SNMP poll.
struct PollRequest {
  std::vector<std::string> get;   ///< scalars (with their .0)
  std::vector<std::string> walk;  ///< table columns or subtrees
};

struct PluginRecord {
  std::string name;  ///< what an inventory device gives as its plugin ("if-mib")
  int api = kPluginApi;
  Stability stability = Stability::alpha;
  PluginKind kind = PluginKind::snmp;
  std::string summary;
  std::vector<std::string> mibs;  ///< the MIB modules it reads (SNMP)
  /// The snmpTrapOID values it translates, numeric. One ending in ".*" declares every OID
  /// below it ("1.3.6.1.4.1.318.0.*"). Never coldStart or warmStart: the core handles those.
  std::vector<std::string> trap_oids;
  /// What to poll (SNMP); empty for a NETCONF plugin.
  PollRequest polls;
  /// What a restart trap means for its devices (SNMP).
  OnRestart on_restart = OnRestart::poll;
  /// The YANG modules it reads, each at every revision it was written for (NETCONF).
  std::vector<YangModule> yang_modules;
  /// The notifications it translates, as "module:name" (NETCONF).
  std::vector<std::string> notifications;

  /// Whether it declares this snmpTrapOID (exactly or in its SNMPv1 form, same_notification in
  /// oid.hpp, or below one of its ".*" entries).
  [[nodiscard]] bool declares_trap(std::string_view trap_oid) const;
  /// Whether it declares the notification `notification` of `module`.
  [[nodiscard]] bool declares_notification(std::string_view module,
                                           std::string_view notification) const;
  /// Whether it reads the YANG module called name (at any of its revisions).
  [[nodiscard]] bool reads_module(std::string_view module) const;
  /// The names of the modules it reads, each once, in the record's order.
  [[nodiscard]] std::vector<std::string> module_names() const;
};

/// The former name of PluginRecord.
using PluginInfo = PluginRecord;

/// What is wrong with a record, or "" when nothing is: an empty or ill-formed name, a trap OID
/// that is not numeric, a restart trap, the same trap OID twice (or one under another's ".*", or
/// both E.N and its SNMPv1 form E.0.N),
/// a YANG module without a valid YYYY-MM-DD revision or given twice, a notification not written
/// "module:name" or given twice. The message starts with "plugin NAME: ".
std::string record_problem(const PluginRecord& r);

}  // namespace colosla::core
