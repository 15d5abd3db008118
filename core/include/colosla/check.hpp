#pragma once

#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/sla.hpp"
#include "colosla/store.hpp"

/// check_colosla's judgement of one contract (Monitoring Plugins guidelines): which state, and
/// the words and performance data that say why. Reads one contract's rows of the store, so that
/// a check forked for every contract by the NMS stays cheap.
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

enum class CheckedGuarantee : std::uint8_t { network, power, emergency };
Result<CheckedGuarantee> parse_checked_guarantee(std::string_view word);

struct CheckOptions {
  std::vector<CheckedGuarantee> guarantees;  ///< empty: network, power and emergency
  /// On the minutes of outage budget left (network, power); without them: WARNING once
  /// budget_warning_percent of the budget is used, CRITICAL once the guarantee is breached.
  std::optional<ThresholdRange> warning;
  std::optional<ThresholdRange> critical;
  int budget_warning_percent = 50;
};

struct CheckResult {
  CheckStatus status = CheckStatus::unknown;
  std::string output;  ///< "COLOSLA WARNING: … | perfdata", then detail lines
};

/// The contract's report for its current month (the month of `now` in its time zone), as of
/// `now`, computed from its own rows of the store only: its inventory entry, its mapping
/// changes and records, and the history of its ports, power sources, uplinks and probes.
/// Errors: not_found for an unknown contract or no inventory; store errors.
Result<std::pair<Contract, ContractReport>> current_contract_report(const Store& store, const std::string& id,
                                                                     Timestamp now);

/// Judges the report. Pure.
CheckResult judge(const Contract& c, const ContractReport& r, const CheckOptions& o);

}  // namespace colosla::core
