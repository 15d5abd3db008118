#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "colosla/base/clock.hpp"
#include "colosla/model/evidence.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/model/mapping.hpp"
#include "colosla/model/model.hpp"
#include "colosla/model/records.hpp"
#include "colosla/store/secrets.hpp"

/// The store, behind narrow interfaces, one per concern, each with its contract; a backend (today
/// SQLite: sqlite.hpp) implements them all in one class derived from Store. Callers take the
/// interface they need, or Store& when they need several. tests/unit/store/conformance_test.cpp
/// checks every contract below against every backend, through these interfaces only.
///
/// Cursors. Ids (observation seq, event id) grow, but with several writers they need not become
/// visible in id order: a writer may take id 7, another id 8 and commit first. A cursor is
/// therefore a watermark, never "the last id I saw": a reader reads only up to the highest id
/// below which every transaction has committed or rolled back, is told that watermark
/// (`through`), and passes it back next time. An id above the watermark is read by a later call,
/// never skipped. (SQLite has one writer at a time, so its watermark is the highest id committed;
/// a PostgreSQL backend computes it from the sequence values still in flight.) docs/store.md.
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

/// The latest states of the entities observed since a watermark (ObservationLog::latest_states).
struct LatestStates {
  /// The last change (by time, then seq) of each entity whose last change has a seq in
  /// (after, through]. (An entity whose new observations are older in time than its last change
  /// is not in it: its last change did not change.)
  std::vector<std::pair<EntityId, StateChange>> changes;
  /// The watermark read up to: every observation with a seq at or below it is committed (or
  /// never will be). Pass it back as `after` next time.
  std::int64_t through = 0;
};

/// Transactions. Every method of the other interfaces is atomic by itself; read() and write()
/// group several into one snapshot or one all-or-nothing change.
class Transactor {
 public:
  virtual ~Transactor() = default;
  /// Runs fn in one read transaction: every read inside sees the same snapshot of the store,
  /// however others write meanwhile. Errors: fn's, or store (the backend failed, or, for a
  /// reader without locks, the store changed while it read: read again).
  virtual Result<void> read(const std::function<Result<void>()>& fn) const = 0;
  /// Runs fn in one write transaction (nested: a savepoint): committed when fn succeeds, rolled
  /// back when it fails, throws or the backend fails. Nothing fn wrote is seen by others before
  /// the outermost write() commits.
  virtual Result<void> write(const std::function<Result<void>()>& fn) = 0;
};

/// The inventory: versioned, whole, its secrets sealed (secrets.hpp).
class InventoryStore {
 public:
  virtual ~InventoryStore() = default;
  /// Replaces the inventory with v (inside the caller's write() when it needs to check
  /// something first), its secrets sealed with the key (created when there is none). Returns the
  /// new inventory version (1, 2, ...).
  virtual Result<std::int64_t> save_inventory(const ValidatedInventory& v, const std::string& by,
                                              Timestamp at) = 0;
  /// The version of the current inventory when its document is `document` (compared by a keyed
  /// digest: the store keeps no clear secret to compare with), else nullopt.
  virtual Result<std::optional<std::int64_t>> version_holding(
      const std::string& document) const = 0;
  /// The current inventory, or nullopt when none was ever loaded. Its devices' secrets are
  /// empty unless revealed, which needs the key (errors then: not_found or io naming it).
  virtual Result<std::optional<Inventory>> load_inventory(
      Secrets secrets = Secrets::withhold) const = 0;
  /// The inventory cut down to one contract: the contract, the devices of its ports and power
  /// sources, the uplinks and their devices, the calendar; secrets withheld. nullopt when no
  /// inventory is loaded or it has no such contract. For check_colosla, which must not read
  /// every contract.
  virtual Result<std::optional<Inventory>> load_contract(const std::string& id) const = 0;
  /// The inventory's devices only (a trap handler has no use for the contracts).
  virtual Result<std::vector<Device>> devices(Secrets secrets = Secrets::withhold) const = 0;
  /// The current inventory's record (document, who loaded it, when, from which files); the
  /// document's secrets as `secrets` says.
  virtual Result<std::optional<InventoryRecord>> inventory_record(
      Secrets secrets = Secrets::withhold) const = 0;
};

