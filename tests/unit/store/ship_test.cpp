// What the shipper relies on (colosla ship, docs/scale-out.md): observations read after a seq
// with their trap keys, on both backends; and ship_observations on PostgreSQL storing a trap
// once by the rule of trap_key.hpp, any other observation once by where it came from and its seq
// there. The PostgreSQL cases run when COLOSLA_TEST_POSTGRESQL holds the admin URI of the tests'
// server (ctest's store.conformance-postgresql).
#include "colosla/store/postgresql.hpp"
#include "colosla/store/sqlite.hpp"
#include "colosla/store/store.hpp"
#include "support.hpp"
#include "support_postgresql.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::TempDir;

namespace {

// A trap identity: digest d (its 32 bytes all d), boot-time bucket b, the near bucket nr. Its key
// is SHA-256(digest, b), its neighbour SHA-256(digest, nr) (trap_key.hpp).
std::optional<TrapIdentity> id(std::uint8_t d, std::int64_t b, std::int64_t nr) {
  TrapIdentity t;
  t.digest.fill(d);
  t.bucket = b;
  t.near = nr;
  return t;
}

Observation trap_obs(const std::string& port, std::optional<TrapIdentity> trap,
                     std::int64_t seq = 0) {
  Observation o;
  o.time = at("2026-11-03T02:00:00Z");
  o.entity = EntityId::port("sw1", port);
  o.state = State::down;
  o.source = Source::trap;
  o.received = o.time;
  o.origin = "udp:192.0.2.10:49152";
  o.evidence = "linkDown";
  o.trap = trap;
  o.seq = seq;
  return o;
}

std::unique_ptr<Store> open(const std::string& location, const TempDir& dir) {
  auto s = Store::open(location, Store::Mode::create, dir.file("store.key"));
  INFO((s ? std::string() : s.error().to_string()));
  REQUIRE(s.has_value());
  return std::move(*s);
}

void check_observations_after(Store& s) {
  Observation poll = trap_obs("p2", std::nullopt);
  poll.source = Source::poll;
  REQUIRE(
      s.add_observations({trap_obs("p1", id(0xa1, 5, 4)), poll, trap_obs("p3", id(0x03, -7, -6))})
          .has_value());
  const auto all = s.observations_after(0, 10).value();
  REQUIRE(all.size() == 3);
  CHECK(all[0].trap == id(0xa1, 5, 4));
  CHECK_FALSE(all[1].trap.has_value());
  CHECK(all[2].trap == id(0x03, -7, -6));
  CHECK(all[0].seq < all[1].seq);
  CHECK(all[1].seq < all[2].seq);
  const auto rest = s.observations_after(all[0].seq, 1).value();
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].seq == all[1].seq);
  CHECK(s.observations_after(all[2].seq, 10).value().empty());
}

}  // namespace

TEST_CASE("store: observations after a seq, with their trap keys (SQLite)", "[store]") {
  TempDir dir;
  auto s = open(dir.file("s.db"), dir);
  check_observations_after(*s);
  // Only a PostgreSQL store takes shipments.
  const auto r = ship_observations(*s, {trap_obs("p1", id(1, 5, 6), 1)}, "store-a");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::invalid_input);
}

TEST_CASE("store: observations after a seq, with their trap keys (PostgreSQL)", "[store]") {
  if (colosla::test::postgresql_admin_uri().empty()) {
    SUCCEED("no PostgreSQL for the tests (ctest's store.conformance-postgresql starts one)");
    return;
  }
  TempDir dir;
  auto s = open(colosla::test::postgresql_fresh_database(), dir);
  check_observations_after(*s);
}

