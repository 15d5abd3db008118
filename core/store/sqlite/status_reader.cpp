// check_colosla's read of the stored figures (status_reader.hpp): SQLite's C API alone, so that
// the check links nothing of the store but this file.
#include "colosla/store/status_reader.hpp"

#include <sqlite3.h>

#include <memory>

namespace colosla::core {

const char* const kStoredStatusSql =
    "SELECT max(s.computed_at, coalesce((SELECT at FROM evaluation), 0)), s.status "
    "FROM contract_status s WHERE s.contract = ?";

namespace {

struct CloseDb {
  void operator()(sqlite3* h) const { sqlite3_close_v2(h); }
};
struct Finalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

}  // namespace

std::optional<StoredStatus> read_stored_status(const std::string& db, const std::string& contract) {
  sqlite3* raw = nullptr;
  // sqlite3_open_v2 gives a handle even when it fails; the deleter closes it either way.
  const int opened =
      sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  const std::unique_ptr<sqlite3, CloseDb> h(raw);
  if (opened != SQLITE_OK) {
    return std::nullopt;
  }
  sqlite3_busy_timeout(h.get(), 2000);
  sqlite3_stmt* stmt = nullptr;
  // A store without the tables (older, or not a store) fails here: no figures.
  if (sqlite3_prepare_v2(h.get(), kStoredStatusSql, -1, &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return std::nullopt;
  }
  const std::unique_ptr<sqlite3_stmt, Finalize> s(stmt);
  sqlite3_bind_text(s.get(), 1, contract.c_str(), static_cast<int>(contract.size()), SQLITE_STATIC);
  if (sqlite3_step(s.get()) != SQLITE_ROW) {
    return std::nullopt;
  }
  StoredStatus out;
  out.computed_at = sqlite3_column_int64(s.get(), 0);
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 1));
  out.status.assign(text != nullptr ? text : "");
  return out;
}

}  // namespace colosla::core
