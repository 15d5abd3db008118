// The SQLite backend: opening, tuning, transactions, the connection's caches.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <type_traits>

#include "colosla/base/log.hpp"
#include "colosla/store/sqlite.hpp"
#include "sqlite/sql.hpp"
#include "sqlite/sqlite_store.hpp"

namespace colosla::core::sqlite {

Stmt& SqliteStore::Impl::prepared(const char* sql) {
  auto& s = cached[sql];
  if (!s) {
    s = std::make_unique<Stmt>(db, sql);
  }
  return *s;
}

Result<std::int64_t> SqliteStore::Impl::merge() {
  Stmt& ins = prepared(
      "INSERT INTO state_change SELECT entity, time, seq, state FROM observation "
      "WHERE seq > (SELECT seq FROM state_change_merged) ORDER BY entity, time, seq");
  if (!ins.ok()) {
    return ins.error();
  }
  if (auto r = ins.exec(); !r) {
    return r.error();
  }
  const std::int64_t n = sqlite3_changes64(db);
  merge_pending = false;
  if (n > 0) {
    Stmt& mark =
        prepared("UPDATE state_change_merged SET seq = (SELECT max(seq) FROM observation)");
    if (!mark.ok()) {
      return mark.error();
    }
    if (auto r = mark.exec(); !r) {
      return r.error();
    }
  }
  return n;
}

Result<std::int64_t> SqliteStore::Impl::entity_id(const EntityId& e) {
  if (const std::int64_t* known = entity_ids.find(e)) {
    return *known;
  }
  Stmt& find = prepared("SELECT id FROM entity WHERE kind = ? AND device = ? AND item = ?");
  if (!find.ok()) {
    return find.error();
  }
  find.bind(1, to_string(e.kind)).bind(2, e.device).bind(3, e.item);
  const int rc = find.step();
  std::int64_t id = rc == SQLITE_ROW ? find.i64(0) : 0;
  find.reset();
  if (rc != SQLITE_ROW) {
    Stmt& add = prepared("INSERT INTO entity(kind, device, item) VALUES (?, ?, ?)");
    if (!add.ok()) {
      return add.error();
    }
    if (auto r = add.bind(1, to_string(e.kind)).bind(2, e.device).bind(3, e.item).exec(); !r) {
      return r.error();
    }
    id = sqlite3_last_insert_rowid(db);
  }
  *entity_ids.try_emplace(e).first = id;
  return id;
}

SqliteStore::Impl::~Impl() {
  cached.clear();  // finalized before the connection closes
  if (db != nullptr) {
    sqlite3_close_v2(db);
  }
}

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

const std::string& SqliteStore::path() const { return impl_->path; }

Result<std::int64_t> SqliteStore::maintain() {
  std::int64_t n = 0;
  if (impl_->merge_pending) {
    auto r = write([&]() -> Result<void> {
      auto m = impl_->merge();
      if (!m) {
        return m.error();
      }
      n = *m;
      return {};
    });
    if (!r) {
      return r.error();
    }
  }
  if (sqlite3_get_autocommit(impl_->db) == 0) {
    return n;  // inside the caller's transaction: no checkpoint now
  }
  // PASSIVE: as far as readers allow, without waiting for them.
  const int rc =
      sqlite3_wal_checkpoint_v2(impl_->db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    return sql_error(impl_->db, "checkpoint");
  }
  return n;
}

int SqliteStore::schema_version() const { return impl_->version; }

Result<std::unique_ptr<Store>> SqliteStore::open(const std::string& path, Mode mode,
                                                 const std::string& key_path,
                                                 const SqliteOptions& options) {
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (!exists) {
    if (mode != Mode::create) {
      return make_error(Errc::not_found,
                        "no store here (load an inventory first: colosla inventory load FILE)",
                        path);
    }
    // Created 0600 before SQLite sees it: the store holds SNMP and NETCONF secrets. SQLite gives
    // its -wal and -shm files the same permissions.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
      return make_error(Errc::io, "cannot create the store: " + std::string(std::strerror(errno)),
                        path);
    }
    if (fd >= 0) {
      ::close(fd);
    }
  } else if (!S_ISREG(st.st_mode)) {
    return make_error(Errc::io, "is not a regular file", path);
  }

  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->key = StoreKey(key_path.empty() ? default_key_path(path) : key_path, {}, {});
  // NOMUTEX: a Store is used by one thread at a time, so SQLite need not lock its connection
  // on every call.
  const int flags = (mode == Mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr) != SQLITE_OK) {
    return make_error(
        Errc::store,
        std::string("cannot open: ") + (impl->db ? sqlite3_errmsg(impl->db) : "out of memory"),
        path);
  }
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, static_cast<int>(options.busy_timeout.count()));
  if (auto r = exec_script(impl->db, "PRAGMA foreign_keys = ON"); !r) {
    return r.error();
  }
  if (mode != Mode::read_only) {
    // WAL lets check_colosla and reports read while the daemon writes; FULL makes each commit
    // durable, which an acknowledged INFORM promises.
    if (auto r = exec_script(impl->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL");
        !r) {
      return make_error(Errc::store, "cannot switch to WAL mode: " + r.error().msg, path);
    }

    if (auto r = impl->migrate(); !r) {
      return r.error();
    }
  } else {
    auto v = scalar(impl->db, "PRAGMA user_version");
    const int rc = v ? SQLITE_OK : sqlite3_extended_errcode(impl->db) & 0xff;
    if (!v && (rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN)) {
      // A reader of a WAL database shares the -shm file with the writers. One that may not
      // create it (a user who may only read the store) reads the store alone while no writer
      // has anything in the -wal file: as an immutable file, checked afterwards (read()).
      struct stat wal {};
      const bool wal_empty = ::stat((path + "-wal").c_str(), &wal) != 0 || wal.st_size == 0;
      if (!wal_empty) {
        return make_error(Errc::store,
                          "cannot read the store while it is written: " + v.error().msg +
                              " (a user who may read it needs " + "read access to " + path +
                              "-wal and " + path + "-shm as well)",
                          path);
      }
      sqlite3_close_v2(impl->db);
      impl->db = nullptr;
      if (sqlite3_open_v2(("file:" + uri_path(path) + "?immutable=1").c_str(), &impl->db,
                          SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                          nullptr) != SQLITE_OK) {
        return make_error(
            Errc::store,
            std::string("cannot open: ") + (impl->db ? sqlite3_errmsg(impl->db) : "out of memory"),
            path);
      }
      impl->immutable = file_mark(path);
      v = scalar(impl->db, "PRAGMA user_version");
    }
    if (!v) {
      return make_error(Errc::store, v.error().msg, path);
    }
    impl->version = static_cast<int>(*v);
    if (impl->version != kSchemaVersion) {
      return make_error(Errc::store,
                        "the store has schema version " + std::to_string(impl->version) +
                            " and this colosla reads version " + std::to_string(kSchemaVersion) +
                            " (any colosla write command upgrades it)",
                        path);
    }
  }
  if (options.autocheckpoint_pages != 1000) {  // SQLite's default
    sqlite3_wal_autocheckpoint(impl->db, options.autocheckpoint_pages);
  }
  if (options.cache_kib > 0) {
    (void)exec_script(impl->db,
                      ("PRAGMA cache_size = -" + std::to_string(options.cache_kib)).c_str());
  }
  impl->defer_merge = options.defer_history_merge;
  return std::unique_ptr<Store>(new SqliteStore(std::move(impl)));
}

