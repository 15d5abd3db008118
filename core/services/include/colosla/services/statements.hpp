#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/base/clock.hpp"
#include "colosla/base/result.hpp"
#include "colosla/store/store.hpp"

/// Closed statements (SPEC §7b, docs/statements.md): a contract's month frozen with a number that
/// never changes, who closed it and when, the digests of its inputs, and a digest that covers the
/// previous statement's (one chain per store, in close order); later corrections carried into the
/// contract's next statement as adjustments. The store keeps the rows as text
/// (StatementStore); the digests, the documents and the checks are made here.
namespace colosla::core {

/// The canonical JSON of a JSON text: object keys sorted (by their UTF-8 bytes), no whitespace,
/// strings in UTF-8 with only '"', '\\' and control characters escaped, integers as they are.
/// Errors: invalid_input when the text is not JSON (or not UTF-8).
Result<std::string> canonical_json(std::string_view json);

/// SHA-256 of bytes, as 64 lower-case hex digits (OpenSSL's libcrypto).
std::string sha256_hex(std::string_view bytes);

/// The digest a statement must have: SHA-256 of the canonical JSON of {"seq", "number",
/// "contract", "month", "document" (as JSON), "closed-by", "closed-at", "as-of" (RFC 3339, UTC),
/// "inputs" (as JSON), "previous-digest"}. Errors: invalid_input when its document or inputs is
/// not JSON.
Result<std::string> statement_digest(const Statement& s);

/// "ST-2026-11-000007": the month and the statement's place in the store's chain (seq, six
/// digits at least). Given once, at the close; the place never changes, so neither does it.
std::string statement_number(std::string_view month, std::int64_t seq);

struct CloseRequest {
  std::chrono::year_month month;
  std::optional<std::string> contract;  ///< nullopt: every contract with days in the month
  Timestamp as_of;                      ///< nothing after it counts; at or after the month's end
  std::string by;                       ///< who closes
};

/// Closes the month: for each listed contract, its report as `colosla report --format json`
/// computes it as of `as_of` (the contract's object), its adjustments (earlier closed months of
/// the contract whose credit differs now from what was frozen and carried), the total, and the
/// digests, appended to the chain in one transaction, while holding the store's lease
/// "month-close" (a cluster's singleton). Returns the statements appended. Errors:
/// invalid_input (as-of before a listed contract's month ends in its time zone; a contract
/// with no day in the month), not_found (unknown contract, no inventory), conflict (a
/// listed month is closed already, naming its statement; another closer holds the lease or
/// appended meanwhile); store. Nothing is appended on error.
Result<std::vector<Statement>> close_month(Store& store, const CloseRequest& request,
                                           const Clock& clock);

/// What `statement show --format json` prints (docs/statements.md): {"statement":{...} | null,
/// "report":{...}, "adjustments":[...], "language":...}. A draft (the month not closed) is
/// computed as the close would make it now, with "statement": null. Errors: as close_month's
/// (but conflict), and not_found for a contract with no day in the month.
Result<std::string> statement_document(const Store& store, const std::string& contract,
                                       std::chrono::year_month month, std::string_view language,
                                       const Clock& clock);

/// The same for a statement already closed (its frozen document, nothing recomputed).
Result<std::string> statement_document(const Statement& s, std::string_view language);

/// A statement (or a draft: statement_document's JSON) for people: number, month, closed by and
/// at, digest, the frozen figures, the adjustments and the total.
Result<std::string> statement_text(std::string_view document_json);

/// The outcome of verify_statements.
struct ChainCheck {
  std::size_t count = 0;    ///< statements read
  std::string last_digest;  ///< the last statement's digest ("" when there is none)
  /// The first statement that breaks the chain (nullopt: it holds), and why.
  std::optional<Statement> broken;
  std::string why;
};

/// Recomputes the chain from the first statement: each one's place (seq 1, 2, ...), its
/// previous digest (the digest of the one before; "" for the first) and its digest
/// (statement_digest). Stops at the first that does not hold. Errors: store.
Result<ChainCheck> verify_statements(const Store& store);

/// One CSV line a statement (RFC 4180, CRLF, with a header line): number, contract, customer,
/// month, currency, monthly-fee, credit, adjustments, total, closed-at, closed-by, digest.
/// Errors: invalid_input when a statement's document is not what close_month writes.
Result<void> statements_csv(const std::vector<Statement>& statements, std::ostream& out);

}  // namespace colosla::core
