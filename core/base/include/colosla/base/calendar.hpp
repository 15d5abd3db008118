#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/base/clock.hpp"
#include "colosla/base/result.hpp"

namespace colosla {

/// A half-open interval of instants [begin, end).
struct Window {
  Timestamp begin;
  Timestamp end;

  [[nodiscard]] bool contains(Timestamp t) const { return begin <= t && t < end; }
  [[nodiscard]] std::chrono::seconds length() const {
    return end > begin ? end - begin : std::chrono::seconds{0};
  }
  [[nodiscard]] bool empty() const { return end <= begin; }
  friend bool operator==(const Window&, const Window&) = default;
};

/// The intersection of two windows (empty when they do not overlap).
Window intersect(const Window& a, const Window& b);

/// An IANA time zone. Copyable and cheap: it refers to the process-wide tz database.
/// Local-time arithmetic never goes through localtime/mktime/TZ, which are process-global.
class Zone {
 public:
  /// Finds a zone by its IANA name ("Asia/Shanghai").
  /// Errors: not_found when the machine's tz database has no such zone.
  static Result<Zone> locate(std::string_view name);
  /// UTC, always available.
  static Zone utc();

  [[nodiscard]] const std::string& name() const { return name_; }
  /// The zone's offset from UTC at instant t (+08:00 is 28800 s).
  [[nodiscard]] std::chrono::seconds offset(Timestamp t) const;
  /// The local wall-clock time at instant t.
  [[nodiscard]] std::chrono::local_seconds to_local(Timestamp t) const;
  /// The instant at which the wall clock shows t. A wall time skipped by a DST change maps to
  /// the instant the change happens; a repeated wall time maps to its first (earlier) instant.
  [[nodiscard]] Timestamp from_local(std::chrono::local_seconds t) const;
  /// The start of local day d (local midnight, or the first instant of the day in a zone whose
  /// DST change skips midnight).
  [[nodiscard]] Timestamp day_start(std::chrono::year_month_day d) const;
  /// The local calendar day that holds instant t.
  [[nodiscard]] std::chrono::year_month_day local_day(Timestamp t) const;

 private:
  Zone(const void* tz, std::string name) : tz_(tz), name_(std::move(name)) {}
  const void* tz_;  // const date::time_zone*; the date library stays inside calendar.cpp
  std::string name_;
};

/// The month ym in zone z as instants: [local midnight of the 1st, local midnight of the next 1st).
Window month_window(std::chrono::year_month ym, const Zone& z);
/// The local day d in zone z as instants.
Window day_window(std::chrono::year_month_day d, const Zone& z);

/// t plus n calendar years at the same local wall time in zone z (29 February becomes 28
/// February in a common year). This is how a contract's default end is computed (Article 11).
Timestamp add_years_local(Timestamp t, int n, const Zone& z);

/// Parses an RFC 3339 date-time with a UTC offset or Z: "2026-11-03T02:00:00+08:00".
/// A fraction of a second is accepted and dropped (colosla keeps whole seconds).
/// Errors: invalid_input, saying what is wrong, for anything else (a time without an offset
/// is refused because it would be ambiguous).
Result<Timestamp> parse_time(std::string_view text);

/// "2026-11-03T02:00:00+08:00": t with the offset zone z has at t.
std::string format_time(Timestamp t, const Zone& z);
/// "2026-11-02T18:00:00Z".
std::string format_time_utc(Timestamp t);
/// "2026-11-03 02:00" in zone z, for people reading a terminal.
std::string format_local_minute(Timestamp t, const Zone& z);

/// Parses "YYYY-MM-DD" and checks that the day exists.
/// Errors: invalid_input ("2026-02-30 is not a day of February 2026").
Result<std::chrono::year_month_day> parse_date(std::string_view text);
/// "YYYY-MM-DD".
std::string format_date(std::chrono::year_month_day d);

/// Parses "YYYY-MM". Errors: invalid_input.
Result<std::chrono::year_month> parse_month(std::string_view text);
/// "YYYY-MM".
std::string format_month(std::chrono::year_month ym);

/// The business-day calendar of Article 3: Monday to Friday, minus the holidays, plus the
/// make-up working days (weekend days declared working days).
struct BusinessCalendar {
  std::vector<std::chrono::year_month_day> holidays;
  std::vector<std::chrono::year_month_day> working_days;
};

/// Whether d is a business day. A declared working day wins over a holiday on the same date.
bool is_business_day(std::chrono::year_month_day d, const BusinessCalendar& c);

/// The n-th business day after day d (d itself does not count); n >= 1.
std::chrono::year_month_day nth_business_day_after(std::chrono::year_month_day d, unsigned n,
                                                   const BusinessCalendar& c);

}  // namespace colosla
