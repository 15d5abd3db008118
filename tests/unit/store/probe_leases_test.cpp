// Probers sharing the targets (ProbeLeases and Observation::round in store.hpp,
// docs/scale-out.md "Probers"), checked against every backend through the interfaces only, as
// conformance_test.cpp does: two holders never hold one turn at once; an expired claim may be
// claimed again, a probed turn not before its round ends; a round's second result is not
// stored, the next round's is. PostgreSQL is among the backends when COLOSLA_TEST_POSTGRESQL
// holds the admin URI of the tests' server (ctest's store.conformance-postgresql).
#include <algorithm>
#include <set>
#include <thread>

#include "backends.hpp"
#include "colosla/store/store.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::Subject;
using colosla::test::TempDir;

namespace {

const Timestamp kNow{std::chrono::seconds{1793671200}};  // 2026-11-03T02:00:00Z
constexpr std::chrono::seconds kTtl{30};

// The turn of round `round` (one-minute rounds) of a target.
ProbeTurn turn(const std::string& target, std::int64_t round) {
  return ProbeTurn{target, round, Timestamp{std::chrono::seconds{(round + 1) * 60}}};
}

// The round of kNow, and its turns for three targets.
const std::int64_t kRound = kNow.time_since_epoch().count() / 60;  // ends at kNow + 60 s
std::vector<ProbeTurn> three(std::int64_t round = kRound) {
  return {turn("127.0.0.2 www", round), turn("127.0.0.3 www", round),
          turn("127.0.0.4 icmp", round)};
}

std::vector<bool> claimed(Store& s, const std::string& holder, const std::vector<ProbeTurn>& turns,
                          Timestamp now, std::size_t limit = 100) {
  auto c = s.claim_probes(holder, turns, now, kTtl, limit);
  INFO((c ? std::string() : c.error().to_string()));
  REQUIRE(c.has_value());
  REQUIRE(c->size() == turns.size());
  std::vector<bool> out;
  for (const auto& x : *c) {
    out.push_back(x.claimed);
  }
  return out;
}

Observation result(const std::string& address, const std::string& service, std::int64_t round,
                   State st, Timestamp t) {
  Observation o;
  o.time = t;
  o.entity = EntityId::probe(address, service);
  o.state = st;
  o.source = Source::probe;
  o.received = t;
  o.origin = "probe:" + service + ":" + address;
  o.evidence = st == State::fail ? "connection refused" : "HTTP 200";
  o.round = round;
  return o;
}

}  // namespace

TEST_CASE("probe leases: two holders never hold one turn at once", "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  auto a = subject.connect();
  auto b = subject.connect();
  using V = std::vector<bool>;
  // a takes two (its limit), b the third; nothing is left for either.
  CHECK(claimed(*a, "a", three(), kNow, 2) == V{true, true, false});
  CHECK(claimed(*b, "b", three(), kNow) == V{false, false, true});
  CHECK(claimed(*a, "a", three(), kNow) == V{false, false, false});
  // What b is told of a's turns: when a's lease expires.
  const auto c = b->claim_probes("b", three(), kNow, kTtl, 100).value();
  CHECK(c[0].until == kNow + kTtl);
  CHECK_FALSE(c[2].claimed);
  // The next round's turns are new.
  CHECK(claimed(*b, "b", three(kRound + 1), kNow) == V{true, true, true});
}

TEST_CASE("probe leases: an expired claim may be claimed again, a probed turn not",
          "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  auto a = subject.connect();
  auto b = subject.connect();
  using V = std::vector<bool>;
  const auto turns = three();
  REQUIRE(claimed(*a, "a", turns, kNow) == V{true, true, true});
  // a stores the first turn's result, gives the second back unprobed, and stalls on the third.
  REQUIRE(a->release_probes("a", {turns[0]}, true, kNow + std::chrono::seconds{2}).has_value());
  REQUIRE(a->release_probes("a", {turns[1]}, false, kNow + std::chrono::seconds{2}).has_value());
  const Timestamp later = kNow + std::chrono::seconds{5};
  CHECK(claimed(*b, "b", turns, later) == V{false, true, false});
  // Once a's lease expired, b may take the third; the first stays a's to the round's end.
  const Timestamp expired = kNow + kTtl;
  const auto c = b->claim_probes("b", turns, expired, kTtl, 100).value();
  CHECK_FALSE(c[0].claimed);
  CHECK(c[0].until == turns[0].ends);
  CHECK(c[2].claimed);
  // a, late, releases the third: b holds it now, and a's release leaves it so.
  REQUIRE(a->release_probes("a", {turns[2]}, false, expired).has_value());
  CHECK(claimed(*a, "a", turns, expired) == V{false, false, false});
  // A turn given back unprobed is free at once, also to its former holder.
  REQUIRE(b->release_probes("b", {turns[1]}, false, expired).has_value());
  CHECK(claimed(*a, "a", turns, expired) == V{false, true, false});
}

