#pragma once

// Helpers around the SQLite C API for the SQLite backend: a prepared statement (RAII), scripts,
// errors. Private to core/store; includes sqlite3.h, so nothing here may include an sla/ or
// events header (docs/architecture.md).
#include <sqlite3.h>
#include <sys/types.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/base/result.hpp"
#include "colosla/model/model.hpp"

namespace colosla::core::sqlite {

inline Error sql_error(sqlite3* db, std::string_view what) {
  return make_error(Errc::store, sqlite3_errmsg(db), std::string(what));
}

/// A prepared statement with positional binding.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK) {
      err_ = sql_error(db, sql);
    }
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  [[nodiscard]] bool ok() const { return s_ != nullptr; }
  [[nodiscard]] const Error& error() const { return err_; }

  Stmt& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  /// Binds text that stays unchanged until the statement has been stepped (no copy).
  Stmt& bind_static(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  /// Binds bytes as a BLOB that stays unchanged until the statement has been stepped (no copy).
  Stmt& bind_blob_static(int i, std::span<const std::uint8_t> v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  /// Binds a trap's identity to three parameters from `first` (columns trap_digest,
  /// trap_bucket, trap_near; NULL when there is none). The digest is not copied.
  Stmt& bind_trap(int first, const std::optional<TrapIdentity>& id) {
    if (!id) {
      return bind_null(first).bind_null(first + 1).bind_null(first + 2);
    }
    return bind_blob_static(first, id->digest)
        .bind(first + 1, id->bucket)
        .bind(first + 2, id->near);
  }
  Stmt& bind(int i, bool v) { return bind(i, static_cast<std::int64_t>(v ? 1 : 0)); }
  Stmt& bind(int i, Timestamp t) {
    return bind(i, static_cast<std::int64_t>(t.time_since_epoch().count()));
  }
  Stmt& bind_null(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
  }

  /// SQLITE_ROW, SQLITE_DONE, or an error code.
  int step() { return sqlite3_step(s_); }
  /// Runs a statement that returns no rows and resets it for the next bindings.
  Result<void> exec() {
    const int rc = sqlite3_step(s_);
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    if (rc != SQLITE_DONE) {
      return sql_error(db_, sqlite3_sql(s_));
    }
    return {};
  }
  Error step_error() const { return sql_error(db_, sqlite3_sql(s_)); }
  /// Makes a statement that was stepped ready for new bindings.
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }

  [[nodiscard]] std::int64_t i64(int c) const { return sqlite3_column_int64(s_, c); }
  [[nodiscard]] bool boolean(int c) const { return sqlite3_column_int64(s_, c) != 0; }
  [[nodiscard]] Timestamp time(int c) const { return Timestamp{std::chrono::seconds{i64(c)}}; }
  [[nodiscard]] bool is_null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  [[nodiscard]] sqlite3_stmt* raw() const { return s_; }
  /// A column's bytes (a BLOB, or text).
  [[nodiscard]] std::span<const std::uint8_t> blob(int c) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s_, c));
    return {p, p ? static_cast<std::size_t>(sqlite3_column_bytes(s_, c)) : 0};
  }
  /// A trap's identity from three columns from `first`, as bind_trap stored it (nullopt: none).
  [[nodiscard]] std::optional<TrapIdentity> trap(int first) const {
    const auto d = blob(first);
    if (d.size() != TrapIdentity{}.digest.size()) {
      return std::nullopt;
    }
    TrapIdentity id;
    std::copy(d.begin(), d.end(), id.digest.begin());
    id.bucket = i64(first + 1);
    id.near = i64(first + 2);
    return id;
  }
  [[nodiscard]] std::string str(int c) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, c)))
             : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
  Error err_;
};
/// Runs one or more statements that return no rows.
Result<void> exec_script(sqlite3* db, const char* sql);
/// Rolls back after a failure already being reported; a failing rollback is logged only (SQLite
/// rolls the transaction back when the connection closes).
void rollback(sqlite3* db, const std::string& sql);
/// The first column of the first row of a query.
Result<std::int64_t> scalar(sqlite3* db, const char* sql);
/// The store's path as a URI path (RFC 3986: '%', '?' and '#' escaped).
std::string uri_path(const std::string& path);

/// What changes when a writer touches the store: the database file's size and time, and whether
/// its -wal file holds anything.
struct FileMark {
  off_t size = -1;
  std::int64_t mtime_ns = 0;
  off_t wal_size = 0;
  friend bool operator==(const FileMark&, const FileMark&) = default;
};
std::optional<FileMark> file_mark(const std::string& path);

}  // namespace colosla::core::sqlite
