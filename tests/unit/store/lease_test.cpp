// The leader lease and the fence of a leader's writes (store.hpp, Leases), on every backend
// through the interfaces only: PostgreSQL among them when COLOSLA_TEST_POSTGRESQL names the
// tests' server (ctest's store.conformance-postgresql runs the [store] cases there). SQLite
// judges expiry by the caller's clock (a FakeClock here); PostgreSQL by its own, so its cases
// use leases of one or two real seconds and wait for them to end.
#include <atomic>
#include <thread>

#include "backends.hpp"
#include "colosla/store/store.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::Subject;
using colosla::test::TempDir;

namespace {

using std::chrono::seconds;

// Lets the lease `name` expire: the fake clock moved past it (SQLite), or the database's clock
// waited for (PostgreSQL: a loaded machine may take a while, hence the generous deadline).
void expire(const Subject& s, Store& store, FakeClock& clock, const std::string& name) {
  if (!s.backend.database_clock) {
    const auto l = store.lease(name, clock.now()).value();
    REQUIRE(l);
    clock.set(l->expires);
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + seconds{30};
  for (;;) {
    const auto l = store.lease(name, clock.now()).value();
    REQUIRE(l);
    if (!l->held()) {
      return;
    }
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
}

std::vector<NewEvent> one_event(const std::string& key) {
  return {NewEvent{key, "port-down", "C-001", at("2026-11-03T01:00:00Z"), 0}};
}

EventBody body_of() {
  return [](std::size_t, std::int64_t id, const std::optional<EntityId>&) {
    return "{\"event\":" + std::to_string(id) + "}";
  };
}

}  // namespace

TEST_CASE("a lease is taken, renewed, and refused to others while held", "[store][lease]") {
  FOR_EACH_BACKEND(subject);
  FakeClock clock(at("2026-12-01T00:00:00Z"));
  auto a = subject.connect();
  auto b = subject.connect();
  CHECK_FALSE(a->lease("evaluate", clock.now()).value());

  const Lease first = a->acquire_lease("evaluate", "a", seconds{60}, clock.now()).value();
  CHECK(first.holder == "a");
  CHECK(first.epoch == 1);
  CHECK(first.held());
  CHECK(first.remaining <= seconds{60});
  CHECK(first.remaining > seconds{50});

  clock.advance(seconds{20});
  const Lease renewed = a->acquire_lease("evaluate", "a", seconds{60}, clock.now()).value();
  CHECK(renewed.epoch == 1);
  CHECK(renewed.expires >= first.expires);

  const Lease refused = b->acquire_lease("evaluate", "b", seconds{60}, clock.now()).value();
  CHECK(refused.holder == "a");
  CHECK(refused.epoch == 1);
  CHECK(refused.held());
  const auto seen = b->lease("evaluate", clock.now()).value();
  REQUIRE(seen);
  CHECK(seen->holder == "a");

  // Another name is another lease.
  CHECK(b->acquire_lease("month-close", "b", seconds{60}, clock.now()).value().epoch == 1);
}

TEST_CASE("an expired or released lease is taken with the next epoch", "[store][lease]") {
  FOR_EACH_BACKEND(subject);
  FakeClock clock(at("2026-12-01T00:00:00Z"));
  auto a = subject.connect();
  auto b = subject.connect();
  const seconds ttl{subject.backend.database_clock ? 1 : 30};
  REQUIRE(a->acquire_lease("evaluate", "a", ttl, clock.now()).value().epoch == 1);
  expire(subject, *a, clock, "evaluate");

  const Lease taken = b->acquire_lease("evaluate", "b", seconds{60}, clock.now()).value();
  CHECK(taken.holder == "b");
  CHECK(taken.epoch == 2);
  CHECK(taken.held());
  // The old holder renews nothing: the lease is b's.
  const Lease refused = a->acquire_lease("evaluate", "a", seconds{60}, clock.now()).value();
  CHECK(refused.holder == "b");
  CHECK(refused.epoch == 2);

  // Released: taken at once, without waiting for its expiry.
  CHECK_FALSE(b->release_lease("evaluate", "b", 1, clock.now()).value());  // not that epoch
  CHECK(b->release_lease("evaluate", "b", 2, clock.now()).value());
  CHECK_FALSE(a->lease("evaluate", clock.now()).value()->held());
  const Lease after = a->acquire_lease("evaluate", "a", seconds{60}, clock.now()).value();
  CHECK(after.holder == "a");
  CHECK(after.epoch == 3);
}

TEST_CASE("a fenced store writes only while its lease holds", "[store][lease]") {
  FOR_EACH_BACKEND(subject);
  FakeClock clock(at("2026-12-01T00:00:00Z"));
  auto a = subject.connect();
  auto b = subject.connect();
  const seconds ttl{subject.backend.database_clock ? 2 : 30};
  const Lease held = a->acquire_lease("evaluate", "a", ttl, clock.now()).value();
  REQUIRE(a->fence_writes(LeaseFence{"evaluate", "a", held.epoch, ttl, &clock}).has_value());

  // Held: the writes go through.
  REQUIRE(a->record_events(one_event("k1"), clock.now(), body_of()).value().size() == 1);
  REQUIRE(a->set_sink_cursor("event-log", 1).has_value());

  // Lost: b took it after it expired.
  expire(subject, *a, clock, "evaluate");
  REQUIRE(b->acquire_lease("evaluate", "b", seconds{60}, clock.now()).value().epoch == 2);
  auto refused = a->record_events(one_event("k2"), clock.now(), body_of());
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == Errc::conflict);
  CHECK_THAT(refused.error().msg,
             Catch::Contains("lease lost: leader evaluate epoch 1 is now held by b epoch 2"));
  auto cursor = a->set_sink_cursor("event-log", 2);
  REQUIRE_FALSE(cursor.has_value());
  CHECK_THAT(cursor.error().msg, Catch::Contains("lease lost"));
  auto grouped = a->write([&]() -> Result<void> {
    FAIL("a fenced write() must not run its function once the lease is lost");
    return {};
  });
  CHECK_FALSE(grouped.has_value());
  // Nothing of it written.
  CHECK(b->events_after(0).value().size() == 1);
  CHECK(b->sink_cursor("event-log").value() == 1);

  // Unfenced, it writes again (a store that no longer claims to lead).
  REQUIRE(a->fence_writes(std::nullopt).has_value());
  CHECK(a->set_sink_cursor("other", 1).has_value());
}

TEST_CASE("a fenced write whose lease expired writes nothing, even when nobody took it",
          "[store][lease]") {
  FOR_EACH_BACKEND(subject);
  FakeClock clock(at("2026-12-01T00:00:00Z"));
  auto a = subject.connect();
  const seconds ttl{subject.backend.database_clock ? 1 : 30};
  const Lease held = a->acquire_lease("evaluate", "a", ttl, clock.now()).value();
  REQUIRE(a->fence_writes(LeaseFence{"evaluate", "a", held.epoch, ttl, &clock}).has_value());
  expire(subject, *a, clock, "evaluate");
  auto refused = a->set_sink_cursor("event-log", 5);
  REQUIRE_FALSE(refused.has_value());
  CHECK_THAT(refused.error().msg, Catch::Contains("has expired"));
  CHECK(a->sink_cursor("event-log").value() == 0);
  // Taken again by the same holder: a new term, epoch 2.
  CHECK(a->acquire_lease("evaluate", "a", seconds{60}, clock.now()).value().epoch == 2);
}

TEST_CASE("a successor's takeover waits for the leader's fenced write in flight",
          "[store][lease]") {
  FOR_EACH_BACKEND(subject);
  FakeClock clock(at("2026-12-01T00:00:00Z"));
  auto a = subject.connect();
  auto b = subject.connect();
  auto watcher = subject.connect();
  const seconds ttl{subject.backend.database_clock ? 2 : 30};
  const Lease held = a->acquire_lease("evaluate", "a", ttl, clock.now()).value();
  // (The fence's idle limit longer than the lease: a's transaction waits, idle, for its end.)
  REQUIRE(
      a->fence_writes(LeaseFence{"evaluate", "a", held.epoch, seconds{60}, &clock}).has_value());

  std::atomic<bool> inside{false}, taking{false}, written{false};
  std::atomic<std::int64_t> taken_epoch{0};
  std::atomic<bool> written_before_taken{false};
  std::thread successor([&] {
    while (!inside) {
      std::this_thread::yield();
    }
    taking = true;
    // b's own connection: with the lease expired, it waits for a's transaction to end.
    auto l = b->acquire_lease("evaluate", "b", seconds{60}, clock.now());
    written_before_taken = written.load();
    taken_epoch = l ? l->epoch : -1;
  });
  // a's write checked its lease at its start (held), then outlives the lease.
  auto w = a->write([&]() -> Result<void> {
    expire(subject, *watcher, clock, "evaluate");
    inside = true;
    while (!taking) {
      std::this_thread::yield();
    }
    // Time for b to reach the lock; the check below holds however long it takes.
    std::this_thread::sleep_for(std::chrono::milliseconds{300});
    COLOSLA_TRY(a->record_events(one_event("in-flight"), clock.now(), body_of()));
    written = true;
    return {};
  });
  successor.join();
  INFO((w ? std::string() : w.error().to_string()));
  REQUIRE(w.has_value());
  CHECK(written_before_taken);
  CHECK(taken_epoch == 2);
  // a's write is committed; its next one is refused.
  CHECK(watcher->events_after(0).value().size() == 1);
  CHECK_FALSE(a->set_sink_cursor("event-log", 1).has_value());
}

TEST_CASE("PostgreSQL ends a fenced session left idle in a transaction", "[store][lease]") {
  FOR_EACH_BACKEND(subject);
  if (!subject.backend.database_clock) {
    return;  // SQLite: one machine; a stopped process holds the write lock (docs/scale-out.md)
  }
  FakeClock clock(at("2026-12-01T00:00:00Z"));
  auto a = subject.connect();
  auto b = subject.connect();
  const seconds ttl{1};
  const Lease held = a->acquire_lease("evaluate", "a", ttl, clock.now()).value();
  REQUIRE(a->fence_writes(LeaseFence{"evaluate", "a", held.epoch, ttl, &clock}).has_value());
  std::atomic<std::int64_t> taken{0};
  std::thread successor([&] {
    expire(subject, *b, clock, "evaluate");
    // a's transaction holds the row until the server ends a's idle session (1 s).
    auto l = b->acquire_lease("evaluate", "b", seconds{60}, clock.now());
    taken = l ? l->epoch : -1;
  });
  // a stops inside its transaction (as a SIGSTOP would): it sends nothing until b took over.
  auto w = a->write([&]() -> Result<void> {
    const auto deadline = std::chrono::steady_clock::now() + seconds{30};
    while (taken == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    return {};
  });
  successor.join();
  CHECK(taken == 2);
  CHECK_FALSE(w.has_value());  // its session was ended: nothing of it committed
  // Connected again, it is still fenced: refused.
  auto again = a->set_sink_cursor("event-log", 1);
  REQUIRE_FALSE(again.has_value());
  CHECK_THAT(again.error().msg, Catch::Contains("lease lost"));
}