/// The observations: appended, never changed; each gets a seq (growing, see "Cursors" above).
class ObservationLog {
 public:
  virtual ~ObservationLog() = default;
  /// Stores observations (one transaction unless inside write()). An observation with a round
  /// (a probe result) is not stored when its entity has one of that round already; those with
  /// a round are stored after the others of the batch. Returns how many were stored.
  virtual Result<std::size_t> add_observations(const std::vector<Observation>& obs) = 0;
  /// Every observation of entity e, ordered by time, then seq.
  virtual Result<std::vector<Observation>> observations(const EntityId& e) const = 0;
  /// Every observation whose time lies in [from, to), ordered by time, then seq.
  virtual Result<std::vector<Observation>> observations_between(Timestamp from,
                                                                Timestamp to) const = 0;
  virtual Result<std::int64_t> observation_count() const = 0;
  /// The observations with a seq above `after` and at or below the watermark, in seq order, at
  /// most `limit` of them (the shipper's read, colosla ship).
  virtual Result<std::vector<Observation>> observations_after(std::int64_t after,
                                                              std::size_t limit) const = 0;
  /// Every entity's state changes up to and including `until`, each entity's ordered by time,
  /// then seq, without the evidence: what the SLA engine reads. Every entity the store knows is
  /// in it (one first observed after `until` with no change).
  virtual Result<History> history(Timestamp until) const = 0;
  /// The changes of some entities up to `until`, as history() has them, from the time of each
  /// entity's last observation in its good state (up, on, normal, pass) at or before `from` (whole
  /// when there is none): an outage or emergency running at `from` began after it. An entity never
  /// observed has an empty list. (A network outage of several ports in relay, each down in
  /// turn since before its last good observation, is seen to begin later than it did; its
  /// seconds in a month after `from` are the same.)
  virtual Result<History> history_of(const std::vector<EntityId>& entities, Timestamp from,
                                     Timestamp until) const = 0;
  /// The last change of every entity observed after the watermark `after` (0: every entity),
  /// and the watermark read up to (LatestStates). A caller that follows the log passes back the
  /// `through` it got: an observation committed late by another writer, with a seq below ones
  /// it has seen, is in the next answer, not skipped.
  virtual Result<LatestStates> latest_states(std::int64_t after) const = 0;
  /// The last change of every entity of one device (ports, outlets, inlet, UPS output).
  virtual Result<std::vector<std::pair<EntityId, StateChange>>> latest_states_of(
      const std::string& device) const = 0;
  /// The watermark of the log now: every observation with a seq at or below it is committed
  /// (0 when there is none).
  virtual Result<std::int64_t> last_observation_seq() const = 0;
};

/// What people enter: records (exclusions, reports, notifications, ...) and port mapping
/// changes. Appended only; a correction or withdrawal is a new record that supersedes one.
class RecordStore {
 public:
  virtual ~RecordStore() = default;
  /// Every record (in force, corrected or withdrawn), in id order.
  virtual Result<std::vector<Record>> records() const = 0;
  /// The records that can bear on one contract: its own and those for every contract, with
  /// their corrections and withdrawals (effective_records sorts out which are in force), in id
  /// order.
  virtual Result<std::vector<Record>> records_of(const std::string& contract) const = 0;
  /// Stores a record as given (check it with check_record first); returns its id (growing).
  /// Errors: store when it supersedes a record that is superseded already.
  virtual Result<std::int64_t> add_record(const Record& r) = 0;
  /// Every mapping change, in the order entered.
  virtual Result<std::vector<MappingChange>> mapping_changes() const = 0;
  /// Records a change; returns its id.
  virtual Result<std::int64_t> add_mapping_change(const MappingChange& c) = 0;
};

