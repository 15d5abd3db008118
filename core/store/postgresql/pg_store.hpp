#pragma once

// The PostgreSQL backend's class: every store interface on one libpq connection. Private to
// core/store: the programs reach it through Store::open or open_postgresql (postgresql.hpp).
// Its methods live in one file per concern (backend, migrations, inventory, observations,
// records, events, status, receiver_state, listen), as the SQLite backend's do.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "colosla/store/postgresql.hpp"
#include "colosla/store/store.hpp"
#include "postgresql/pq.hpp"
#include "postgresql/watermark.hpp"
#include "sealing.hpp"

namespace colosla::core::pg {

class PgStore final : public Store {
 public:
  /// See open_postgresql.
  static Result<std::unique_ptr<Store>> open(const std::string& location, Mode mode,
                                             const std::string& key_path);
  ~PgStore() override;

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
  /// LISTENs (on the first call) and waits for a NOTIFY of a committed batch (listen.cpp).
  Result<bool> wait_for_change(std::chrono::milliseconds timeout) override;

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
    std::unique_ptr<Connection> conn;
    std::string location;  // as given to open (may hold a password: never in a message)
    std::string shown;     // the location without its password: path(), messages
    StoreKey key;          // none given: an error when a secret is sealed or revealed
    int version = 0;
    bool read_only = false;  // opened Mode::read_only: every session read-only
    int savepoints = 0;      // write()s open on the connection (the outermost one is a BEGIN)
    // Entity ids already known to exist in the store (ids are never reused or deleted); forgotten
    // when a write() is rolled back, since it may have created them.
    EntityMap<std::int64_t> entity_ids;

    // Set by fence_writes: what every outermost write() checks first (lease.cpp).
    std::optional<LeaseFence> fence;
    // The check, inside the transaction write() just began: conflict when the lease is lost.
    Result<void> check_fence();
    // A fenced session's idle_in_transaction_session_timeout (the lease's length), set again
    // after a reconnection (lease.cpp).
    Result<void> limit_idle_transactions();
    // The epoch that write() stamps on events and sink cursors (nullopt: no fence).
    [[nodiscard]] std::optional<std::int64_t> epoch() const {
      return fence ? std::optional<std::int64_t>(fence->epoch) : std::nullopt;
    }

    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl();

    // Connects again when the server went away since the last statement (outside a transaction
    // only); PgStore's methods call it through exec, read and write.
    Result<void> revive();
    // One statement (or a script without parameters), after revive().
    Result<Rows> exec(std::string_view sql);
    Result<Rows> exec(std::string_view sql, const Params& params);
    // Records that an evaluation stored its figures at `at` (inside the caller's write).
    Result<void> mark_evaluated(Timestamp at);
    // Creates or brings the schema up to Store::kSchemaVersion, in one transaction under an
    // advisory lock (migrations.cpp). With create false, a database without colosla's schema is
    // not_found.
    Result<void> migrate(bool create);
    // Reads the schema version (0: no colosla schema in the database).
    Result<int> stored_version();
    // The observation and event watermarks a reader uses now (watermark.hpp): those read() read
    // just before it began its snapshot, else read now (watermark.cpp).
    Result<Watermarks> marks();
    std::optional<Watermarks> snapshot_marks;  // set by read() for its transaction
    // wait_for_change (listen.cpp): LISTENing on this connection; the connection was made again
    // since it listened (its LISTENs are gone, and notifications sent meanwhile with them).
    bool listening = false;
    bool relisten = false;
  };

  explicit PgStore(std::unique_ptr<Impl> impl);

  /// See ship_observations (postgresql.hpp).
  Result<Shipment> ship(const std::vector<Observation>& obs, const std::string& from);
  Result<Shipment> ship_evidence(const std::vector<TrapEvidence>& items, const std::string& from);

 private:
  // add_observations of a batch with rounds (probe results): the others as usual, then those
  // with a round, each unless its entity has a result of that round (probe_leases.cpp).
  Result<std::size_t> add_round_observations(const std::vector<Observation>& obs);
  Result<std::optional<Inventory>> load_inventory_of(const std::string* contract,
                                                     Secrets secrets) const;
  Result<std::vector<Record>> records_where(const std::string* contract) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace colosla::core::pg
