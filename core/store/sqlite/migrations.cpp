// The SQLite store's schema, upgraded forward: migrations/NNNN-name.sql, embedded at build time
// (cmake/embed_sql.cmake), run in order, each in its own transaction.
#include "sqlite/migrations.hpp"

#include <array>
#include <tuple>

#include "colosla/base/log.hpp"
#include "sealing.hpp"
#include "sqlite/sql.hpp"
#include "sqlite/sqlite_store.hpp"

namespace colosla::core::sqlite {

// 9 -> 10: a store written by an older colosla keeps its secrets in clear: sealed here, in the
// upgrade's transaction, with a digest of each document.
Result<void> SqliteStore::Impl::seal_clear_secrets() {
  auto versions = scalar(db, "SELECT count(*) FROM inventory_version");
  if (!versions) {
    return versions.error();
  }
  if (*versions == 0) {
    return {};  // nothing to seal: no key made needlessly
  }
  auto k = key.get(true);
  if (!k) {
    return make_error(Errc::store,
                      "sealing the inventory's secrets needs the key: " + k.error().to_string());
  }
  const SecretKey& sk = **k;
  {
    std::vector<std::tuple<std::int64_t, std::string, std::string>> docs;
    Stmt s(db, "SELECT version, document FROM inventory_version");
    while (s.step() == SQLITE_ROW) {
      auto sealed = seal_document(s.str(1), sk);
      if (!sealed) {
        return sealed.error();
      }
      docs.emplace_back(s.i64(0), std::move(*sealed), sk.digest(s.str(1)));
    }
    Stmt up(db, "UPDATE inventory_version SET document = ?, digest = ? WHERE version = ?");
    for (const auto& [number, doc, digest] : docs) {
      if (auto r = up.bind(1, doc).bind(2, digest).bind(3, number).exec(); !r) {
        return r;
      }
    }
  }
  std::vector<std::array<std::string, 5>> rows;
  Stmt s(db,
         "SELECT name, snmp_community, snmp_auth_password, snmp_priv_password, netconf_password "
         "FROM device");
  while (s.step() == SQLITE_ROW) {
    const std::string name = s.str(0);
    const auto sealed = [&](int c, const char* what) {
      const std::string v = s.str(c);
      return is_sealed(v) ? v : sk.seal(v, "device " + name + " " + what);
    };
    rows.push_back({name, sealed(1, "snmp community"), sealed(2, "snmp auth-password"),
                    sealed(3, "snmp priv-password"), sealed(4, "netconf password")});
  }
  Stmt up(db,
          "UPDATE device SET snmp_community = ?, snmp_auth_password = ?, snmp_priv_password = ?, "
          "netconf_password = ? WHERE name = ?");
  for (const auto& r : rows) {
    if (auto e = up.bind(1, r[1]).bind(2, r[2]).bind(3, r[3]).bind(4, r[4]).bind(5, r[0]).exec();
        !e) {
      return e;
    }
  }
  return {};
}

Result<void> SqliteStore::Impl::migrate() {
  auto v = scalar(db, "PRAGMA user_version");
  if (!v) {
    return v.error();
  }
  version = static_cast<int>(*v);
  const int initial = version;
  if (version > kSchemaVersion) {
    return make_error(Errc::store,
                      "the store has schema version " + std::to_string(version) +
                          ", written by a newer colosla; this one knows up to version " +
                          std::to_string(kSchemaVersion),
                      path);
  }
  if (version == 0) {
    // A file that has tables but no version is not ours: refuse rather than add to it.
    auto tables = scalar(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
    if (!tables) {
      return tables.error();
    }
    if (*tables != 0) {
      return make_error(Errc::store, "this SQLite database is not a colosla store", path);
    }
  }
  const std::vector<Migration>& all = migrations();
  if (all.size() != static_cast<std::size_t>(kSchemaVersion)) {  // a build error, not input
    return make_error(Errc::store,
                      "this colosla has " + std::to_string(all.size()) +
                          " migrations for schema version " + std::to_string(kSchemaVersion),
                      path);
  }
  while (version < kSchemaVersion) {
    const int to = version + 1;
    if (auto r = exec_script(db, "BEGIN IMMEDIATE"); !r) {
      return r;
    }
    auto r = exec_script(db, all[static_cast<std::size_t>(version)].sql);
    if (r && to == 10) {
      r = seal_clear_secrets();
    }
    if (r) {
      r = exec_script(db, ("PRAGMA user_version = " + std::to_string(to)).c_str());
    }
    if (r) {
      r = exec_script(db, "COMMIT");
    }
    if (!r) {
      rollback(db, "ROLLBACK");
      return make_error(Errc::store,
                        "upgrading the store to schema version " + std::to_string(to) +
                            " failed: " + r.error().msg,
                        path);
    }
    // Creating a store is no news; upgrading one that existed is.
    log(initial == 0 ? LogLevel::debug : LogLevel::info, "core.store",
        path + ": schema upgraded to version " + std::to_string(to));
    version = to;
  }
  return {};
}

}  // namespace colosla::core::sqlite
