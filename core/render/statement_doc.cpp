// The statement's view beyond the two timelines: the header, the guarantees as the agreement
// words them, emergencies, installation, the credit line by line, adjustments, Articles 5–9 and
// the evidence appendix (the only place for the provider's internal numbers).
#include <string>

#include "colosla/base/calendar.hpp"
#include "colosla/base/money.hpp"
#include "read.hpp"
#include "view.hpp"

namespace colosla::core::statement {

namespace {

// The agreement's words (seed/hosting-agreement.zh.txt), with an English rendering.
json guarantee_rows(const Languages& l, const json& report) {
  const json& n = at(report, "network");
  const json& p = at(report, "power");
  const json& i = at(report, "installation");
  const std::string cur = str(at(report, "credit"), "currency");
  json rows = json::array();
  const auto result = [&](bool bad) { return label(l, bad ? "breached" : "met"); };
  const auto both = [&](const std::string& zh, const std::string& en) {
    return l.zh && l.en ? zh + " / " + en : l.zh ? zh : en;
  };
  rows.push_back(
      {{"article", label(l, "art1")},
       {"words",
        json::array(
            {quote(l, "乙方保證甲方網絡系統99.9%的聯通性,即每月不聯通時間少于44分鐘。",
                   "The provider guarantees 99.9 % connectivity of the customer's network system, "
                   "that is, less than 44 minutes of disconnection a month."),
             quote(
                 l,
                 "乙方如果在任何一個月中不能達到第一條第2點的服務品質,乙方將免收甲方的當月租用費。",
                 "If in any month the provider does not reach the quality of Article 1 point 2, "
                 "it waives the customer's rent for that month."),
             quote(l, "但不包括網絡不聯通的5天之內甲方未向乙方報告的情況",
                   "(not counted:) disconnection the customer did not report to the provider "
                   "within 5 days")})},
       {"result", result(truth(n, "breached"))},
       {"figure", both("计入 " + duration(l, num(n, "counted-seconds")) + "，上限 " +
                           duration(l, num(n, "budget-seconds")),
                       "counted " + duration(l, num(n, "counted-seconds")) + " of less than " +
                           duration(l, num(n, "budget-seconds")))}});
  rows.push_back(
      {{"article", label(l, "art2")},
       {"words",
        json::array(
            {quote(l, "乙方保證甲方網絡系統的電力的持續供應99.9%的可用性。",
                   "The provider guarantees 99.9 % availability of continuous power to the "
                   "customer's network system."),
             quote(l,
                   "乙方如果在任何一個月中不能遵守第二條第2點規定的服務品質,"
                   "乙方將免收甲方的當月租費。",
                   "If in any month the provider does not keep the quality of Article 2 point 2, "
                   "it waives the customer's rent for that month.")})},
       {"result", result(truth(p, "breached"))},
       {"figure", both("可用性 " + str(p, "availability-percent") + " %，目标 " +
                           str(p, "availability-target") + " %",
                       "availability " + str(p, "availability-percent") + " %, target " +
                           str(p, "availability-target") + " %")}});
  const bool late = truth(i, "late");
  rows.push_back(
      {{"article", label(l, "art3")},
       {"words",
        json::array(
            {quote(l, "服務合同簽定后3個工作日內",
                   "(installation) within 3 business days of signing the service "
                   "contract"),
             quote(
                 l,
                 "若乙方未能按照上述規定完成初裝工作,乙方將退還甲方該次初裝工作收取的初裝服務費。",
                 "If the provider does not complete the installation as set out above, "
                 "it refunds the installation fee it charged.")})},
       {"result", label(l, late                             ? "late"
                           : at(i, "completed").is_string() ? "on-time"
                                                            : "not-completed")},
       {"figure", str(i, "deadline").empty()
                      ? json(false)
                      : json(both("期限 " + local(str(i, "deadline")),
                                  "deadline " + local(str(i, "deadline"))))}});
  std::int64_t missed = 0;
  for (const auto& e : list(report, "emergencies")) {
    missed += str(e, "status") == "missed";
  }
  rows.push_back(
      {{"article", label(l, "art4")},
       {"words",
        json::array(
            {quote(l, "乙方的“報告保證”將在乙方斷定甲方不能得到乙方服務的15分鐘之內通知甲方。",
                   "The provider's reporting guarantee: it notifies the customer within 15 minutes "
                   "of finding that the customer cannot get its service."),
             quote(l, "乙方未能履行“報告保證”時將根據甲方的要求,扣減當月租費中1天的款項。",
                   "When the provider fails its reporting guarantee, it deducts one day's fee from "
                   "the month's rent at the customer's request."),
             quote(l, "甲方每天最多只能獲得1次扣減,不論乙方一天中有幾次未能履行“報告保證”。",
                   "The customer gets at most one deduction a day, however often the provider "
                   "fails in that day.")})},
       {"result", result(missed > 0)},
       {"figure",
        both("扣减 " + std::to_string(num(report, "notification-deduction-days")) + " 天",
             std::to_string(num(report, "notification-deduction-days")) + " deduction day(s)") +
            " · " + money(str(at(report, "credit"), "deduction"), cur)}});
  return rows;
}

json emergencies_view(const Languages& l, const json& report) {
  json out = json::array();
  for (const auto& e : list(report, "emergencies")) {
    const std::string status = str(e, "status");
    const std::string why = str(e, "exempt-because");
    out.push_back({{"target", str(e, "target") + " " + str(e, "service")},
                   {"declared", local(str(e, "declared"))},
                   {"deadline", local(str(e, "deadline"))},
                   {"notified", time_or_false(e, "notified")},
                   {"status", label(l, "e-" + status)},
                   {"bad", status == "missed"},
                   {"why", why.empty() ? json(false) : json(without_ids(why))}});
  }
  return out;
}

json installation_view(const Languages& l, const json& report) {
  const json& i = at(report, "installation");
  const std::string cur = str(at(report, "credit"), "currency");
  const bool late = truth(i, "late");
  return {{"deadline", local(str(i, "deadline"))},
          {"completed", time_or_false(i, "completed")},
          {"late", late},
          {"status", label(l, late                             ? "late"
                              : at(i, "completed").is_string() ? "on-time"
                                                               : "not-completed")},
          {"refund", money(str(i, "refund"), cur)}};
}

// Decimal strings added exactly, in the currency's minor units.
struct Sum {
  std::string currency;
  std::int64_t minor = 0;
  bool ok = true;
  void add(const std::string& amount) {
    auto m = parse_money(amount, currency);
    if (m) {
      minor += *m;
    } else {
      ok = false;
    }
  }
};

json credit_lines(const Languages& l, const json& doc, const json& report) {
  const json& credit = at(report, "credit");
  const std::string cur = str(credit, "currency");
  const std::string fee = str(report, "monthly-fee");
  json lines = json::array();
  const auto line = [&](json lab, json detail, const std::string& amount, bool total = false) {
    lines.push_back({{"label", std::move(lab)},
                     {"detail", std::move(detail)},
                     {"amount", amount},
                     {"total", total}});
  };
  const bool waived = truth(credit, "rent-waived");
  if (waived) {
    const json& n = at(report, "network");
    const json& p = at(report, "power");
    if (truth(n, "breached")) {
      line(label(l, "rent-waived-network"),
           duration(l, num(n, "counted-seconds")) + " ≥ " + duration(l, num(n, "budget-seconds")),
           money(fee.empty() ? str(credit, "total") : fee, cur));
    }
    if (truth(p, "breached")) {
      line(label(l, "rent-waived-power"),
           str(p, "availability-percent") + " % < " + str(p, "availability-target") + " %",
           truth(n, "breached") ? std::string("—")
                                : money(fee.empty() ? str(credit, "total") : fee, cur));
    }
  }
  std::string days;
  for (const auto& d : list(report, "deduction-days")) {
    if (d.is_string()) {
      days += (days.empty() ? "" : ", ") + d.get<std::string>();
    }
  }
  std::string formula = std::to_string(num(report, "notification-deduction-days")) + " × " +
                        (fee.empty() ? std::string("?") : money(fee, cur)) + " ÷ " +
                        std::to_string(num(report, "days-in-month"));
  if (!days.empty()) {
    formula += " (" + days + ")";
  }
  if (waived) {
    const json note = label(l, "deduction-in-waiver");
    formula += " " + (l.zh ? note["zh"].get<std::string>() : std::string()) +
               (l.en ? note["en"].get<std::string>() : std::string());
  }
  line(label(l, "deduction"), formula, money(str(credit, "deduction"), cur));
  if (!fee.empty()) {
    // The cap is a bound, not an amount: said as one ("≤ 3000.00 CNY").
    line(label(l, "cap"), false, "≤ " + money(fee, cur));
  }
  line(label(l, "credit-total"), false, money(str(credit, "total"), cur));
  Sum sum{cur};
  sum.add(str(credit, "total"));
  for (const auto& a : list(doc, "adjustments")) {
    line(label(l, "adjustment"), str(a, "month") + ": " + without_ids(str(a, "cause")),
         money(str(a, "amount"), cur));
    sum.add(str(a, "amount"));
  }
  const json& st = at(doc, "statement");
  std::string total = str(st, "total");
  if (total.empty()) {
    total = sum.ok ? format_money(sum.minor, cur) : std::string();
  }
  line(label(l, "total"), false, money(total, cur), true);
  const json& i = at(report, "installation");
  if (!str(i, "refund").empty() && str(i, "refund-month") == str(report, "month")) {
    line(label(l, "refund-line"), false, money(str(i, "refund"), cur));
  }
  return lines;
}

json process_view(const Languages& l, const json& p) {
  if (!p.is_object()) {
    return false;
  }
  json v = json::object();
  json staff = json::array();
  for (const char* role : {"customer-service", "technical-support"}) {
    std::string names;
    for (const auto& n : list(at(p, "staff"), role)) {
      if (n.is_string()) {
        names += (names.empty() ? "" : ", ") + n.get<std::string>();
      }
    }
    if (!names.empty()) {
      staff.push_back({{"role", label(l, role)}, {"names", names}});
    }
  }
  v["staff"] = staff;
  v["has-staff"] = !staff.empty();
  json clocks = json::array();
  for (const auto& c : list(p, "clocks")) {
    const std::string status = str(c, "status");
    clocks.push_back({{"kind", label(l, str(c, "kind"))},
                      {"opened", local(str(c, "opened"))},
                      {"due", local(str(c, "due"))},
                      {"done", time_or_false(c, "done")},
                      {"status", label(l, "c-" + status)},
                      {"bad", status == "missed"}});
  }
  v["clocks"] = clocks;
  v["has-clocks"] = !clocks.empty();
  json auths = json::array();
  for (const auto& a : list(p, "authorizations")) {
    const bool ok = truth(a, "accepted");
    auths.push_back({{"contact", str(a, "contact")},
                     {"by", label(l, str(a, "by"))},
                     {"at", local(str(a, "at"))},
                     {"ok", ok},
                     {"accepted", label(l, ok ? "yes-accepted" : "refused")},
                     {"ended", time_or_false(a, "operation-ended")}});
  }
  v["authorizations"] = auths;
  v["has-authorizations"] = !auths.empty();
  json complaints = json::array();
  for (const auto& c : list(p, "complaints")) {
    complaints.push_back(
        {{"about", label(l, "about-" + str(c, "about"))}, {"at", local(str(c, "at"))}});
  }
  v["complaints"] = complaints;
  v["has-complaints"] = !complaints.empty();
  json visits = json::array();
  for (const auto& x : list(p, "visits")) {
    json findings = json::array();
    for (const auto& f : list(x, "findings")) {
      if (f.is_string()) {
        findings.push_back(label(l, f.get<std::string>()));
      }
    }
    visits.push_back({{"reason", str(x, "reason")},
                      {"activity", str(x, "activity")},
                      {"expected-in", local(str(x, "expected-in"))},
                      {"expected-out", local(str(x, "expected-out"))},
                      {"entered", time_or_false(x, "entered")},
                      {"left", time_or_false(x, "left")},
                      {"escort", str(x, "escort")},
                      {"badge", str(x, "badge")},
                      {"bad", !findings.empty()},
                      {"findings", findings}});
  }
  v["visits"] = visits;
  v["has-visits"] = !visits.empty();
  if (staff.empty() && clocks.empty() && auths.empty() && complaints.empty() && visits.empty()) {
    return false;  // nothing to say: no section (a report from before Articles 5–9 alike)
  }
  return v;
}

// The provider's internal numbers, for checking the evidence.
json evidence(const Languages& l, const json& doc, const json& report) {
  json out = json::array();
  const auto add = [&](const char* what, std::string text) {
    out.push_back({{"what", label(l, what)}, {"text", std::move(text)}});
  };
  for (const char* g : {"network", "power"}) {
    int n = 0;
    for (const auto& o : list(at(report, g), "outages")) {
      std::string t = std::string(g) + " " + std::to_string(++n) + ": " + str(o, "cause");
      if (at(o, "cause-observation").is_number_integer()) {
        t += " (observation #" + std::to_string(num(o, "cause-observation")) + ")";
      }
      add("ev-outage", t);
    }
  }
  for (const auto& e : list(report, "emergencies")) {
    std::string t = str(e, "target") + " " + str(e, "service") + " " + local(str(e, "declared")) +
                    ": first failure observation #" +
                    std::to_string(num(e, "first-failure-observation")) +
                    ", declared by observation #" + std::to_string(num(e, "declaring-observation"));
    if (!str(e, "exempt-because").empty()) {
      t += "; exempt: " + str(e, "exempt-because");
    }
    add("ev-emergency", t);
  }
  if (!str(at(report, "installation"), "completed-by").empty()) {
    add("ev-installation", "completed by " + str(at(report, "installation"), "completed-by"));
  }
  for (const auto& a : list(doc, "adjustments")) {
    add("ev-adjustment", str(a, "month") + " (" + str(a, "statement") + "): " + str(a, "cause"));
  }
  const json& p = at(report, "process");
  for (const auto& c : list(p, "clocks")) {
    add("ev-process", str(c, "kind") + " " + str(c, "article") + ": " + str(c, "subject") +
                          " (record #" + std::to_string(num(c, "record")) + ")");
  }
  for (const char* k : {"authorizations", "complaints", "visits"}) {
    for (const auto& r : list(p, k)) {
      add("ev-process", std::string(k) + ": record #" + std::to_string(num(r, "record")));
    }
  }
  const json& st = at(doc, "statement");
  if (st.is_object()) {
    add("ev-statement",
        "SHA-256 " + str(st, "digest") +
            (str(st, "previous-digest").empty() ? std::string()
                                                : "; previous " + str(st, "previous-digest")));
  }
  return out;
}

}  // namespace

json statement_view(const json& doc, std::size_t index) {
  const Languages l = Languages::of(str(doc, "language"));
  const json& report = at(doc, "report");
  const json& st = at(doc, "statement");
  const std::string zone_name = str(report, "time-zone");
  const auto located = Zone::locate(zone_name.empty() ? "UTC" : zone_name);
  const Zone zone = located ? *located : Zone::utc();
  json v = json::object();
  v["anchor"] = "statement-" + std::to_string(index + 1);
  v["provider"] = str(doc, "provider").empty() ? json(false) : json(str(doc, "provider"));
  v["customer"] = str(report, "customer");
  v["contract"] = str(report, "id");
  std::string month = str(st, "month");
  if (month.empty()) {
    month = str(report, "month");
  }
  v["month"] = month;
  v["number"] = str(st, "number").empty() ? json(false) : json(str(st, "number"));
  const json& period = at(report, "period");
  v["period"] = local(str(period, "start")) + " – " + local(str(period, "end"));
  std::string as_of = str(st, "as-of");
  if (as_of.empty()) {
    as_of = str(doc, "as-of");
  }
  v["as-of"] = as_of.empty() ? std::string("—") : local(as_of) + " " + offset_of(as_of);
  v["zone"] = "UTC" + offset_of(str(period, "start")) + " (" + zone_name + ")";
  v["closed"] = st.is_object()
                    ? json(local(str(st, "closed-at")) + " " + offset_of(str(st, "closed-at")) +
                           " · " + str(st, "closed-by"))
                    : json(false);
  v["guarantee-rows"] = guarantee_rows(l, report);
  v["guarantees"] = json::array({guarantee_view(l, report, "network", index, zone),
                                 guarantee_view(l, report, "power", index, zone)});
  v["emergencies"] = emergencies_view(l, report);
  v["has-emergencies"] = !v["emergencies"].empty();
  v["installation"] = installation_view(l, report);
  v["credit-lines"] = credit_lines(l, doc, report);
  json adjustments = json::array();
  const std::string cur = str(at(report, "credit"), "currency");
  for (const auto& a : list(doc, "adjustments")) {
    adjustments.push_back({{"month", str(a, "month")},
                           {"statement", str(a, "statement")},
                           {"cause", without_ids(str(a, "cause"))},
                           {"before", money(str(a, "before"), cur)},
                           {"after", money(str(a, "after"), cur)},
                           {"amount", money(str(a, "amount"), cur)}});
    if (!str(a, "changes").empty()) {
      adjustments.back()["changes"] = str(a, "changes");  // figures changed (absent: none)
    }
  }
  v["adjustments"] = adjustments;
  v["has-adjustments"] = !adjustments.empty();
  v["process"] = process_view(l, at(report, "process"));
  v["evidence"] = evidence(l, doc, report);
  v["t"] = all_labels(l);
  return v;
}

}  // namespace colosla::core::statement
