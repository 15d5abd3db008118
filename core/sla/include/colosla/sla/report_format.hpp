#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "colosla/sla/sla.hpp"

/// The renderings of a month's report: one computation, three views here (the customer's
/// statement, HTML and PDF, in colosla/render), written as the contracts
/// come (a month of ten thousand contracts is never held whole).
namespace colosla::core {

class ReportWriter {
 public:
  virtual ~ReportWriter() = default;
  virtual void begin(std::chrono::year_month month, Timestamp as_of) = 0;
  virtual void contract(const ContractReport& c) = 0;
  virtual void end() = 0;
};

/// A writer for "json" (SPEC §8's shape, compact, one contract a line, with extra keys that trace
/// each number to its cause), "text" (a NOC engineer's view: the credit and any breach first,
/// minutes rather than seconds) or "csv" (one row per contract for billing, RFC 4180). nullptr
/// for another format: "html" and "pdf", the customer's statement, are
/// colosla/render/statement.hpp's make_statement_writer.
std::unique_ptr<ReportWriter> make_report_writer(std::string_view format, std::ostream& out);

/// The note every rendering shows beside a guarantee's availability when some of its seconds were
/// unmonitored: how long, its share of the month, and that the SLA counted that time as available
/// (SPEC §1: unknown is never an outage). Empty when nothing was unmonitored.
std::string unmonitored_note(Guarantee kind, const GuaranteeReport& g);

/// One contract's object of the JSON report (the element of "contracts"), as the "json" writer
/// writes it for `month`: what the customer's statement renders (colosla/render/statement.hpp).
std::string contract_json(std::chrono::year_month month, const ContractReport& c);

/// The whole report as a string, through the same writers (for tests and small reports).
std::string report_json(const MonthReport& r);
std::string report_text(const MonthReport& r);
std::string report_csv(const MonthReport& r);

}  // namespace colosla::core
