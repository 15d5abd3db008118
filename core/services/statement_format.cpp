// Closed statements for people (text) and for billing (CSV), from the documents statements.cpp
// makes: the frozen report's figures are read from its JSON, never computed again.
#include <nlohmann/json.hpp>
#include <sstream>

#include "colosla/base/money.hpp"
#include "colosla/services/statements.hpp"

namespace colosla::core {

namespace {

using json = nlohmann::json;

// "90 min", "1 min 30 s" (as the text report says durations).
std::string minutes(std::int64_t s) {
  std::string out = std::to_string(s / 60) + " min";
  if (s % 60 != 0) {
    out += " " + std::to_string(s % 60) + " s";
  }
  return out;
}

std::string str(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    return {};
  }
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::int64_t num(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

void guarantee_text(std::ostream& out, const char* name, const json& g) {
  if (!g.is_object()) {
    return;
  }
  out << "  " << name << ": counted " << minutes(num(g, "counted-seconds"));
  if (g.contains("budget-seconds")) {
    out << " (breach at " << minutes(num(g, "budget-seconds")) << ")";
  }
  out << ", availability " << str(g, "availability-percent") << " %";
  if (g.contains("availability-target")) {
    out << " (target " << str(g, "availability-target") << " %)";
  }
  out << ", excluded " << minutes(num(g, "excluded-seconds")) << ", unreported "
      << minutes(num(g, "unreported-seconds")) << ", pending " << minutes(num(g, "pending-seconds"))
      << ", unmonitored " << minutes(num(g, "unmonitored-seconds"))
      << (g.value("breached", false) ? "  BREACHED" : "") << "\n";
}

// An RFC 4180 field: quoted when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) {
    return s;
  }
  std::string q = "\"";
  for (const char c : s) {
    q += c;
    if (c == '"') {
      q += '"';
    }
  }
  return q + "\"";
}

}  // namespace

Result<std::string> statement_text(std::string_view document_json) {
  json doc;
  try {
    doc = json::parse(document_json);
  } catch (const json::exception& e) {
    return make_error(Errc::invalid_input, std::string("not JSON: ") + e.what());
  }
  json& report = doc["report"];
  json& head = doc["statement"];
  json& credit = report["credit"];
  const std::string currency = str(credit, "currency");
  std::ostringstream out;
  if (head.is_null()) {
    out << "draft (not closed): " << str(report, "id") << " (" << str(report, "customer")
        << "), as computed now\n";
  } else {
    out << "statement " << str(head, "number") << ": " << str(head, "contract") << " ("
        << str(report, "customer") << "), " << str(head, "month") << "\n";
    out << "closed " << str(head, "closed-at") << " by " << str(head, "closed-by") << ", as of "
        << str(head, "as-of") << "\n";
    out << "digest " << str(head, "digest") << "\n";
    const std::string previous = str(head, "previous-digest");
    out << "previous digest " << (previous.empty() ? "(none: the first statement)" : previous)
        << "\n";
  }
  out << "figures (as frozen):\n";
  guarantee_text(out, "network", report["network"]);
  guarantee_text(out, "power", report["power"]);
  std::int64_t missed = 0;
  const json emergencies = report.value("emergencies", json::array());
  for (const auto& e : emergencies) {
    missed += str(e, "status") == "missed" ? 1 : 0;
  }
  out << "  emergencies: " << emergencies.size() << " (missed " << missed
      << "), notification deduction days " << num(report, "notification-deduction-days") << "\n";
  out << "  credit: " << str(credit, "total") << " " << currency
      << (credit.value("rent-waived", false) ? " (rent waived)"
                                             : " (deduction " + str(credit, "deduction") + ")")
      << "\n";
  const json adjustments = doc.value("adjustments", json::array());
  out << "adjustments:" << (adjustments.empty() ? " none" : "") << "\n";
  for (const auto& a : adjustments) {
    out << "  " << str(a, "month") << " (statement " << str(a, "statement")
        << "): " << str(a, "before") << " -> " << str(a, "after") << ", amount " << str(a, "amount")
        << " " << currency << "\n    cause: " << str(a, "cause") << "\n";
    if (!str(a, "changes").empty()) {
      out << "    figures: " << str(a, "changes") << "\n";
    }
  }
  if (!head.is_null()) {
    out << "total: " << str(head, "total") << " " << currency << "\n";
  }
  return out.str();
}

Result<void> statements_csv(const std::vector<Statement>& statements, std::ostream& out) {
  out << "number,contract,customer,month,currency,monthly_fee,credit,adjustments,total,"
         "closed_at,closed_by,digest\r\n";
  for (const Statement& s : statements) {
    json doc;
    try {
      doc = json::parse(s.document);
    } catch (const json::exception& e) {
      return make_error(Errc::invalid_input, std::string("not JSON: ") + e.what(), s.number);
    }
    const std::string currency = str(doc, "currency");
    std::int64_t adjusted = 0;
    for (const auto& a : doc.value("adjustments", json::array())) {
      std::string amount = str(a, "amount");
      const bool negative = !amount.empty() && amount.front() == '-';
      auto m = parse_money(negative ? amount.substr(1) : amount, currency);
      if (!m) {
        return make_error(Errc::invalid_input, m.error().msg, s.number);
      }
      adjusted += negative ? -*m : *m;
    }
    auto statement = statement_document(s, "both");
    if (!statement) {
      return statement.error();
    }
    const json shown = json::parse(*statement);
    const json& head = shown["statement"];
    out << csv_field(s.number) << "," << csv_field(s.contract) << ","
        << csv_field(str(doc["report"], "customer")) << "," << s.month << "," << csv_field(currency)
        << "," << str(doc, "monthly-fee") << "," << str(doc["report"]["credit"], "total") << ","
        << format_money(adjusted, currency) << "," << str(doc, "total") << ","
        << str(head, "closed-at") << "," << csv_field(s.closed_by) << "," << s.digest << "\r\n";
  }
  return {};
}

}  // namespace colosla::core