TEST_CASE("probe leases: many claims at once never give one turn twice", "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  std::vector<ProbeTurn> turns;
  for (int i = 0; i < 40; ++i) {
    turns.push_back(turn("127.0.1." + std::to_string(i) + " www", kRound));
  }
  constexpr int kHolders = 4;
  std::vector<std::vector<std::string>> got(kHolders);
  {
    std::vector<std::unique_ptr<Store>> stores;
    for (int h = 0; h < kHolders; ++h) {
      stores.push_back(subject.connect());
    }
    std::vector<std::thread> threads;
    std::vector<std::string> errors(kHolders);
    for (int h = 0; h < kHolders; ++h) {
      threads.emplace_back([&, h] {
        // Each asks, a few at a time, for every turn, in its own order.
        std::vector<ProbeTurn> mine = turns;
        std::rotate(mine.begin(), mine.begin() + h * 10, mine.end());
        for (int pass = 0; pass < 20; ++pass) {
          auto c = stores[static_cast<std::size_t>(h)]->claim_probes("h" + std::to_string(h), mine,
                                                                     kNow, kTtl, 3);
          if (!c) {
            errors[static_cast<std::size_t>(h)] = c.error().to_string();
            return;
          }
          for (std::size_t i = 0; i < mine.size(); ++i) {
            if ((*c)[i].claimed) {
              got[static_cast<std::size_t>(h)].push_back(mine[i].target);
            }
          }
        }
      });
    }
    for (auto& t : threads) {
      t.join();
    }
    for (const auto& e : errors) {
      CHECK(e.empty());
    }
  }
  std::multiset<std::string> all;
  for (const auto& g : got) {
    all.insert(g.begin(), g.end());
  }
  // Whatever the claims skipped (another was taking it) is left for a later one.
  auto last = subject.connect();
  const auto rest = last->claim_probes("z", turns, kNow, kTtl, 100).value();
  for (std::size_t i = 0; i < turns.size(); ++i) {
    if (rest[i].claimed) {
      all.insert(turns[i].target);
    }
  }
  CHECK(all.size() == turns.size());
  for (const auto& t : turns) {
    CHECK(all.count(t.target) == 1);
  }
}

TEST_CASE("probe results: a round's second result is not stored, the next round's is",
          "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  auto a = subject.connect();
  auto b = subject.connect();
  const auto e = EntityId::probe("127.0.0.3", "www");
  const Timestamp t = kNow;
  // Two probers' failures of one round (a lease that expired while a probed): one stored.
  CHECK(a->add_observations({result("127.0.0.3", "www", kRound, State::fail, t)}).value() == 1);
  CHECK(b->add_observations(
             {result("127.0.0.3", "www", kRound, State::fail, t + std::chrono::seconds{1})})
            .value() == 0);
  // Within one batch too, and beside a result of another round and an observation of no round.
  Observation port;
  port.time = t;
  port.entity = EntityId::port("sw1", "ge-0/0/1");
  port.state = State::up;
  port.source = Source::poll;
  port.received = t;
  port.origin = "poll";
  CHECK(b->add_observations(
             {result("127.0.0.3", "www", kRound + 1, State::pass, t + std::chrono::seconds{10}),
              result("127.0.0.3", "www", kRound + 1, State::fail, t + std::chrono::seconds{11}),
              port, result("127.0.0.3", "www", kRound, State::fail, t)})
            .value() == 2);
  const auto stored = a->observations(e).value();
  REQUIRE(stored.size() == 2);
  CHECK(stored[0].state == State::fail);
  CHECK(stored[0].time == t);
  CHECK(stored[1].state == State::pass);
  // The history the SLA engine reads holds one failure: no two in a row.
  const auto h = a->history(t + std::chrono::hours{1}).value();
  REQUIRE(h.count(e) == 1);
  CHECK(h.at(e).size() == 2);
  CHECK(a->observation_count().value() == 3);
  // Another entity's result of the same round is its own.
  CHECK(a->add_observations({result("127.0.0.2", "www", kRound, State::fail, t)}).value() == 1);
  // Inside the caller's write(), as the prober stores them with the release of their turns.
  REQUIRE(a->claim_probes("a", {turn("127.0.0.5 www", kRound)}, t, kTtl, 1).has_value());
  const auto w = a->write([&]() -> Result<void> {
    COLOSLA_TRY(a->add_observations({result("127.0.0.5", "www", kRound, State::pass, t)}));
    return a->release_probes("a", {turn("127.0.0.5 www", kRound)}, true, t);
  });
  REQUIRE(w.has_value());
  CHECK(claimed(*b, "b", {turn("127.0.0.5 www", kRound)}, t + kTtl) == std::vector<bool>{false});
}
