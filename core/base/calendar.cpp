// Time zones and calendar text. The only file that includes Howard Hinnant's date library:
// libstdc++ 12 has the C++20 calendar types but no std::chrono::locate_zone.
#include "colosla/base/calendar.hpp"

#include <date/tz.h>

#include <algorithm>
#include <cstdio>

namespace colosla {

namespace {

using std::chrono::days;
using std::chrono::local_days;
using std::chrono::local_seconds;
using std::chrono::seconds;
using std::chrono::sys_days;

const date::time_zone* tz_of(const void* p) { return static_cast<const date::time_zone*>(p); }

date::local_seconds to_date(local_seconds t) { return date::local_seconds{t.time_since_epoch()}; }
local_seconds from_date(date::local_seconds t) { return local_seconds{t.time_since_epoch()}; }
date::sys_seconds to_date(Timestamp t) { return date::sys_seconds{t.time_since_epoch()}; }
Timestamp from_date(date::sys_seconds t) { return Timestamp{t.time_since_epoch()}; }

// Fixed-width decimal digits, written by hand: these run millions of times in a report, and
// snprintf with its format parsing is most of the cost.
char* digits(char* p, unsigned v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

char* date_text(char* p, std::chrono::year_month_day d) {
  const int y = static_cast<int>(d.year());
  if (y < 0 || y > 9999) {
    return p + std::snprintf(p, 16, "%d-%02u-%02u", y, static_cast<unsigned>(d.month()),
                             static_cast<unsigned>(d.day()));
  }
  p = digits(p, static_cast<unsigned>(y), 4);
  *p++ = '-';
  p = digits(p, static_cast<unsigned>(d.month()), 2);
  *p++ = '-';
  return digits(p, static_cast<unsigned>(d.day()), 2);
}

char* offset_text(char* p, seconds off) {
  *p++ = off < seconds{0} ? '-' : '+';
  const auto a = static_cast<unsigned>(off < seconds{0} ? -off.count() : off.count());
  p = digits(p, a / 3600, 2);
  *p++ = ':';
  return digits(p, a % 3600 / 60, 2);
}

char* local_text(char* p, local_seconds t, bool with_seconds, char sep) {
  const auto d = std::chrono::floor<days>(t);
  const auto tod = static_cast<unsigned>((t - d).count());
  p = date_text(p, std::chrono::year_month_day{d});
  *p++ = sep;
  p = digits(p, tod / 3600, 2);
  *p++ = ':';
  p = digits(p, tod % 3600 / 60, 2);
  if (with_seconds) {
    *p++ = ':';
    p = digits(p, tod % 60, 2);
  }
  return p;
}

}  // namespace

Window intersect(const Window& a, const Window& b) {
  Window w{std::max(a.begin, b.begin), std::min(a.end, b.end)};
  if (w.end < w.begin) {
    w.end = w.begin;
  }
  return w;
}

Result<Zone> Zone::locate(std::string_view name) {
  try {
    const date::time_zone* tz = date::locate_zone(name);
    return Zone{tz, std::string(name)};
  } catch (const std::exception&) {
    return make_error(Errc::not_found,
                      "unknown time zone \"" + std::string(name) +
                          "\" (not in this machine's tz database; an IANA name such as "
                          "Asia/Shanghai is expected)");
  }
}

Zone Zone::utc() { return Zone{date::locate_zone("UTC"), "UTC"}; }

seconds Zone::offset(Timestamp t) const { return tz_of(tz_)->get_info(to_date(t)).offset; }

local_seconds Zone::to_local(Timestamp t) const {
  return from_date(tz_of(tz_)->to_local(to_date(t)));
}

Timestamp Zone::from_local(local_seconds t) const {
  const auto info = tz_of(tz_)->get_info(to_date(t));
  switch (info.result) {
    case date::local_info::unique:
      return Timestamp{t.time_since_epoch() - info.first.offset};
    case date::local_info::ambiguous:
      // The wall time happens twice (DST ends): take the first occurrence.
      return Timestamp{t.time_since_epoch() - info.first.offset};
    case date::local_info::nonexistent:
    default:
      // The wall time is skipped (DST starts): the change itself is the nearest instant.
      return from_date(info.first.end);
  }
}

Timestamp Zone::day_start(std::chrono::year_month_day d) const {
  return from_local(local_seconds{local_days{d}.time_since_epoch()});
}

std::chrono::year_month_day Zone::local_day(Timestamp t) const {
  return std::chrono::year_month_day{std::chrono::floor<days>(to_local(t))};
}

Window month_window(std::chrono::year_month ym, const Zone& z) {
  const auto next = ym + std::chrono::months{1};
  return {z.day_start(ym / std::chrono::day{1}), z.day_start(next / std::chrono::day{1})};
}

Window day_window(std::chrono::year_month_day d, const Zone& z) {
  const auto next = std::chrono::year_month_day{sys_days{d} + days{1}};
  return {z.day_start(d), z.day_start(next)};
}

Timestamp add_years_local(Timestamp t, int n, const Zone& z) {
  const local_seconds local = z.to_local(t);
  const auto d = std::chrono::floor<days>(local);
  const auto time_of_day = local - d;
  std::chrono::year_month_day ymd{d};
  ymd += std::chrono::years{n};
  if (!ymd.ok()) {  // 29 February in a common year
    ymd = ymd.year() / ymd.month() / std::chrono::last;
  }
  return z.from_local(local_days{ymd} + time_of_day);
}

namespace {

// Whether s has the shape of pattern: '9' stands for a digit, any other character for itself.
// (std::regex says the same, but compiling one costs check_colosla more than its whole query.)
bool shaped(std::string_view s, std::string_view pattern) {
  if (s.size() != pattern.size()) {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool digit = s[i] >= '0' && s[i] <= '9';
    if (pattern[i] == '9' ? !digit : s[i] != pattern[i]) {
      return false;
    }
  }
  return true;
}

unsigned digits(std::string_view s) {
  unsigned v = 0;
  for (const char c : s) {
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v;
}

}  // namespace

Result<Timestamp> parse_time(std::string_view text) {
  const std::string s(text);
  // date [Tt ] hh:mm:ss [.fraction] (Z | z | +hh:mm | -hh:mm)
  const auto separator = [&](std::size_t i) {
    return s.size() > i && (s[i] == 'T' || s[i] == 't' || s[i] == ' ');
  };
  std::string_view rest = s.size() > 19 ? std::string_view(s).substr(19) : std::string_view();
  const bool stamp = s.size() >= 19 && shaped(std::string_view(s).substr(0, 10), "9999-99-99") &&
                     separator(10) && shaped(std::string_view(s).substr(11, 8), "99:99:99");
  if (stamp && !rest.empty() && rest.front() == '.') {
    std::size_t n = 1;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') {
      ++n;
    }
    rest = n > 1 ? rest.substr(n) : std::string_view("?");
  }
  const bool offset =
      rest == "Z" || rest == "z" ||
      (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && shaped(rest.substr(1), "99:99"));
  if (!stamp || !offset) {
    const bool no_offset =
        (stamp && rest.empty()) ||
        (s.size() == 16 && shaped(std::string_view(s).substr(0, 10), "9999-99-99") &&
         separator(10) && shaped(std::string_view(s).substr(11), "99:99"));
    if (no_offset) {
      return make_error(Errc::invalid_input,
                        "\"" + s + "\" has no UTC offset; write it as " +
                            "2026-11-03T02:00:00+08:00 or 2026-11-02T18:00:00Z");
    }
    return make_error(Errc::invalid_input,
                      "\"" + s + "\" is not an RFC 3339 time such as 2026-11-03T02:00:00+08:00");
  }
  const std::string date_part = s.substr(0, 10);
  const std::string zone(rest);
  auto date = parse_date(date_part);
  if (!date) {
    return Unexpected{date.error()};
  }
  const unsigned hh = digits(s.substr(11, 2)), mm = digits(s.substr(14, 2)),
                 ss = digits(s.substr(17, 2));
  if (hh > 23 || mm > 59 || ss > 59) {
    return make_error(Errc::invalid_input, "\"" + s + "\" has no such time of day");
  }
  const seconds tod = std::chrono::hours{hh} + std::chrono::minutes{mm} + seconds{ss};
  seconds off{0};
  if (zone != "Z" && zone != "z") {
    const int h = std::stoi(zone.substr(1, 2));
    const int mi = std::stoi(zone.substr(4, 2));
    if (h > 23 || mi > 59) {
      return make_error(Errc::invalid_input, "\"" + s + "\" has an impossible UTC offset");
    }
    off = std::chrono::hours{h} + std::chrono::minutes{mi};
    if (zone[0] == '-') {
      off = -off;
    }
  }
  return Timestamp{sys_days{*date}.time_since_epoch() + tod - off};
}

std::string format_time(Timestamp t, const Zone& z) {
  const seconds off = z.offset(t);
  char buf[48];
  char* p = local_text(buf, local_seconds{t.time_since_epoch() + off}, true, 'T');
  p = offset_text(p, off);
  return std::string(buf, p);
}

std::string format_time_utc(Timestamp t) {
  char buf[48];
  char* p = local_text(buf, local_seconds{t.time_since_epoch()}, true, 'T');
  *p++ = 'Z';
  return std::string(buf, p);
}

std::string format_local_minute(Timestamp t, const Zone& z) {
  char buf[48];
  return std::string(buf, local_text(buf, z.to_local(t), false, ' '));
}

Result<std::chrono::year_month_day> parse_date(std::string_view text) {
  const std::string s(text);
  if (!shaped(s, "9999-99-99")) {
    return make_error(Errc::invalid_input, "\"" + s + "\" is not a date written YYYY-MM-DD");
  }
  const std::chrono::year y{static_cast<int>(digits(s.substr(0, 4)))};
  const std::chrono::month mo{digits(s.substr(5, 2))};
  const std::chrono::day d{digits(s.substr(8, 2))};
  const std::chrono::year_month_day ymd{y, mo, d};
  if (!mo.ok()) {
    return make_error(Errc::invalid_input, "\"" + s + "\" has no month " + s.substr(5, 2));
  }
  if (!ymd.ok()) {
    return make_error(
        Errc::invalid_input,
        "\"" + s + "\" is not a day: " + format_month(y / mo) + " has " +
            std::to_string(static_cast<unsigned>((y / mo / std::chrono::last).day())) + " days");
  }
  return ymd;
}

std::string format_date(std::chrono::year_month_day d) {
  char buf[32];
  return std::string(buf, date_text(buf, d));
}

Result<std::chrono::year_month> parse_month(std::string_view text) {
  const std::string s(text);
  if (!shaped(s, "9999-99")) {
    return make_error(Errc::invalid_input, "\"" + s + "\" is not a month written YYYY-MM");
  }
  const std::chrono::month mo{digits(s.substr(5, 2))};
  if (!mo.ok()) {
    return make_error(Errc::invalid_input, "\"" + s + "\" has no month " + s.substr(5, 2));
  }
  return std::chrono::year{static_cast<int>(digits(s.substr(0, 4)))} / mo;
}

bool is_business_day(std::chrono::year_month_day d, const BusinessCalendar& c) {
  const auto in = [&](const std::vector<std::chrono::year_month_day>& v) {
    return std::find(v.begin(), v.end(), d) != v.end();
  };
  if (in(c.working_days)) {
    return true;
  }
  const std::chrono::weekday wd{sys_days{d}};
  if (wd == std::chrono::Saturday || wd == std::chrono::Sunday) {
    return false;
  }
  return !in(c.holidays);
}

std::chrono::year_month_day nth_business_day_after(std::chrono::year_month_day d, unsigned n,
                                                   const BusinessCalendar& c) {
  sys_days day{d};
  unsigned found = 0;
  // Every week has business days unless the calendar declares holidays without end, which a
  // finite list cannot; the bound only guards against a corrupted calendar.
  for (int i = 0; i < 366 * 10 && found < n; ++i) {
    day += days{1};
    if (is_business_day(std::chrono::year_month_day{day}, c)) {
      ++found;
    }
  }
  return std::chrono::year_month_day{day};
}

std::string format_month(std::chrono::year_month ym) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(ym.year()),
                static_cast<unsigned>(ym.month()));
  return buf;
}

}  // namespace colosla
