#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "colosla/base/calendar.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/model/mapping.hpp"
#include "colosla/model/model.hpp"
#include "colosla/model/records.hpp"
#include "colosla/sla/process.hpp"

/// The SLA engine: from the inventory, the port mapping, the observed states and the records,
/// what the agreement promises for one month (SPEC §2–§6, edges in §7a). Pure: no I/O, no clock.
namespace colosla::core {

/// One outage (network) or interruption (power), with its true start and end and what of it
/// falls in the month, up to the evaluation time.
struct OutageReport {
  Timestamp start;               ///< true start (clipped only to the contract's start)
  std::optional<Timestamp> end;  ///< true end; nullopt while it is still open at as-of
  std::int64_t seconds = 0;      ///< in the period, up to as-of
  std::int64_t excluded_seconds = 0;
  std::int64_t counted_seconds = 0;
  std::int64_t pending_seconds = 0;
  std::int64_t unreported_seconds = 0;
  std::optional<Timestamp> reported;   ///< the customer report that makes it count
  std::string cause;                   ///< "port sw1 ge-0/0/1 down", "all uplinks down", …
  std::int64_t cause_observation = 0;  ///< the observation that began it (0: a mapping change)
};

/// What a second of a guarantee's month was, as the report counts it: the states of its timeline.
/// An outage's second is excluded, or else counted, pending or unreported as its outage is (the
/// report rule); any other second is unmonitored (a state unknown) or available.
enum class TimeState : std::uint8_t {
  available,
  counted,
  excluded,
  unreported,
  pending,
  unmonitored
};
std::string_view to_string(TimeState s);

/// One interval of a guarantee's timeline.
struct TimelineSpan {
  Window span;
  TimeState state = TimeState::available;
};

struct GuaranteeReport {
  std::int64_t outage_seconds = 0;
  std::int64_t excluded_seconds = 0;
  std::int64_t unreported_seconds = 0;
  std::int64_t pending_seconds = 0;
  std::int64_t counted_seconds = 0;
  /// Seconds (up to as-of) in which the state is unknown and nothing else makes it an outage: the
  /// SLA counts them as available (SPEC §1, §7a), so the report shows them beside availability.
  std::int64_t unmonitored_seconds = 0;
  /// unmonitored ÷ period, in thousandths of a percent, rounded half up: the share of the month
  /// (the availability's denominator) no one saw.
  std::int64_t unmonitored_milli = 0;
  /// 1 − counted ÷ period, in thousandths of a percent, rounded half up: 99987 is 99.987 %.
  std::int64_t availability_milli = 100'000;
  bool breached = false;
  /// network: the counted seconds at which it breaches (max-outage-minutes × 60);
  /// power: the availability target in thousandths of a percent.
  std::int64_t limit = 0;
  std::vector<OutageReport> outages;
  /// The counted part of the period, [period begin, min(period end, as-of)), as consecutive spans
  /// in time order, each with its state, adjacent spans of one state merged: the seconds of each
  /// state add up to the figures above (available: the rest). Empty when that part is.
  std::vector<TimelineSpan> timeline;
};

enum class EmergencyStatus : std::uint8_t { met, missed, exempt, open };
std::string_view to_string(EmergencyStatus s);

struct EmergencyReport {
  std::string target;
  ProbeService service = ProbeService::icmp;
  Timestamp declared;                 ///< the second consecutive failed probe
  Timestamp deadline;                 ///< declared + notify-within-minutes
  std::optional<Timestamp> notified;  ///< the first notification that satisfies it
  std::optional<Timestamp> cleared;   ///< the next passing probe, if it came by as-of
  EmergencyStatus status = EmergencyStatus::open;
  std::string exempt_because;  ///< "force majeure (record #4)", "contact details wrong (record #6)"
  std::int64_t first_failure_observation = 0;
  std::int64_t declaring_observation = 0;
};

struct InstallationReport {
  Timestamp deadline;  ///< local midnight after the last business day
  std::chrono::year_month_day last_business_day;
  std::optional<Timestamp> completed;
  std::string completed_by;        ///< "record #5" or "auto (all ports up and powered)"
  bool late = false;               ///< completed after the deadline, or still open when it passed
  bool refund_this_month = false;  ///< the refund belongs to the month of the last business day
  std::int64_t refund = 0;         ///< minor units; only in the month of the last business day
};

struct CreditReport {
  bool rent_waived = false;
  std::int64_t deduction =
      0;                   ///< missed-notification days × fee ÷ days in month, capped at the fee
  std::int64_t total = 0;  ///< the fee when the rent is waived, else the deduction
};

struct ContractReport {
  std::string id;
  std::string customer;
  std::string time_zone;
  std::string currency;
  std::int64_t monthly_fee = 0;
  Window period;  ///< the month in the contract's zone, clipped to [start, end)
  std::int64_t period_seconds = 0;
  GuaranteeReport network;
  GuaranteeReport power;
  std::vector<EmergencyReport> emergencies;  ///< those whose deadline lies in the period
  std::vector<std::chrono::year_month_day> deduction_days;
  InstallationReport installation;
  CreditReport credit;
  ProcessReport process;  ///< Articles 5-9: clocks, authorizations, complaints, visits
};

struct MonthReport {
  std::chrono::year_month month;
  Timestamp as_of;
  std::vector<ContractReport> contracts;  ///< in id order
};

/// What the engine reads. The records are those in force (effective_records).
struct SlaInput {
  const Inventory& inventory;
  const std::vector<MappingRange>& mappings;
  const History& history;
  const std::vector<Record>& records;
};

/// Computes the month's report for every contract (or only `contract`) whose period in that
/// month is not empty, or whose installation refund falls in that month, handing each to `sink`
/// as soon as it is computed, in id order: a month of many contracts never sits in memory whole.
/// Nothing after `as_of` counts. Errors: not_found for an unknown `contract`.
Result<void> for_each_contract_report(const SlaInput& in, std::chrono::year_month month,
                                      Timestamp as_of, const std::optional<std::string>& contract,
                                      const std::function<void(const ContractReport&)>& sink);

/// The same, collected into one MonthReport.
Result<MonthReport> compute_month_report(const SlaInput& in, std::chrono::year_month month,
                                         Timestamp as_of,
                                         const std::optional<std::string>& contract = {});

/// The installation deadline of a contract: the local midnight after the n-th business day
/// after the signing day (Article 3).
Timestamp installation_deadline(const Contract& c, const BusinessCalendar& cal, const Zone& z);

}  // namespace colosla::core
