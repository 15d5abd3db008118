#include "colosla/sla/report_format.hpp"

#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "colosla/base/money.hpp"

namespace colosla::core {

namespace {

// -- shared helpers --------------------------------------------------------------------------

const Zone& zone_named(const std::string& name) {
  static std::map<std::string, Zone> zones;  // the report's writers run on one thread
  auto it = zones.find(name);
  if (it == zones.end()) {
    auto z = Zone::locate(name);
    it = zones.emplace(name, z ? *z : Zone::utc()).first;
  }
  return it->second;
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

// "44 min", "43 min 59 s", "0 min".
std::string minutes(std::int64_t s) {
  std::string out = std::to_string(s / 60) + " min";
  if (s % 60 != 0) {
    out += " " + std::to_string(s % 60) + " s";
  }
  return out;
}

// "unmonitored 150 min 12 s (0.348 % of the month)": said next to every availability.
std::string unmonitored_words(const GuaranteeReport& g) {
  return "unmonitored " + minutes(g.unmonitored_seconds) + " (" + percent(g.unmonitored_milli) +
         " % of the month)";
}

// -- JSON ------------------------------------------------------------------------------------

// Writes JSON straight to the stream, one value at a time; commas are its business. Strings are
// escaped by nlohmann/json when they hold anything that needs it.
class Json {
 public:
  explicit Json(std::string& out) : out_(out) {}

  Json& open_object() { return open('{'); }
  Json& close_object() { return close('}'); }
  Json& open_array() { return open('['); }
  Json& close_array() { return close(']'); }
  Json& key(std::string_view k) {
    comma();
    out_ += '"';
    out_ += k;
    out_ += "\":";
    after_key_ = true;
    return *this;
  }
  Json& str(std::string_view v) {
    comma();
    bool plain = true;
    for (const char c : v) {
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 ||
          static_cast<unsigned char>(c) >= 0x80) {
        plain = false;
        break;
      }
    }
    if (plain) {
      out_ += '"';
      out_ += v;
      out_ += '"';
    } else {
      out_ += nlohmann::json(std::string(v))
                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return *this;
  }
  Json& num(std::int64_t v) {
    comma();
    char buf[24];
    out_.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
    return *this;
  }
  Json& boolean(bool v) {
    comma();
    out_ += v ? "true" : "false";
    return *this;
  }
  Json& null() {
    comma();
    out_ += "null";
    return *this;
  }
  // A value already written as JSON.
  Json& raw(std::string_view json) {
    comma();
    out_ += json;
    return *this;
  }
  Json& time(const std::optional<Timestamp>& t, const Zone& z) {
    return t ? str(format_time(*t, z)) : null();
  }
  // Starts the next array element on a line of its own.
  Json& newline() {
    pending_newline_ = true;
    return *this;
  }

 private:
  Json& open(char c) {
    comma();
    out_ += c;
    first_ = true;
    return *this;
  }
  Json& close(char c) {
    out_ += c;
    first_ = false;
    return *this;
  }
  void comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_) {
      out_ += ',';
    }
    if (pending_newline_) {
      out_ += '\n';
      pending_newline_ = false;
    }
    first_ = false;
  }

