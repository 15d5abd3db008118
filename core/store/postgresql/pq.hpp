#pragma once

// A thin RAII layer over libpq for the PostgreSQL backend: a connection, a result, parameters
// in text format, errors with their SQLSTATE. Private to core/store; includes libpq-fe.h, so
// nothing here may include an sla/ or events header (docs/architecture.md). libpqxx is not used:
// Debian 12 ships 6.4, a major version behind its current API.
#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/base/result.hpp"
#include "colosla/model/model.hpp"

namespace colosla::core::pg {

/// SQLSTATEs the backend acts on.
inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kSerializationFailure = "40001";
inline constexpr std::string_view kDeadlockDetected = "40P01";
inline constexpr std::string_view kUndefinedTable = "42P01";

/// One statement's result (RAII over PGresult). Values are read as text (the statements ask
/// for text format), by row and column.
class Rows {
 public:
  Rows() = default;
  explicit Rows(PGresult* r) : r_(r, &PQclear) {}

  [[nodiscard]] int size() const { return r_ ? PQntuples(r_.get()) : 0; }
  [[nodiscard]] bool empty() const { return size() == 0; }
  [[nodiscard]] bool null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  [[nodiscard]] std::string_view text(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col),
            static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
  }
  [[nodiscard]] std::string str(int row, int col) const { return std::string(text(row, col)); }
  /// A bigint/integer column (0 when NULL).
  [[nodiscard]] std::int64_t integer(int row, int col) const;
  /// A boolean column ("t" or "f" in text format; false when NULL).
  [[nodiscard]] bool boolean(int row, int col) const { return text(row, col) == "t"; }
  /// A bytea column into `out`: false when it is NULL or not out.size() bytes long.
  [[nodiscard]] bool bytes(int row, int col, std::span<std::uint8_t> out) const;
  [[nodiscard]] std::optional<std::string> optional_str(int row, int col) const {
    return null(row, col) ? std::nullopt : std::optional<std::string>(str(row, col));
  }
  /// A time kept as seconds since the epoch in a bigint column (as the SQLite backend keeps it:
  /// the same values both ways).
  [[nodiscard]] Timestamp time(int row, int col) const {
    return Timestamp{std::chrono::seconds{integer(row, col)}};
  }
  /// The number of rows an INSERT/UPDATE/DELETE touched.
  [[nodiscard]] std::int64_t affected() const;

 private:
  std::shared_ptr<PGresult> r_;
};

/// Parameters of one statement ($1, $2, ...), all sent as text (NULL as a null pointer).
class Params {
 public:
  Params& add(std::string v) {
    values_.emplace_back(std::move(v));
    return *this;
  }
  Params& add(std::string_view v) { return add(std::string(v)); }
  Params& add(const char* v) { return add(std::string(v)); }
  Params& add(std::int64_t v) { return add(std::to_string(v)); }
  Params& add(int v) { return add(std::to_string(v)); }
  Params& add(bool v) { return add(std::string(v ? "true" : "false")); }
  Params& add(Timestamp t) { return add(static_cast<std::int64_t>(t.time_since_epoch().count())); }
  Params& add(const std::optional<std::string>& v) {
    values_.push_back(v);
    return *this;
  }
  Params& null() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  [[nodiscard]] std::size_t size() const { return values_.size(); }
  /// The pointers libpq takes; valid while this object is unchanged.
  [[nodiscard]] std::vector<const char*> pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

/// A PostgreSQL array literal of text values ({"a","b"}), for `= ANY($1::text[])` and unnest.
std::string text_array(const std::vector<std::string>& values);
/// Bytes as lower-case hex digits (for decode($1, 'hex'), or an array of them).
std::string hex(std::span<const std::uint8_t> bytes);
/// A PostgreSQL array literal of integers ({1,2,3}).
std::string int_array(const std::vector<std::int64_t>& values);

/// One connection (RAII over PGconn), used by one thread at a time.
class Connection {
 public:
  /// Connects with a libpq connection string or URI ("postgresql://…", "service=colosla"):
  /// libpq reads the password from ~/.pgpass or the service file, never from colosla's command
  /// line. Sets the session's time zone to UTC, client encoding UTF8 and application_name
  /// "colosla". Errors: store, with libpq's message (the password, if the URI held one, is
  /// not repeated).
  static Result<std::unique_ptr<Connection>> connect(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Runs one or more statements without parameters (a migration script, BEGIN, COMMIT).
  Result<Rows> exec(std::string_view sql);
  /// Runs one statement with parameters, results in text format.
  Result<Rows> exec(std::string_view sql, const Params& params);
  /// The SQLSTATE of the last error (empty when the last statement succeeded).
  [[nodiscard]] const std::string& sqlstate() const { return sqlstate_; }
  /// True while a transaction is open on the connection.
  [[nodiscard]] bool in_transaction() const;
  /// True when the server went away (the connection must be opened again).
  [[nodiscard]] bool broken() const;
  [[nodiscard]] PGconn* raw() const { return c_; }

 private:
  explicit Connection(PGconn* c) : c_(c) {}
  Result<Rows> check(PGresult* r, std::string_view sql);
  PGconn* c_ = nullptr;
  std::string sqlstate_;
};

/// A location with any password removed, for messages: a URI keeps its form
/// ("postgresql://colosla:pw@db/colosla?password=pw" -> "postgresql://colosla@db/colosla"), a
/// key=value string is written again without its password.
std::string without_password(const std::string& conninfo);
/// True when the location (a URI or key=value string) holds a password.
bool has_password(const std::string& conninfo);

}  // namespace colosla::core::pg
