// The PostgreSQL store's schema: migrations/NNNN-name.sql, embedded at build time
// (cmake/embed_sql.cmake), run in one transaction under an advisory lock, so that several
// colosla processes opening a new database at once create its schema once.
#include "postgresql/migrations.hpp"

#include "colosla/base/log.hpp"
#include "postgresql/pg_store.hpp"

namespace colosla::core::pg {

namespace {

// The advisory lock that serializes schema changes ("colosla" in ASCII); held until the
// transaction ends.
constexpr const char* kLockSql = "SELECT pg_advisory_xact_lock(27988534211341409)";

}  // namespace

Result<int> PgStore::Impl::stored_version() {
  // Read from pg_class with the statement's snapshot, not by name through the backend's catalog
  // cache (to_regclass): a cache that missed the table before the advisory lock was granted may
  // still miss it after another process committed it (caches catch up only when a relation is
  // locked or a transaction begins).
  auto t = exec(
      "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
      "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
      "AND c.relname = 'colosla_schema')");
  if (!t) {
    return make_error(Errc::store, t.error().msg, shown);
  }
  if (t->text(0, 0) != "t") {
    return 0;
  }
  auto v = exec("SELECT version FROM colosla_schema");
  if (!v) {
    return make_error(Errc::store, v.error().msg, shown);
  }
  return v->empty() ? 0 : static_cast<int>(v->integer(0, 0));
}

Result<void> PgStore::Impl::migrate(bool create) {
  const std::vector<Migration>& all = migrations();
  if (kFirstSchemaVersion + static_cast<int>(all.size()) - 1 != kSchemaVersion) {
    return make_error(Errc::store,  // a build error, not input
                      "this colosla has PostgreSQL migrations up to schema version " +
                          std::to_string(kFirstSchemaVersion + static_cast<int>(all.size()) - 1) +
                          " and writes version " + std::to_string(kSchemaVersion),
                      shown);
  }
  auto now = stored_version();
  if (!now) {
    return now.error();
  }
  if (*now == kSchemaVersion) {  // the usual case: no lock taken
    version = *now;
    return {};
  }
  const auto fail = [&](const std::string& msg, Errc code = Errc::store) -> Result<void> {
    (void)exec("ROLLBACK");
    return make_error(code, msg, shown);
  };
  if (auto r = exec("BEGIN"); !r) {
    return make_error(Errc::store, r.error().msg, shown);
  }
  if (auto r = exec(kLockSql); !r) {
    return fail(r.error().msg);
  }
  auto v = stored_version();  // again, under the lock: another process may have done it
  if (!v) {
    return fail(v.error().msg);
  }
  const int initial = *v;
  int at = initial;
  if (at > kSchemaVersion) {
    return fail("the store has schema version " + std::to_string(at) +
                ", written by a newer colosla; this one knows up to version " +
                std::to_string(kSchemaVersion));
  }
  if (at == 0) {
    if (!create) {
      return fail(
          "no colosla store in this database (load an inventory first: colosla inventory load "
          "FILE)",
          Errc::not_found);
    }
    // A database that has tables but no colosla schema is not ours: refuse rather than add to it.
    auto tables = exec("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()");
    if (!tables) {
      return fail(tables.error().msg);
    }
    if (tables->integer(0, 0) != 0) {
      return fail("this PostgreSQL database holds tables that are not a colosla store");
    }
    if (auto r = exec(all.front().sql); !r) {
      return fail("creating the store's schema failed: " + r.error().msg);
    }
    at = kFirstSchemaVersion;
    if (auto r = exec("INSERT INTO colosla_schema VALUES (1, $1)", Params().add(at)); !r) {
      return fail(r.error().msg);
    }
  }
  while (at < kSchemaVersion) {
    const int to = at + 1;
    if (auto r = exec(all[static_cast<std::size_t>(to - kFirstSchemaVersion)].sql); !r) {
      return fail("upgrading the store to schema version " + std::to_string(to) +
                  " failed: " + r.error().msg);
    }
    if (auto r = exec("UPDATE colosla_schema SET version = $1", Params().add(to)); !r) {
      return fail(r.error().msg);
    }
    at = to;
  }
  if (auto r = exec("COMMIT"); !r) {
    return fail(r.error().msg);
  }
  if (at != initial) {
    // Creating a store is no news; upgrading one that existed is.
    log(initial == 0 ? LogLevel::debug : LogLevel::info, "core.store",
        shown + ": schema " + (initial == 0 ? "created at" : "upgraded to") + " version " +
            std::to_string(at));
  }
  version = at;
  return {};
}

}  // namespace colosla::core::pg