  std::string& out_;
  bool first_ = true;
  bool after_key_ = false;
  bool pending_newline_ = false;
};

void guarantee_json(Json& j, const GuaranteeReport& g, Guarantee kind, const Zone& z) {
  j.open_object();
  j.key("outage-seconds").num(g.outage_seconds);
  j.key("excluded-seconds").num(g.excluded_seconds);
  j.key("unreported-seconds").num(g.unreported_seconds);
  j.key("pending-seconds").num(g.pending_seconds);
  j.key("counted-seconds").num(g.counted_seconds);
  j.key("unmonitored-seconds").num(g.unmonitored_seconds);
  j.key("availability-percent").str(percent(g.availability_milli));
  j.key("breached").boolean(g.breached);
  j.key("unmonitored-percent").str(percent(g.unmonitored_milli));
  j.key("unmonitored-note");
  g.unmonitored_seconds > 0 ? j.str(unmonitored_note(kind, g)) : j.null();
  if (kind == Guarantee::network) {
    j.key("budget-seconds").num(g.limit);
  } else {
    j.key("availability-target").str(target_percent(g.limit));
  }
  j.key("outages").open_array();
  for (const auto& o : g.outages) {
    j.open_object();
    j.key("start").str(format_time(o.start, z));
    j.key("end").time(o.end, z);
    j.key("counted-seconds").num(o.counted_seconds);
    j.key("seconds").num(o.seconds);
    j.key("excluded-seconds").num(o.excluded_seconds);
    j.key("pending-seconds").num(o.pending_seconds);
    j.key("unreported-seconds").num(o.unreported_seconds);
    j.key("reported").time(o.reported, z);
    j.key("cause").str(o.cause);
    j.key("cause-observation");
    o.cause_observation == 0 ? j.null() : j.num(o.cause_observation);
    j.close_object();
  }
  j.close_array();
  // The month as consecutive spans of one state (the seconds of each add up to the figures).
  j.key("timeline").open_array();
  for (const auto& t : g.timeline) {
    j.open_object();
    j.key("from").str(format_time(t.span.begin, z));
    j.key("to").str(format_time(t.span.end, z));
    j.key("state").str(to_string(t.state));
    j.close_object();
  }
  j.close_array();
  j.close_object();
}

// Each contract is built in a string and written with one call.
class JsonWriter final : public ReportWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out), j_(buf_) {}

  // For a contract's object alone (contract_json): the month its credit lines are of.
  void set_month(std::chrono::year_month month) { month_ = month; }

  void begin(std::chrono::year_month month, Timestamp as_of) override {
    j_.open_object();
    month_ = month;
    j_.key("month").str(format_month(month));
    j_.key("as-of").str(format_time_utc(as_of));
    j_.key("contracts").open_array();
    flush();
  }

  void contract(const ContractReport& c) override {
    const Zone& z = zone_named(c.time_zone);
    j_.newline().open_object();
    j_.key("id").str(c.id);
    j_.key("customer").str(c.customer);
    j_.key("period-seconds").num(c.period_seconds);
    j_.key("time-zone").str(c.time_zone);
    j_.key("period");
    if (c.period.empty()) {
      j_.null();
    } else {
      j_.open_object();
      j_.key("start").str(format_time(c.period.begin, z));
      j_.key("end").str(format_time(c.period.end, z));
      j_.close_object();
    }
    j_.key("network");
    guarantee_json(j_, c.network, Guarantee::network, z);
    j_.key("power");
    guarantee_json(j_, c.power, Guarantee::power, z);
    j_.key("emergencies").open_array();
    for (const auto& e : c.emergencies) {
      j_.open_object();
      j_.key("target").str(e.target);
      j_.key("service").str(to_string(e.service));
      j_.key("declared").str(format_time(e.declared, z));
      j_.key("deadline").str(format_time(e.deadline, z));
      j_.key("notified").time(e.notified, z);
      j_.key("status").str(to_string(e.status));
      j_.key("cleared").time(e.cleared, z);
      j_.key("exempt-because");
      e.exempt_because.empty() ? j_.null() : j_.str(e.exempt_because);
      j_.key("first-failure-observation").num(e.first_failure_observation);
      j_.key("declaring-observation").num(e.declaring_observation);
      j_.close_object();
    }
    j_.close_array();
    j_.key("notification-deduction-days").num(static_cast<std::int64_t>(c.deduction_days.size()));
    j_.key("deduction-days").open_array();
    for (const auto& d : c.deduction_days) {
      j_.str(format_date(d));
    }
    j_.close_array();
    const auto& i = c.installation;
    j_.key("installation").open_object();
    j_.key("deadline").str(format_time(i.deadline, z));
    j_.key("completed").time(i.completed, z);
    j_.key("late").boolean(i.late);
    j_.key("refund").str(format_money(i.refund, c.currency));
    j_.key("last-business-day").str(format_date(i.last_business_day));
    j_.key("completed-by");
    i.completed ? j_.str(i.completed_by) : j_.null();
    j_.key("refund-month")
        .str(format_month(i.last_business_day.year() / i.last_business_day.month()));
    j_.close_object();
    j_.key("credit").open_object();
    j_.key("rent-waived").boolean(c.credit.rent_waived);
    j_.key("deduction").str(format_money(c.credit.deduction, c.currency));
    j_.key("total").str(format_money(c.credit.total, c.currency));
    j_.key("currency").str(c.currency);
    j_.close_object();
    // What the credit's lines are worked out from (the customer's statement shows them).
    j_.key("month").str(format_month(month_));
    j_.key("monthly-fee").str(format_money(c.monthly_fee, c.currency));
    j_.key("days-in-month")
        .num(static_cast<std::int64_t>(static_cast<unsigned>((month_ / std::chrono::last).day())));
    j_.key("process").raw(process_json(c.process, z));
    j_.close_object();
    flush();
  }

  void end() override {
    j_.close_array();
    j_.close_object();
    buf_ += '\n';
    flush();
  }

 private:
  void flush() {
    out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }

  std::ostream& out_;
  std::string buf_;
  Json j_;
  std::chrono::year_month month_;
};

