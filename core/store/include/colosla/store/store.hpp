#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "colosla/model/evidence.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/model/mapping.hpp"
#include "colosla/model/model.hpp"
#include "colosla/model/records.hpp"
#include "colosla/store/secrets.hpp"

/// The store: one SQLite database in WAL mode that keeps the inventory, the observations with
/// their evidence, and every record people enter. The schema is versioned with
/// PRAGMA user_version and upgraded forward when a newer colosla opens an older store.
namespace colosla::core {

/// One loaded inventory, kept for the audit trail.
struct InventoryRecord {
  std::int64_t version = 0;
  Timestamp loaded_at;
  std::string loaded_by;
  std::vector<std::string> files;
  /// RFC 7951 JSON with every default written out; its secrets opened (Secrets::reveal) or
  /// each replaced by "(secret)".
  std::string document;
};

/// An event to record once by its key (SLA events are one kind of it; the store knows no more).
struct NewEvent {
  std::string key;   ///< one occurrence: "port-down C-001 1793676000"
  std::string kind;  ///< "port-down"
  std::string contract;
  Timestamp time;
  std::int64_t cause_observation = 0;  ///< the observation behind it (0: none)
};
using EventBody = std::function<std::string(std::size_t index, std::int64_t id,
                                            const std::optional<EntityId>& cause)>;

class Store {
 public:
  /// The schema version this build writes.
  static constexpr int kSchemaVersion = 11;

  enum class Mode {
    create,     ///< Read and write; create the file (mode 0600) when it does not exist.
    existing,   ///< Read and write; the file must exist.
    read_only,  ///< Only read; the file must exist and have this build's schema.
  };

  /// Opens (and, if allowed, creates and upgrades) the store at path. `key_path` is the file of
  /// the key that seals the inventory's secrets (secrets.hpp; empty: default_key_path(path)),
  /// read only when a secret is written or revealed (or an upgrade seals an older store's).
  /// Errors: not_found when the file is missing and mode is not create; store when SQLite fails
  /// or the file was written by a newer colosla (schema version above kSchemaVersion).
  static Result<std::unique_ptr<Store>> open(const std::string& path, Mode mode,
                                             const std::string& key_path = {});

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  [[nodiscard]] const std::string& path() const;
  /// PRAGMA user_version of the open database.
  [[nodiscard]] int schema_version() const;
  /// How long a statement waits for another process's lock before it fails (5 s by default).
  /// The trap daemon waits less: while it waits, it receives nothing.
  void set_busy_timeout(std::chrono::milliseconds wait);
  /// SQLite checkpoints the write-ahead log into the database after every `pages` pages written
  /// (1000 by default; 0: never by itself). A writer that commits often checkpoints on its own
  /// schedule instead, with checkpoint().
  void set_autocheckpoint(int pages);
  /// SQLite's page cache for this connection, in KiB (2048 by default).
  void set_cache_size(int kib);
  /// Copies what the write-ahead log holds into the database as far as readers allow (PASSIVE).
  Result<void> checkpoint();

  /// Runs fn in one read transaction: every read inside sees the same snapshot of the store,
  /// however the daemon writes meanwhile, and the file is locked once, not per statement.
  Result<void> read(const std::function<Result<void>()>& fn) const;

  /// Runs fn in one write transaction (BEGIN IMMEDIATE, or a savepoint when one is already
  /// open): committed when fn succeeds, rolled back when it fails or SQLite does.
  Result<void> write(const std::function<Result<void>()>& fn);

  // -- inventory ---------------------------------------------------------------------------
  /// Replaces the inventory with v (inside the caller's write() when it needs to check
  /// something first), its secrets sealed with the key (created when there is none). Returns the
  /// new inventory version.
  Result<std::int64_t> save_inventory(const ValidatedInventory& v, const std::string& by,
                                      Timestamp at);
  /// The version of the current inventory when its document is `document` (compared by a keyed
  /// digest: the store keeps no clear secret to compare with), else nullopt.
  Result<std::optional<std::int64_t>> version_holding(const std::string& document) const;
  /// The current inventory, or nullopt when none was ever loaded. Its devices' secrets are
  /// empty unless revealed, which needs the key (errors then: not_found or io naming it).
  Result<std::optional<Inventory>> load_inventory(Secrets secrets = Secrets::withhold) const;
  /// The inventory cut down to one contract: the contract, the devices of its ports and power
  /// sources, the uplinks and their devices, the calendar. nullopt when no inventory is loaded
  /// or it has no such contract. For check_colosla, which must not read every contract.
  Result<std::optional<Inventory>> load_contract(const std::string& id) const;
  /// The inventory's devices only (a trap handler has no use for the contracts).
  Result<std::vector<Device>> devices(Secrets secrets = Secrets::withhold) const;
  /// The current inventory's record (document, who loaded it, when, from which files).
  Result<std::optional<InventoryRecord>> inventory_record(
      Secrets secrets = Secrets::withhold) const;

