#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "colosla/base/result.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/model/model.hpp"
#include "colosla/model/trap.hpp"
#include "colosla/model/yang_document.hpp"
#include "colosla/plugin/plugin.hpp"

/// Trap rules as data (yang/colosla-trap-rules.yang): what a vendor's traps mean, read from rule
/// files instead of C++. A rule matches a trap OID and optional varbind values, and yields a
/// state of the device's UPS, of a port named by an ifIndex varbind, or of an outlet numbered by
/// a varbind. The trap processor asks the rules for a trap none of the device's plugins declares.
namespace colosla::core {

/// Which entity of the device a rule's trap (or a poll rule's value) is about.
enum class RuleEntity : std::uint8_t { ups, port, outlet, inlet, phase };
std::string_view to_string(RuleEntity e);

/// Where a rule finds which port, outlet or phase it is about.
enum class IndexFrom : std::uint8_t {
  none,      ///< a UPS, an inlet: the device's own
  value,     ///< a varbind's value is the number (an ifIndex, an outlet or a phase)
  suffix,    ///< a sub-identifier of a varbind's OID after a prefix (ifOperStatus.7); a poll
             ///< column: of the row's index
  name,      ///< a varbind's value is the name (ifName, ServerTech's outletID); a poll column:
             ///< another column of the row
  constant,  ///< a phase the rule gives
};

/// A rule's entity and where its number or name comes from.
struct EntityRef {
  RuleEntity kind = RuleEntity::ups;
  IndexFrom from = IndexFrom::none;
  std::string oid;        ///< value, name: the varbind (a poll's name column); suffix: the prefix
  unsigned position = 1;  ///< suffix: which sub-identifier after the prefix, 1 the first
  unsigned number = 0;    ///< constant: the phase
};
/// "port by the ifIndex suffix of 1.3.6.1.2.1.2.2.1.8", for `colosla rules list`.
std::string describe(const EntityRef& e);

/// A varbind a trap must carry, with this value (its text: digits, an OID, a string).
struct VarbindCondition {
  std::string oid;  ///< the varbind, or a prefix of it
  std::string equals;
};

/// Value → state, in the file's order, and the state of a value not listed (if any).
struct StateMap {
  std::vector<std::pair<std::string, State>> values;
  std::optional<State> otherwise;
  /// The state for this value's text, or none.
  [[nodiscard]] std::optional<State> find(std::string_view text) const;
};

struct TrapRule {
  std::string name;
  std::string object;  ///< the MIB object of the trap: "upsOnBattery"
  std::string description;
  std::string trap_oid;  ///< as the file gives it
  std::vector<VarbindCondition> conditions;
  EntityRef entity;
  std::optional<State> state;  ///< a constant state, or else the map below
  std::string map_varbind;
  StateMap map;
  bool poll = false;  ///< poll the device to confirm
  int line = 0;       ///< the line of its name in its file (JSON); 0 when not known (XML)
};

/// sysObjectID.0 (SNMPv2-MIB), which names the devices a poll rule applies to.
inline constexpr const char* kSysObjectId = "1.3.6.1.2.1.1.2.0";

/// What to read on the devices whose sysObjectID.0 is at or below `sys_object_id`, and what its
/// values mean (the `poll` list of a rule file): a scalar to GET (one entity), or a table column
/// to walk (one entity a row). It reads a device whose inventory names the plugin "rules".
struct PollRule {
  std::string name;
  std::string object;  ///< the MIB object read: "upsBasicOutputStatus"
  std::string description;
  std::string sys_object_id;  ///< the devices: sysObjectID.0 this OID or below it
  std::string oid;            ///< the scalar to GET, with its .0; or the column to walk
  bool column = false;        ///< `oid` is a column: every row one entity
  EntityRef entity;  ///< a column's: suffix (the row's index) or name (entity.oid, a column)
  StateMap map;
  int line = 0;
};  /// One rule file.
struct TrapRuleFile {
  std::string path;
  std::string mib;       ///< the MIB module it was written from: "PowerNet-MIB"
  std::string revision;  ///< that MIB's revision: "4.0.5"
  std::vector<TrapRule> rules;
  std::vector<PollRule> polls;
};

/// Every rule in force, indexed by the trap OIDs it reads: its own and its SNMPv1 form (core's
/// v1_form, RFC 3584, as the plugins' dispatch). Files are tried in the order they were added,
/// rules in their file's order; the first rule whose match holds reads the trap.
class TrapRules {
 public:
  void add(TrapRuleFile file);
  [[nodiscard]] const std::vector<TrapRuleFile>& files() const { return files_; }
  [[nodiscard]] bool empty() const { return index_.empty(); }
  [[nodiscard]] std::size_t size() const;
  /// The rule that reads this trap, or nullptr.
  [[nodiscard]] const TrapRule* find(const Trap& trap) const;
  /// The file a rule of find() is in, or nullptr.
  [[nodiscard]] const TrapRuleFile* file_of(const TrapRule* rule) const;
  /// The poll rules for a device with this sysObjectID.0: those whose prefix it is at or below,
  /// the first file's first, and one for each kind of entity (the first).
  [[nodiscard]] std::vector<const PollRule*> polls_for(std::string_view sys_object_id) const;
  [[nodiscard]] std::size_t poll_count() const;

