#include "colosla/model/timeline.hpp"

#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;

namespace {

const EntityId kPort = EntityId::port("sw1", "ge-0/0/1");

Observation obs(const std::string& time, State s, std::int64_t seq) {
  Observation o;
  o.time = at(time);
  o.entity = kPort;
  o.state = s;
  o.seq = seq;
  return o;
}

}  // namespace

TEST_CASE("a timeline is unknown before its first observation", "[timeline]") {
  const Timeline t({obs("2026-11-03T02:00:00Z", State::down, 1)});
  CHECK(t.state_at(at("2026-11-03T01:59:59Z")) == State::unknown);
  CHECK(t.cause_at(at("2026-11-03T01:59:59Z")) == nullptr);
  CHECK(t.state_at(at("2026-11-03T02:00:00Z")) == State::down);
  CHECK(t.state_at(at("2030-01-01T00:00:00Z")) == State::down);  // holds until the next one
  CHECK(Timeline().state_at(at("2026-11-03T02:00:00Z")) == State::unknown);
}

TEST_CASE("a state holds until the next observation of the entity", "[timeline]") {
  const Timeline t(
      {obs("2026-11-03T02:30:00Z", State::up, 2), obs("2026-11-03T02:00:00Z", State::down, 1)});
  CHECK(t.state_at(at("2026-11-03T02:29:59Z")) == State::down);
  CHECK(t.state_at(at("2026-11-03T02:30:00Z")) == State::up);
  REQUIRE(t.cause_at(at("2026-11-03T02:10:00Z")) != nullptr);
  CHECK(t.cause_at(at("2026-11-03T02:10:00Z"))->seq == 1);
}

TEST_CASE("observations with the same timestamp apply in arrival order", "[timeline]") {
  SECTION("the last to arrive wins, whatever the order they are given in") {
    const Timeline t(
        {obs("2026-11-03T02:00:00Z", State::up, 9), obs("2026-11-03T02:00:00Z", State::down, 4)});
    CHECK(t.state_at(at("2026-11-03T02:00:00Z")) == State::up);
    const auto segs = t.segments({at("2026-11-03T01:00:00Z"), at("2026-11-03T03:00:00Z")});
    REQUIRE(segs.size() == 2);
    CHECK(segs[1].state == State::up);
    CHECK(segs[1].cause->seq == 9);
  }
  SECTION("a state that lasts zero seconds leaves no segment") {
    const Timeline t(
        {obs("2026-11-03T02:00:00Z", State::down, 1), obs("2026-11-03T02:00:00Z", State::up, 2)});
    const auto segs = t.segments({at("2026-11-03T01:00:00Z"), at("2026-11-03T03:00:00Z")});
    REQUIRE(segs.size() == 2);
    CHECK(segs[0] ==
          Segment{{at("2026-11-03T01:00:00Z"), at("2026-11-03T02:00:00Z")}, State::unknown});
    CHECK(segs[1] == Segment{{at("2026-11-03T02:00:00Z"), at("2026-11-03T03:00:00Z")}, State::up});
  }
}