Result<void> SqliteStore::read(const std::function<Result<void>()>& fn) const {
  sqlite3* db = impl_->db;
  if (sqlite3_get_autocommit(db) == 0) {
    return fn();  // already inside a transaction: it is the snapshot
  }
  if (auto r = exec_script(db, "BEGIN"); !r) {
    return r;
  }
  Result<void> result;
  try {
    result = fn();
  } catch (...) {
    rollback(db, "ROLLBACK");
    throw;
  }
  rollback(db, "ROLLBACK");  // nothing was written; ending the read transaction releases it
  if (result && impl_->immutable && file_mark(impl_->path) != impl_->immutable) {
    // Read without the writers' locks (see open): a writer began meanwhile, so what was read
    // may not be one snapshot.
    return make_error(Errc::store,
                      "the store was written while it was read without the -shm file; read again",
                      impl_->path);
  }
  return result;
}

Result<void> SqliteStore::write(const std::function<Result<void>()>& fn) {
  sqlite3* db = impl_->db;
  const bool outer = sqlite3_get_autocommit(db) != 0;
  const std::string sp = "colosla_sp" + std::to_string(impl_->savepoints);
  if (auto r = exec_script(db, outer ? "BEGIN IMMEDIATE" : ("SAVEPOINT " + sp).c_str()); !r) {
    return r;
  }
  ++impl_->savepoints;
  // Entity ids created inside a transaction that is rolled back do not exist: forget them all.
  const auto undo = [&] {
    rollback(db, outer ? "ROLLBACK" : "ROLLBACK TO " + sp + "; RELEASE " + sp);
    impl_->entity_ids.clear();
    impl_->merge_pending = impl_->merge_pending || impl_->defer_merge;  // a merge undone too
  };
  Result<void> result;
  try {
    // A leader's transaction writes only while its lease holds (fence_writes); the lease is
    // checked under the write lock, which a successor's takeover waits for.
    result = outer ? impl_->check_fence() : Result<void>{};
    if (result) {
      result = fn();
    }
  } catch (...) {
    --impl_->savepoints;
    undo();
    throw;
  }
  --impl_->savepoints;
  if (result) {
    if (auto r = exec_script(db, outer ? "COMMIT" : ("RELEASE " + sp).c_str()); !r) {
      undo();
      return r;
    }
    return {};
  }
  undo();
  return result;
}

}  // namespace colosla::core::sqlite

namespace colosla::core {

Result<std::unique_ptr<Store>> open_sqlite(const std::string& path, Store::Mode mode,
                                           const std::string& key_path,
                                           const SqliteOptions& options) {
  return sqlite::SqliteStore::open(path, mode, key_path, options);
}

namespace {

// The receiver's SQLite store colosla ship reads and forgets from (S: Store or const Store).
template <typename S>
auto receiver_store(S& local) {
  using Sqlite =
      std::conditional_t<std::is_const_v<S>, const sqlite::SqliteStore, sqlite::SqliteStore>;
  auto* store = dynamic_cast<Sqlite*>(&local);
  return store != nullptr
             ? Result<Sqlite*>(store)
             : Result<Sqlite*>(
                   make_error(Errc::invalid_input,
                              "colosla ship reads a receiver's SQLite store, not " + local.path()));
}

}  // namespace

Result<std::vector<TrapEvidence>> evidence_after(const Store& local, std::int64_t after,
                                                 std::size_t limit) {
  auto store = receiver_store(local);
  return store ? (*store)->evidence_after(after, limit)
               : Result<std::vector<TrapEvidence>>(store.error());
}

Result<std::int64_t> forget_shipped(Store& local, Shipped what, std::int64_t shipped_through,
                                    Timestamp received_before, std::int64_t limit) {
  auto store = receiver_store(local);
  return store ? (*store)->forget_shipped(what, shipped_through, received_before, limit)
               : Result<std::int64_t>(store.error());
}

}  // namespace colosla::core
