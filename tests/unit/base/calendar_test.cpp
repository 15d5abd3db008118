#include "colosla/base/calendar.hpp"

#include "support.hpp"

using namespace colosla;
using namespace std::chrono;
using colosla::test::at;

namespace {

Zone zone(const char* name) {
  auto z = Zone::locate(name);
  REQUIRE(z.has_value());
  return *z;
}

Timestamp utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

}  // namespace

TEST_CASE("RFC 3339 times are parsed to UTC seconds", "[calendar]") {
  CHECK(parse_time("2026-11-03T02:00:00+08:00").value() == utc(2026, 11, 2, 18));
  CHECK(parse_time("2026-11-02T18:00:00Z").value() == utc(2026, 11, 2, 18));
  CHECK(parse_time("2026-11-02t18:00:00z").value() == utc(2026, 11, 2, 18));
  CHECK(parse_time("2026-11-02T13:00:00-05:00").value() == utc(2026, 11, 2, 18));
  CHECK(parse_time("2026-11-02T18:00:00.999Z").value() ==
        utc(2026, 11, 2, 18));  // fraction dropped
  CHECK(parse_time("2026-11-02 18:00:00Z").value() == utc(2026, 11, 2, 18));

  SECTION("a time without an offset is refused with a hint") {
    const auto r = parse_time("2026-11-03T02:00:00");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().msg ==
          "\"2026-11-03T02:00:00\" has no UTC offset; write it as 2026-11-03T02:00:00+08:00 or "
          "2026-11-02T18:00:00Z");
  }
  SECTION("impossible times are refused") {
    CHECK_FALSE(parse_time("2026-11-03T24:00:00Z").has_value());
    CHECK_FALSE(parse_time("2026-11-03T23:60:00Z").has_value());
    CHECK_FALSE(parse_time("2026-02-29T00:00:00Z").has_value());  // 2026 is a common year
    CHECK_FALSE(parse_time("2026-11-03T02:00:00+25:00").has_value());
    CHECK_FALSE(parse_time("yesterday").has_value());
    CHECK_FALSE(parse_time("").has_value());
  }
}

TEST_CASE("times are written with the zone's offset at that instant", "[calendar]") {
  CHECK(format_time(utc(2026, 11, 2, 18), zone("Asia/Shanghai")) == "2026-11-03T02:00:00+08:00");
  CHECK(format_time(utc(2026, 7, 1, 12), zone("Europe/Berlin")) == "2026-07-01T14:00:00+02:00");
  CHECK(format_time(utc(2026, 12, 1, 12), zone("Europe/Berlin")) == "2026-12-01T13:00:00+01:00");
  CHECK(format_time(utc(2026, 12, 1, 12), zone("America/St_Johns")) == "2026-12-01T08:30:00-03:30");
  CHECK(format_time_utc(utc(2026, 11, 2, 18, 5, 9)) == "2026-11-02T18:05:09Z");
  CHECK(format_local_minute(utc(2026, 11, 2, 18, 5, 9), zone("Asia/Shanghai")) ==
        "2026-11-03 02:05");
}

TEST_CASE("months are taken in the contract's time zone", "[calendar]") {
  SECTION("November 2026 in Shanghai: 30 days from local midnight (SPEC's period-seconds)") {
    const Window w = month_window(2026y / November, zone("Asia/Shanghai"));
    CHECK(w.begin == utc(2026, 10, 31, 16));
    CHECK(w.end == utc(2026, 11, 30, 16));
    CHECK(w.length() == seconds{2'592'000});
  }
  SECTION("February 2024 has 29 days") {
    CHECK(month_window(2024y / February, Zone::utc()).length() == days{29});
    CHECK(month_window(2026y / February, Zone::utc()).length() == days{28});
  }
  SECTION("a DST month in Europe has 743 or 745 hours") {
    // Europe/Berlin: summer time starts 2026-03-29 02:00 and ends 2026-10-25 03:00.
    CHECK(month_window(2026y / March, zone("Europe/Berlin")).length() == hours{31 * 24 - 1});
    CHECK(month_window(2026y / October, zone("Europe/Berlin")).length() == hours{31 * 24 + 1});
    CHECK(month_window(2026y / October, zone("Europe/Berlin")).begin == utc(2026, 9, 30, 22));
    CHECK(month_window(2026y / November, zone("Europe/Berlin")).begin == utc(2026, 10, 31, 23));
  }
  SECTION("New York changes on 8 March 2026") {
    CHECK(month_window(2026y / March, zone("America/New_York")).length() == hours{31 * 24 - 1});
    CHECK(day_window(2026y / March / 8d, zone("America/New_York")).length() == hours{23});
    CHECK(day_window(2026y / November / 1d, zone("America/New_York")).length() == hours{25});
  }
  SECTION("December runs into the next year") {
    const Window w = month_window(2026y / December, zone("Asia/Shanghai"));
    CHECK(w.end == utc(2026, 12, 31, 16));
  }
}

