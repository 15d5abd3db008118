#pragma once

// The SQLite backend's class: every store interface on one SQLite connection. Private to
// core/store: the programs reach it through Store::open or open_sqlite (sqlite.hpp). Its
// methods live in one file per concern (backend, migrations, inventory, observations, records,
// events, receiver_state).
#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "colosla/store/sqlite.hpp"
#include "colosla/store/store.hpp"
#include "sealing.hpp"
#include "sqlite/sql.hpp"

namespace colosla::core::sqlite {

class SqliteStore final : public Store {
 public:
  /// See open_sqlite.
  static Result<std::unique_ptr<Store>> open(const std::string& path, Mode mode,
                                             const std::string& key_path,
                                             const SqliteOptions& options);
  ~SqliteStore() override;

  [[nodiscard]] const std::string& path() const override;
  [[nodiscard]] int schema_version() const override;
  Result<std::int64_t> maintain() override;

  Result<void> read(const std::function<Result<void>()>& fn) const override;
  Result<void> write(const std::function<Result<void>()>& fn) override;

  Result<std::int64_t> save_inventory(const ValidatedInventory& v, const std::string& by,
                                      Timestamp at) override;
  Result<std::optional<std::int64_t>> version_holding(const std::string& document) const override;
  Result<std::optional<Inventory>> load_inventory(Secrets secrets) const override;
  Result<std::optional<Inventory>> load_contract(const std::string& id) const override;
  Result<std::vector<Device>> devices(Secrets secrets) const override;
  Result<std::optional<InventoryRecord>> inventory_record(Secrets secrets) const override;

  Result<std::size_t> add_observations(const std::vector<Observation>& obs) override;
  Result<std::vector<Observation>> observations(const EntityId& e) const override;
  Result<std::vector<Observation>> observations_between(Timestamp from,
                                                        Timestamp to) const override;
  Result<std::int64_t> observation_count() const override;
  /// forget_shipped (sqlite.hpp).
  Result<std::int64_t> forget_shipped(Shipped what, std::int64_t through, Timestamp before,
                                      std::int64_t limit);
  Result<std::vector<TrapEvidence>> evidence_after(std::int64_t after, std::size_t limit) const;
  Result<std::vector<Observation>> observations_after(std::int64_t after,
                                                      std::size_t limit) const override;
  Result<History> history(Timestamp until) const override;
  Result<History> history_of(const std::vector<EntityId>& entities, Timestamp from,
                             Timestamp until) const override;
  Result<LatestStates> latest_states(std::int64_t after) const override;
  Result<std::vector<std::pair<EntityId, StateChange>>> latest_states_of(
      const std::string& device) const override;
  Result<std::int64_t> last_observation_seq() const override;

  Result<std::vector<Record>> records() const override;
  Result<std::vector<Record>> records_of(const std::string& contract) const override;
  Result<std::int64_t> add_record(const Record& r) override;
  Result<std::vector<MappingChange>> mapping_changes() const override;
  Result<std::int64_t> add_mapping_change(const MappingChange& c) override;

  Result<std::vector<std::pair<std::size_t, std::int64_t>>> record_events(
      const std::vector<NewEvent>& events, Timestamp recorded, const EventBody& body) override;
  Result<std::vector<std::pair<std::int64_t, std::string>>> events_after(
      std::int64_t after_id) const override;
  Result<std::vector<std::pair<std::int64_t, std::string>>> undelivered(
      const std::string& sink) const override;
  Result<std::int64_t> sink_cursor(const std::string& sink) const override;
  Result<void> set_sink_cursor(const std::string& sink, std::int64_t last_id) override;

  Result<void> save_contract_statuses(
      const std::vector<std::pair<std::string, std::string>>& statuses,
      Timestamp computed_at) override;
  Result<void> update_contract_statuses(
      const std::vector<std::pair<std::string, std::string>>& changed,
      Timestamp computed_at) override;
  Result<std::optional<std::pair<Timestamp, std::string>>> contract_status(
      const std::string& contract) const override;
  Result<InputMarks> input_marks() const override;