/// The event log: each occurrence recorded once by its key, then delivered by named sinks, each
/// with its durable cursor. Event ids grow; a cursor is a watermark ("Cursors" above).
class EventLog {
 public:
  virtual ~EventLog() = default;
  /// Records the events whose key the store has not seen (each occurrence once, also across
  /// restarts and writers), all or nothing. For each new one, `body` is called with its index in
  /// `events`, the id the store gave it and the entity of its cause observation (when it has one
  /// and it is still stored), and returns the text kept as the event (the sinks deliver it as it
  /// is). Returns (index, id) of the new ones, in order. The store does not read the body. A
  /// store fenced by a lease (Leases::fence_writes) stamps each with the lease's epoch.
  virtual Result<std::vector<std::pair<std::size_t, std::int64_t>>> record_events(
      const std::vector<NewEvent>& events, Timestamp recorded, const EventBody& body) = 0;
  /// The recorded events after an id (id, body), in id order, up to the watermark: none of
  /// them can be followed later by an event with a lower id.
  virtual Result<std::vector<std::pair<std::int64_t, std::string>>> events_after(
      std::int64_t after_id) const = 0;
  /// The recorded events the sink named `sink` has not delivered yet: events_after(its cursor).
  virtual Result<std::vector<std::pair<std::int64_t, std::string>>> undelivered(
      const std::string& sink) const = 0;
  /// The last event id the sink delivered (0: none yet).
  virtual Result<std::int64_t> sink_cursor(const std::string& sink) const = 0;
  /// Sets the sink's cursor once it has delivered the events up to last_id (an id undelivered()
  /// gave, so at or below the watermark). Sinks are independent: one's cursor moves no other.
  /// A store fenced by a lease records the epoch that moved it (delivered-by).
  virtual Result<void> set_sink_cursor(const std::string& sink, std::int64_t last_id) = 0;
};

/// The contracts' figures as evaluate last computed them: what check_colosla reads.
class StatusCache {
 public:
  virtual ~StatusCache() = default;
  /// Replaces every contract's stored figures (contract id, judge.hpp's ContractStatus as JSON),
  /// all or nothing, as computed at `computed_at`: a contract not in `statuses` has none after.
  virtual Result<void> save_contract_statuses(
      const std::vector<std::pair<std::string, std::string>>& statuses, Timestamp computed_at) = 0;
  /// Replaces the stored figures of some contracts (the others keep theirs) and marks every
  /// contract's figures computed at `computed_at`: what an evaluation that judged again only the
  /// contracts whose figures can have changed stores. All or nothing.
  virtual Result<void> update_contract_statuses(
      const std::vector<std::pair<std::string, std::string>>& changed, Timestamp computed_at) = 0;
  /// A contract's stored figures and when they were last computed, or marked computed by an
  /// evaluation that left them as they were (nullopt: none).
  virtual Result<std::optional<std::pair<Timestamp, std::string>>> contract_status(
      const std::string& contract) const = 0;
};

/// The highest id of each input of the SLA engine (0: none): the inventory version, the
/// observation watermark, the record id and the mapping change id. Records and mapping changes
/// are only ever added (a correction is a new record), so an unchanged mark means unchanged rows.
struct InputMarks {
  std::int64_t inventory = 0;
  std::int64_t observation = 0;
  std::int64_t record = 0;
  std::int64_t mapping = 0;
  friend bool operator==(const InputMarks&, const InputMarks&) = default;
};

/// What the trap receiver and the poller keep between runs.
class ReceiverState {
 public:
  virtual ~ReceiverState() = default;
  /// Replaces a device's ifIndex -> ifName map with what a walk found.
  virtual Result<void> save_port_index(const std::string& device,
                                       const std::vector<PortName>& ports, Timestamp walked) = 0;
  /// Every device's ifIndex -> ifName map.
  virtual Result<std::map<std::string, std::map<std::int64_t, std::string>>> port_index() const = 0;
  /// Stores traps kept as evidence only. Returns how many.
  virtual Result<std::size_t> add_evidence(const std::vector<TrapEvidence>& items) = 0;
  /// Adds deltas to named counters (created at 0), all or nothing.
  virtual Result<void> add_counters(const std::map<std::string, std::int64_t>& deltas,
                                    Timestamp at) = 0;
  /// Every counter, by name.
  virtual Result<std::vector<CounterValue>> counters() const = 0;
};