// -- text ------------------------------------------------------------------------------------

void guarantee_text(std::ostream& out, Guarantee kind, const GuaranteeReport& g, const Zone& z) {
  if (kind == Guarantee::network) {
    out << "  network: counted " << minutes(g.counted_seconds) << " (breach at " << minutes(g.limit)
        << "), availability " << percent(g.availability_milli) << " %";
  } else {
    out << "  power: counted " << minutes(g.counted_seconds) << ", availability "
        << percent(g.availability_milli) << " % (target " << target_percent(g.limit) << " %)";
  }
  out << ", " << unmonitored_words(g) << (g.breached ? "  BREACHED" : "") << "\n";
  if (g.unmonitored_seconds > 0) {
    out << "    NOTE: " << unmonitored_note(kind, g) << "\n";
  }
  if (g.outage_seconds > 0 || g.unmonitored_seconds > 0) {
    out << "    outage " << minutes(g.outage_seconds) << " = excluded "
        << minutes(g.excluded_seconds) << " + unreported " << minutes(g.unreported_seconds)
        << " + pending " << minutes(g.pending_seconds) << " + counted "
        << minutes(g.counted_seconds) << "; unmonitored " << minutes(g.unmonitored_seconds) << "\n";
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

void contract_text(std::ostream& out, const ContractReport& c) {
  const Zone& z = zone_named(c.time_zone);
  out << c.id << "  " << c.customer << "  (" << c.time_zone << ")\n";
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
      << (i.completed
              ? "completed " + format_local_minute(*i.completed, z) + " (" + i.completed_by + ")"
              : std::string("not completed"))
      << (i.late ? ", LATE" : "") << "\n";
  out << process_text(c.process, z);
}

// Totals for the last line of the text.
struct Totals {
  std::size_t contracts = 0, network_breached = 0, power_breached = 0, deduction_days = 0;
  std::size_t unmonitored = 0;  // contracts with unmonitored seconds in either guarantee
  std::map<std::string, std::int64_t> credit;  // by currency

  void add(const ContractReport& c) {
    ++contracts;
    network_breached += c.network.breached;
    power_breached += c.power.breached;
    deduction_days += c.deduction_days.size();
    unmonitored += c.network.unmonitored_seconds > 0 || c.power.unmonitored_seconds > 0;
    credit[c.currency] += c.credit.total;
  }
  [[nodiscard]] std::string text() const {
    std::string s = std::to_string(contracts) + (contracts == 1 ? " contract" : " contracts") +
                    ", " + std::to_string(network_breached) + " network and " +
                    std::to_string(power_breached) + " power breached, " +
                    std::to_string(deduction_days) + " deduction days; credits";
    if (credit.empty()) {
      s += " none";
    }
    for (const auto& [currency, total] : credit) {
      s += " " + format_money(total, currency) + " " + currency;
    }
    if (unmonitored > 0) {
      s += "; " + std::to_string(unmonitored) +
           (unmonitored == 1 ? " contract has" : " contracts have") +
           " unmonitored time, counted as available";
    }
    return s;
  }
};

class TextWriter final : public ReportWriter {
 public:
  explicit TextWriter(std::ostream& out) : out_(out) {}
  void begin(std::chrono::year_month month, Timestamp as_of) override {
    out_ << "SLA report " << format_month(month) << ", as of " << format_time_utc(as_of) << "\n";
  }
  void contract(const ContractReport& c) override {
    out_ << "\n";
    contract_text(out_, c);
    totals_.add(c);
  }
  void end() override { out_ << "\n" << totals_.text() << "\n"; }

 private:
  std::ostream& out_;
  Totals totals_;
};

// -- CSV -------------------------------------------------------------------------------------

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

class CsvWriter final : public ReportWriter {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}
  void begin(std::chrono::year_month month, Timestamp) override {
    month_ = format_month(month);
    out_ << "month,contract,customer,currency,monthly_fee,period_seconds,"
            "network_counted_seconds,network_availability_percent,network_breached,"
            "power_counted_seconds,power_availability_percent,power_breached,"
            "missed_notification_days,deduction,rent_waived,credit_total,"
            "installation_late,installation_refund,"
            "network_unmonitored_seconds,network_unmonitored_percent,"
            "power_unmonitored_seconds,power_unmonitored_percent\r\n";
  }
  void contract(const ContractReport& c) override {
    out_ << month_ << "," << csv_field(c.id) << "," << csv_field(c.customer) << "," << c.currency
         << "," << format_money(c.monthly_fee, c.currency) << "," << c.period_seconds << ","
         << c.network.counted_seconds << "," << percent(c.network.availability_milli) << ","
         << (c.network.breached ? "true" : "false") << "," << c.power.counted_seconds << ","
         << percent(c.power.availability_milli) << "," << (c.power.breached ? "true" : "false")
         << "," << c.deduction_days.size() << "," << format_money(c.credit.deduction, c.currency)
         << "," << (c.credit.rent_waived ? "true" : "false") << ","
         << format_money(c.credit.total, c.currency) << ","
         << (c.installation.late ? "true" : "false") << ","
         << format_money(c.installation.refund, c.currency) << "," << c.network.unmonitored_seconds
         << "," << percent(c.network.unmonitored_milli) << "," << c.power.unmonitored_seconds << ","
         << percent(c.power.unmonitored_milli) << "\r\n";
  }
  void end() override {}

 private:
  std::ostream& out_;
  std::string month_;
};

std::string render(const MonthReport& r, std::string_view format) {
  std::ostringstream out;
  auto w = make_report_writer(format, out);
  w->begin(r.month, r.as_of);
  for (const auto& c : r.contracts) {
    w->contract(c);
  }
  w->end();
  return out.str();
}

}  // namespace