  Result<void> save_port_index(const std::string& device, const std::vector<PortName>& ports,
                               Timestamp walked) override;
  Result<std::map<std::string, std::map<std::int64_t, std::string>>> port_index() const override;
  Result<std::size_t> add_evidence(const std::vector<TrapEvidence>& items) override;
  Result<void> add_counters(const std::map<std::string, std::int64_t>& deltas,
                            Timestamp at) override;
  Result<std::vector<CounterValue>> counters() const override;

  // Probe leases and round-keyed probe results (probe_leases.cpp).
  Result<std::vector<ProbeClaim>> claim_probes(const std::string& holder,
                                               const std::vector<ProbeTurn>& turns, Timestamp now,
                                               std::chrono::seconds ttl,
                                               std::size_t limit) override;
  Result<void> release_probes(const std::string& holder, const std::vector<ProbeTurn>& turns,
                              bool probed, Timestamp now) override;
  Result<Lease> acquire_lease(const std::string& name, const std::string& holder,
                              std::chrono::seconds ttl, Timestamp now) override;
  Result<bool> release_lease(const std::string& name, const std::string& holder, std::int64_t epoch,
                             Timestamp now) override;
  Result<std::optional<Lease>> lease(const std::string& name, Timestamp now) const override;
  Result<void> fence_writes(std::optional<LeaseFence> fence) override;

  // Closed statements (statements.cpp).
  Result<void> append_statement(const Statement& s) override;
  Result<std::vector<Statement>> statements(
      const std::optional<std::string>& contract) const override;
  Result<std::optional<Statement>> statement(const std::string& contract,
                                             const std::string& month) const override;
  Result<std::optional<Statement>> last_statement() const override;

  /// The connection and what it caches.
  struct Impl {
    sqlite3* db = nullptr;
    std::string path;
    StoreKey key;
    std::optional<FileMark> immutable;  // opened as an immutable file: the file as it was then
    int version = 0;
    int savepoints = 0;
    // Entity ids already known to exist in the store (ids are never reused or deleted).
    EntityMap<std::int64_t> entity_ids;
    // Statements of the write paths the trap daemon runs thousands of times a second, prepared
    // once (SQL text → statement).
    std::map<const char*, std::unique_ptr<Stmt>> cached;
    bool defer_merge = false;  // SqliteOptions::defer_history_merge
    // Whether this connection may have stored observations it has not merged (maintain() then
    // merges; otherwise it does not take the write lock for nothing).
    bool merge_pending = false;

    // Set by fence_writes: what every outermost write() checks first (lease.cpp).
    std::optional<LeaseFence> fence;
    // The check, inside the transaction write() just began: conflict when the lease is lost.
    Result<void> check_fence();
    // The epoch that write() stamps on events and sink cursors (nullopt: no fence).
    [[nodiscard]] std::optional<std::int64_t> epoch() const {
      return fence ? std::optional<std::int64_t>(fence->epoch) : std::nullopt;
    }

    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl();

    // The prepared statement for sql (a string literal), reset and ready for new bindings.
    Stmt& prepared(const char* sql);
    // Records that an evaluation stored its figures at `at` (inside the caller's write).
    Result<void> mark_evaluated(Timestamp at);
    // Moves the observations after the merge mark into state_change, in key order (inside the
    // caller's write transaction). Returns how many.
    Result<std::int64_t> merge();
    // The id of entity e, created if the store has none yet (inside the caller's transaction).
    Result<std::int64_t> entity_id(const EntityId& e);
    // Brings the schema up to Store::kSchemaVersion (migrations.cpp).
    Result<void> migrate();
    // 9 -> 10: seals an older store's clear secrets (migrations.cpp).
    Result<void> seal_clear_secrets();
  };

  explicit SqliteStore(std::unique_ptr<Impl> impl);

 private:
  // add_observations of a batch with rounds (probe results): the others as usual, then those
  // with a round, each unless its entity has a result of that round (probe_leases.cpp).
  Result<std::size_t> add_round_observations(const std::vector<Observation>& obs);
  Result<std::optional<Inventory>> load_inventory_of(const std::string* contract,
                                                     Secrets secrets) const;
  Result<std::vector<Record>> records_where(const std::string* contract) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace colosla::core::sqlite
