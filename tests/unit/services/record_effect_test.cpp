// A record that can no longer change anything says so (issue 16): each kind against the rule that
// makes it count (SPEC §2, §4, §5, §7a), to the second where the rule has an edge.
// The world: C-001 from 2026-11-01 (Asia/Shanghai), signed Friday 2026-10-30, so the installation
// deadline is 2026-11-05 00:00 (Mon 2, Tue 3, Wed 4 November are its 3 business days).
#include "colosla/services/record_effect.hpp"

#include "support.hpp"
#include "unit/sla/sla_world.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::World;

namespace {

// The warnings for the world's last record, entered at `now`.
std::vector<std::string> warnings(World& w, const std::string& now) {
  const Record r = w.records.back();
  const Contract& c = w.contract();
  auto z = Zone::locate(c.time_zone);
  REQUIRE(z.has_value());
  std::vector<ContractReport> reports;
  for (const auto m : months_to_judge(r, c, w.inv.calendar, *z, at(now))) {
    for (const auto& cr : w.month(format_month(m), now).contracts) {
      if (cr.id == c.id) {
        reports.push_back(cr);
      }
    }
  }
  return record_warnings(r, c, *z, reports, at(now));
}

// Port sw1 ge-0/0/1 down 2026-11-03 02:00 to 02:30; power on all month.
World with_an_outage() {
  World w;
  w.port("2026-11-01T00:00:00+08:00", State::up);
  w.port("2026-11-03T02:00:00+08:00", State::down);
  w.port("2026-11-03T02:30:00+08:00", State::up);
  w.power_on("2026-11-01T00:00:00+08:00");
  return w;
}

const char* const kNow = "2026-11-20T00:00:00+08:00";

}  // namespace

TEST_CASE("a customer report after its outage's window counts for nothing", "[records]") {
  World w = with_an_outage();
  // The window is [11-03 02:00:00, 11-08 02:00:00], inclusive.
  SECTION("within the window: no warning") {
    w.report("2026-11-05T09:00:00+08:00");
    CHECK(warnings(w, kNow).empty());
  }
  SECTION("at its very end: no warning") {
    w.report("2026-11-08T02:00:00+08:00");
    CHECK(warnings(w, kNow).empty());
  }
  SECTION("one second later: it counts for nothing, and the warning says the window's end") {
    w.report("2026-11-08T02:00:01+08:00");
    const auto ws = warnings(w, kNow);
    REQUIRE(ws.size() == 1);
    CHECK(ws[0] ==
          "counts for nothing: a customer report makes a network outage count only when it comes "
          "at most 5 days after the outage's start (docs/sla-rules.md §2, §7a), and no network "
          "outage of C-001 began between 2026-11-03T02:00:01+08:00 and "
          "2026-11-08T02:00:01+08:00; the last one before began 2026-11-03T02:00:00+08:00, and "
          "its report window ended 2026-11-08T02:00:00+08:00");
    // The engine agrees: the outage is unreported.
    CHECK(w.of("2026-11", kNow).network.counted_seconds == 0);
  }
  SECTION("before the outage began: nothing to count either (no outage before it)") {
    w.report("2026-11-02T09:00:00+08:00");
    const auto ws = warnings(w, kNow);
    REQUIRE(ws.size() == 1);
    CHECK_THAT(ws[0], Catch::EndsWith("no network outage of C-001 began between "
                                      "2026-10-28T09:00:00+08:00 and 2026-11-02T09:00:00+08:00"));
  }
  SECTION("for the other guarantee: no power interruption to report") {
    w.report("2026-11-03T09:00:00+08:00", Guarantee::power);
    const auto ws = warnings(w, kNow);
    REQUIRE(ws.size() == 1);
    CHECK_THAT(ws[0], Catch::Contains("no power outage of C-001 began between"));
  }
  SECTION("dated after now: not judged (an outage may yet begin)") {
    w.report("2026-11-21T00:00:00+08:00");
    CHECK(warnings(w, kNow).empty());
  }
  SECTION("a contract that needs no report") {
    w.contract().sla.require_customer_report = false;
    w.report("2026-11-03T09:00:00+08:00");
    const auto ws = warnings(w, kNow);
    REQUIRE(ws.size() == 1);
    CHECK(ws[0] ==
          "counts for nothing: C-001 does not require customer reports "
          "(require-customer-report false): its outages count without one");
  }
}

TEST_CASE("a notification that no emergency waits for counts for nothing", "[records]") {
  World w = with_an_outage();
  // Declared at the second failure, 11-05 10:10; deadline 10:25.
  w.probe("2026-11-05T10:05:00+08:00", State::fail);
  w.probe("2026-11-05T10:10:00+08:00", State::fail);
  w.probe("2026-11-05T10:40:00+08:00", State::pass);
  SECTION("by the deadline: no warning") {
    w.notify("2026-11-05T10:25:00+08:00");
    CHECK(warnings(w, kNow).empty());
  }
  SECTION("after it: the deadline named") {
    w.notify("2026-11-05T10:25:01+08:00");
    const auto ws = warnings(w, kNow);
    REQUIRE(ws.size() == 1);
    CHECK_THAT(ws[0], Catch::StartsWith("counts for nothing: a notification satisfies only the "
                                        "emergencies declared at or before it whose deadline (15 "
                                        "minutes after the declaration) it meets"));
    CHECK_THAT(ws[0], Catch::EndsWith("no emergency of C-001 was declared between "
                                      "2026-11-05T10:10:01+08:00 and 2026-11-05T10:25:01+08:00; "
                                      "the last one before was declared "
                                      "2026-11-05T10:10:00+08:00, and its deadline passed at "
                                      "2026-11-05T10:25:00+08:00"));
  }
}

