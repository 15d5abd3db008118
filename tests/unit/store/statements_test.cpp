// Closed statements in the store (store.hpp, StatementStore), on every backend through the
// interfaces only (ctest's store.conformance-postgresql runs the [store] cases on PostgreSQL):
// appended in one chain, one a contract's month, never updated or deleted.
#include <atomic>
#include <thread>

#include "backends.hpp"
#include "colosla/store/store.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::Subject;

namespace {

Statement make(std::int64_t seq, const std::string& contract, const std::string& month,
               const std::string& previous) {
  Statement s;
  s.seq = seq;
  s.number = "ST-" + month + "-" + std::to_string(seq);
  s.contract = contract;
  s.month = month;
  s.document = R"({"report":{"id":")" + contract + R"("},"total":"0.00"})";
  s.closed_by = "alice";
  s.closed_at = at("2026-12-02T01:00:00Z");
  s.as_of = at("2026-12-02T00:00:00Z");
  s.inputs = R"({"record-id":3})";
  s.previous_digest = previous;
  s.digest = "digest-" + std::to_string(seq);
  return s;
}

}  // namespace

TEST_CASE("statements are appended in one chain and read back as written", "[store][statements]") {
  FOR_EACH_BACKEND(subject);
  auto store = subject.connect();
  CHECK_FALSE(store->last_statement().value());
  CHECK(store->statements(std::nullopt).value().empty());

  const Statement first = make(1, "C-001", "2026-11", "");
  REQUIRE(store->append_statement(first));
  const Statement second = make(2, "C-002", "2026-11", first.digest);
  REQUIRE(store->append_statement(second));
  const Statement third = make(3, "C-001", "2026-12", second.digest);
  REQUIRE(store->append_statement(third));

  auto all = store->statements(std::nullopt).value();
  REQUIRE(all.size() == 3);
  CHECK(all[0].number == first.number);
  CHECK(all[0].document == first.document);
  CHECK(all[0].closed_by == "alice");
  CHECK(all[0].closed_at == first.closed_at);
  CHECK(all[0].as_of == first.as_of);
  CHECK(all[0].inputs == first.inputs);
  CHECK(all[0].previous_digest.empty());
  CHECK(all[2].previous_digest == second.digest);
  CHECK(all[2].digest == third.digest);

  auto mine = store->statements(std::string("C-001")).value();
  REQUIRE(mine.size() == 2);
  CHECK(mine[0].month == "2026-11");
  CHECK(mine[1].month == "2026-12");
  CHECK(store->statements(std::string("C-404")).value().empty());

  auto one = store->statement("C-002", "2026-11").value();
  REQUIRE(one);
  CHECK(one->seq == 2);
  CHECK_FALSE(store->statement("C-002", "2026-12").value());
  CHECK(store->last_statement().value()->seq == 3);

  // Another connection (another process) reads the same.
  auto other = subject.connect(Store::Mode::existing);
  CHECK(other->statements(std::nullopt).value().size() == 3);
}

TEST_CASE("a contract's month is closed once, and the chain's end is checked",
          "[store][statements]") {
  FOR_EACH_BACKEND(subject);
  auto store = subject.connect();
  const Statement first = make(1, "C-001", "2026-11", "");
  REQUIRE(store->append_statement(first));

  SECTION("the same month again is refused, naming the statement") {
    Statement again = make(2, "C-001", "2026-11", first.digest);
    again.number = "ST-other";
    auto r = store->append_statement(again);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::conflict);
    CHECK(r.error().msg.find("closed already: statement " + first.number) != std::string::npos);
  }
  SECTION("a statement that does not follow the chain's end is refused") {
    auto fork = store->append_statement(make(2, "C-002", "2026-11", ""));
    REQUIRE_FALSE(fork);
    CHECK(fork.error().code == Errc::conflict);
    auto gap = store->append_statement(make(3, "C-002", "2026-11", first.digest));
    REQUIRE_FALSE(gap);
    CHECK(gap.error().code == Errc::conflict);
  }
  SECTION("inside a write() that fails, nothing is appended") {
    auto r = store->write([&]() -> Result<void> {
      if (auto a = store->append_statement(make(2, "C-002", "2026-11", first.digest)); !a) {
        return a;
      }
      return make_error(Errc::internal, "later failure");
    });
    REQUIRE_FALSE(r);
  }
  CHECK(store->statements(std::nullopt).value().size() == 1);
}

TEST_CASE("two closers of the same month at once: one statement", "[store][statements]") {
  FOR_EACH_BACKEND(subject);
  auto setup = subject.connect();
  REQUIRE(setup->append_statement(make(1, "C-000", "2026-10", "")));
  std::atomic<int> appended{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> closers;
  for (int i = 0; i < 4; ++i) {
    closers.emplace_back([&, i] {
      auto store = subject.connect(Store::Mode::existing);
      Statement s = make(2, "C-001", "2026-11", "digest-1");
      s.digest = "digest-2-" + std::to_string(i);
      s.number = "ST-2026-11-2-" + std::to_string(i);
      auto r = store->append_statement(s);
      (r ? appended : refused)++;
    });
  }
  for (auto& t : closers) {
    t.join();
  }
  CHECK(appended == 1);
  CHECK(refused == 3);
  CHECK(setup->statements(std::nullopt).value().size() == 2);
}