 private:
  std::vector<TrapRuleFile> files_;
  std::map<std::string, std::vector<std::pair<std::size_t, std::size_t>>, std::less<>> index_;
};

/// What a rule says a trap means for the device that sent it. No state (and a summary saying
/// why) when the state map has no entry for the varbind's value, or a port's ifIndex or name is
/// not known from the device's walk (then `refresh`: walk the device). A phase of a PDU whose
/// outlets the inventory puts on no phase is its whole inlet. Errors: invalid_input for a trap
/// the rule cannot read (its entity or state varbind missing, a number that is not a
/// non-negative integer, a phase not 1..3, an OID without the suffix, a name not printable).
Result<TrapMeaning> apply(const TrapRule& rule, const Trap& trap, const DeviceView& device);

/// The GETs and walks the poll rules need.
PollRequest request_of(const std::vector<const PollRule*>& rules);

/// What the poll rules' answers say: one state for each scalar, one for each row of a column,
/// by its rule's state map. Errors: invalid_input when the answer lacks a scalar or has no row
/// of a column, or holds a value the rule's map does not list (its text escaped), or a row
/// whose index or name cannot name an entity.
Result<PollMeaning> read_polls(const std::vector<const PollRule*>& rules, const PollAnswer& answer,
                               const DeviceView& device);

/// The rules directory of the installed package (share/colosla/rules under the install prefix),
/// what colosla-trapd and `colosla rules list` read when no rule file is named.
std::string default_rules_dir();

/// The rule files and directories to read: those given (a `rules` key or `--rules`), else the
/// package's directory when it exists, else none.
std::vector<std::string> rule_paths_or_default(std::vector<std::string> given);

/// Reads rule files, each checked against yang/colosla-trap-rules.yang by libyang and then for
/// what YANG does not say (a state word that fits the rule's entity). Errors are "FILE:LINE:
/// PATH: message" diagnostics; a file with any error gives no rule at all.
class TrapRuleLoader {
 public:
  /// Throws ConfigError when the YANG module does not compile (a broken build).
  TrapRuleLoader();
  Result<TrapRuleFile, std::vector<Diagnostic>> load_file(const std::string& path);
  Result<TrapRuleFile, std::vector<Diagnostic>> load(const std::string& name,
                                                     const std::string& text);
  /// Files and directories (a directory's *.json and *.xml files, in name order); every file's
  /// problems, and no rules at all when any file has one.
  Result<TrapRules, std::vector<Diagnostic>> load_all(const std::vector<std::string>& paths);

 private:
  YangDocumentValidator validator_;
};

}  // namespace colosla::core
