#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/model/inventory.hpp"
#include "colosla/model/mapping.hpp"
#include "colosla/model/model.hpp"
#include "colosla/model/records.hpp"
#include "colosla/plugin/plugin.hpp"
#include "colosla/plugin/registry.hpp"
#include "colosla/sla/sla.hpp"
#include "colosla/store/store.hpp"

/// What the front ends do with the store, each step either committed whole or not at all.
namespace colosla::core {

/// Who is entering a record when --by is not given: the login name of the session
/// (getlogin), else the effective user's name.
std::string default_user();

struct CommitOutcome {
  std::int64_t version = 0;  ///< the store's inventory version after the call
  bool changed = false;      ///< false when the document equals the current one (nothing written)
};

/// Replaces the store's inventory with v, after checking that the store's recorded port
/// mapping changes still fit it. Loading the document the store already has writes nothing.
/// Errors: conflict (with the record named) when a recorded change contradicts the new
/// inventory; store when SQLite fails. On any error the store is unchanged.
Result<CommitOutcome> commit_inventory(Store& store, const ValidatedInventory& v,
                                       const std::string& by, Timestamp now);

/// Checks a mapping change against the inventory and every recorded change, then records it.
/// Returns the change with its id. Errors: not_found (no inventory, unknown contract or device),
/// invalid_input (the device is not a switch, the port is an uplink), conflict (see
/// resolve_mappings). On any error nothing is recorded.
Result<MappingChange> record_mapping_change(Store& store, MappingChange change);

/// The mapping ranges of the store's inventory and records.
Result<std::vector<MappingRange>> current_mappings(const Store& store);

/// Checks a record against the inventory and the stored records (check_record), then stores it;
/// returns it with its id. On any error nothing is stored.
Result<Record> add_record(Store& store, Record r);

/// The store's records of one kind (all of them: in force, corrected and withdrawn), optionally
/// only those of one contract (an exclusion for all contracts is listed with every contract).
Result<std::vector<Record>> list_records(const Store& store, RecordKind kind,
                                         const std::optional<std::string>& contract);

/// Computes a month's report from one snapshot of the store (the inventory, the port mapping,
/// every state change up to as-of, the records in force), handing each contract's report to
/// `sink` as it is computed.
Result<void> month_report(const Store& store, std::chrono::year_month month, Timestamp as_of,
                          const std::optional<std::string>& contract,
                          const std::function<void(const ContractReport&)>& sink);

/// The same, collected.
Result<MonthReport> month_report(const Store& store, std::chrono::year_month month, Timestamp as_of,
                                 const std::optional<std::string>& contract);

/// Asks a device for a poll's objects (snmp_fetch in the programs).
using Fetch = std::function<Result<PollAnswer>(const Device&, const PollRequest&)>;

/// What a device answered, as its plugin reads it: the reading, or why the answer could not be
/// read (an error here is not silence: the device did answer).
struct DeviceAnswer {
  Result<PollMeaning> meaning;
  Timestamp at;  ///< when the answer came
};

/// Asks a device for its state, over SNMP or NETCONF, and has its plugin read the answer. An
/// error means the device did not answer (or refused, or could not be reached).
using Ask = std::function<Result<DeviceAnswer>(const DevicePlugin&, const DeviceView&)>;

/// Where a poll's observations come from: their source and origin (snmp:192.0.2.10:161,
/// netconf:ssh:192.0.2.20:830).
struct PollOrigin {
  Source source = Source::poll;
  std::string origin;
};

struct PollReport {
  std::string device;
  bool answered = false;
  std::string problem;                ///< why not: no answer, refused, unreadable
  std::size_t states = 0;             ///< states the device reported
  std::vector<Observation> recorded;  ///< the changes stored
  std::vector<PortInfo> ports;        ///< switches: every interface seen
};

/// Polls one device through its plugin and stores every state that differs from the store's
/// latest, dated by the device where it says when (ifLastChange, last-change; never before the
/// entity's last observation, never after the poll), else at the answer. A switch's reading
/// also refreshes its ifIndex → ifName map. A device that does not answer makes each of its
/// entities `unknown` (never `off`: a silent PDU is not a dead one). Errors: not_found for a
/// plugin this colosla lacks; store errors.
Result<PollReport> poll_device(Store& store, const Registry& registry, const Device& device,
                               const Ask& ask, const PollOrigin& origin, const Clock& clock);

class TrapRules;

/// The same over SNMP: `fetch` gets the plugin's objects, the plugin reads the varbinds. With
/// `rules`, a device that names the plugin "rules" is read by the poll rules in force: one GET
/// of its sysObjectID.0, then one of the scalars of the rules matching it (TrapRules::polls_for),
/// which say its state; no rule matching it is an answer that could not be read.
Result<PollReport> poll_device(Store& store, const Registry& registry, const Device& device,
                               const Fetch& fetch, const Clock& clock,
                               const TrapRules* rules = nullptr);

/// How the poll rules read a device, nothing stored (poll_device's for a device whose plugin is
/// "rules", and `colosla rules test --poll`): a GET of its sysObjectID.0, then the GETs and
/// walks of the rules that match it (TrapRules::polls_for), read by their state maps. Errors:
/// the device's silence (fetch's); an answer that could not be read (no sysObjectID.0, no
/// rule matching it, a value no map lists) is a DeviceAnswer whose meaning is the error.
Result<DeviceAnswer> ask_poll_rules(const TrapRules& rules, const Fetch& fetch,
                                    const DeviceView& view);

struct NotificationReport {
  std::string summary;                ///< the plugin's words for it ("link-down eth1")
  std::vector<Observation> recorded;  ///< the changes stored
  std::size_t superseded = 0;         ///< states older than what the store knows (a replay)
  bool poll = false;                  ///< read the device again to learn the state
};

/// Stores what a NETCONF notification says, through the device's plugin: each state that
/// differs from the entity's latest in the store, dated at the notification's eventTime (never
/// after `clock`'s now). A state dated before the entity's latest observation is a replayed or
/// late notification the store already has news beyond: it is counted, not stored, so that a
/// replay never rewrites history. Errors: not_found (no plugin), invalid_input (the plugin could
/// not read it), store errors; nothing is stored on error.
Result<NotificationReport> record_notification(Store& store, const Registry& registry,
                                               const Device& device, const NetconfNotification& n,
                                               const PollOrigin& origin, const Clock& clock);

/// Parses lines of `colosla observe` input (SPEC §8) and checks them against the inventory: the
/// device or probe target exists, the member names fit the device's role, the state word fits
/// the entity. Looks devices and probe targets up in indexes built once.
class ObservationParser {
 public:
  /// `now`: an observation dated more than a day after it is refused (a clock or a year gone
  /// wrong), as is one before 1970.
  ObservationParser(const Inventory& inventory, Timestamp now);
  /// The observation's source is `import`; received, origin and evidence are left for the
  /// caller. Errors: invalid_input or not_found, with the reason in plain words.
  Result<Observation> parse(std::string_view line) const;

 private:
  Timestamp now_;
  std::map<std::string, const Device*, std::less<>> devices_;
  std::map<std::string, std::vector<ProbeService>, std::less<>> targets_;
};

/// One line, for a caller with one line: ObservationParser(inventory, now).parse(line).
Result<Observation> parse_observation(std::string_view line, const Inventory& inventory,
                                      Timestamp now);

struct LineError {
  std::size_t line = 0;
  std::string reason;
};

struct ImportOutcome {
  std::size_t lines = 0;   ///< non-blank lines read
  std::size_t stored = 0;  ///< observations committed
  std::vector<LineError> bad;
};

/// Reads observation lines from `in` and stores them in one transaction. Without skip_bad a
/// single bad line stores nothing; with it, the good lines are stored and the bad ones
/// reported. Each observation keeps "name:line" as its origin and the line as its evidence.
/// Errors: not_found when no inventory is loaded; store when SQLite fails (nothing stored).
Result<ImportOutcome> import_observations(Store& store, std::istream& in, const std::string& name,
                                          bool skip_bad, Timestamp received);

}  // namespace colosla::core
