#pragma once
// The PostgreSQL the tests start (tests/support/postgresql.sh, ctest's fixture "postgresql"):
// its admin URI in COLOSLA_TEST_POSTGRESQL, and fresh databases in it. The only test code that
// speaks SQL to PostgreSQL; the store's tests go through the store's interfaces.
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>

#include "support.hpp"

namespace colosla::test {

/// The admin URI of the tests' PostgreSQL, or empty when the tests run without one.
inline std::string postgresql_admin_uri() {
  const char* v = std::getenv("COLOSLA_TEST_POSTGRESQL");
  return v != nullptr ? v : "";
}

/// `uri` with its database replaced by `dbname` ("postgresql://u@/postgres?host=…" ->
/// "postgresql://u@/DBNAME?host=…").
inline std::string postgresql_uri_of(const std::string& uri, const std::string& dbname) {
  const auto scheme = uri.find("://");
  REQUIRE(scheme != std::string::npos);
  const auto query = uri.find('?', scheme + 3);
  const auto slash = uri.find('/', scheme + 3);
  const auto authority_end = std::min(slash, query);
  const std::string rest = query == std::string::npos ? "" : uri.substr(query);
  return uri.substr(0, authority_end) + "/" + dbname + rest;
}

/// The database a URI names ("postgresql://u@/DBNAME?host=…" -> "DBNAME").
inline std::string postgresql_dbname(const std::string& uri) {
  const auto scheme = uri.find("://");
  REQUIRE(scheme != std::string::npos);
  const auto slash = uri.find('/', scheme + 3);
  REQUIRE(slash != std::string::npos);
  const auto query = uri.find('?', slash);
  return uri.substr(slash + 1, query == std::string::npos ? std::string::npos : query - slash - 1);
}

/// Runs one statement as the admin; FAILs with PostgreSQL's message when it fails.
inline void postgresql_admin_exec(const std::string& sql, const std::string& dbname = {}) {
  const std::string admin = postgresql_admin_uri();
  REQUIRE(!admin.empty());
  const std::string uri = dbname.empty() ? admin : postgresql_uri_of(admin, dbname);
  std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(uri.c_str()), &PQfinish);
  REQUIRE(c);
  INFO(PQerrorMessage(c.get()));
  REQUIRE(PQstatus(c.get()) == CONNECTION_OK);
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.c_str()), &PQclear);
  INFO(sql << ": " << PQerrorMessage(c.get()));
  const ExecStatusType st = PQresultStatus(r.get());
  REQUIRE((st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK));
}

/// Creates a fresh, empty database (colosla_t_<pid>_<n>) and returns its URI. The databases are
/// dropped with the whole server when the fixture stops it.
inline std::string postgresql_fresh_database() {
  static std::atomic<int> counter{0};
  const std::string name =
      "colosla_t_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  postgresql_admin_exec("CREATE DATABASE " + name);
  return postgresql_uri_of(postgresql_admin_uri(), name);
}

}  // namespace colosla::test