TEST_CASE("segments cover the window exactly", "[timeline]") {
  // down 02:00, up 02:30, up again 02:40 (a repeated report), down 03:10, up 04:00
  const Timeline t(
      {obs("2026-11-03T02:00:00Z", State::down, 1), obs("2026-11-03T02:30:00Z", State::up, 2),
       obs("2026-11-03T02:40:00Z", State::up, 3), obs("2026-11-03T03:10:00Z", State::down, 4),
       obs("2026-11-03T04:00:00Z", State::up, 5)});

  SECTION("a window that starts before the first observation begins unknown") {
    const auto segs = t.segments({at("2026-11-03T01:00:00Z"), at("2026-11-03T05:00:00Z")});
    const std::vector<Segment> want{
        {{at("2026-11-03T01:00:00Z"), at("2026-11-03T02:00:00Z")}, State::unknown},
        {{at("2026-11-03T02:00:00Z"), at("2026-11-03T02:30:00Z")}, State::down},
        {{at("2026-11-03T02:30:00Z"), at("2026-11-03T03:10:00Z")}, State::up},  // 02:40 merged
        {{at("2026-11-03T03:10:00Z"), at("2026-11-03T04:00:00Z")}, State::down},
        {{at("2026-11-03T04:00:00Z"), at("2026-11-03T05:00:00Z")}, State::up},
    };
    CHECK(segs == want);
  }
  SECTION("a window inside a state is one clipped segment") {
    const auto segs = t.segments({at("2026-11-03T02:10:00Z"), at("2026-11-03T02:20:00Z")});
    REQUIRE(segs.size() == 1);
    CHECK(segs[0] ==
          Segment{{at("2026-11-03T02:10:00Z"), at("2026-11-03T02:20:00Z")}, State::down});
    CHECK(segs[0].cause->seq == 1);
  }
  SECTION("a window that ends on a change does not include the new state") {
    const auto segs = t.segments({at("2026-11-03T02:10:00Z"), at("2026-11-03T02:30:00Z")});
    REQUIRE(segs.size() == 1);
    CHECK(segs[0].state == State::down);
  }
  SECTION("a window that starts on a change starts in the new state") {
    const auto segs = t.segments({at("2026-11-03T03:10:00Z"), at("2026-11-03T03:20:00Z")});
    REQUIRE(segs.size() == 1);
    CHECK(segs[0].state == State::down);
  }
  SECTION("an empty window has no segments") {
    CHECK(t.segments({at("2026-11-03T03:10:00Z"), at("2026-11-03T03:10:00Z")}).empty());
    CHECK(t.segments({at("2026-11-03T03:10:00Z"), at("2026-11-03T03:00:00Z")}).empty());
  }
  SECTION("the segments' lengths add up to the window") {
    const Window w{at("2026-11-01T00:00:00Z"), at("2026-12-01T00:00:00Z")};
    std::chrono::seconds total{0}, down{0};
    for (const auto& s : t.segments(w)) {
      total += s.span.length();
      if (s.state == State::down) {
        down += s.span.length();
      }
    }
    CHECK(total == w.length());
    CHECK(down == std::chrono::minutes{30 + 50});
  }
}

TEST_CASE("power states: energized or not", "[model]") {
  CHECK(energized(State::on));
  CHECK_FALSE(energized(State::off));
  CHECK_FALSE(energized(State::unknown));
  // A UPS on battery or bypass still supplies power; only `none` is de-energized (SPEC §3).
  for (State s : {State::normal, State::bypass, State::battery, State::booster, State::reducer,
                  State::other}) {
    CHECK(energized(s));
  }
  CHECK_FALSE(energized(State::none));
}

TEST_CASE("state words depend on the entity kind", "[model]") {
  CHECK(parse_state(EntityKind::port, "down").value() == State::down);
  CHECK_FALSE(parse_state(EntityKind::port, "off").has_value());
  CHECK(parse_state(EntityKind::port, "off").error().msg ==
        "unknown port state \"off\" (expected one of up, down, unknown)");
  CHECK(parse_state(EntityKind::outlet, "off").value() == State::off);
  CHECK(parse_state(EntityKind::inlet, "on").value() == State::on);
  CHECK(parse_state(EntityKind::ups, "battery").value() == State::battery);
  CHECK_FALSE(parse_state(EntityKind::ups, "on").has_value());
  CHECK(parse_state(EntityKind::probe, "fail").value() == State::fail);
  CHECK_FALSE(parse_state(EntityKind::probe, "unknown").has_value());
  CHECK(describe(EntityId::outlet("pdu1", "4")) == "outlet pdu1 4");
  CHECK(describe(EntityId::ups("ups1")) == "ups ups1");
}
