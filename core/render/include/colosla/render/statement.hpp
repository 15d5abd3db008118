#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/base/result.hpp"
#include "colosla/sla/report_format.hpp"

/// The customer's statement (SPEC §7b): HTML for the screen and A4 paper from one template
/// (templates/statement.html.mustache, embedded at build time), and its PDF.
namespace colosla::core {

/// One statement as HTML: a whole page. `document` is the statement document (what `colosla
/// statement show --format json` prints): {"statement": {...} | null (a draft), "report": one
/// contract's object of the report JSON, "adjustments": [...], "language": "zh" | "en" | "both"};
/// a draft may carry "as-of" (RFC 3339) beside them. Every value from the document is
/// HTML-escaped. Missing or wrongly typed keys are left out of the page, never an error; an
/// unknown language is "both".
std::string statement_html(const nlohmann::json& document);

/// Several statements on one page, one A4 page (or more) each, a page break between them.
std::string statements_html(const std::vector<nlohmann::json>& documents);

/// The PDF of a statement's HTML, rendered by WeasyPrint (Pango/Cairo, with the system's CJK
/// fonts), run as `weasyprint - -` with no shell: the HTML on its standard input, the PDF read
/// from its standard output. Errors: io when it cannot be started, failed (with its exit status
/// and the end of what it wrote on stderr) or ran longer than `timeout`.
Result<std::string> statement_pdf(const std::string& html,
                                  std::chrono::seconds timeout = std::chrono::seconds{120});

/// A draft statement document for one contract's month report (statement null, no adjustments).
nlohmann::json draft_document(std::chrono::year_month month, Timestamp as_of,
                              const ContractReport& c, std::string_view language);

/// What the caller adds to each contract's draft document before it is rendered: its "language"
/// (the inventory's), and what the engine's report does not hold (the report's "process", SPEC
/// §7). May be empty.
using CompleteDocument = std::function<void(const ContractReport&, nlohmann::json& document)>;

/// A ReportWriter for `colosla report`: "html" (every contract's draft statement on one page,
/// language "both" unless `complete` says otherwise) or "pdf" (the same page as a PDF, by
/// statement_pdf). nullptr for another format. A pdf writer that fails writes nothing and
/// reports the error on `error`.
std::unique_ptr<ReportWriter> make_statement_writer(std::string_view format, std::ostream& out,
                                                    CompleteDocument complete,
                                                    std::string* error = nullptr);

}  // namespace colosla::core
