// Helpers around the SQLite C API (sql.hpp).
#include "sqlite/sql.hpp"

#include <sys/stat.h>

#include <sstream>

#include "colosla/base/log.hpp"

namespace colosla::core::sqlite {

Result<void> exec_script(sqlite3* db, const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    Error e = make_error(Errc::store, msg ? msg : sqlite3_errmsg(db), "sqlite");
    sqlite3_free(msg);
    return e;
  }
  return {};
}

// Rolling back is what we do after a failure already being reported; if even the rollback
// fails, SQLite rolls the transaction back when the connection closes, so log and go on.
void rollback(sqlite3* db, const std::string& sql) {
  if (auto r = exec_script(db, sql.c_str()); !r) {
    log(LogLevel::warning, "core.store", "rollback failed: " + r.error().msg);
  }
}

Result<std::int64_t> scalar(sqlite3* db, const char* sql) {
  Stmt s(db, sql);
  if (!s.ok()) {
    return s.error();
  }
  if (s.step() != SQLITE_ROW) {
    return s.step_error();
  }
  return s.i64(0);
}

// The store's path as a URI path (RFC 3986: '%', '?' and '#' escaped).
std::string uri_path(const std::string& path) {
  std::string out;
  for (const char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[c & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<FileMark> file_mark(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return FileMark{};
  }
  FileMark m{st.st_size,
             static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec, 0};
  if (::stat((path + "-wal").c_str(), &st) == 0) {
    m.wal_size = st.st_size;
  }
  return m;
}

}  // namespace colosla::core::sqlite