TEST_CASE("local wall times map to instants across DST changes", "[calendar]") {
  const Zone berlin = zone("Europe/Berlin");
  // 02:30 on 29 March 2026 does not exist in Berlin: the clock jumps from 02:00 to 03:00 (01:00Z).
  CHECK(berlin.from_local(local_days{2026y / March / 29d} + hours{2} + minutes{30}) ==
        utc(2026, 3, 29, 1));
  // 02:30 on 25 October 2026 happens twice: the first is 00:30Z.
  CHECK(berlin.from_local(local_days{2026y / October / 25d} + hours{2} + minutes{30}) ==
        utc(2026, 10, 25, 0, 30));
  CHECK(berlin.local_day(utc(2026, 10, 31, 23, 30)) == 2026y / November / 1d);
  CHECK(berlin.offset(utc(2026, 7, 1)) == hours{2});
}

TEST_CASE("a year later at the same local wall time (Article 11)", "[calendar]") {
  const Zone sh = zone("Asia/Shanghai");
  CHECK(add_years_local(at("2026-11-01T00:00:00+08:00"), 1, sh) == at("2027-11-01T00:00:00+08:00"));
  CHECK(add_years_local(at("2028-02-29T09:30:00+08:00"), 1, sh) == at("2029-02-28T09:30:00+08:00"));
  // Berlin: signed in summer time, ends in summer time a year later; the UTC gap is 365 days.
  const Zone berlin = zone("Europe/Berlin");
  CHECK(add_years_local(at("2026-07-01T00:00:00+02:00"), 1, berlin) ==
        at("2027-07-01T00:00:00+02:00"));
  // Across a change of offset: winter start, winter end, same wall time.
  CHECK(add_years_local(at("2026-01-15T08:00:00+01:00"), 1, berlin) ==
        at("2027-01-15T08:00:00+01:00"));
}

TEST_CASE("zones, dates and months", "[calendar]") {
  const auto bad = Zone::locate("Asia/Shangai");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == Errc::not_found);
  CHECK(bad.error().msg.find("unknown time zone \"Asia/Shangai\"") == 0);
  CHECK(Zone::locate("UTC").has_value());

  CHECK(parse_date("2026-10-30").value() == 2026y / October / 30d);
  CHECK(parse_date("2024-02-29").has_value());
  CHECK(parse_date("2026-02-29").error().msg == "\"2026-02-29\" is not a day: 2026-02 has 28 days");
  CHECK(parse_date("2026-13-01").error().msg == "\"2026-13-01\" has no month 13");
  CHECK_FALSE(parse_date("30/10/2026").has_value());
  CHECK(format_date(2026y / October / 1d) == "2026-10-01");

  CHECK(parse_month("2026-11").value() == 2026y / November);
  CHECK_FALSE(parse_month("2026-00").has_value());
  CHECK_FALSE(parse_month("2026-11-01").has_value());
  CHECK(format_month(2026y / November) == "2026-11");

  CHECK(intersect({utc(2026, 1, 1), utc(2026, 1, 3)}, {utc(2026, 1, 2), utc(2026, 1, 5)}) ==
        Window{utc(2026, 1, 2), utc(2026, 1, 3)});
  CHECK(intersect({utc(2026, 1, 1), utc(2026, 1, 2)}, {utc(2026, 1, 3), utc(2026, 1, 5)}).empty());
}