/// One probe target's turn in one round, as the probers share them (ProbeLeases).
struct ProbeTurn {
  std::string target;      ///< "ADDRESS SERVICE" (colosla/probe/prober.hpp: probe_target)
  std::int64_t round = 0;  ///< the round's number (prober.hpp: probe_round)
  Timestamp ends;          ///< when the round ends
};

/// What claim_probes says of one turn.
struct ProbeClaim {
  bool claimed = false;  ///< claimed for the caller by this call: probe it, then release it
  /// Claimed: when the lease expires. Not claimed: when to ask again: the present holder's
  /// lease expiry (at or after the turn's end when its result is stored: never), or `now` when
  /// the turn could not be looked at (another prober was claiming it, or `limit` was reached).
  Timestamp until;
};

/// Leases on probe targets, so that several probers share them (docs/scale-out.md, "Probers"):
/// a turn (target, round) is held by one prober at a time, for the length of its lease; once its
/// result is stored it is held to the round's end; one whose lease expired before may be claimed
/// by another (the round key of Observation::round then keeps one result).
class ProbeLeases {
 public:
  virtual ~ProbeLeases() = default;
  /// Claims for `holder` up to `limit` of `turns` (taken in their order) that nobody holds at
  /// `now` (never claimed, released, or their lease expired), each until now + ttl; all in one
  /// transaction (the caller's, inside write()). A turn another prober is claiming at the same
  /// moment is skipped, not waited for (PostgreSQL: FOR UPDATE SKIP LOCKED). Forgets leases
  /// that expired a day before `now`. Returns one ProbeClaim per turn, in order.
  virtual Result<std::vector<ProbeClaim>> claim_probes(const std::string& holder,
                                                       const std::vector<ProbeTurn>& turns,
                                                       Timestamp now, std::chrono::seconds ttl,
                                                       std::size_t limit) = 0;
  /// Gives back turns `holder` claimed: when `probed` (their results are stored: release them
  /// in the write() that stores them), each is held until its round ends, so nobody probes it
  /// again in that round; otherwise each may be claimed at once. A turn the holder no longer
  /// holds (its lease expired and another claimed it) is left as it is.
  virtual Result<void> release_probes(const std::string& holder,
                                      const std::vector<ProbeTurn>& turns, bool probed,
                                      Timestamp now) = 0;
};

/// A named lease (one a cluster-wide singleton: "evaluate"; later "month-close"), as the store
/// has it.
struct Lease {
  std::string name;
  std::string holder;      ///< who took it last (empty: nobody ever did)
  std::int64_t epoch = 0;  ///< 1 for the first holder, one more at every takeover
  Timestamp expires;       ///< by the store's clock (PostgreSQL: the database's), to the second
  /// The time it had left when the store answered, by the store's clock (0 or less: expired or
  /// released): a holder counts it from the moment it asked, so that its clock need not agree
  /// with the store's.
  std::chrono::milliseconds remaining{0};
  /// Whether someone holds it (not expired, not released).
  [[nodiscard]] bool held() const { return remaining.count() > 0; }
};

/// What a store checks in each write transaction once it writes as a leader (fence_writes).
struct LeaseFence {
  std::string name;
  std::string holder;
  std::int64_t epoch = 0;
  /// The lease's length. PostgreSQL: the leader's session may stay idle inside a transaction
  /// (holding the lease row's lock, which a successor's takeover waits for) this long at most;
  /// the server then ends the session, so a stopped leader cannot delay a takeover for ever.
  std::chrono::seconds ttl{15};
  /// SQLite: the clock its expiry is judged by (nullptr: the system's). PostgreSQL uses its own.
  const Clock* clock = nullptr;
};

