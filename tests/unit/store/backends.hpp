#pragma once
// The store backends every interface test runs against (conformance_test.cpp, lease_test.cpp,
// probe_leases_test.cpp): SQLite, and PostgreSQL when COLOSLA_TEST_POSTGRESQL holds the admin URI
// of the tests' server (ctest's store.conformance-postgresql), each case on a fresh store. A new
// backend is one line in backends().

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "colosla/store/store.hpp"
#include "support.hpp"
#include "support_postgresql.hpp"

namespace colosla::test {

struct Backend {
  const char* name;
  /// Several writers commit at once (SQLite: one at a time, the others wait).
  bool concurrent_writers;
  /// Leases expire by the database's clock: a test waits for it rather than setting a clock.
  bool database_clock;
  /// Where a fresh, empty store of this backend is, given a directory of the test's own.
  std::string (*location)(const TempDir& dir);
};

inline const std::vector<Backend>& backends() {
  static const std::vector<Backend> all = [] {
    std::vector<Backend> v{
        {"sqlite", false, false, [](const TempDir& dir) { return dir.file("store.db"); }},
    };
    if (!postgresql_admin_uri().empty()) {
      v.push_back(
          {"postgresql", true, true, [](const TempDir&) { return postgresql_fresh_database(); }});
    }
    return v;
  }();
  return all;
}

/// A fresh store of one backend; connect() opens a connection to it (each call another one, as
/// another process would).
class Subject {
 public:
  explicit Subject(const Backend& b) : backend(b), location(b.location(dir)) {}
  std::unique_ptr<core::Store> connect(core::Store::Mode mode = core::Store::Mode::create) const {
    auto s = core::Store::open(location, mode, dir.file("store.key"));
    INFO((s ? std::string() : s.error().to_string()));
    REQUIRE(s.has_value());
    return std::move(*s);
  }

  const Backend& backend;
  TempDir dir;
  std::string location;
};

}  // namespace colosla::test

// Runs the test case once per backend (Catch2 generator), with `subject` a fresh store of it.
#define FOR_EACH_BACKEND(subject)                                                       \
  const colosla::test::Backend& subject##_backend = colosla::test::backends()[GENERATE( \
      range(std::size_t{0}, colosla::test::backends().size()))];                        \
  INFO("backend " << subject##_backend.name);                                           \
  const colosla::test::Subject subject(subject##_backend)