TEST_CASE("an installation completion that cannot change the refund says so", "[records]") {
  World w = with_an_outage();
  SECTION("on time: no warning") {
    w.complete("2026-11-04T18:00:00+08:00");
    CHECK(warnings(w, kNow).empty());
  }
  SECTION("exactly at the deadline is on time") {
    w.complete("2026-11-05T00:00:00+08:00");
    CHECK(warnings(w, kNow).empty());
  }
  SECTION("after the deadline: late, the refund due either way") {
    w.complete("2026-11-05T00:00:01+08:00");
    const auto ws = warnings(w, kNow);
    REQUIRE(ws.size() == 1);
    CHECK(ws[0] ==
          "changes no money: the installation deadline of C-001 was 2026-11-05T00:00:00+08:00 "
          "(docs/sla-rules.md §5): completed after it, it is late, and the installation fee "
          "(500.00 CNY) is refunded as it would be were it still open");
  }
  SECTION("after an earlier completion: the earliest counts") {
    w.complete("2026-11-04T18:00:00+08:00");
    w.complete("2026-11-04T20:00:00+08:00");
    const auto ws = warnings(w, kNow);
    REQUIRE(ws.size() == 1);
    CHECK(ws[0] ==
          "changes nothing: the installation of C-001 was complete at "
          "2026-11-04T18:00:00+08:00 (record #1), and the earliest completion counts "
          "(docs/sla-rules.md §7a)");
  }
}

TEST_CASE("a past exclusion or contact-invalid window with nothing in it says so", "[records]") {
  World w = with_an_outage();
  w.probe("2026-11-05T10:05:00+08:00", State::fail);
  w.probe("2026-11-05T10:10:00+08:00", State::fail);
  w.probe("2026-11-05T10:40:00+08:00", State::pass);
  SECTION("an exclusion over the outage: no warning") {
    w.exclude("2026-11-03T02:20:00+08:00", "2026-11-03T04:00:00+08:00",
              ExclusionReason::customer_equipment);
    CHECK(warnings(w, kNow).empty());
  }
  SECTION("an exclusion that misses it by a second (half open): it excuses nothing") {
    w.exclude("2026-11-03T02:30:00+08:00", "2026-11-03T04:00:00+08:00",
              ExclusionReason::customer_equipment);
    const auto ws = warnings(w, kNow);
    REQUIRE(ws.size() == 1);
    CHECK(ws[0] ==
          "excuses nothing: no network or power outage of C-001 lies between "
          "2026-11-03T02:30:00+08:00 and 2026-11-03T04:00:00+08:00, as the store stands");
  }
  SECTION("maintenance over a power-only window excuses network only") {
    w.exclude("2026-11-10T00:00:00+08:00", "2026-11-10T01:00:00+08:00",
              ExclusionReason::approved_maintenance);
    const auto ws = warnings(w, kNow);
    REQUIRE(ws.size() == 1);
    CHECK_THAT(ws[0], Catch::StartsWith("excuses nothing: no network outage of C-001 lies"));
  }
  SECTION("force majeure over an emergency's declaration: it makes it exempt") {
    w.exclude("2026-11-05T10:00:00+08:00", "2026-11-05T11:00:00+08:00",
              ExclusionReason::force_majeure);
    CHECK(warnings(w, kNow).empty());
  }
  SECTION("a window still open at now is not judged") {
    w.exclude("2026-11-19T00:00:00+08:00", "2026-11-21T00:00:00+08:00",
              ExclusionReason::customer_equipment);
    CHECK(warnings(w, kNow).empty());
  }
  SECTION("contact details wrong over the declaration: no warning") {
    w.contact_invalid("2026-11-05T00:00:00+08:00", "2026-11-06T00:00:00+08:00");
    CHECK(warnings(w, kNow).empty());
  }
  SECTION("contact details wrong when nothing was declared: it exempts nothing") {
    w.contact_invalid("2026-11-06T00:00:00+08:00", "2026-11-07T00:00:00+08:00");
    const auto ws = warnings(w, kNow);
    REQUIRE(ws.size() == 1);
    CHECK(ws[0] ==
          "exempts nothing: no emergency of C-001 was declared between "
          "2026-11-06T00:00:00+08:00 and 2026-11-07T00:00:00+08:00, as the store stands");
  }
  SECTION("still wrong (no end): not judged") {
    w.contact_invalid("2026-11-06T00:00:00+08:00");
    CHECK(warnings(w, kNow).empty());
  }
}
