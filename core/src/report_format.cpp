#include "colosla/report_format.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "colosla/money.hpp"

namespace colosla::core {

namespace {

using Json = nlohmann::ordered_json;

Zone zone_named(const std::string& name) {
  auto z = Zone::locate(name);
  return z ? *z : Zone::utc();
}

std::string percent(std::int64_t milli) { return format_decimal(milli, 3); }

std::string target_percent(std::int64_t milli) {
  std::string s = format_decimal(milli, 3);
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') {
    s.pop_back();
  }
  return s;
}

Json time_or_null(const std::optional<Timestamp>& t, const Zone& z) {
  return t ? Json(format_time(*t, z)) : Json(nullptr);
}

Json guarantee_json(const GuaranteeReport& g, Guarantee kind, const Zone& z) {
  Json j;
  j["outage-seconds"] = g.outage_seconds;
  j["excluded-seconds"] = g.excluded_seconds;
  j["unreported-seconds"] = g.unreported_seconds;
  j["pending-seconds"] = g.pending_seconds;
  j["counted-seconds"] = g.counted_seconds;
  j["unmonitored-seconds"] = g.unmonitored_seconds;
  j["availability-percent"] = percent(g.availability_milli);
  j["breached"] = g.breached;
  if (kind == Guarantee::network) {
    j["budget-seconds"] = g.limit;
  } else {
    j["availability-target"] = target_percent(g.limit);
  }
  Json outages = Json::array();
  for (const auto& o : g.outages) {
    Json x;
    x["start"] = format_time(o.start, z);
    x["end"] = time_or_null(o.end, z);
    x["counted-seconds"] = o.counted_seconds;
    x["seconds"] = o.seconds;
    x["excluded-seconds"] = o.excluded_seconds;
    x["pending-seconds"] = o.pending_seconds;
    x["unreported-seconds"] = o.unreported_seconds;
    x["reported"] = time_or_null(o.reported, z);
    x["cause"] = o.cause;
    x["cause-observation"] = o.cause_observation == 0 ? Json(nullptr) : Json(o.cause_observation);
    outages.push_back(std::move(x));
  }
  j["outages"] = std::move(outages);
  return j;
}

Json contract_json(const ContractReport& c) {
  const Zone z = zone_named(c.time_zone);
  Json j;
  j["id"] = c.id;
  j["customer"] = c.customer;
  j["period-seconds"] = c.period_seconds;
  j["time-zone"] = c.time_zone;
  j["period"] = c.period.empty() ? Json(nullptr)
                                 : Json({{"start", format_time(c.period.begin, z)},
                                         {"end", format_time(c.period.end, z)}});
  j["network"] = guarantee_json(c.network, Guarantee::network, z);
  j["power"] = guarantee_json(c.power, Guarantee::power, z);
  Json em = Json::array();
  for (const auto& e : c.emergencies) {
    Json x;
    x["target"] = e.target;
    x["service"] = std::string(to_string(e.service));
    x["declared"] = format_time(e.declared, z);
    x["deadline"] = format_time(e.deadline, z);
    x["notified"] = time_or_null(e.notified, z);
    x["status"] = std::string(to_string(e.status));
    x["cleared"] = time_or_null(e.cleared, z);
    x["exempt-because"] = e.exempt_because.empty() ? Json(nullptr) : Json(e.exempt_because);
    x["first-failure-observation"] = e.first_failure_observation;
    x["declaring-observation"] = e.declaring_observation;
    em.push_back(std::move(x));
  }
  j["emergencies"] = std::move(em);
  j["notification-deduction-days"] = c.deduction_days.size();
  Json days = Json::array();
  for (const auto& d : c.deduction_days) {
    days.push_back(format_date(d));
  }
  j["deduction-days"] = std::move(days);
  const auto& i = c.installation;
  j["installation"] = {{"deadline", format_time(i.deadline, z)},
                       {"completed", time_or_null(i.completed, z)},
                       {"late", i.late},
                       {"refund", format_money(i.refund, c.currency)},
                       {"last-business-day", format_date(i.last_business_day)},
                       {"completed-by", i.completed ? Json(i.completed_by) : Json(nullptr)},
                       {"refund-month", format_month(i.last_business_day.year() /
                                                     i.last_business_day.month())}};
  j["credit"] = {{"rent-waived", c.credit.rent_waived},
                 {"deduction", format_money(c.credit.deduction, c.currency)},
                 {"total", format_money(c.credit.total, c.currency)},
                 {"currency", c.currency}};
  return j;
}

// "44 min", "43 min 59 s", "0 min".
std::string minutes(std::int64_t s) {
  std::string out = std::to_string(s / 60) + " min";
  if (s % 60 != 0) {
    out += " " + std::to_string(s % 60) + " s";
  }
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) {
    return s;
  }
  std::string q = "\"";
  for (char c : s) {
    q += c;
    if (c == '"') {
      q += '"';
    }
  }
  return q + "\"";
}

