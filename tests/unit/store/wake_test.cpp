// Store::wait_for_change (docs/scale-out.md, "Wake-ups"): on PostgreSQL a waiting store wakes on
// another connection's committed observations, records and mapping changes, not on a batch
// rolled back nor on events, and at once after its connection was made again; on SQLite it
// waits the time. The PostgreSQL case runs when COLOSLA_TEST_POSTGRESQL holds the admin URI of
// the tests' server (ctest's store.conformance-postgresql).
#include <chrono>

#include "colosla/store/store.hpp"
#include "support.hpp"
#include "support_postgresql.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::TempDir;
using std::chrono::milliseconds;

namespace {

Observation port_down(const std::string& port) {
  Observation o;
  o.time = at("2026-11-03T02:00:00Z");
  o.entity = EntityId::port("sw1", port);
  o.state = State::down;
  o.source = Source::trap;
  o.received = o.time;
  o.origin = "udp:192.0.2.10:49152";
  o.evidence = "linkDown";
  return o;
}

std::unique_ptr<Store> open(const std::string& location, const TempDir& dir) {
  auto s = Store::open(location, Store::Mode::create, dir.file("store.key"));
  INFO((s ? std::string() : s.error().to_string()));
  REQUIRE(s.has_value());
  return std::move(*s);
}

// A notification comes at once on loopback; this bounds the wait on a loaded machine.
constexpr milliseconds kLong{10000};
// Long enough for a notification sent to have arrived, for the cases that expect none.
constexpr milliseconds kShort{300};

bool woke(Store& s, milliseconds timeout) {
  auto r = s.wait_for_change(timeout);
  INFO((r ? std::string() : r.error().to_string()));
  REQUIRE(r.has_value());
  return *r;
}

}  // namespace

TEST_CASE("store: a PostgreSQL store wakes on other connections' commits, and after a reconnect",
          "[store]") {
  if (colosla::test::postgresql_admin_uri().empty()) {
    SUCCEED("no PostgreSQL for the tests (ctest's store.conformance-postgresql starts one)");
    return;
  }
  const std::string location = colosla::test::postgresql_fresh_database();
  TempDir dir;
  auto listener = open(location, dir);
  auto writer = open(location, dir);
  // The first call listens: nothing committed since.
  CHECK_FALSE(woke(*listener, milliseconds{10}));

  // A committed batch of observations wakes it, once, however long after the commit it waits.
  REQUIRE(writer->add_observations({port_down("p1"), port_down("p2")}).has_value());
  REQUIRE(writer->add_observations({port_down("p3")}).has_value());
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(woke(*listener, kLong));
  CHECK(std::chrono::steady_clock::now() - t0 < milliseconds{5000});
  (void)listener->wait_for_change(kShort);  // the second batch's notification, if separate
  CHECK_FALSE(woke(*listener, kShort));

  // A batch rolled back does not, nor do events (the sinks' channel, not evaluation's input).
  auto rolled = writer->write([&]() -> Result<void> {
    REQUIRE(writer->add_observations({port_down("p4")}).has_value());
    return make_error(Errc::conflict, "rolled back on purpose");
  });
  CHECK_FALSE(rolled.has_value());
  REQUIRE(writer
              ->record_events({NewEvent{"k1", "port-down", "C-001", at("2026-11-03T02:00:00Z"), 0}},
                              at("2026-11-03T02:00:01Z"),
                              [](std::size_t, std::int64_t, const std::optional<EntityId>&) {
                                return std::string("{}");
                              })
              .has_value());
  CHECK_FALSE(woke(*listener, kShort));

  // Inside the writer's own write(): one wake-up, after the commit.
  REQUIRE(writer
              ->write([&]() -> Result<void> {
                REQUIRE(writer->add_observations({port_down("p5")}).has_value());
                CHECK_FALSE(woke(*listener, kShort));  // not committed yet
                COLOSLA_TRY(writer->add_observations({port_down("p6")}));
                return {};
              })
              .has_value());
  CHECK(woke(*listener, kLong));
  CHECK_FALSE(woke(*listener, kShort));

  // A record and a mapping change wake it too (inputs of an evaluation).
  Record r;
  r.kind = RecordKind::exclusion;
  r.contract = "C-001";
  r.at = at("2026-11-03T00:00:00Z");
  r.until = at("2026-11-03T01:00:00Z");
  r.reason = ExclusionReason::approved_maintenance;
  r.approved_by = "carol";
  r.entered_by = "alice";
  r.entered_at = at("2026-11-20T09:00:00Z");
  REQUIRE(writer->add_record(r).has_value());
  CHECK(woke(*listener, kLong));
  MappingChange m;
  m.contract = "C-001";
  m.port = PortRef{"sw1", "p1"};
  m.action = MappingAction::add;
  m.at = at("2026-11-03T00:00:00Z");
  m.entered_by = "alice";
  m.entered_at = at("2026-11-20T09:00:00Z");
  REQUIRE(writer->add_mapping_change(m).has_value());
  CHECK(woke(*listener, kLong));
  CHECK_FALSE(woke(*listener, kShort));

  // Every session of the database ended by the server (a restart, a failover): the waiting store
  // connects again and wakes at once, since what was committed meanwhile is unknown to it.
  colosla::test::postgresql_admin_exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
      colosla::test::postgresql_dbname(location) + "' AND pid <> pg_backend_pid()");
  CHECK(woke(*listener, kLong));
  CHECK_FALSE(woke(*listener, kShort));
  // It listens again: the writer's next batch (its first call meets its own dropped session).
  if (!writer->add_observations({port_down("p7")})) {
    REQUIRE(writer->add_observations({port_down("p7")}).has_value());
  }
  CHECK(woke(*listener, kLong));
}

TEST_CASE("store: a SQLite store waits the time for a change (it hears of none)", "[store]") {
  TempDir dir;
  auto s = open(dir.file("wake.db"), dir);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(woke(*s, milliseconds{50}));
  CHECK(std::chrono::steady_clock::now() - t0 >= milliseconds{50});
}
