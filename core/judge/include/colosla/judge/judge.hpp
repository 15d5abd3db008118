#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/base/clock.hpp"
#include "colosla/base/result.hpp"

/// check_colosla's judgement (Monitoring Plugins guidelines) of a contract's figures: which
/// state, and the words and performance data that say why. Needs neither SQLite nor the time
/// zone database, so that check_colosla's fast path loads neither.
namespace colosla::core {

/// A Monitoring Plugins threshold range, "[@][start:][end]" ("~" for minus infinity): it alerts
/// for a value outside [start, end], or inside it with "@". "10" is 0:10, "10:" is 10:∞.
struct ThresholdRange {
  double start = 0;
  double end = std::numeric_limits<double>::infinity();
  bool inside = false;
  std::string text;  ///< as given, for the performance data

  /// Errors: invalid_input, saying what is wrong.
  static Result<ThresholdRange> parse(std::string_view text);
  [[nodiscard]] bool alerts(double value) const;
};

enum class CheckStatus : int { ok = 0, warning = 1, critical = 2, unknown = 3 };
std::string_view to_string(CheckStatus s);

/// process: Articles 5-9, judged only when asked for (--guarantee process).
enum class CheckedGuarantee : std::uint8_t { network, power, emergency, process };
Result<CheckedGuarantee> parse_checked_guarantee(std::string_view word);

struct CheckOptions {
  std::vector<CheckedGuarantee> guarantees;  ///< empty: network, power and emergency
  /// On the minutes of outage budget left (network, power); without them: WARNING once
  /// budget_warning_percent of the budget is used, CRITICAL once the guarantee is breached.
  std::optional<ThresholdRange> warning;
  std::optional<ThresholdRange> critical;
  int budget_warning_percent = 50;
  /// What the SLA does not count, for the NOC (check_colosla's defaults are set by
  /// parse_check_args; these defaults judge the SLA alone, as the sinks do): WARNING when the
  /// checked guarantee's ports or power sources were unmonitored longer than this many minutes
  /// this month (0: never) ...
  std::int64_t unmonitored_warning_minutes = 0;
  /// ... and when one of its mapped ports is down, or it is without power, now.
  bool now_warning = false;
};

/// One guarantee's figures in the month so far.
struct GuaranteeFigures {
  std::int64_t counted_seconds = 0;
  std::int64_t pending_seconds = 0;
  std::int64_t unmonitored_seconds = 0;
  std::int64_t budget_seconds =
      0;  ///< counted seconds allowed before the breach (power: rounded down)
  std::int64_t availability_milli = 100'000;
  bool breached = false;
  std::int64_t outages = 0;
};

/// One emergency whose deadline lies in the month.
struct EmergencyFigures {
  std::string what;      ///< "203.0.113.5 icmp"
  std::string deadline;  ///< in the contract's time zone, RFC 3339
  bool open = false;     ///< not yet cleared or judged
  bool notified = false;
  bool missed = false;
};

/// The process guarantees' clocks (Articles 5-9) whose due lies in the month: how many are met,
/// missed and open, and the first missed ("feedback of record #12, due 2026-11-05T10:30:00+08:00").
struct ProcessFigures {
  std::int64_t met = 0;
  std::int64_t missed = 0;
  std::int64_t open = 0;
  std::string first_missed;
};

/// Something of the contract down at as-of, whatever the SLA makes of it.
struct DownNow {
  CheckedGuarantee guarantee = CheckedGuarantee::network;
  std::string what;   ///< "port sw1 ge-0/0/1", "all uplinks", "power"
  std::string since;  ///< when it went down, in the contract's time zone, RFC 3339; may be empty
  /// What the SLA makes of it: "counted", "pending" (waits for the customer's report),
  /// "unreported" (no report in the window), "excluded", "redundant" (port-mode all: another
  /// port is up), "no-outage" (not an outage of the SLA).
  std::string sla;
};

/// " (not counted: waits for the customer's report)" for DownNow::sla "pending", and so on;
/// empty for a word it does not know.
std::string down_now_words(std::string_view sla);

/// What the check judges: a contract's figures for its current month at `as_of`, as `colosla
/// evaluate` stores them and `colosla check` computes them.
struct ContractStatus {
  std::string contract;
  std::string month;  ///< "2026-11", in the contract's time zone
  Timestamp as_of;
  GuaranteeFigures network;
  GuaranteeFigures power;
  std::vector<EmergencyFigures> emergencies;
  std::vector<DownNow> down_now;  ///< what is down at as_of (absent from older JSON: none)
  ProcessFigures process;         ///< absent from older JSON: none
};

/// As one line of JSON, and back. Errors: invalid_input for anything else.
std::string to_json(const ContractStatus& s);
Result<ContractStatus> status_from_json(std::string_view text);

struct CheckResult {
  CheckStatus status = CheckStatus::unknown;
  std::string output;  ///< "COLOSLA WARNING: … | perfdata", then detail lines
};

/// Judges the figures. Pure.
CheckResult judge(const ContractStatus& s, const CheckOptions& o);

/// check_colosla's command line (also `colosla check`'s, which it hands over to).
struct CheckArgs {
  std::string contract;
  std::optional<std::string> db;
  std::optional<std::string> as_of;       ///< RFC 3339; judged live, never from stored figures
  std::optional<std::string> status_dir;  ///< published figures (default: <dir of db>/status)
  int max_age = 150;     ///< seconds stored figures may be old before a live computation
  int timeout = 10;      ///< seconds before UNKNOWN (-t), as the Monitoring Plugins
  int verbose = 0;       ///< -v: the figures' source and age; -vv: more detail
  CheckOptions options;  ///< here unmonitored_warning_minutes 60 and now_warning true
  bool help = false;
  bool version = false;
};

/// check_colosla's default --unmonitored-warning: an hour in a month is more than the network
/// guarantee's 44-minute budget, so an outage that would breach it could hide in it.
constexpr std::int64_t kDefaultUnmonitoredWarningMinutes = 60;

/// Parses the options (long ones as --name VALUE or --name=VALUE; -w, -c and -t also as
/// -wVALUE; -v repeatable, also as -vv).
/// Errors: invalid_input, with the reason.
Result<CheckArgs> parse_check_args(const std::vector<std::string>& args);

/// check_colosla --help.
extern const char* const kCheckUsage;

}  // namespace colosla::core