TEST_CASE("store: a shipped trap is stored once by its key or its neighbour", "[store]") {
  if (colosla::test::postgresql_admin_uri().empty()) {
    SUCCEED("no PostgreSQL for the tests (ctest's store.conformance-postgresql starts one)");
    return;
  }
  TempDir dir;
  auto s = open(colosla::test::postgresql_fresh_database(), dir);
  const auto ship = [&](const std::vector<Observation>& obs, const std::string& from) {
    auto r = ship_observations(*s, obs, from);
    INFO((r ? std::string() : r.error().to_string()));
    REQUIRE(r.has_value());
    return std::make_pair(r->stored, r->duplicates);
  };
  using P = std::pair<std::size_t, std::size_t>;
  // Receiver a ships a trap in bucket 5, near 6 (key K, neighbour N); receiver b's copy in the
  // adjacent bucket 6, near 5, has key N and neighbour K: one trap. A copy in bucket 6 whose
  // near bucket is 7 is another notification, and so is the first on another port (one trap,
  // several entities); another digest is another trap.
  CHECK(ship({trap_obs("p1", id(1, 5, 6), 1)}, "store-a") == P{1, 0});
  CHECK(ship({trap_obs("p1", id(1, 6, 5), 1)}, "store-b") == P{0, 1});
  CHECK(ship({trap_obs("p1", id(1, 5, 4), 2)}, "store-b") == P{0, 1});  // the same key
  CHECK(ship({trap_obs("p1", id(1, 6, 7), 3)}, "store-b") == P{1, 0});  // its neighbour is not K
  CHECK(ship({trap_obs("p2", id(1, 5, 6), 4)}, "store-b") == P{1, 0});  // another entity
  CHECK(ship({trap_obs("p1", id(2, 5, 6), 5)}, "store-b") == P{1, 0});  // another digest
  // Two copies within one batch: one stored.
  CHECK(ship({trap_obs("p3", id(3, 9, 8), 6), trap_obs("p3", id(3, 9, 8), 7)}, "store-b") ==
        P{1, 1});
  // Without a key: known by where it came from and its seq there.
  Observation poll = trap_obs("p4", std::nullopt, 8);
  poll.source = Source::poll;
  CHECK(ship({poll}, "store-a") == P{1, 0});
  CHECK(ship({poll}, "store-a") == P{0, 1});  // shipped again (a crash before the watermark)
  CHECK(ship({poll}, "store-b") == P{1, 0});  // another receiver's poll of its own
  CHECK(s->observation_count().value() == 7);
  const auto all = s->observations_after(0, 100).value();
  REQUIRE(all.size() == 7);
  CHECK(all[0].trap == id(1, 5, 6));
  CHECK_FALSE(all[6].trap.has_value());
}

TEST_CASE("store: a receiver forgets what it shipped, its history and seqs unchanged", "[store]") {
  TempDir dir;
  auto s = open(dir.file("s.db"), dir);
  // Port p1 down, up, down; p2 down: four observations, received an hour apart.
  std::vector<Observation> obs;
  for (int i = 0; i < 4; ++i) {
    Observation o = trap_obs(i == 3 ? "p2" : "p1", id(static_cast<std::uint8_t>(i), i, i + 1));
    o.time = at("2026-11-03T02:00:00Z") + std::chrono::hours{i};
    o.received = o.time;
    o.state = i == 1 ? State::up : State::down;
    obs.push_back(o);
  }
  REQUIRE(s->add_observations(obs).has_value());
  const auto seqs = s->observations_after(0, 10).value();
  REQUIRE(seqs.size() == 4);
  const Timestamp until = at("2026-11-04T00:00:00Z");
  const History before = s->history(until).value();
  const auto latest = s->latest_states(0).value().changes;

  // Nothing PostgreSQL has not committed, nothing received at or after the limit.
  CHECK(forget_shipped(*s, 0, until, 100).value() == 0);
  CHECK(forget_shipped(*s, seqs[1].seq, at("2026-11-03T02:00:00Z"), 100).value() == 0);
  // The first two, one at a time.
  CHECK(forget_shipped(*s, seqs[1].seq, until, 1).value() == 1);
  CHECK(forget_shipped(*s, seqs[1].seq, until, 1).value() == 1);
  CHECK(forget_shipped(*s, seqs[1].seq, until, 1).value() == 0);
  CHECK(s->observation_count().value() == 2);
  // Everything shipped: all but the last (the next seq follows it).
  CHECK(forget_shipped(*s, seqs[3].seq, until, 100).value() == 1);
  const auto left = s->observations_after(0, 10).value();
  REQUIRE(left.size() == 1);
  CHECK(left[0].seq == seqs[3].seq);
  // The history and the latest states read the same; a new observation gets a new seq.
  CHECK(s->history(until).value() == before);
  CHECK(s->latest_states(0).value().changes == latest);
  REQUIRE(s->add_observations({trap_obs("p3", std::nullopt)}).has_value());
  CHECK(s->observations_after(seqs[3].seq, 10).value().at(0).seq > seqs[3].seq);
  // Only a receiver's SQLite store forgets.
  if (!colosla::test::postgresql_admin_uri().empty()) {
    auto pg = open(colosla::test::postgresql_fresh_database(), dir);
    CHECK(forget_shipped(*pg, 1, until, 1).error().code == Errc::invalid_input);
  }
}
