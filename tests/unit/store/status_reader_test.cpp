#include "colosla/store/status_reader.hpp"

#include <filesystem>
#include <fstream>

#include "colosla/store/store.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::TempDir;

TEST_CASE("status reader: the figures the store saved, as check_colosla reads them",
          "[store][status_reader]") {
  TempDir dir;
  const std::string db = dir.file("store.db");
  CHECK_FALSE(read_stored_status(db, "C-001").has_value());  // no store yet
  CHECK_FALSE(std::filesystem::exists(db));                  // and it made none
  auto store = Store::open(db, Store::Mode::create);
  REQUIRE(store.has_value());
  CHECK_FALSE(read_stored_status(db, "C-001").has_value());  // no figures yet
  REQUIRE((*store)
              ->save_contract_statuses({{"C-001", R"({"a":1})"}, {"C-002", R"({"b":2})"}},
                                       at("2026-11-03T02:00:00Z"))
              .has_value());
  auto one = read_stored_status(db, "C-001");
  REQUIRE(one.has_value());
  CHECK(one->computed_at == at("2026-11-03T02:00:00Z").time_since_epoch().count());
  CHECK(one->status == R"({"a":1})");
  CHECK_FALSE(read_stored_status(db, "C-003").has_value());

  // An evaluation that judged only C-002 again marks C-001's figures computed too.
  REQUIRE((*store)
              ->update_contract_statuses({{"C-002", R"({"b":3})"}}, at("2026-11-03T02:01:00Z"))
              .has_value());
  one = read_stored_status(db, "C-001");
  REQUIRE(one.has_value());
  CHECK(one->computed_at == at("2026-11-03T02:01:00Z").time_since_epoch().count());
  CHECK(one->status == R"({"a":1})");
  // It agrees with the store's own read.
  const auto two = (*store)->contract_status("C-002").value();
  REQUIRE(two.has_value());
  CHECK(read_stored_status(db, "C-002")->computed_at == two->first.time_since_epoch().count());
  CHECK(read_stored_status(db, "C-002")->status == two->second);
}

TEST_CASE("status reader: a file that is not a store has no figures", "[store][status_reader]") {
  TempDir dir;
  const std::string db = dir.file("not-a-store");
  std::ofstream(db) << "not SQLite\n";
  CHECK_FALSE(read_stored_status(db, "C-001").has_value());
}
