#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "colosla/inventory.hpp"
#include "colosla/mapping.hpp"
#include "colosla/model.hpp"
#include "colosla/records.hpp"

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
  std::string document;  ///< RFC 7951 JSON with every default written out.
};

class Store {
 public:
  /// The schema version this build writes.
  static constexpr int kSchemaVersion = 2;

  enum class Mode {
    create,     ///< Read and write; create the file (mode 0600) when it does not exist.
    existing,   ///< Read and write; the file must exist.
    read_only,  ///< Only read; the file must exist and have this build's schema.
  };

  /// Opens (and, if allowed, creates and upgrades) the store at path.
  /// Errors: not_found when the file is missing and mode is not create; store when SQLite fails
  /// or the file was written by a newer colosla (schema version above kSchemaVersion).
  static Result<std::unique_ptr<Store>> open(const std::string& path, Mode mode);

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  [[nodiscard]] const std::string& path() const;
  /// PRAGMA user_version of the open database.
  [[nodiscard]] int schema_version() const;

  /// Runs fn in one read transaction: every read inside sees the same snapshot of the store,
  /// however the daemon writes meanwhile, and the file is locked once, not per statement.
  Result<void> read(const std::function<Result<void>()>& fn) const;

  /// Runs fn in one write transaction (BEGIN IMMEDIATE, or a savepoint when one is already
  /// open): committed when fn succeeds, rolled back when it fails or SQLite does.
  Result<void> write(const std::function<Result<void>()>& fn);

  // -- inventory ---------------------------------------------------------------------------
  /// Replaces the inventory with v (inside the caller's write() when it needs to check
  /// something first). Returns the new inventory version.
  Result<std::int64_t> save_inventory(const ValidatedInventory& v, const std::string& by,
                                      Timestamp at);
  /// The current inventory, or nullopt when none was ever loaded.
  Result<std::optional<Inventory>> load_inventory() const;
  /// The current inventory's record (document, who loaded it, when, from which files).
  Result<std::optional<InventoryRecord>> inventory_record() const;

  // -- observations ------------------------------------------------------------------------
  /// Stores observations (one transaction unless inside write()). Returns how many.
  Result<std::size_t> add_observations(const std::vector<Observation>& obs);
  /// Every observation of entity e, ordered by time, then arrival.
  Result<std::vector<Observation>> observations(const EntityId& e) const;
  /// Every observation whose time lies in [from, to), ordered by time, then arrival.
  Result<std::vector<Observation>> observations_between(Timestamp from, Timestamp to) const;
  Result<std::int64_t> observation_count() const;
  /// Every entity's state changes up to and including `until`, without the evidence: what the
  /// SLA engine reads.
  Result<History> history(Timestamp until) const;

  // -- records -------------------------------------------------------------------------------
  /// Every record (in force, corrected or withdrawn), in id order.
  Result<std::vector<Record>> records() const;
  /// Stores a record as given (check it with check_record first); returns its id.
  Result<std::int64_t> add_record(const Record& r);

  // -- port mapping ------------------------------------------------------------------------
  /// Every mapping change, in the order entered.
  Result<std::vector<MappingChange>> mapping_changes() const;
  /// Records a change; returns its id.
  Result<std::int64_t> add_mapping_change(const MappingChange& c);

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace colosla::core
