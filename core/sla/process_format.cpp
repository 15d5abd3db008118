// The process guarantees in the report's renderings: JSON (the shape agreed in issue 19) and
// a few text lines.
#include <nlohmann/json.hpp>

#include "colosla/sla/process.hpp"

namespace colosla::core {

namespace {

using J = nlohmann::ordered_json;

J time_or_null(const std::optional<Timestamp>& t, const Zone& z) {
  return t ? J(format_time(*t, z)) : J(nullptr);
}

std::string minute_or(const std::optional<Timestamp>& t, const Zone& z, const char* none) {
  return t ? format_local_minute(*t, z) : std::string(none);
}

}  // namespace

std::string process_json(const ProcessReport& p, const Zone& z) {
  J out;
  out["staff"] = J{{"customer-service", p.staff.customer_service},
                   {"technical-support", p.staff.technical_support}};
  J clocks = J::array();
  for (const auto& k : p.clocks) {
    J c;
    c["kind"] = std::string(to_string(k.kind));
    c["article"] = std::string(article_of(k.kind));
    c["record"] = k.record;
    c["subject"] = k.subject;
    c["opened"] = format_time(k.opened, z);
    c["due"] = format_time(k.due, z);
    c["done"] = time_or_null(k.done, z);
    c["status"] = std::string(to_string(k.status));
    clocks.push_back(std::move(c));
  }
  out["clocks"] = std::move(clocks);
  J auths = J::array();
  for (const auto& a : p.authorizations) {
    J j;
    j["record"] = a.record;
    j["contact"] = a.contact;
    j["by"] = std::string(to_string(a.by));
    j["at"] = format_time(a.at, z);
    j["accepted"] = a.accepted;
    j["operation-ended"] = time_or_null(a.operation_ended, z);
    auths.push_back(std::move(j));
  }
  out["authorizations"] = std::move(auths);
  J complaints = J::array();
  for (const auto& c : p.complaints) {
    complaints.push_back(J{{"record", c.record},
                           {"about", std::string(to_string(c.about))},
                           {"at", format_time(c.at, z)}});
  }
  out["complaints"] = std::move(complaints);
  J visits = J::array();
  for (const auto& v : p.visits) {
    J j;
    j["record"] = v.record;
    j["reason"] = v.reason;
    j["activity"] = v.activity;
    j["expected-in"] = time_or_null(v.expected_in, z);
    j["expected-out"] = time_or_null(v.expected_out, z);
    j["entered"] = time_or_null(v.entered, z);
    j["left"] = time_or_null(v.left, z);
    j["escort"] = v.escort;
    j["badge"] = v.badge;
    J findings = J::array();
    for (const auto f : v.findings) {
      findings.push_back(std::string(to_string(f)));
    }
    j["findings"] = std::move(findings);
    visits.push_back(std::move(j));
  }
  out["visits"] = std::move(visits);
  return out.dump(-1, ' ', false, J::error_handler_t::replace);
}

std::string process_text(const ProcessReport& p, const Zone& z) {
  if (p.clocks.empty() && p.authorizations.empty() && p.complaints.empty() && p.visits.empty() &&
      p.staff.customer_service.empty() && p.staff.technical_support.empty()) {
    return {};
  }
  const auto names = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& n : v) {
      s += (s.empty() ? "" : ", ") + n;
    }
    return s.empty() ? std::string("(none named)") : s;
  };
  std::string out = "  Process guarantees (Articles 5-9):\n";
  out += "    staff: customer service " + names(p.staff.customer_service) + "; technical support " +
         names(p.staff.technical_support) + "\n";
  for (const auto& k : p.clocks) {
    out += "    " + std::string(to_string(k.kind)) + " (Art. " + std::string(article_of(k.kind)) +
           ") of " + k.subject + ": due " + format_local_minute(k.due, z) + ", " +
           (k.done ? "done " + format_local_minute(*k.done, z) : std::string("not done")) + ": " +
           std::string(to_string(k.status)) + "\n";
  }
  for (const auto& a : p.authorizations) {
    if (!a.accepted) {
      out += "    authorization #" + std::to_string(a.record) + " by " + a.contact + " (" +
             std::string(to_string(a.by)) + ") at " + format_local_minute(a.at, z) + ": REFUSED\n";
    }
  }
  for (const auto& c : p.complaints) {
    out += "    complaint #" + std::to_string(c.record) + " about " +
           std::string(to_string(c.about)) + " received " + format_local_minute(c.at, z) + "\n";
  }
  for (const auto& v : p.visits) {
    out += "    visit #" + std::to_string(v.record) + ": in " +
           minute_or(v.entered, z, "(not yet)") + ", out " + minute_or(v.left, z, "(not yet)");
    if (v.expected_out) {
      out += " (announced " + format_local_minute(*v.expected_in, z) + " to " +
             format_local_minute(*v.expected_out, z) + ")";
    }
    for (std::size_t i = 0; i < v.findings.size(); ++i) {
      out += std::string(i == 0 ? ": " : ", ") + "FINDING " + std::string(to_string(v.findings[i]));
    }
    out += "\n";
  }
  return out;
}

}  // namespace colosla::core
