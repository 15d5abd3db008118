// The timeline of a guarantee's month (GuaranteeReport::timeline): its spans, worked by hand.
// World::month checks in every SLA test that the spans add up to the figures; this file checks
// the spans themselves.
#include <utility>
#include <vector>

#include "colosla/sla/sla.hpp"
#include "sla_world.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::World;

namespace {

std::vector<std::pair<std::string, TimeState>> spans(const GuaranteeReport& g) {
  std::vector<std::pair<std::string, TimeState>> out;
  for (const auto& t : g.timeline) {
    out.emplace_back(format_time_utc(t.span.begin) + "/" + format_time_utc(t.span.end), t.state);
  }
  return out;
}

}  // namespace

TEST_CASE("timeline: unmonitored, counted, excluded, pending, available", "[sla][timeline]") {
  World w;
  // Nothing seen until 11-01 06:00 (unmonitored); down 11-03 02:00–03:00 with 02:40–03:00
  // excluded and a report at 09:05 (counted 40 min, excluded 20 min); down again 11-09
  // 10:00–10:30 with no report, 5 days not yet passed at as-of 11-10 (pending).
  w.port("2026-11-01T06:00:00+08:00", State::up);
  w.port("2026-11-03T02:00:00+08:00", State::down);
  w.port("2026-11-03T03:00:00+08:00", State::up);
  w.exclude("2026-11-03T02:40:00+08:00", "2026-11-03T04:00:00+08:00",
            ExclusionReason::approved_maintenance);
  w.report("2026-11-03T09:05:00+08:00");
  w.port("2026-11-09T10:00:00+08:00", State::down);
  w.port("2026-11-09T10:30:00+08:00", State::up);
  const auto r = w.of("2026-11", "2026-11-10T00:00:00+08:00");
  using S = TimeState;
  CHECK(spans(r.network) == std::vector<std::pair<std::string, TimeState>>{
                                {"2026-10-31T16:00:00Z/2026-10-31T22:00:00Z", S::unmonitored},
                                {"2026-10-31T22:00:00Z/2026-11-02T18:00:00Z", S::available},
                                {"2026-11-02T18:00:00Z/2026-11-02T18:40:00Z", S::counted},
                                {"2026-11-02T18:40:00Z/2026-11-02T19:00:00Z", S::excluded},
                                {"2026-11-02T19:00:00Z/2026-11-09T02:00:00Z", S::available},
                                {"2026-11-09T02:00:00Z/2026-11-09T02:30:00Z", S::pending},
                                {"2026-11-09T02:30:00Z/2026-11-09T16:00:00Z", S::available},
                            });
  CHECK(r.network.counted_seconds == 2400);
  CHECK(r.network.excluded_seconds == 1200);
  CHECK(r.network.pending_seconds == 1800);
  CHECK(r.network.unmonitored_seconds == 6 * 3600);
}

TEST_CASE("timeline: unreported, an outage across the month's end, as-of past the month",
          "[sla][timeline]") {
  World w;
  w.port("2026-11-01T00:00:00+08:00", State::up);
  w.port("2026-11-04T00:00:00+08:00", State::down);
  w.port("2026-11-04T00:10:00+08:00", State::up);
  w.port("2026-11-30T23:00:00+08:00", State::down);
  w.report("2026-12-01T08:00:00+08:00");
  const auto r = w.of("2026-11", "2026-12-20T00:00:00+08:00");
  using S = TimeState;
  // The first outage was never reported (unreported); the second is counted up to the month's
  // end, where the timeline stops (the period's end, before as-of).
  CHECK(spans(r.network) == std::vector<std::pair<std::string, TimeState>>{
                                {"2026-10-31T16:00:00Z/2026-11-03T16:00:00Z", S::available},
                                {"2026-11-03T16:00:00Z/2026-11-03T16:10:00Z", S::unreported},
                                {"2026-11-03T16:10:00Z/2026-11-30T15:00:00Z", S::available},
                                {"2026-11-30T15:00:00Z/2026-11-30T16:00:00Z", S::counted},
                            });
  CHECK(to_string(S::unreported) == "unreported");
}

TEST_CASE("timeline: power, and an as-of before the month", "[sla][timeline][power]") {
  World w;
  w.power_on("2026-11-01T00:00:00+08:00");
  w.power_cut("2026-11-02T00:00:00+08:00", "2026-11-02T00:05:00+08:00");
  w.exclude("2026-11-02T00:00:00+08:00", "2026-11-02T00:01:00+08:00",
            ExclusionReason::force_majeure, Guarantee::power);
  w.report("2026-11-02T01:00:00+08:00", Guarantee::power);
  const auto r = w.of("2026-11", "2026-11-02T12:00:00+08:00");
  using S = TimeState;
  CHECK(spans(r.power) == std::vector<std::pair<std::string, TimeState>>{
                              {"2026-10-31T16:00:00Z/2026-11-01T16:00:00Z", S::available},
                              {"2026-11-01T16:00:00Z/2026-11-01T16:01:00Z", S::excluded},
                              {"2026-11-01T16:01:00Z/2026-11-01T16:05:00Z", S::counted},
                              {"2026-11-01T16:05:00Z/2026-11-02T04:00:00Z", S::available},
                          });
  CHECK(w.of("2026-11", "2026-10-20T00:00:00+08:00").power.timeline.empty());
}