void guarantee_text(std::ostringstream& out, Guarantee kind, const GuaranteeReport& g,
                    const Zone& z) {
  if (kind == Guarantee::network) {
    out << "  network: counted " << minutes(g.counted_seconds) << " (breach at "
        << minutes(g.limit) << "), availability " << percent(g.availability_milli) << " %";
  } else {
    out << "  power: counted " << minutes(g.counted_seconds) << ", availability "
        << percent(g.availability_milli) << " % (target " << target_percent(g.limit) << " %)";
  }
  out << (g.breached ? "  BREACHED" : "") << "\n";
  if (g.outage_seconds > 0 || g.unmonitored_seconds > 0) {
    out << "    outage " << minutes(g.outage_seconds) << " = excluded " << minutes(g.excluded_seconds)
        << " + unreported " << minutes(g.unreported_seconds) << " + pending "
        << minutes(g.pending_seconds) << " + counted " << minutes(g.counted_seconds)
        << "; unmonitored " << minutes(g.unmonitored_seconds) << "\n";
  }
  for (const auto& o : g.outages) {
    out << "    " << format_local_minute(o.start, z) << " to "
        << (o.end ? format_local_minute(*o.end, z) : std::string("(still open)")) << "  "
        << minutes(o.seconds) << " this month: ";
    std::vector<std::string> parts;
    if (o.counted_seconds > 0) {
      parts.push_back("counted " + minutes(o.counted_seconds));
    }
    if (o.excluded_seconds > 0) {
      parts.push_back("excluded " + minutes(o.excluded_seconds));
    }
    if (o.pending_seconds > 0) {
      parts.push_back("pending " + minutes(o.pending_seconds) + " (no customer report yet)");
    }
    if (o.unreported_seconds > 0) {
      parts.push_back("unreported " + minutes(o.unreported_seconds));
    }
    for (std::size_t i = 0; i < parts.size(); ++i) {
      out << (i == 0 ? "" : ", ") << parts[i];
    }
    if (o.reported) {
      out << "; reported " << format_local_minute(*o.reported, z);
    }
    out << "; " << o.cause;
    if (o.cause_observation != 0) {
      out << " (observation #" << o.cause_observation << ")";
    }
    out << "\n";
  }
}

}  // namespace

std::string report_json(const MonthReport& r) {
  Json j;
  j["month"] = format_month(r.month);
  j["as-of"] = format_time_utc(r.as_of);
  Json contracts = Json::array();
  for (const auto& c : r.contracts) {
    contracts.push_back(contract_json(c));
  }
  j["contracts"] = std::move(contracts);
  return j.dump(2) + "\n";
}

std::string report_text(const MonthReport& r) {
  std::ostringstream out;
  out << "SLA report " << format_month(r.month) << ", as of " << format_time_utc(r.as_of) << ": "
      << r.contracts.size() << (r.contracts.size() == 1 ? " contract" : " contracts") << "\n";
  for (const auto& c : r.contracts) {
    const Zone z = zone_named(c.time_zone);
    out << "\n" << c.id << "  " << c.customer << "  (" << c.time_zone << ")\n";
    // The credit first, with its reason.
    out << "  CREDIT " << format_money(c.credit.total, c.currency) << " " << c.currency;
    if (c.credit.rent_waived) {
      out << ": rent waived (" << (c.network.breached ? "network" : "")
          << (c.network.breached && c.power.breached ? " and " : "")
          << (c.power.breached ? "power" : "") << " breached)";
    } else if (!c.deduction_days.empty()) {
      out << ": " << c.deduction_days.size() << " day" << (c.deduction_days.size() == 1 ? "" : "s")
          << " of missed emergency notification";
    }
    if (c.installation.refund > 0) {
      out << "; installation refund " << format_money(c.installation.refund, c.currency) << " "
          << c.currency;
    }
    out << "\n";
    if (c.period.empty()) {
      out << "  (no days of the contract fall in this month)\n";
    } else {
      out << "  period " << format_local_minute(c.period.begin, z) << " to "
          << format_local_minute(c.period.end, z) << " (" << minutes(c.period_seconds) << ")\n";
      guarantee_text(out, Guarantee::network, c.network, z);
      guarantee_text(out, Guarantee::power, c.power, z);
    }
    if (!c.emergencies.empty()) {
      out << "  emergencies:\n";
      for (const auto& e : c.emergencies) {
        out << "    " << format_local_minute(e.declared, z) << " " << e.target << " "
            << to_string(e.service) << ": " << to_string(e.status) << " (deadline "
            << format_local_minute(e.deadline, z);
        if (e.notified) {
          out << ", told " << format_local_minute(*e.notified, z);
        }
        if (!e.exempt_because.empty()) {
          out << ", " << e.exempt_because;
        }
        out << ")\n";
      }
    }
    const auto& i = c.installation;
    out << "  installation: deadline " << format_local_minute(i.deadline, z) << ", "
        << (i.completed ? "completed " + format_local_minute(*i.completed, z) + " (" + i.completed_by + ")"
                        : std::string("not completed"))
        << (i.late ? ", LATE" : "") << "\n";
  }
  return out.str();
}

