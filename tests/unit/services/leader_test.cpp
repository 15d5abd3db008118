// core::Leadership over a SQLite store and a FakeClock: who leads, when it takes over, and that
// the store's writes are fenced by the epoch it leads with.
#include "colosla/services/leader.hpp"

#include <catch2/catch.hpp>

#include "colosla/store/store.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::TempDir;

namespace {

std::unique_ptr<Store> open_store(const TempDir& dir) {
  auto s = Store::open(dir.file("leader.db"), Store::Mode::create);
  REQUIRE(s.has_value());
  return std::move(*s);
}

}  // namespace

TEST_CASE("one leader at a time, the next one with the next epoch", "[services][lease]") {
  TempDir dir;
  FakeClock clock(at("2026-12-01T00:00:00Z"));
  auto store_a = open_store(dir);
  auto store_b = open_store(dir);
  Leadership a(*store_a, clock, "evaluate", std::chrono::seconds{15}, "node-a");
  Leadership b(*store_b, clock, "evaluate", std::chrono::seconds{15}, "node-b");
  CHECK_FALSE(a.leading());

  CHECK(a.renew());
  CHECK(a.leading());
  CHECK(a.epoch() == 1);
  CHECK(a.take_new_term());
  CHECK_FALSE(a.take_new_term());  // once
  CHECK_FALSE(b.renew());
  CHECK(b.epoch() == 0);
  CHECK(a.next_renewal() <= Leadership::Steady::now() + std::chrono::seconds{5});

  // a renews: still epoch 1, no new term; its fenced writes go through.
  clock.advance(std::chrono::seconds{10});
  CHECK(a.renew());
  CHECK(a.epoch() == 1);
  CHECK_FALSE(a.take_new_term());
  CHECK(store_a->set_sink_cursor("event-log", 1).has_value());

  // a stops renewing (dead, or cut off): b takes over with epoch 2 once the lease ended.
  clock.advance(std::chrono::seconds{14});
  CHECK_FALSE(b.renew());
  clock.advance(std::chrono::seconds{1});
  CHECK(b.renew());
  CHECK(b.epoch() == 2);
  CHECK(b.take_new_term());
  // a's writes are refused from then on, and a learns it at its next renewal.
  auto refused = store_a->set_sink_cursor("event-log", 2);
  REQUIRE_FALSE(refused.has_value());
  CHECK_THAT(refused.error().msg,
             Catch::Contains("lease lost: leader evaluate epoch 1 is now held by node-b epoch 2"));
  CHECK_FALSE(a.renew());
  CHECK_FALSE(a.leading());
  CHECK(store_b->set_sink_cursor("event-log", 2).has_value());
  CHECK(store_b->sink_cursor("event-log").value() == 2);

  // b released it (a clean exit): a takes it at once, epoch 3.
  b.release();
  CHECK_FALSE(b.leading());
  CHECK(a.renew());
  CHECK(a.epoch() == 3);
}
