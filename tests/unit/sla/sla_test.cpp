// Hand-worked cases of the SLA engine (SPEC §2–§6, §7a). Each case says its arithmetic.
// November 2026 in Asia/Shanghai is 30 days = 2,592,000 s; the contract's fee is 3000.00 CNY.
// availability = round-half-up((period − counted) × 100000 / period) thousandths of a percent.
#include "colosla/sla/sla.hpp"

#include "colosla/base/money.hpp"
#include "sla_world.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::check_invariant;
using colosla::test::World;

namespace {
constexpr auto kUp = State::up;
constexpr auto kDown = State::down;
constexpr auto kNet = Guarantee::network;
constexpr auto kPower = Guarantee::power;
const char* const kLate = "2026-12-20T00:00:00+08:00";  // an as-of past every window below
}  // namespace

// -- network: the report rule ---------------------------------------------------------------

TEST_CASE("a reported outage counts", "[sla][network]") {
  World w;
  w.port("2026-11-01T00:00:00+08:00", kUp);
  w.port("2026-11-03T02:00:00+08:00", kDown);
  w.port("2026-11-03T02:30:00+08:00", kUp);
  w.report("2026-11-03T09:00:00+08:00");
  const auto r = w.of("2026-11", kLate);
  // 02:00–02:30 = 1800 s; reported 7 h after the start (within 5 days) → counted 1800.
  CHECK(r.period_seconds == 2'592'000);
  CHECK(r.network.outage_seconds == 1800);
  CHECK(r.network.counted_seconds == 1800);
  // (2592000 − 1800) × 100000 / 2592000 = 99930.56 → 99931 → "99.931"
  CHECK(r.network.availability_milli == 99'931);
  CHECK_FALSE(r.network.breached);  // 1800 < 44 × 60 = 2640
  REQUIRE(r.network.outages.size() == 1);
  CHECK(r.network.outages[0].start == at("2026-11-03T02:00:00+08:00"));
  CHECK(r.network.outages[0].end == at("2026-11-03T02:30:00+08:00"));
  CHECK(r.network.outages[0].reported == at("2026-11-03T09:00:00+08:00"));
  CHECK(r.network.outages[0].cause == "port sw1 ge-0/0/1 down");
  CHECK(r.network.outages[0].cause_observation == 2);
  CHECK(r.credit.total == 0);
  check_invariant(r.network);
}

TEST_CASE("the 5-day report window, to the second", "[sla][network]") {
  World w;
  w.port("2026-11-01T00:00:00+08:00", kUp);
  w.port("2026-11-03T02:00:00+08:00", kDown);
  w.port("2026-11-03T02:30:00+08:00", kUp);
  // The window is [start, start + 5 × 86400 s] = [11-03 02:00:00, 11-08 02:00:00], inclusive.
  SECTION("a report at exactly start + 5 days counts") {
    w.report("2026-11-08T02:00:00+08:00");
    CHECK(w.of("2026-11", kLate).network.counted_seconds == 1800);
  }
  SECTION("one second later it does not: the seconds are unreported") {
    w.report("2026-11-08T02:00:01+08:00");
    const auto r = w.of("2026-11", kLate);
    CHECK(r.network.counted_seconds == 0);
    CHECK(r.network.unreported_seconds == 1800);
    CHECK(r.network.availability_milli == 100'000);
  }
  SECTION("a report before the outage's start does not count") {
    w.report("2026-11-03T01:59:59+08:00");
    CHECK(w.of("2026-11", kLate).network.unreported_seconds == 1800);
  }
  SECTION("a report for power does not count for the network") {
    w.report("2026-11-03T09:00:00+08:00", kPower);
    CHECK(w.of("2026-11", kLate).network.unreported_seconds == 1800);
  }
}

TEST_CASE("pending while the window is open at as-of", "[sla][network]") {
  World w;
  w.port("2026-11-01T00:00:00+08:00", kUp);
  w.port("2026-11-03T02:00:00+08:00", kDown);
  w.port("2026-11-03T02:30:00+08:00", kUp);
  // Pending while as-of <= start + 5 days = 11-08 02:00:00.
  CHECK(w.of("2026-11", "2026-11-05T00:00:00+08:00").network.pending_seconds == 1800);
  CHECK(w.of("2026-11", "2026-11-08T02:00:00+08:00").network.pending_seconds == 1800);
  const auto after = w.of("2026-11", "2026-11-08T02:00:01+08:00");
  CHECK(after.network.pending_seconds == 0);
  CHECK(after.network.unreported_seconds == 1800);
  SECTION("a report that comes after as-of is not known at as-of") {
    w.report("2026-11-06T00:00:00+08:00");
    CHECK(w.of("2026-11", "2026-11-05T00:00:00+08:00").network.pending_seconds == 1800);
    CHECK(w.of("2026-11", "2026-11-06T00:00:00+08:00").network.counted_seconds == 1800);
  }
}

TEST_CASE("without require-customer-report every non-excluded second counts", "[sla][network]") {
  World w;
  w.contract().sla.require_customer_report = false;
  w.port("2026-11-01T00:00:00+08:00", kUp);
  w.port("2026-11-03T02:00:00+08:00", kDown);
  w.port("2026-11-03T02:30:00+08:00", kUp);
  // No report, as-of within the window: still counted, never pending.
  const auto r = w.of("2026-11", "2026-11-04T00:00:00+08:00");
  CHECK(r.network.counted_seconds == 1800);
  CHECK(r.network.pending_seconds == 0);
}

TEST_CASE("a breach is counted seconds >= 44 minutes", "[sla][network][credit]") {
  World w;
  w.port("2026-11-01T00:00:00+08:00", kUp);
  w.report("2026-11-03T09:00:00+08:00");
  SECTION("2640 s (44 min) breaches and waives the rent") {
    w.port("2026-11-03T02:00:00+08:00", kDown);
    w.port("2026-11-03T02:44:00+08:00", kUp);
    const auto r = w.of("2026-11", kLate);
    CHECK(r.network.counted_seconds == 2640);
    CHECK(r.network.breached);
    // (2592000 − 2640) / 2592000 = 99.898148 % → "99.898"
    CHECK(r.network.availability_milli == 99'898);
    CHECK(r.credit.rent_waived);
    CHECK(r.credit.total == 300'000);
  }
  SECTION("2639 s does not") {
    w.port("2026-11-03T02:00:00+08:00", kDown);
    w.port("2026-11-03T02:43:59+08:00", kUp);
    const auto r = w.of("2026-11", kLate);
    CHECK(r.network.counted_seconds == 2639);
    CHECK_FALSE(r.network.breached);
    CHECK(r.credit.total == 0);
  }
  SECTION("two short outages add up to a breach") {
    // 20 min on the 3rd, 30 min on the 10th (each reported): 1200 + 1800 = 3000 >= 2640.
    w.port("2026-11-03T02:00:00+08:00", kDown);
    w.port("2026-11-03T02:20:00+08:00", kUp);
    w.port("2026-11-10T02:00:00+08:00", kDown);
    w.port("2026-11-10T02:30:00+08:00", kUp);
    w.report("2026-11-10T02:10:00+08:00");
    const auto r = w.of("2026-11", kLate);
    CHECK(r.network.outages.size() == 2);
    CHECK(r.network.counted_seconds == 3000);
    CHECK(r.network.breached);
  }
  SECTION("the 44 minutes are not pro-rated in a short period") {
    // Start on the 16th: 15 days. 2639 s still does not breach, 2640 does.
    w.contract().start = at("2026-11-16T00:00:00+08:00");
    w.port("2026-11-17T02:00:00+08:00", kDown);
    w.port("2026-11-17T02:44:00+08:00", kUp);
    w.report("2026-11-17T03:00:00+08:00");
    const auto r = w.of("2026-11", kLate);
    CHECK(r.period_seconds == 1'296'000);
    CHECK(r.network.counted_seconds == 2640);
    CHECK(r.network.breached);
  }
}

// -- network: exclusions ----------------------------------------------------------------------

TEST_CASE("exclusions: partial overlaps, united, per contract and guarantee", "[sla][network]") {
  World w;
  w.port("2026-11-01T00:00:00+08:00", kUp);
  w.port("2026-11-03T02:00:00+08:00", kDown);
  w.port("2026-11-03T03:00:00+08:00", kUp);
  w.report("2026-11-03T09:00:00+08:00");
  SECTION("an exclusion that covers the end of the outage") {
    // Outage 02:00–03:00 (3600 s); exclusion 02:40–04:00 covers 02:40–03:00 = 1200 s.
    w.exclude("2026-11-03T02:40:00+08:00", "2026-11-03T04:00:00+08:00",
              ExclusionReason::approved_maintenance);
    const auto r = w.of("2026-11", kLate);
    CHECK(r.network.outage_seconds == 3600);
    CHECK(r.network.excluded_seconds == 1200);
    CHECK(r.network.counted_seconds == 2400);
    // (2592000 − 2400) / 2592000 = 99.907407 % → "99.907"
    CHECK(r.network.availability_milli == 99'907);
    check_invariant(r.network);
  }
  SECTION("overlapping exclusions are united, never counted twice") {
    // 02:10–02:30 and 02:20–02:40 unite to 02:10–02:40 = 1800 s (not 1200 + 1200 = 2400).
    w.exclude("2026-11-03T02:10:00+08:00", "2026-11-03T02:30:00+08:00",
              ExclusionReason::customer_equipment);
    w.exclude("2026-11-03T02:20:00+08:00", "2026-11-03T02:40:00+08:00",
              ExclusionReason::force_majeure);
    const auto r = w.of("2026-11", kLate);
    CHECK(r.network.excluded_seconds == 1800);
    CHECK(r.network.counted_seconds == 1800);
  }
  SECTION("an exclusion inside the outage") {
    // 02:15–02:25 = 600 s excluded, 3000 counted: 3000 >= 2640 → breached.
    w.exclude("2026-11-03T02:15:00+08:00", "2026-11-03T02:25:00+08:00",
              ExclusionReason::customer_other);
    const auto r = w.of("2026-11", kLate);
    CHECK(r.network.excluded_seconds == 600);
    CHECK(r.network.counted_seconds == 3000);
    CHECK(r.network.breached);
  }
  SECTION("another contract's exclusion does not apply; one for all contracts does") {
    w.add_contract("C-002");
    w.exclude("2026-11-03T02:00:00+08:00", "2026-11-03T03:00:00+08:00",
              ExclusionReason::force_majeure, std::nullopt, "C-002");
    CHECK(w.of("2026-11", kLate).network.excluded_seconds == 0);
    w.exclude("2026-11-03T02:30:00+08:00", "2026-11-03T03:00:00+08:00",
              ExclusionReason::force_majeure, std::nullopt, "");
    CHECK(w.of("2026-11", kLate).network.excluded_seconds == 1800);
  }
  SECTION("an exclusion for power only does not touch the network") {
    w.exclude("2026-11-03T02:00:00+08:00", "2026-11-03T03:00:00+08:00",
              ExclusionReason::customer_equipment, kPower);
    CHECK(w.of("2026-11", kLate).network.excluded_seconds == 0);
  }
  SECTION("a corrected exclusion counts only as corrected; a withdrawn one not at all") {
    auto& first = w.exclude("2026-11-03T02:00:00+08:00", "2026-11-03T03:00:00+08:00",
                            ExclusionReason::customer_equipment);
    const auto first_id = first.id;
    auto& fix = w.exclude("2026-11-03T02:00:00+08:00", "2026-11-03T02:10:00+08:00",
                          ExclusionReason::customer_equipment);
    fix.supersedes = first_id;
    CHECK(w.of("2026-11", kLate).network.excluded_seconds == 600);
    auto& withdraw = w.record(RecordKind::exclusion);
    withdraw.retraction = true;
    withdraw.supersedes = fix.id;
    CHECK(w.of("2026-11", kLate).network.excluded_seconds == 0);
  }
}

TEST_CASE("excluded seconds do not move the report rule's start", "[sla][network]") {
  World w;
  w.port("2026-11-01T00:00:00+08:00", kUp);
  // Outage 11-03 02:00 – 11-03 04:00; the first hour is excluded. The window still runs from
  // the true start, 02:00, so a report at 11-08 02:30 is too late.
  w.port("2026-11-03T02:00:00+08:00", kDown);
  w.port("2026-11-03T04:00:00+08:00", kUp);
  w.exclude("2026-11-03T02:00:00+08:00", "2026-11-03T03:00:00+08:00",
            ExclusionReason::customer_equipment);
  w.report("2026-11-08T02:30:00+08:00");
  const auto r = w.of("2026-11", kLate);
  CHECK(r.network.excluded_seconds == 3600);
  CHECK(r.network.unreported_seconds == 3600);
  CHECK(r.network.counted_seconds == 0);
}

// -- network: months, zones, periods ------------------------------------------------------------

TEST_CASE("an outage across the month boundary", "[sla][network]") {
  World w;
  w.port("2026-11-01T00:00:00+08:00", kUp);
  w.port("2026-11-30T23:30:00+08:00", kDown);
  w.port("2026-12-01T00:30:00+08:00", kUp);
  w.report("2026-12-01T09:00:00+08:00");
  // 23:30–00:00 in November (1800 s), 00:00–00:30 in December (1800 s).
  const auto nov = w.of("2026-11", kLate);
  const auto dec = w.of("2026-12", kLate);
  CHECK(nov.network.counted_seconds == 1800);
  CHECK(dec.network.counted_seconds == 1800);
  // Both months list it with its true start and end.
  REQUIRE(nov.network.outages.size() == 1);
  REQUIRE(dec.network.outages.size() == 1);
  CHECK(dec.network.outages[0].start == at("2026-11-30T23:30:00+08:00"));
  CHECK(nov.network.outages[0].end == at("2026-12-01T00:30:00+08:00"));
  // December has 31 days = 2,678,400 s.
  CHECK(dec.period_seconds == 2'678'400);
}

TEST_CASE("the report window runs from the true start across months", "[sla][network]") {
  World w;
  w.port("2026-11-01T00:00:00+08:00", kUp);
  // Down from 11-28 00:00 to 12-02 00:00. Report at 12-03 00:00 = start + 5 days: counts.
  w.port("2026-11-28T00:00:00+08:00", kDown);
  w.port("2026-12-02T00:00:00+08:00", kUp);
  w.report("2026-12-03T00:00:00+08:00");
  // November: 3 days = 259200 s ≥ 2640 → breached; December: 1 day = 86400 s.
  CHECK(w.of("2026-11", kLate).network.counted_seconds == 259'200);
  CHECK(w.of("2026-12", kLate).network.counted_seconds == 86'400);
  SECTION("a report on 12-03 00:00:01 is too late for both months") {
    w.records.clear();
    w.report("2026-12-03T00:00:01+08:00");
    CHECK(w.of("2026-11", kLate).network.unreported_seconds == 259'200);
    CHECK(w.of("2026-12", kLate).network.unreported_seconds == 86'400);
  }
}

TEST_CASE("a month in a DST zone", "[sla][network][dst]") {
  World w;
  auto& c = w.contract();
  c.time_zone = "Europe/Berlin";
  c.start = at("2026-10-01T00:00:00+02:00");
  // October 2026 in Berlin: 31 days + 1 h (summer time ends 10-25) = 745 h = 2,682,000 s.
  w.port("2026-10-01T00:00:00+02:00", kUp);
  // 02:30 local happens twice on 10-25: down at the first (00:30Z), up at the second (01:30Z).
  w.port("2026-10-25T02:30:00+02:00", kDown);
  w.port("2026-10-25T02:30:00+01:00", kUp);
  w.report("2026-10-25T09:00:00+01:00");
  const auto r = w.of("2026-10", "2026-11-20T00:00:00+01:00");
  CHECK(r.period_seconds == 2'682'000);
  CHECK(r.network.counted_seconds == 3600);
  // (2682000 − 3600) / 2682000 = 99.865772 % → "99.866"
  CHECK(r.network.availability_milli == 99'866);
  REQUIRE(r.network.outages.size() == 1);
  CHECK(format_time(r.network.outages[0].start, Zone::locate("Europe/Berlin").value()) ==
        "2026-10-25T02:30:00+02:00");
  CHECK(format_time(*r.network.outages[0].end, Zone::locate("Europe/Berlin").value()) ==
        "2026-10-25T02:30:00+01:00");
}

TEST_CASE("a mid-month start: the period and the denominator shrink", "[sla][network][power]") {
  World w;
  w.contract().start = at("2026-11-16T00:00:00+08:00");
  // Period 11-16 to 12-01: 15 days = 1,296,000 s. A port down before the start is no outage.
  w.port("2026-11-10T00:00:00+08:00", kDown);
  w.port("2026-11-16T00:00:00+08:00", kUp);
  w.power_on("2026-11-16T00:00:00+08:00");
  w.report("2026-11-20T01:00:00+08:00", kPower);
  SECTION("availability exactly at the target is no breach") {
    // 1296 s without power: 1296 × 1000 = 1,296,000 = period → not "counted × 1000 > period".
    w.power_cut("2026-11-20T00:00:00+08:00", "2026-11-20T00:21:36+08:00");
    const auto r = w.of("2026-11", kLate);
    CHECK(r.period_seconds == 1'296'000);
    CHECK(r.network.outage_seconds == 0);
    CHECK(r.power.counted_seconds == 1296);
    CHECK(r.power.availability_milli == 99'900);
    CHECK_FALSE(r.power.breached);
  }
  SECTION("one second more is a breach, though it still rounds to 99.900") {
    // (1296000 − 1297) × 100000 / 1296000 = 99899.92 → 99900, yet 1297 × 1000 > 1296000.
    w.power_cut("2026-11-20T00:00:00+08:00", "2026-11-20T00:21:37+08:00");
    const auto r = w.of("2026-11", kLate);
    CHECK(r.power.counted_seconds == 1297);
    CHECK(r.power.availability_milli == 99'900);
    CHECK(r.power.breached);
    CHECK(r.credit.total == 300'000);  // the whole fee: it is not pro-rated
  }
}

TEST_CASE("a contract that ends mid-month, and months outside a contract", "[sla]") {
  World w;
  w.contract().end = at("2026-11-10T00:00:00+08:00");
  w.port("2026-11-01T00:00:00+08:00", kUp);
  w.port("2026-11-09T23:00:00+08:00", kDown);  // runs past the end
  w.report("2026-11-10T01:00:00+08:00");
  const auto r = w.of("2026-11", kLate);
  // Period 11-01 to 11-10: 9 days = 777,600 s; the outage ends with the contract: 3600 s.
  CHECK(r.period_seconds == 777'600);
  CHECK(r.network.counted_seconds == 3600);
  REQUIRE(r.network.outages.size() == 1);
  CHECK(r.network.outages[0].end == at("2026-11-10T00:00:00+08:00"));
  // December holds no day of it (and the installation refund belongs to November).
  CHECK(w.month("2026-12", kLate).contracts.empty());
  CHECK(w.month("2026-09", kLate).contracts.empty());
}

TEST_CASE("nothing after as-of counts; an outage open at as-of has no end", "[sla][network]") {
  World w;
  w.port("2026-11-01T00:00:00+08:00", kUp);
  w.port("2026-11-10T00:00:00+08:00", kDown);
  SECTION("open at as-of: 1 h so far, pending, end null") {
    const auto r = w.of("2026-11", "2026-11-10T01:00:00+08:00");
    CHECK(r.network.outage_seconds == 3600);
    CHECK(r.network.pending_seconds == 3600);
    CHECK(r.period_seconds == 2'592'000);  // the denominator stays the whole period
    REQUIRE(r.network.outages.size() == 1);
    CHECK_FALSE(r.network.outages[0].end.has_value());
  }
  SECTION("recovered exactly at as-of: closed, end = as-of") {
    w.port("2026-11-10T01:00:00+08:00", kUp);
    const auto r = w.of("2026-11", "2026-11-10T01:00:00+08:00");
    REQUIRE(r.network.outages.size() == 1);
    CHECK(r.network.outages[0].end == at("2026-11-10T01:00:00+08:00"));
  }
  SECTION("an as-of before the month counts nothing") {
    const auto r = w.of("2026-11", "2026-10-20T00:00:00+08:00");
    CHECK(r.network.outage_seconds == 0);
    CHECK(r.network.unmonitored_seconds == 0);
    CHECK(r.network.availability_milli == 100'000);
  }
}

// -- network: ports, modes, uplinks, mapping, unknown -------------------------------------------

TEST_CASE("unknown is unmonitored time, never an outage", "[sla][network]") {
  World w;
  // No observation until 11-11 00:00: 10 days unknown = 864,000 s unmonitored.
  w.port("2026-11-11T00:00:00+08:00", kUp);
  const auto r = w.of("2026-11", kLate);
  CHECK(r.network.outage_seconds == 0);
  CHECK(r.network.unmonitored_seconds == 864'000);
  CHECK(r.network.availability_milli == 100'000);
}

TEST_CASE("port-mode any and all", "[sla][network]") {
  World w;
  w.contract().ports = {{"sw1", "ge-0/0/1"}, {"sw2", "ge-0/0/1"}};
  w.port("2026-11-01T00:00:00+08:00", kUp);
  w.port("2026-11-01T00:00:00+08:00", kUp, "ge-0/0/1", "sw2");
  // sw1 down 02:00–03:00, sw2 down 02:30–03:30.
  w.port("2026-11-03T02:00:00+08:00", kDown);
  w.port("2026-11-03T03:00:00+08:00", kUp);
  w.port("2026-11-03T02:30:00+08:00", kDown, "ge-0/0/1", "sw2");
  w.port("2026-11-03T03:30:00+08:00", kUp, "ge-0/0/1", "sw2");
  w.report("2026-11-03T09:00:00+08:00");
  SECTION("any: disconnected while either is down, 02:00–03:30 = 5400 s") {
    CHECK(w.of("2026-11", kLate).network.counted_seconds == 5400);
  }
  SECTION("all: only while both are down, 02:30–03:00 = 1800 s") {
    w.contract().port_mode = PortMode::all;
    const auto r = w.of("2026-11", kLate);
    CHECK(r.network.counted_seconds == 1800);
    CHECK(r.network.outages.at(0).cause == "port sw2 ge-0/0/1 down");  // the one that completed it
  }
  SECTION("all, one down and one unknown: unmonitored, not disconnected") {
    w.contract().port_mode = PortMode::all;
    w.port("2026-11-05T00:00:00+08:00", kDown);
    w.port("2026-11-05T00:00:00+08:00", State::unknown, "ge-0/0/1", "sw2");
    w.port("2026-11-05T01:00:00+08:00", kUp);
    w.port("2026-11-05T01:00:00+08:00", kUp, "ge-0/0/1", "sw2");
    const auto r = w.of("2026-11", kLate);
    CHECK(r.network.counted_seconds == 1800);
    CHECK(r.network.unmonitored_seconds == 3600);
  }
}

TEST_CASE("every uplink down disconnects every contract; an unknown uplink never does",
          "[sla][network]") {
  World w;
  w.inv.uplinks = {{"core1", "xe-0/0/0"}, {"core1", "xe-0/0/1"}};
  w.port("2026-11-01T00:00:00+08:00", kUp);
  w.port("2026-11-01T00:00:00+08:00", kUp, "xe-0/0/0", "core1");
  w.port("2026-11-01T00:00:00+08:00", kUp, "xe-0/0/1", "core1");
  // xe-0/0/0 down 02:00–04:00, xe-0/0/1 down 03:00–05:00: both down 03:00–04:00 = 3600 s.
  w.port("2026-11-03T02:00:00+08:00", kDown, "xe-0/0/0", "core1");
  w.port("2026-11-03T04:00:00+08:00", kUp, "xe-0/0/0", "core1");
  w.port("2026-11-03T03:00:00+08:00", kDown, "xe-0/0/1", "core1");
  w.port("2026-11-03T05:00:00+08:00", kUp, "xe-0/0/1", "core1");
  // xe-0/0/1 unknown on the 7th while xe-0/0/0 is down: not disconnected.
  w.port("2026-11-07T00:00:00+08:00", kDown, "xe-0/0/0", "core1");
  w.port("2026-11-07T00:00:00+08:00", State::unknown, "xe-0/0/1", "core1");
  w.port("2026-11-07T01:00:00+08:00", kUp, "xe-0/0/0", "core1");
  w.port("2026-11-07T01:00:00+08:00", kUp, "xe-0/0/1", "core1");
  w.report("2026-11-03T09:00:00+08:00");
  const auto r = w.of("2026-11", kLate);
  CHECK(r.network.outage_seconds == 3600);
  CHECK(r.network.counted_seconds == 3600);
  CHECK(r.network.unmonitored_seconds == 0);  // uplinks never make time unmonitored
  CHECK(r.network.outages.at(0).cause == "all uplinks down");
}

TEST_CASE("a port counts for a contract only while it is mapped", "[sla][network][mapping]") {
  World w;
  w.port("2026-11-01T00:00:00+08:00", kUp);
  w.port("2026-11-01T00:00:00+08:00", kUp, "ge-0/0/2");
  // Re-patched on the 10th at 00:00 from ge-0/0/1 to ge-0/0/2.
  w.map(MappingAction::add, "2026-11-10T00:00:00+08:00", "ge-0/0/2");
  w.map(MappingAction::remove, "2026-11-10T00:00:00+08:00", "ge-0/0/1");
  // ge-0/0/2 down on the 5th (not mapped yet), ge-0/0/1 down on the 12th (no longer mapped),
  // ge-0/0/2 down on the 15th for 10 min (mapped): only the last counts.
  w.port("2026-11-05T00:00:00+08:00", kDown, "ge-0/0/2");
  w.port("2026-11-05T01:00:00+08:00", kUp, "ge-0/0/2");
  w.port("2026-11-12T00:00:00+08:00", kDown);
  w.port("2026-11-15T00:00:00+08:00", kDown, "ge-0/0/2");
  w.port("2026-11-15T00:10:00+08:00", kUp, "ge-0/0/2");
  w.report("2026-11-15T08:00:00+08:00");
  const auto r = w.of("2026-11", kLate);
  CHECK(r.network.outage_seconds == 600);
  CHECK(r.network.counted_seconds == 600);
}

// -- power --------------------------------------------------------------------------------------

TEST_CASE("power: maintenance and customer-other do not excuse an interruption", "[sla][power]") {
  World w;
  w.port("2026-11-01T00:00:00+08:00", kUp);
  w.power_on("2026-11-01T00:00:00+08:00");
  // Both sources off 02:00–03:00 (3600 s) and the port down the same hour, both reported.
  w.power_cut("2026-11-03T02:00:00+08:00", "2026-11-03T03:00:00+08:00");
  w.port("2026-11-03T02:00:00+08:00", kDown);
  w.port("2026-11-03T03:00:00+08:00", kUp);
  w.report("2026-11-03T09:00:00+08:00", kNet);
  w.report("2026-11-03T09:00:00+08:00", kPower);
  SECTION("approved maintenance excuses the network hour but not the power hour") {
    w.exclude("2026-11-03T01:00:00+08:00", "2026-11-03T04:00:00+08:00",
              ExclusionReason::approved_maintenance);
    const auto r = w.of("2026-11", kLate);
    CHECK(r.network.excluded_seconds == 3600);
    CHECK(r.network.counted_seconds == 0);
    CHECK(r.power.excluded_seconds == 0);
    CHECK(r.power.counted_seconds == 3600);
    // 3600 × 1000 = 3,600,000 > 2,592,000 → below 99.9 %: (2592000 − 3600)/2592000 = 99.861 %
    CHECK(r.power.availability_milli == 99'861);
    CHECK(r.power.breached);
    CHECK(r.credit.rent_waived);
    check_invariant(r.power);
  }
  SECTION("customer-other does not excuse it either; customer-equipment does") {
    w.exclude("2026-11-03T01:00:00+08:00", "2026-11-03T04:00:00+08:00",
              ExclusionReason::customer_other);
    CHECK(w.of("2026-11", kLate).power.counted_seconds == 3600);
    w.exclude("2026-11-03T02:30:00+08:00", "2026-11-03T04:00:00+08:00",
              ExclusionReason::customer_equipment);
    const auto r = w.of("2026-11", kLate);
    CHECK(r.power.excluded_seconds == 1800);
    CHECK(r.power.counted_seconds == 1800);
    CHECK_FALSE(r.power.breached);  // 1800 × 1000 = 1,800,000 ≤ 2,592,000
  }
}

TEST_CASE("power: only every source de-energized is an interruption", "[sla][power]") {
  World w;
  w.power_on("2026-11-01T00:00:00+08:00");
  w.report("2026-11-03T09:00:00+08:00", kPower);
  SECTION("a UPS on battery (or bypass) still supplies power") {
    w.outlet("2026-11-03T02:00:00+08:00", State::off);
    w.ups("2026-11-03T02:00:00+08:00", State::battery);
    w.ups("2026-11-03T02:30:00+08:00", State::bypass);
    w.outlet("2026-11-03T03:00:00+08:00", State::on);
    CHECK(w.of("2026-11", kLate).power.outage_seconds == 0);
  }
  SECTION("an outlet that is on behind a dead PDU inlet supplies nothing") {
    // Inlet off 02:00–02:40 while the UPS output is none from 02:10: 02:10–02:40 = 1800 s.
    w.inlet("2026-11-03T02:00:00+08:00", State::off);
    w.ups("2026-11-03T02:10:00+08:00", State::none);
    w.inlet("2026-11-03T02:40:00+08:00", State::on);
    w.ups("2026-11-03T03:00:00+08:00", State::normal);
    const auto r = w.of("2026-11", kLate);
    CHECK(r.power.counted_seconds == 1800);
    CHECK(r.power.outages.at(0).cause.find("every power source de-energized") == 0);
  }
  SECTION("a lost phase de-energizes the outlets on it, not the others") {
    // pdu1 is three-phase: outlet 4 on L2, outlet 5 on L1. L2 lost 02:00–02:40 while the UPS
    // output is none from 02:10: 02:10–02:40 = 1800 s for the contract on outlet 4.
    w.inv.devices.at(3).outlet_phases = {{"4", 2}, {"5", 1}};
    w.outlet("2026-11-01T00:00:00+08:00", State::on, "5");
    w.outlet("2026-11-01T00:00:00+08:00", State::on, "6");
    w.observe(EntityId::phase("pdu1", 2), "2026-11-03T02:00:00+08:00", State::off);
    w.ups("2026-11-03T02:10:00+08:00", State::none);
    w.observe(EntityId::phase("pdu1", 2), "2026-11-03T02:40:00+08:00", State::on);
    w.ups("2026-11-03T03:00:00+08:00", State::normal);
    CHECK(w.of("2026-11", kLate).power.counted_seconds == 1800);
    for (const char* other : {"5", "6"}) {  // on L1; not in the list (only the inlet counts)
      w.contract().power_sources.front().outlet = other;
      const auto r = w.of("2026-11", kLate);
      CHECK(r.power.outage_seconds == 0);
      CHECK(r.power.unmonitored_seconds == 0);
    }
  }
  SECTION("one source unknown and the other on: unmonitored, not an interruption") {
    w.outlet("2026-11-03T02:00:00+08:00", State::unknown);
    w.outlet("2026-11-03T02:20:00+08:00", State::on);
    const auto r = w.of("2026-11", kLate);
    CHECK(r.power.outage_seconds == 0);
    CHECK(r.power.unmonitored_seconds == 1200);
  }
  SECTION("a contract with no power source is never without power") {
    w.contract().power_sources.clear();
    w.power_cut("2026-11-03T02:00:00+08:00", "2026-11-03T03:00:00+08:00");
    const auto r = w.of("2026-11", kLate);
    CHECK(r.power.outage_seconds == 0);
    CHECK(r.power.unmonitored_seconds == 0);
  }
}

TEST_CASE("two breaches in one month waive the rent once", "[sla][credit]") {
  World w;
  w.port("2026-11-01T00:00:00+08:00", kUp);
  w.power_on("2026-11-01T00:00:00+08:00");
  w.port("2026-11-03T02:00:00+08:00", kDown);  // 1 h network: breach (3600 ≥ 2640)
  w.port("2026-11-03T03:00:00+08:00", kUp);
  w.power_cut("2026-11-04T02:00:00+08:00", "2026-11-04T03:00:00+08:00");  // 1 h power: breach
  w.report("2026-11-03T09:00:00+08:00", kNet);
  w.report("2026-11-04T09:00:00+08:00", kPower);
  const auto r = w.of("2026-11", kLate);
  CHECK(r.network.breached);
  CHECK(r.power.breached);
  CHECK(r.credit.rent_waived);
  CHECK(r.credit.total == 300'000);  // 3000.00 once, not 6000.00
}

// -- emergencies ----------------------------------------------------------------------------------

TEST_CASE("an emergency is declared at the second consecutive failure", "[sla][emergency]") {
  World w;
  w.probe("2026-11-05T10:00:00+08:00", State::pass);
  w.probe("2026-11-05T10:05:00+08:00", State::fail);
  w.probe("2026-11-05T10:10:00+08:00", State::fail);  // declared here; deadline 10:25
  w.probe("2026-11-05T10:15:00+08:00", State::fail);  // nothing new
  w.probe("2026-11-05T10:20:00+08:00", State::pass);  // closes it
  w.probe("2026-11-05T11:00:00+08:00", State::fail);
  w.probe("2026-11-05T11:05:00+08:00", State::pass);  // a single failure declares nothing
  w.probe("2026-11-05T12:00:00+08:00", State::fail);
  w.probe("2026-11-06T12:00:00+08:00", State::fail);  // a day later, still consecutive: declared
  w.notify("2026-11-05T10:24:00+08:00");
  const auto r = w.of("2026-11", kLate);
  REQUIRE(r.emergencies.size() == 2);
  const auto& e = r.emergencies[0];
  CHECK(e.declared == at("2026-11-05T10:10:00+08:00"));
  CHECK(e.deadline == at("2026-11-05T10:25:00+08:00"));
  CHECK(e.cleared == at("2026-11-05T10:20:00+08:00"));
  CHECK(e.status == EmergencyStatus::met);
  CHECK(e.notified == at("2026-11-05T10:24:00+08:00"));
  CHECK(e.first_failure_observation == 2);
  CHECK(e.declaring_observation == 3);
  CHECK(r.emergencies[1].declared == at("2026-11-06T12:00:00+08:00"));
  CHECK(r.emergencies[1].status == EmergencyStatus::missed);
  CHECK(r.deduction_days.size() == 1);
}

TEST_CASE("a notification satisfies emergencies declared at or before it, up to the deadline",
          "[sla][emergency]") {
  World w;
  w.probe("2026-11-05T10:05:00+08:00", State::fail);
  w.probe("2026-11-05T10:10:00+08:00", State::fail);  // deadline 10:25:00
  SECTION("at exactly the deadline: met") {
    w.notify("2026-11-05T10:25:00+08:00");
    CHECK(w.of("2026-11", kLate).emergencies.at(0).status == EmergencyStatus::met);
  }
  SECTION("one second after: missed, one day's fee deducted") {
    w.notify("2026-11-05T10:25:01+08:00");
    const auto r = w.of("2026-11", kLate);
    CHECK(r.emergencies.at(0).status == EmergencyStatus::missed);
    CHECK_FALSE(r.emergencies.at(0).notified.has_value());
    // 1 × 3000.00 ÷ 30 = 100.00
    CHECK(r.credit.deduction == 10'000);
    CHECK(r.credit.total == 10'000);
  }
  SECTION("before the declaration: does not count") {
    w.notify("2026-11-05T10:09:59+08:00");
    CHECK(w.of("2026-11", kLate).emergencies.at(0).status == EmergencyStatus::missed);
  }
  SECTION("an unauthorized contact: does not count") {
    w.notify("2026-11-05T10:15:00+08:00", "Han Meimei");
    CHECK(w.of("2026-11", kLate).emergencies.at(0).status == EmergencyStatus::missed);
  }
  SECTION("not yet at as-of and the deadline not passed: open, no deduction") {
    const auto r = w.of("2026-11", "2026-11-05T10:25:00+08:00");
    CHECK(r.emergencies.at(0).status == EmergencyStatus::open);
    CHECK(r.credit.deduction == 0);
  }
}

TEST_CASE("exempt: force majeure or wrong contact details at the declaration", "[sla][emergency]") {
  World w;
  w.probe("2026-11-05T10:05:00+08:00", State::fail);
  w.probe("2026-11-05T10:10:00+08:00", State::fail);
  SECTION("a force-majeure exclusion (of the power guarantee) covering the declaration") {
    w.exclude("2026-11-05T10:00:00+08:00", "2026-11-05T10:10:01+08:00",
              ExclusionReason::force_majeure, kPower);
    const auto r = w.of("2026-11", kLate);
    CHECK(r.emergencies.at(0).status == EmergencyStatus::exempt);
    CHECK(r.emergencies.at(0).exempt_because == "force majeure (record #1)");
    CHECK(r.credit.deduction == 0);
  }
  SECTION("a force-majeure window that ends at the declaration does not cover it") {
    w.exclude("2026-11-05T10:00:00+08:00", "2026-11-05T10:10:00+08:00",
              ExclusionReason::force_majeure);
    CHECK(w.of("2026-11", kLate).emergencies.at(0).status == EmergencyStatus::missed);
  }
  SECTION("another reason does not exempt") {
    w.exclude("2026-11-05T10:00:00+08:00", "2026-11-05T11:00:00+08:00",
              ExclusionReason::customer_equipment);
    CHECK(w.of("2026-11", kLate).emergencies.at(0).status == EmergencyStatus::missed);
  }
  SECTION("contact details marked wrong, open-ended") {
    w.contact_invalid("2026-11-01T00:00:00+08:00");
    CHECK(w.of("2026-11", kLate).emergencies.at(0).status == EmergencyStatus::exempt);
  }
  SECTION("a met emergency stays met whatever covers it") {
    w.contact_invalid("2026-11-01T00:00:00+08:00");
    w.notify("2026-11-05T10:12:00+08:00");
    CHECK(w.of("2026-11", kLate).emergencies.at(0).status == EmergencyStatus::met);
  }
}

TEST_CASE("deduction days: one per calendar day, rounded once, capped",
          "[sla][emergency][credit]") {
  World w;
  auto missed = [&](const std::string& day, const std::string& hh) {
    w.probe(day + "T" + hh + ":00:00+08:00", State::fail);
    w.probe(day + "T" + hh + ":05:00+08:00", State::fail);
    w.probe(day + "T" + hh + ":30:00+08:00", State::pass);
  };
  SECTION("two missed on one day cost one day") {
    missed("2026-11-05", "10");
    missed("2026-11-05", "20");
    const auto r = w.of("2026-11", kLate);
    CHECK(r.emergencies.size() == 2);
    CHECK(r.deduction_days.size() == 1);
    CHECK(r.credit.deduction == 10'000);  // 3000.00 ÷ 30
  }
  SECTION("a deadline after local midnight belongs to the next day") {
    // Declared 23:55 on the 5th, deadline 00:10 on the 6th: the 6th is the deduction day.
    w.probe("2026-11-05T23:50:00+08:00", State::fail);
    w.probe("2026-11-05T23:55:00+08:00", State::fail);
    missed("2026-11-06", "10");
    const auto r = w.of("2026-11", kLate);
    REQUIRE(r.deduction_days.size() == 1);
    CHECK(r.deduction_days[0] ==
          std::chrono::year{2026} / std::chrono::November / std::chrono::day{6});
  }
  SECTION("rounded once, half up") {
    // 999.75 CNY: 1 day × 99975 ÷ 30 = 3332.5 minor units → 3333 (half up; half-even gives 3332).
    w.contract().monthly_fee = 99'975;
    missed("2026-11-05", "10");
    CHECK(w.of("2026-11", kLate).credit.deduction == 3'333);
    // 3 days × 99975 ÷ 30 = 9997.5 → 9998, rounded once (not 3 × 3333 = 9999).
    missed("2026-11-06", "10");
    missed("2026-11-07", "10");
    CHECK(w.of("2026-11", kLate).credit.deduction == 9'998);
  }
  SECTION("in a currency without decimals (XPF), rounded to whole francs") {
    // 1000 XPF, one missed day in November: 1000 ÷ 30 = 33.33… → 33 (ISO 4217: XPF has none).
    auto& c = w.contract();
    c.currency = "XPF";
    c.monthly_fee = parse_money("1000", "XPF").value();
    missed("2026-11-05", "10");
    const auto r = w.of("2026-11", kLate);
    CHECK(r.credit.deduction == 33);
    CHECK(format_money(r.credit.deduction, r.currency) == "33");
  }
  SECTION("every day of February: the deduction reaches the fee, never more") {
    auto& c = w.contract();
    c.start = at("2026-02-01T00:00:00+08:00");
    for (int d = 1; d <= 28; ++d) {
      missed("2026-02-" + std::string(d < 10 ? "0" : "") + std::to_string(d), "10");
    }
    const auto r = w.of("2026-02", "2026-03-20T00:00:00+08:00");
    CHECK(r.deduction_days.size() == 28);
    CHECK(r.credit.deduction == 300'000);  // 28 × 3000.00 ÷ 28
    CHECK(r.credit.total == 300'000);
  }
  SECTION("reported even when the rent is waived; the total is then the fee") {
    missed("2026-11-05", "10");
    w.port("2026-11-01T00:00:00+08:00", kUp);
    w.port("2026-11-03T02:00:00+08:00", kDown);
    w.port("2026-11-03T03:00:00+08:00", kUp);
    w.report("2026-11-03T09:00:00+08:00");
    const auto r = w.of("2026-11", kLate);
    CHECK(r.credit.rent_waived);
    CHECK(r.credit.deduction == 10'000);
    CHECK(r.credit.total == 300'000);
  }
}

TEST_CASE("an emergency belongs to the month of its deadline", "[sla][emergency]") {
  World w;
  w.contract().start = at("2026-10-01T00:00:00+08:00");
  // Declared 10-31 23:55, deadline 11-01 00:10: November's, not October's.
  w.probe("2026-10-31T23:50:00+08:00", State::fail);
  w.probe("2026-10-31T23:55:00+08:00", State::fail);
  CHECK(w.of("2026-10", kLate).emergencies.empty());
  const auto nov = w.of("2026-11", kLate);
  REQUIRE(nov.emergencies.size() == 1);
  CHECK(nov.emergencies[0].status == EmergencyStatus::missed);
  CHECK(nov.deduction_days.size() == 1);
}

TEST_CASE("probe results outside the contract are ignored", "[sla][emergency]") {
  World w;
  // A failure before the start does not pair with one after it.
  w.probe("2026-10-31T23:58:00+08:00", State::fail);
  w.probe("2026-11-01T00:03:00+08:00", State::fail);
  CHECK(w.of("2026-11", kLate).emergencies.empty());
  w.probe("2026-11-01T00:08:00+08:00", State::fail);
  CHECK(w.of("2026-11", kLate).emergencies.size() == 1);
}

// -- installation ---------------------------------------------------------------------------------

TEST_CASE("installation deadline: business days after signing", "[sla][installation][calendar]") {
  World w;
  SECTION("signed Friday: Mon, Tue, Wed → deadline Thursday 00:00") {
    // 2026-10-30 is a Friday; 11-02 Mon (1), 11-03 Tue (2), 11-04 Wed (3) → 11-05 00:00.
    const auto r = w.of("2026-11", kLate);
    CHECK(r.installation.deadline == at("2026-11-05T00:00:00+08:00"));
  }
  SECTION("holidays and a make-up working day") {
    // Signed Wed 2026-09-30; holidays 10-01..10-07; Saturday 10-10 a working day:
    // 10-08 Thu (1), 10-09 Fri (2), 10-10 Sat (3) → deadline 10-11 00:00.
    auto& cal = w.inv.calendar;
    for (unsigned d = 1; d <= 7; ++d) {
      cal.holidays.push_back(std::chrono::year{2026} / std::chrono::October / std::chrono::day{d});
    }
    cal.working_days.push_back(std::chrono::year{2026} / std::chrono::October /
                               std::chrono::day{10});
    auto& c = w.contract();
    c.signed_on = std::chrono::year{2026} / std::chrono::September / std::chrono::day{30};
    c.start = at("2026-10-01T00:00:00+08:00");
    const auto r = w.of("2026-10", kLate);
    CHECK(r.installation.deadline == at("2026-10-11T00:00:00+08:00"));
    CHECK(r.installation.late);
    CHECK(r.installation.refund == 50'000);
  }
  SECTION("a declared working day wins over a holiday on the same date") {
    // Holiday and working day both 11-03: still a business day → deadline stays 11-05.
    const auto d = std::chrono::year{2026} / std::chrono::November / std::chrono::day{3};
    w.inv.calendar.holidays.push_back(d);
    w.inv.calendar.working_days.push_back(d);
    CHECK(w.of("2026-11", kLate).installation.deadline == at("2026-11-05T00:00:00+08:00"));
    // Without the working day it moves to 11-06.
    w.inv.calendar.working_days.clear();
    CHECK(w.of("2026-11", kLate).installation.deadline == at("2026-11-06T00:00:00+08:00"));
  }
}

TEST_CASE("installation: on time, late, refunded in the month of the last business day",
          "[sla][installation]") {
  World w;
  SECTION("completed exactly at the deadline is on time") {
    w.complete("2026-11-05T00:00:00+08:00");
    const auto r = w.of("2026-11", kLate);
    CHECK_FALSE(r.installation.late);
    CHECK(r.installation.refund == 0);
  }
  SECTION("one second later: late, the fee refunded in November only") {
    w.complete("2026-11-05T00:00:01+08:00");
    const auto nov = w.of("2026-11", kLate);
    CHECK(nov.installation.late);
    CHECK(nov.installation.refund == 50'000);
    const auto dec = w.of("2026-12", "2027-01-05T00:00:00+08:00");
    CHECK(dec.installation.late);
    CHECK(dec.installation.refund == 0);
  }
  SECTION("the earliest completion record counts") {
    w.complete("2026-11-06T00:00:00+08:00");
    w.complete("2026-11-04T12:00:00+08:00");
    const auto r = w.of("2026-11", kLate);
    CHECK(r.installation.completed == at("2026-11-04T12:00:00+08:00"));
    CHECK_FALSE(r.installation.late);
  }
  SECTION("still open when the deadline has passed: late") {
    CHECK_FALSE(w.of("2026-11", "2026-11-05T00:00:00+08:00").installation.late);
    CHECK(w.of("2026-11", "2026-11-05T00:00:01+08:00").installation.late);
  }
  SECTION("auto-complete: the first instant all ports are up and there is power") {
    w.contract().installation_auto_complete = true;
    // Before the contract's start (installation happens first): port up 11-01 09:00 is after
    // the start; power on 10-31 20:00; port up 10-31 22:00 → complete 10-31 22:00.
    w.outlet("2026-10-31T20:00:00+08:00", State::on);
    w.port("2026-10-31T22:00:00+08:00", kUp);
    const auto r = w.of("2026-11", kLate);
    CHECK(r.installation.completed == at("2026-10-31T22:00:00+08:00"));
    CHECK(r.installation.completed_by == "auto (all ports up and powered)");
    CHECK_FALSE(r.installation.late);
  }
}

TEST_CASE("several contracts, and one asked for by id", "[sla]") {
  World w;
  w.add_contract("C-002").ports = {{"sw2", "ge-0/0/1"}};
  w.port("2026-11-01T00:00:00+08:00", kUp, "ge-0/0/1", "sw2");
  w.port("2026-11-02T00:00:00+08:00", kDown, "ge-0/0/1", "sw2");
  w.port("2026-11-02T00:10:00+08:00", kUp, "ge-0/0/1", "sw2");
  const auto m = w.month("2026-11", kLate);
  REQUIRE(m.contracts.size() == 2);
  CHECK(m.contracts[0].id == "C-001");
  CHECK(m.contracts[0].network.outage_seconds == 0);
  CHECK(m.contracts[1].network.outage_seconds == 600);
  auto ranges = resolve_mappings(w.inv, {}).value();
  const auto only = compute_month_report(SlaInput{w.inv, ranges, w.history, {}},
                                         std::chrono::year{2026} / std::chrono::November, at(kLate),
                                         std::string("C-002"));
  REQUIRE(only.has_value());
  CHECK(only->contracts.size() == 1);
  CHECK_FALSE(compute_month_report(SlaInput{w.inv, ranges, w.history, {}},
                                   std::chrono::year{2026} / std::chrono::November, at(kLate),
                                   std::string("C-404"))
                  .has_value());
}