std::string report_csv(const MonthReport& r) {
  std::ostringstream out;
  out << "month,contract,customer,currency,monthly_fee,period_seconds,"
         "network_counted_seconds,network_availability_percent,network_breached,"
         "power_counted_seconds,power_availability_percent,power_breached,"
         "missed_notification_days,deduction,rent_waived,credit_total,"
         "installation_late,installation_refund\r\n";
  for (const auto& c : r.contracts) {
    out << format_month(r.month) << "," << csv_field(c.id) << "," << csv_field(c.customer) << ","
        << c.currency << "," << format_money(c.monthly_fee, c.currency) << "," << c.period_seconds
        << "," << c.network.counted_seconds << "," << percent(c.network.availability_milli) << ","
        << (c.network.breached ? "true" : "false") << "," << c.power.counted_seconds << ","
        << percent(c.power.availability_milli) << "," << (c.power.breached ? "true" : "false")
        << "," << c.deduction_days.size() << "," << format_money(c.credit.deduction, c.currency)
        << "," << (c.credit.rent_waived ? "true" : "false") << ","
        << format_money(c.credit.total, c.currency) << ","
        << (c.installation.late ? "true" : "false") << ","
        << format_money(c.installation.refund, c.currency) << "\r\n";
  }
  return out.str();
}

}  // namespace colosla::core

namespace colosla::core {

namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

}  // namespace

std::string report_html(const MonthReport& r) {
  std::ostringstream out;
  const std::string month = format_month(r.month);
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>SLA report "
      << month << "</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:"
         "collapse;margin:.5em 0}td,th{border:1px solid #999;padding:.2em .6em;text-align:left}"
         ".bad{color:#b00;font-weight:bold}</style></head><body>\n"
      << "<h1>SLA report " << month << "</h1>\n<p>As of " << format_time_utc(r.as_of) << ".</p>\n"
      << "<table><tr><th>contract</th><th>customer</th><th>network counted</th><th>power "
         "availability</th><th>missed notification days</th><th>credit</th></tr>\n";
  for (const auto& c : r.contracts) {
    out << "<tr><td><a href=\"#" << esc(c.id) << "\">" << esc(c.id) << "</a></td><td>"
        << esc(c.customer) << "</td><td" << (c.network.breached ? " class=\"bad\"" : "") << ">"
        << minutes(c.network.counted_seconds) << "</td><td" << (c.power.breached ? " class=\"bad\"" : "")
        << ">" << percent(c.power.availability_milli) << " %</td><td>" << c.deduction_days.size()
        << "</td><td>" << format_money(c.credit.total, c.currency) << " " << esc(c.currency)
        << (c.credit.rent_waived ? " (rent waived)" : "") << "</td></tr>\n";
  }
  out << "</table>\n";
  for (const auto& c : r.contracts) {
    out << "<h2 id=\"" << esc(c.id) << "\">" << esc(c.id) << " " << esc(c.customer) << "</h2>\n<pre>"
        << esc(report_text(MonthReport{r.month, r.as_of, {c}}).substr(
               report_text(MonthReport{r.month, r.as_of, {}}).size()))
        << "</pre>\n";
  }
  out << "</body></html>\n";
  return out.str();
}

}  // namespace colosla::core