/// Leases for the singletons of a cluster (docs/scale-out.md, "One leader") and the fencing of
/// a leader's writes. Times: SQLite (one machine) takes `now` from the caller; PostgreSQL ignores
/// it and uses the database's clock (clock_timestamp()), so that the nodes' clocks need not agree.
class Leases {
 public:
  virtual ~Leases() = default;
  /// Takes the lease `name` for `holder` for `ttl` when nobody holds it (never taken, expired or
  /// released: epoch + 1, 1 for the first), or renews it when `holder` holds it (same epoch,
  /// expiry moved to now + ttl). A holder whose own lease expired takes it again with epoch + 1:
  /// a new term. One statement, outside write(); never fenced. Returns the lease as it is after:
  /// held by `holder` (then the caller leads with that epoch) or by someone else (who, until
  /// when). Errors: store.
  virtual Result<Lease> acquire_lease(const std::string& name, const std::string& holder,
                                      std::chrono::seconds ttl, Timestamp now) = 0;
  /// Ends `holder`'s lease `name` of that epoch at once, so that another may take it without
  /// waiting for its expiry (epoch + 1). Returns false when it held no such lease any more.
  virtual Result<bool> release_lease(const std::string& name, const std::string& holder,
                                     std::int64_t epoch, Timestamp now) = 0;
  /// The lease `name` as it is (nullopt: never taken).
  virtual Result<std::optional<Lease>> lease(const std::string& name, Timestamp now) const = 0;
  /// From now on, every write() transaction of this store (its outermost; and so every method
  /// that writes through write(): events, sink cursors, figures, counters inside it) first
  /// checks, in the same transaction, that the lease `fence.name` is still held by `fence.holder`
  /// with `fence.epoch` and has not expired (PostgreSQL: locking its row FOR SHARE, so that a
  /// successor's takeover waits for the transaction to end). If not, the transaction writes
  /// nothing and fails with conflict: "lease lost: leader NAME epoch E is now held by H epoch
  /// E2 ..." (or "... has expired", "... was released"). Events recorded and sink cursors moved
  /// under a fence carry its epoch. nullopt: no fence.
  virtual Result<void> fence_writes(std::optional<LeaseFence> fence) = 0;
};

/// A closed month of one contract as the store keeps it (StatementStore): what the caller froze,
/// as text. The store reads none of the JSON and computes no digest: core/services/statements.hpp
/// makes them (docs/statements.md).
struct Statement {
  std::int64_t seq = 0;  ///< its place in the store's one chain, in close order: 1, 2, ...
  std::string number;    ///< "ST-2026-11-000001": never changes
  std::string contract;
  std::string month;  ///< "2026-11"
  std::string
      document;  ///< the frozen statement (the report's contract object, adjustments, total)
  std::string closed_by;
  Timestamp closed_at;
  Timestamp as_of;
  std::string inputs;           ///< the digests of the inputs, JSON text
  std::string previous_digest;  ///< the digest of the statement before it (hex; "" for the first)
  std::string digest;           ///< hex SHA-256 over the canonical JSON of the above
};

/// Closed statements: appended only, one chain per store. Nothing updates or deletes one through
/// colosla (there is no method for it; SQLite refuses both by triggers), and a change made behind
/// colosla's back breaks the chain of digests, which `colosla statement verify` recomputes.
class StatementStore {
 public:
  virtual ~StatementStore() = default;
  /// Appends `s` at the end of the chain: its seq must be the last statement's + 1 (1 for the
  /// first) and its previous_digest the last statement's digest ("" for the first). Errors:
  /// conflict when the contract's month has a statement already ("... is closed already:
  /// statement NUMBER"), also when two closers race (the unique index on contract and month),
  /// or when the chain moved since the caller read its end (another statement was appended);
  /// store. Nothing is written on error.
  virtual Result<void> append_statement(const Statement& s) = 0;
  /// Every statement in chain order (seq), or only one contract's.
  virtual Result<std::vector<Statement>> statements(
      const std::optional<std::string>& contract) const = 0;
  /// The statement of one contract's month (nullopt: the month is not closed).
  virtual Result<std::optional<Statement>> statement(const std::string& contract,
                                                     const std::string& month) const = 0;
  /// The last statement of the chain (nullopt: none yet).
  virtual Result<std::optional<Statement>> last_statement() const = 0;
};

