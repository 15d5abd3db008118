#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "colosla/store/store.hpp"

/// The SQLite backend: one database file in WAL mode, its schema versioned with
/// PRAGMA user_version and upgraded forward (core/store/sqlite/migrations/) when a newer colosla
/// opens an older store. Store::open uses it for every location that is a path. This header is
/// for the writers that tune their connection (the trap daemon); it does not include sqlite3.h.
namespace colosla::core {

/// How one SQLite connection is tuned. The defaults suit every program but the trap daemon.
struct SqliteOptions {
  /// How long a statement waits for another connection's lock before it fails. The trap daemon's
  /// writer waits less: while it waits, it receives nothing.
  std::chrono::milliseconds busy_timeout{5000};
  /// SQLite checkpoints the write-ahead log into the database after every this many pages
  /// written (0: never by itself). A writer that commits often checkpoints on its own schedule
  /// instead, with Store::maintain().
  int autocheckpoint_pages = 1000;
  /// SQLite's page cache for this connection, in KiB (0: SQLite's default, about 2 MiB).
  int cache_kib = 0;
  /// The SLA engine reads state changes from a table ordered by entity and time. Observations
  /// are merged into it in the transaction that stores them, unless the writer defers that: the
  /// trap daemon, storing thousands a second, merges once a second with Store::maintain(), so
  /// that each flapping port's pages are rewritten once per merge instead of once per commit.
  /// Readers see unmerged observations all the same.
  bool defer_history_merge = false;
};

/// Opens (and, if allowed, creates and upgrades) the SQLite store at `path`, tuned with
/// `options`; otherwise as Store::open. Errors: not_found when the file is missing and mode is
/// not create; io when it cannot be created or is not a regular file; store when SQLite fails
/// or the file was written by a newer colosla.
Result<std::unique_ptr<Store>> open_sqlite(const std::string& path, Store::Mode mode,
                                           const std::string& key_path = {},
                                           const SqliteOptions& options = {});

/// Forgets observations a receiver's SQLite store has shipped (colosla ship): deletes, at most
/// `limit` of them in one transaction, the observations with a seq at or below `shipped_through`
/// (what PostgreSQL committed) and received before `received_before`, that the store's history
/// holds already (their state changes stay, so its latest states and history read the same) and
/// that are not its last observation (whose seq the next one follows). Returns how many it
/// deleted: call again while it returns `limit`. Short transactions, so that colosla-trapd's
/// commits wait little. Errors: invalid_input when `local` is not an SQLite store.
Result<std::int64_t> forget_shipped(Store& local, std::int64_t shipped_through,
                                    Timestamp received_before, std::int64_t limit);

}  // namespace colosla::core