  // -- observations ------------------------------------------------------------------------
  /// Stores observations (one transaction unless inside write()). Returns how many.
  Result<std::size_t> add_observations(const std::vector<Observation>& obs);
  /// The SLA engine reads state changes from a table ordered by entity and time. Observations
  /// are merged into it in the transaction that stores them, unless the writer defers that: the
  /// trap daemon, storing thousands a second, merges once a second with merge_history(), so that
  /// each flapping port's pages are rewritten once per merge instead of once per commit.
  /// Readers see unmerged observations all the same.
  void defer_history_merge(bool defer);
  /// Merges the observations not yet in the history (one transaction unless inside write()).
  /// Returns how many.
  Result<std::int64_t> merge_history();
  /// Every observation of entity e, ordered by time, then arrival.
  Result<std::vector<Observation>> observations(const EntityId& e) const;
  /// Every observation whose time lies in [from, to), ordered by time, then arrival. (A scan:
  /// no index by time, which would cost every trap stored a third more.)
  Result<std::vector<Observation>> observations_between(Timestamp from, Timestamp to) const;
  Result<std::int64_t> observation_count() const;
  /// Every entity's state changes up to and including `until`, without the evidence: what the
  /// SLA engine reads.
  Result<History> history(Timestamp until) const;
  /// The changes of some entities up to `until`, as history() has them, from each entity's
  /// last observation in its good state (up, on, normal, pass) at or before `from` (whole when
  /// there is none): an outage or emergency running at `from` began after it. An entity never
  /// observed has an empty list. (A network outage of several ports in relay, each down in
  /// turn since before its last good observation, is seen to begin later than it did; its
  /// seconds in a month after `from` are the same.)
  Result<History> history_of(const std::vector<EntityId>& entities, Timestamp from,
                             Timestamp until) const;

  /// The last change of every entity among the observations after `after_seq` (0: all).
  Result<std::vector<std::pair<EntityId, StateChange>>> latest_states(std::int64_t after_seq) const;
  /// The last change of every entity of one device (ports, outlets, inlet, UPS output).
  Result<std::vector<std::pair<EntityId, StateChange>>> latest_states_of(
      const std::string& device) const;
  /// The highest observation seq (0 when there is none).
  Result<std::int64_t> last_observation_seq() const;

  // -- what the receiver and the poller keep ----------------------------------------------------
  /// Replaces a device's ifIndex → ifName map with what a walk found.
  Result<void> save_port_index(const std::string& device, const std::vector<PortName>& ports,
                               Timestamp walked);
  /// Every device's ifIndex → ifName map.
  Result<std::map<std::string, std::map<std::int64_t, std::string>>> port_index() const;
  /// Stores traps kept as evidence only. Returns how many.
  Result<std::size_t> add_evidence(const std::vector<TrapEvidence>& items);
  /// Adds deltas to named counters (created at 0).
  Result<void> add_counters(const std::map<std::string, std::int64_t>& deltas, Timestamp at);
  /// Every counter, by name.
  Result<std::vector<CounterValue>> counters() const;

  // -- records -------------------------------------------------------------------------------
  /// Every record (in force, corrected or withdrawn), in id order.
  Result<std::vector<Record>> records() const;
  /// Records the events whose key the store has not seen (each occurrence once, also across
  /// restarts), all or nothing. For each new one, `body` is called with its index in `events`, the
  /// id the store gave it and the entity of its cause observation (when it has one and it is
  /// still stored), and returns the text kept as the event (the sinks deliver it as it is).
  /// Returns (index, id) of the new ones, in order. The store does not read the body.
  Result<std::vector<std::pair<std::size_t, std::int64_t>>> record_events(
      const std::vector<NewEvent>& events, Timestamp recorded, const EventBody& body);
  /// The recorded events after an id (id, RFC 7951 JSON), in order.
  Result<std::vector<std::pair<std::int64_t, std::string>>> events_after(
      std::int64_t after_id) const;
  /// The recorded events a sink has not delivered yet: those after its cursor (id, JSON).
  Result<std::vector<std::pair<std::int64_t, std::string>>> undelivered(
      const std::string& sink) const;
  /// The last event-id a sink delivered (0: none yet), and setting it once delivered.
  Result<std::int64_t> sink_cursor(const std::string& sink) const;
  Result<void> set_sink_cursor(const std::string& sink, std::int64_t last_id);
  /// A contract's stored figures and when they were computed (nullopt: none).
  Result<std::optional<std::pair<Timestamp, std::string>>> contract_status(
      const std::string& contract) const;
  /// Replaces every contract's stored figures (contract id, judge.hpp's ContractStatus as JSON),
  /// all or nothing, as computed at `computed_at`. check_colosla reads them.
  Result<void> save_contract_statuses(
      const std::vector<std::pair<std::string, std::string>>& statuses, Timestamp computed_at);
  /// Replaces the stored figures of some contracts (the others keep theirs) and marks every
  /// contract's figures computed at `computed_at`: what an evaluation that re-judged only the
  /// contracts whose inputs changed stores. All or nothing.
  Result<void> update_contract_statuses(
      const std::vector<std::pair<std::string, std::string>>& changed, Timestamp computed_at);
  /// The records that can bear on one contract: its own and those for every contract, with
  /// their corrections and withdrawals (effective_records sorts out which are in force).
  Result<std::vector<Record>> records_of(const std::string& contract) const;
  /// Stores a record as given (check it with check_record first); returns its id.
  Result<std::int64_t> add_record(const Record& r);

  // -- what an evaluation reads -------------------------------------------------------------
  /// The highest id of each input of the SLA engine (0: none): the inventory version, the
  /// observation seq, the record id and the mapping change id. Records and mapping changes are
  /// only ever added (a correction is a new record), so an unchanged mark means unchanged rows.
  struct InputMarks {
    std::int64_t inventory = 0;
    std::int64_t observation = 0;
    std::int64_t record = 0;
    std::int64_t mapping = 0;
    friend bool operator==(const InputMarks&, const InputMarks&) = default;
  };
  Result<InputMarks> input_marks() const;

  // -- port mapping ------------------------------------------------------------------------
  /// Every mapping change, in the order entered.
  Result<std::vector<MappingChange>> mapping_changes() const;
  /// Records a change; returns its id.
  Result<std::int64_t> add_mapping_change(const MappingChange& c);

 private:
  Result<std::optional<Inventory>> load_inventory_of(const std::string* contract,
                                                     Secrets secrets) const;
  Result<std::vector<Record>> records_where(const std::string* contract) const;
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace colosla::core