std::string unmonitored_note(Guarantee kind, const GuaranteeReport& g) {
  if (g.unmonitored_seconds <= 0) {
    return {};
  }
  return minutes(g.unmonitored_seconds) + " (" + percent(g.unmonitored_milli) +
         " % of the month) unmonitored: " +
         (kind == Guarantee::network ? "a mapped port's" : "a power source's") +
         " state was unknown. The SLA counts that time as available (unknown is never an outage: "
         "docs/sla-rules.md §1), so the availability covers monitored time only: an outage then "
         "would not show.";
}

std::unique_ptr<ReportWriter> make_report_writer(std::string_view format, std::ostream& out) {
  if (format == "json") {
    return std::make_unique<JsonWriter>(out);
  }
  if (format == "text") {
    return std::make_unique<TextWriter>(out);
  }
  if (format == "csv") {
    return std::make_unique<CsvWriter>(out);
  }
  return nullptr;
}

std::string contract_json(std::chrono::year_month month, const ContractReport& c) {
  std::ostringstream out;
  JsonWriter w(out);
  w.set_month(month);
  w.contract(c);
  std::string s = out.str();
  if (!s.empty() && s.front() == '\n') {
    s.erase(0, 1);
  }
  return s;
}

std::string report_json(const MonthReport& r) { return render(r, "json"); }
std::string report_text(const MonthReport& r) { return render(r, "text"); }
std::string report_csv(const MonthReport& r) { return render(r, "csv"); }

}  // namespace colosla::core