/// A holder name for a lease, unique to this process: the host's name, the process id and a
/// random number ("db1:4242:9f3a"), so that a restarted process, even one with a dead process's
/// pid, is another holder.
std::string lease_holder_name();

/// A store: every interface above, on one connection to one backend. A Store is used by one
/// thread at a time; each thread or process opens its own.
class Store : public Transactor,
              public InventoryStore,
              public ObservationLog,
              public RecordStore,
              public EventLog,
              public StatusCache,
              public ReceiverState,
              public ProbeLeases,
              public Leases,
              public StatementStore {
 public:
  /// The schema version this build writes.
  static constexpr int kSchemaVersion = 17;

  enum class Mode {
    create,     ///< Read and write; create the store (a file: mode 0600) when there is none.
    existing,   ///< Read and write; the store must exist.
    read_only,  ///< Only read; the store must exist and have this build's schema.
  };

  /// Opens (and, if allowed, creates and upgrades) the store at `location`: a file path (SQLite,
  /// with the default SqliteOptions: sqlite.hpp) or a PostgreSQL database ("postgresql://" or
  /// "postgres://" URI, "service=NAME": postgresql.hpp). `key_path` is the
  /// file of the key that seals the inventory's secrets (secrets.hpp; empty: for a file,
  /// default_key_path(location); for PostgreSQL, none: an error when one is needed), read only when
  /// a secret is written or revealed (or an upgrade seals an older store's). Errors: not_found when
  /// the store is missing and mode is not create; store when the backend fails or the store was
  /// written by a newer colosla (schema version above kSchemaVersion).
  static Result<std::unique_ptr<Store>> open(const std::string& location, Mode mode,
                                             const std::string& key_path = {});

  Store() = default;
  ~Store() override = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  /// Where the store is (as given to open()).
  [[nodiscard]] virtual const std::string& path() const = 0;
  /// The schema version of the open store.
  [[nodiscard]] virtual int schema_version() const = 0;
  /// The upkeep a writer that stores often (the trap daemon) does once a second and after a
  /// burst, apart from its commits: SQLite merges the observations a deferring writer stored
  /// into the history (SqliteOptions::defer_history_merge) and checkpoints its write-ahead log.
  /// Inside write() only what belongs in the transaction is done (the merge). Readers see the
  /// same store before and after. Returns how many observations were merged.
  virtual Result<std::int64_t> maintain() = 0;

  /// Every input mark of the SLA engine, read in one snapshot (InputMarks).
  virtual Result<InputMarks> input_marks() const = 0;

  /// Waits up to `timeout` for a hint that another connection committed what an evaluation
  /// reads: observations, records or mapping changes (on PostgreSQL, a NOTIFY sent in the
  /// writer's transaction, so only once it committed; docs/scale-out.md, "Wake-ups"). Returns
  /// true when a hint came (or had come since the last call), or at once when the connection had
  /// to be made again, since what was committed meanwhile is unknown; false when the time passed.
  /// Only a hint: the caller re-reads from its own marks (InputMarks), and still on a timer,
  /// since a hint is lost with a connection and none is sent before the first call listens. Not
  /// inside read() or write(). This default, for a backend that hears of no other writer
  /// (SQLite: its writers are on this machine), waits the time and returns false.
  virtual Result<bool> wait_for_change(std::chrono::milliseconds timeout);
};

}  // namespace colosla::core
