#pragma once

#include <string>

#include "colosla/sla.hpp"

/// The renderings of a month's report. One computation, three views.
namespace colosla::core {

/// SPEC §8's report JSON, with extra keys that trace each number to its cause (a listed outage's
/// cause and the observation that began it, an emergency's probes and why it is exempt).
std::string report_json(const MonthReport& r);

/// What a NOC engineer reads at a glance: one block per contract, the credit and any breach
/// first, minutes rather than seconds.
std::string report_text(const MonthReport& r);

/// A self-contained HTML page: the month's credit statement, one section per contract.
std::string report_html(const MonthReport& r);

/// One row per contract for billing (RFC 4180, with a header row).
std::string report_csv(const MonthReport& r);

}  // namespace colosla::core
