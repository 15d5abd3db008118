#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/base/calendar.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/model/records.hpp"

/// The process guarantees (Articles 5-9, SPEC §7) as clocks: from a contract's records in force,
/// each clock's opening, due time and the record that stops it, judged at as-of; and the visits'
/// findings. Pure. No money attaches to them.
namespace colosla::core {

enum class ClockKind : std::uint8_t {
  feedback,              ///< Art. 7.2: accepted authorization + feedback-minutes
  operation_report,      ///< Art. 7.2: operation ended + operation-report-hours
  written_confirmation,  ///< Art. 6.6: phone authorization + written-confirmation-hours
  complaint_report,      ///< Art. 8.3: complaint + complaint-report-hours
};
/// "feedback", "operation-report", "written-confirmation", "complaint-report".
std::string_view to_string(ClockKind k);
/// "7.2", "7.2", "6.6", "8.3".
std::string_view article_of(ClockKind k);

enum class ClockStatus : std::uint8_t { met, missed, open };
std::string_view to_string(ClockStatus s);

struct ProcessClock {
  ClockKind kind = ClockKind::feedback;
  std::int64_t record = 0;  ///< the authorization or complaint it belongs to
  std::string subject;      ///< "authorization #12 by Li Lei (phone)"
  Timestamp opened;
  Timestamp due;
  std::optional<Timestamp> done;  ///< the earliest record that stops it, at or before as-of
  /// met: done <= due; missed: done after due, or not done and as-of after due; else open.
  ClockStatus status = ClockStatus::open;
};

struct AuthorizationItem {
  std::int64_t record = 0;
  std::string contact;
  AuthorizationMethod by = AuthorizationMethod::written;
  Timestamp at;
  bool accepted = false;
  std::optional<Timestamp> operation_ended;
};

struct ComplaintItem {
  std::int64_t record = 0;
  ComplaintAbout about = ComplaintAbout::network;
  Timestamp at;
};

enum class VisitFinding : std::uint8_t { unannounced, unescorted, overstayed };
std::string_view to_string(VisitFinding f);

struct VisitItem {
  std::int64_t record = 0;  ///< the announcement, or the entry when there was none
  std::int64_t entry = 0;   ///< the entry record; 0: not entered by as-of
  std::string reason;
  std::string activity;
  std::optional<Timestamp> expected_in;  ///< nullopt: not announced
  std::optional<Timestamp> expected_out;
  std::optional<Timestamp> entered;
  std::optional<Timestamp> left;
  std::string escort;
  std::string badge;
  std::vector<VisitFinding> findings;
};

struct ProcessReport {
  Staff staff;
  std::vector<ProcessClock> clocks;  ///< those whose due lies in the period, by due then record
  std::vector<AuthorizationItem> authorizations;  ///< those whose time lies in the period
  std::vector<ComplaintItem> complaints;          ///< those whose time lies in the period
  std::vector<VisitItem> visits;                  ///< entered (else expected in) in the period
};

/// Every clock of the contract's process records (those in force, any contract's records
/// ignored but c's), judged at as-of: a record after as-of counts for nothing. `period` selects
/// what a month lists (SPEC §7: clocks by their due time, the rest by their time).
ProcessReport process_report(const Contract& c, const std::vector<const Record*>& records,
                             Window period, Timestamp as_of);

}  // namespace colosla::core

namespace colosla::core {

/// The report JSON's "process" object of a contract (docs/process.md), on one line, times in
/// RFC 3339 with the zone's offset.
std::string process_json(const ProcessReport& p, const Zone& z);

/// The text report's "Process guarantees (Articles 5-9)" lines, indented by two spaces; nothing
/// when the month holds no clock, authorization, complaint or visit and names no staff.
std::string process_text(const ProcessReport& p, const Zone& z);

}  // namespace colosla::core
