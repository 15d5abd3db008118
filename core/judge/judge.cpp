// check_colosla's judgement of a contract's figures; no SQLite, no time zone database.
#include "colosla/judge/judge.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace colosla::core {

namespace {

Error bad_range(std::string_view text, const std::string& why) {
  return make_error(Errc::invalid_input, "the range \"" + std::string(text) + "\" " + why +
                                             " (expected [@][start:][end], ~ for minus infinity)");
}

Result<double> number(std::string_view text, std::string_view whole) {
  if (text.empty()) {
    return bad_range(whole, "has an empty number");
  }
  std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || !std::isfinite(v)) {
    return bad_range(whole, "has \"" + s + "\", which is not a number");
  }
  return v;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string percent_milli(std::int64_t milli) {
  return fixed(static_cast<double>(milli) / 1000.0, 3);
}

// One guarantee's figures and verdict.
struct Verdict {
  CheckStatus status = CheckStatus::ok;
  std::string words;     // for the status line
  std::string perfdata;  // 'label'=value… items
  std::string detail;    // a further line
};

CheckStatus worse(CheckStatus a, CheckStatus b) {
  // UNKNOWN is not worse than CRITICAL for a plugin's overall state, but the order of the
  // codes otherwise is the order of badness.
  if (a == CheckStatus::critical || b == CheckStatus::critical) {
    return CheckStatus::critical;
  }
  return static_cast<int>(a) > static_cast<int>(b) ? a : b;
}

std::string range_text(const std::optional<ThresholdRange>& r) {
  return r ? r->text : std::string();
}

Verdict judge_budget(std::string_view name, const GuaranteeFigures& g, const CheckOptions& o) {
  Verdict v;
  const auto budget_seconds = static_cast<double>(g.budget_seconds);
  const double used_min = static_cast<double>(g.counted_seconds) / 60.0;
  const double budget_min = budget_seconds / 60.0;
  const double left_min = std::max(0.0, budget_min - used_min);
  const double share =
      budget_seconds > 0 ? 100.0 * static_cast<double>(g.counted_seconds) / budget_seconds : 100.0;
  if (o.warning || o.critical) {
    if (o.critical && o.critical->alerts(left_min)) {
      v.status = CheckStatus::critical;
    } else if (o.warning && o.warning->alerts(left_min)) {
      v.status = CheckStatus::warning;
    }
  } else if (g.breached) {
    v.status = CheckStatus::critical;
  } else if (share >= o.budget_warning_percent) {
    v.status = CheckStatus::warning;
  }
  v.words = std::string(name) + " " + fixed(used_min, 1) + " of " + fixed(budget_min, 1) +
            " min used" + (g.breached ? " (breached)" : "") +
            (g.pending_seconds > 0
                 ? ", " + fixed(static_cast<double>(g.pending_seconds) / 60.0, 1) + " pending"
                 : "");
  const std::string n(name);
  v.perfdata =
      "'" + n + "_left_min'=" + fixed(left_min, 1) + ";" + range_text(o.warning) + ";" +
      range_text(o.critical) + ";0;" + fixed(budget_min, 1) + " '" + n +
      "_counted_min'=" + fixed(used_min, 1) + ";;;0 '" + n +
      "_budget_min'=" + fixed(budget_min, 1) + " '" + n +
      "_availability'=" + percent_milli(g.availability_milli) + "%;;;0;100 '" + n +
      "_pending_min'=" + fixed(static_cast<double>(g.pending_seconds) / 60.0, 1) + ";;;0 '" + n +
      "_unmonitored_min'=" + fixed(static_cast<double>(g.unmonitored_seconds) / 60.0, 1) + ";" +
      (o.unmonitored_warning_minutes > 0 ? std::to_string(o.unmonitored_warning_minutes)
                                         : std::string()) +
      ";;0";
  v.detail = n + ": counted " + fixed(used_min, 1) + " min of a " + fixed(budget_min, 1) +
             " min budget (" + fixed(share, 0) + " %), availability " +
             percent_milli(g.availability_milli) + " %, pending " +
             fixed(static_cast<double>(g.pending_seconds) / 60.0, 1) + " min, unmonitored " +
             fixed(static_cast<double>(g.unmonitored_seconds) / 60.0, 1) + " min, " +
             std::to_string(g.outages) + (g.outages == 1 ? " outage" : " outages");
  return v;
}

Verdict judge_emergencies(const std::vector<EmergencyFigures>& emergencies) {
  Verdict v;
  std::size_t open = 0, due = 0, missed = 0;
  std::string first_due, first_missed;
  for (const auto& e : emergencies) {
    if (e.missed) {
      ++missed;
      if (first_missed.empty()) {
        first_missed = e.what + " (deadline " + e.deadline + ")";
      }
    }
    if (e.open) {
      ++open;
      if (!e.notified) {
        ++due;
        if (first_due.empty()) {
          first_due = e.what + " (tell the customer by " + e.deadline + ")";
        }
      }
    }
  }
  if (missed > 0) {
    v.status = CheckStatus::critical;
    v.words = "emergency notification missed: " + first_missed +
              (missed > 1 ? " and " + std::to_string(missed - 1) + " more" : "");
  } else if (due > 0) {
    v.status = CheckStatus::warning;
    v.words = "emergency open, notification due: " + first_due +
              (due > 1 ? " and " + std::to_string(due - 1) + " more" : "");
  } else {
    v.words = open > 0 ? std::to_string(open) + " emergency open, customer told" : "no emergency";
  }
  v.perfdata = "'emergencies'=" + std::to_string(emergencies.size()) +
               ";;;0 'emergencies_open'=" + std::to_string(open) +
               ";;;0 'emergencies_missed'=" + std::to_string(missed) + ";;;0";
  v.detail = "emergency: " + std::to_string(emergencies.size()) + " this month, " +
             std::to_string(open) + " open (" + std::to_string(due) + " not yet notified), " +
             std::to_string(missed) + " missed";
  return v;
}

// Articles 5-9: a missed clock is CRITICAL; open ones are OK (they are not late yet).
Verdict judge_process(const ProcessFigures& p) {
  Verdict v;
  if (p.missed > 0) {
    v.status = CheckStatus::critical;
    v.words = "process guarantee missed: " + p.first_missed +
              (p.missed > 1 ? " and " + std::to_string(p.missed - 1) + " more" : "");
  } else {
    v.words = p.open > 0 ? std::to_string(p.open) + " process clock" + (p.open == 1 ? "" : "s") +
                               " open, none missed"
                         : "no process clock missed";
  }
  v.perfdata = "'process_open'=" + std::to_string(p.open) +
               ";;;0 'process_met'=" + std::to_string(p.met) +
               ";;;0 'process_missed'=" + std::to_string(p.missed) + ";;;0";
  v.detail = "process: " + std::to_string(p.met) + " met, " + std::to_string(p.missed) +
             " missed, " + std::to_string(p.open) + " open this month";
  return v;
}

// What the SLA does not count, for the NOC: the guarantee's ports or power sources unmonitored
// too long this month, and what of it is down now whatever the SLA makes of it.
Verdict judge_unseen(CheckedGuarantee which, const GuaranteeFigures& g,
                     const std::vector<DownNow>& down, const CheckOptions& o) {
  Verdict v;
  const bool network = which == CheckedGuarantee::network;
  std::vector<std::string> words;
  if (o.now_warning) {
    std::size_t n = 0;
    std::string first;
    for (const auto& d : down) {
      if (d.guarantee != which) {
        continue;
      }
      if (n++ == 0) {
        first = (network ? d.what + " down now" : std::string("without power now")) +
                down_now_words(d.sla);
      }
    }
    if (n > 0) {
      words.push_back(first + (n > 1 ? " and " + std::to_string(n - 1) + " more" : ""));
    }
  }
  const std::int64_t minutes = g.unmonitored_seconds / 60;
  if (o.unmonitored_warning_minutes > 0 && minutes > o.unmonitored_warning_minutes) {
    words.push_back(std::string(network ? "ports" : "power sources") + " unmonitored " +
                    std::to_string(minutes) + " min this month (over " +
                    std::to_string(o.unmonitored_warning_minutes) + ")");
  }
  for (const auto& w : words) {
    v.words += (v.words.empty() ? "" : "; ") + w;
  }
  v.status = words.empty() ? CheckStatus::ok : CheckStatus::warning;
  return v;
}

}  // namespace

std::string down_now_words(std::string_view sla) {
  if (sla == "counted") {
    return " (counted)";
  }
  if (sla == "pending") {
    return " (not counted: waits for the customer's report)";
  }
  if (sla == "unreported") {
    return " (not counted: the customer did not report it within the window)";
  }
  if (sla == "excluded") {
    return " (not counted: excluded)";
  }
  if (sla == "redundant") {
    return " (no outage: its redundant port is up)";
  }
  if (sla == "no-outage") {
    return " (no outage for the SLA)";
  }
  return "";
}

Result<ThresholdRange> ThresholdRange::parse(std::string_view text) {
  ThresholdRange r;
  r.text = std::string(text);
  std::string_view t = text;
  if (!t.empty() && t.front() == '@') {
    r.inside = true;
    t.remove_prefix(1);
  }
  if (t.empty()) {
    return bad_range(text, "is empty");
  }
  const auto colon = t.find(':');
  if (colon == std::string_view::npos) {
    auto end = number(t, text);
    if (!end) {
      return end.error();
    }
    r.end = *end;
  } else {
    const std::string_view a = t.substr(0, colon);
    const std::string_view b = t.substr(colon + 1);
    if (a == "~") {
      r.start = -std::numeric_limits<double>::infinity();
    } else {
      auto start = number(a, text);
      if (!start) {
        return start.error();
      }
      r.start = *start;
    }
    if (!b.empty()) {
      auto end = number(b, text);
      if (!end) {
        return end.error();
      }
      r.end = *end;
    }
  }
  if (r.start > r.end) {
    return bad_range(text, "starts after it ends");
  }
  return r;
}

bool ThresholdRange::alerts(double value) const {
  const bool in = value >= start && value <= end;
  return inside ? in : !in;
}

std::string_view to_string(CheckStatus s) {
  switch (s) {
    case CheckStatus::ok:
      return "OK";
    case CheckStatus::warning:
      return "WARNING";
    case CheckStatus::critical:
      return "CRITICAL";
    case CheckStatus::unknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

Result<CheckedGuarantee> parse_checked_guarantee(std::string_view word) {
  if (word == "network") {
    return CheckedGuarantee::network;
  }
  if (word == "power") {
    return CheckedGuarantee::power;
  }
  if (word == "emergency") {
    return CheckedGuarantee::emergency;
  }
  if (word == "process") {
    return CheckedGuarantee::process;
  }
  return make_error(Errc::invalid_input,
                    "--guarantee must be network, power or emergency (or process), not \"" +
                        std::string(word) + "\"");
}

namespace {

using nlohmann::json;

json figures_json(const GuaranteeFigures& g) {
  return json{{"counted", g.counted_seconds},
              {"pending", g.pending_seconds},
              {"unmonitored", g.unmonitored_seconds},
              // Whole minutes, rounded down: the figure monitoring reads (issue 16; the seconds
              // above stay for the check's own arithmetic). Not read back: derived.
              {"unmonitored_minutes", g.unmonitored_seconds / 60},
              {"budget", g.budget_seconds},
              {"availability-milli", g.availability_milli},
              {"breached", g.breached},
              {"outages", g.outages}};
}

GuaranteeFigures figures_from(const json& j) {
  GuaranteeFigures g;
  g.counted_seconds = j.at("counted").get<std::int64_t>();
  g.pending_seconds = j.at("pending").get<std::int64_t>();
  g.unmonitored_seconds = j.at("unmonitored").get<std::int64_t>();
  g.budget_seconds = j.at("budget").get<std::int64_t>();
  g.availability_milli = j.at("availability-milli").get<std::int64_t>();
  g.breached = j.at("breached").get<bool>();
  g.outages = j.at("outages").get<std::int64_t>();
  return g;
}

}  // namespace

std::string to_json(const ContractStatus& s) {
  json e = json::array();
  for (const auto& x : s.emergencies) {
    e.push_back(json{{"what", x.what},
                     {"deadline", x.deadline},
                     {"open", x.open},
                     {"notified", x.notified},
                     {"missed", x.missed}});
  }
  json out{{"contract", s.contract},
           {"month", s.month},
           {"as-of", s.as_of.time_since_epoch().count()},
           {"network", figures_json(s.network)},
           {"power", figures_json(s.power)},
           {"emergencies", e}};
  if (!s.down_now.empty()) {
    json d = json::array();
    for (const auto& x : s.down_now) {
      d.push_back(json{{"guarantee", x.guarantee == CheckedGuarantee::power ? "power" : "network"},
                       {"what", x.what},
                       {"since", x.since},
                       {"sla", x.sla}});
    }
    out["down-now"] = std::move(d);
  }
  if (s.process.met + s.process.missed + s.process.open > 0) {
    out["process"] = json{{"met", s.process.met},
                          {"missed", s.process.missed},
                          {"open", s.process.open},
                          {"first-missed", s.process.first_missed}};
  }
  return out.dump();
}

Result<ContractStatus> status_from_json(std::string_view text) {
  try {
    const json j = json::parse(text);
    ContractStatus s;
    s.contract = j.at("contract").get<std::string>();
    s.month = j.at("month").get<std::string>();
    s.as_of = Timestamp{std::chrono::seconds{j.at("as-of").get<std::int64_t>()}};
    s.network = figures_from(j.at("network"));
    s.power = figures_from(j.at("power"));
    for (const auto& x : j.at("emergencies")) {
      s.emergencies.push_back(EmergencyFigures{
          x.at("what").get<std::string>(), x.at("deadline").get<std::string>(),
          x.at("open").get<bool>(), x.at("notified").get<bool>(), x.at("missed").get<bool>()});
    }
    if (const auto d = j.find("down-now"); d != j.end()) {
      for (const auto& x : *d) {
        auto g = parse_checked_guarantee(x.at("guarantee").get<std::string>());
        if (!g) {
          return g.error();
        }
        s.down_now.push_back(DownNow{*g, x.at("what").get<std::string>(),
                                     x.at("since").get<std::string>(),
                                     x.at("sla").get<std::string>()});
      }
    }
    if (const auto p = j.find("process"); p != j.end()) {
      s.process = ProcessFigures{
          p->at("met").get<std::int64_t>(), p->at("missed").get<std::int64_t>(),
          p->at("open").get<std::int64_t>(), p->at("first-missed").get<std::string>()};
    }
    return s;
  } catch (const json::exception& e) {
    return make_error(Errc::invalid_input, std::string("unreadable contract status: ") + e.what());
  }
}

CheckResult judge(const ContractStatus& s, const CheckOptions& o) {
  std::vector<CheckedGuarantee> which = o.guarantees;
  if (which.empty()) {
    which = {CheckedGuarantee::network, CheckedGuarantee::power, CheckedGuarantee::emergency};
  }
  std::vector<Verdict> verdicts;
  for (const auto g : which) {
    switch (g) {
      case CheckedGuarantee::network:
        verdicts.push_back(judge_budget("network", s.network, o));
        verdicts.push_back(judge_unseen(g, s.network, s.down_now, o));
        break;
      case CheckedGuarantee::power:
        verdicts.push_back(judge_budget("power", s.power, o));
        verdicts.push_back(judge_unseen(g, s.power, s.down_now, o));
        break;
      case CheckedGuarantee::emergency:
        verdicts.push_back(judge_emergencies(s.emergencies));
        break;
      case CheckedGuarantee::process:
        verdicts.push_back(judge_process(s.process));
        break;
    }
  }
  CheckResult result;
  result.status = CheckStatus::ok;
  for (const auto& v : verdicts) {
    result.status = worse(result.status, v.status);
  }
  // The status line names what is wrong first; when nothing is, every guarantee.
  std::string words;
  for (const auto& v : verdicts) {
    if (!v.words.empty() && (result.status == CheckStatus::ok || v.status != CheckStatus::ok)) {
      words += (words.empty() ? "" : "; ") + v.words;
    }
  }
  std::string perf;
  std::string details;
  for (const auto& v : verdicts) {
    if (!v.perfdata.empty()) {
      perf += (perf.empty() ? "" : " ") + v.perfdata;
    }
    if (!v.detail.empty()) {
      details += "\n" + v.detail;
    }
  }
  for (const auto& d : s.down_now) {
    if (std::find(which.begin(), which.end(), d.guarantee) != which.end()) {
      details += "\n" + std::string(d.guarantee == CheckedGuarantee::power ? "power" : "network") +
                 ": " +
                 (d.guarantee == CheckedGuarantee::power ? "without power" : d.what + " down") +
                 " now" + (d.since.empty() ? "" : ", since " + d.since) + down_now_words(d.sla);
    }
  }
  result.output = "COLOSLA " + std::string(to_string(result.status)) + ": " + s.contract + " " +
                  words + " | " + perf + details + "\n";
  return result;
}

const char* const kCheckUsage =
    "usage: check_colosla --contract ID [--db PATH] [--status-dir DIR]\n"
    "                     [--guarantee network|power|emergency|process]... [-w RANGE] [-c RANGE]\n"
    "                     [--budget-warning PERCENT] [--unmonitored-warning MINUTES]\n"
    "                     [--no-now-warning] [--max-age S] [--as-of T] [-t SECONDS] [-v]...\n"
    "\n"
    "Checks one contract's SLA for the current month (in the contract's time zone) from the\n"
    "figures colosla-trapd's evaluator publishes every minute in --status-dir (default: the\n"
    "directory status beside the store: --db, else $COLOSLA_DB, else\n"
    "/var/lib/colosla/colosla.db), readable by the group colosla-monitor.\n"
    "  --guarantee   network, power or emergency; repeatable (default: all three); or process\n"
    "                (Articles 5-9: CRITICAL once a clock is missed, open ones OK), when named\n"
    "  -w, -c        Monitoring Plugins ranges on the minutes of outage budget left (network,\n"
    "                power): -w 22: -c 0: warns below 22 minutes left, critical at none left.\n"
    "                Without them: WARNING once --budget-warning percent (default 50) of the\n"
    "                budget is used, CRITICAL once the guarantee is breached; emergency: WARNING\n"
    "                while an emergency is open and the customer not yet told, CRITICAL once a\n"
    "                notification deadline was missed.\n"
    "  --unmonitored-warning MINUTES\n"
    "                WARNING when the contract's ports (network) or power sources (power) were\n"
    "                unmonitored (state unknown) longer than this this month, which the SLA does\n"
    "                not count (default 60, more than the 44-minute network budget; 0: never)\n"
    "  --no-now-warning\n"
    "                no WARNING for a mapped port down or the contract without power now when\n"
    "                the SLA does not count it (yet): waiting for the customer's report, excluded\n"
    "  --max-age S   use the published figures when they are at most S seconds old (default\n"
    "                150); else compute them from the store now (colosla check, slower) when\n"
    "                this user may read the store, or UNKNOWN saying why\n"
    "  --as-of T     judge at T (RFC 3339) instead of now (always computed from the store)\n"
    "  -t, --timeout SECONDS\n"
    "                UNKNOWN when no verdict within this time (default 10)\n"
    "  -v, --verbose the figures' source and age on a later line; -vv more detail\n"
    "Performance data: per guarantee the minutes left, counted, budget, pending, availability,\n"
    "unmonitored.\n"
    "Exit: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n";

Result<CheckArgs> parse_check_args(const std::vector<std::string>& args) {
  CheckArgs out;
  out.options.unmonitored_warning_minutes = kDefaultUnmonitoredWarningMinutes;
  out.options.now_warning = true;
  const auto bad = [](std::string msg) { return make_error(Errc::invalid_input, std::move(msg)); };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      out.help = true;
      continue;
    }
    if (a == "-V" || a == "--version") {
      out.version = true;
      continue;
    }
    if (a == "--verbose" ||
        (a.size() >= 2 && a[0] == '-' && a.find_first_not_of('v', 1) == std::string::npos)) {
      out.verbose += a == "--verbose" ? 1 : static_cast<int>(a.size() - 1);
      continue;
    }
    if (a == "--no-now-warning") {
      out.options.now_warning = false;
      continue;
    }
    std::string name = a;
    std::optional<std::string> value;
    if (const auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    } else if ((a.rfind("-w", 0) == 0 || a.rfind("-c", 0) == 0 || a.rfind("-t", 0) == 0) &&
               a.size() > 2 && a[1] != '-') {
      name = a.substr(0, 2);
      value = a.substr(2);
    }
    const bool known = name == "--contract" || name == "--db" || name == "--guarantee" ||
                       name == "-w" || name == "--warning" || name == "-c" ||
                       name == "--critical" || name == "--budget-warning" || name == "--as-of" ||
                       name == "--max-age" || name == "--status-dir" || name == "-t" ||
                       name == "--timeout" || name == "--unmonitored-warning";
    if (!known) {
      return bad("unknown option \"" + a + "\" (check_colosla --help)");
    }
    if (!value) {
      if (i + 1 >= args.size()) {
        return bad(name + " needs a value (check_colosla --help)");
      }
      value = args[++i];
    }
    const auto whole = [&](long lo, long hi) -> std::optional<long> {
      char* end = nullptr;
      const long v = std::strtol(value->c_str(), &end, 10);
      if (end == value->c_str() || *end != '\0' || v < lo || v > hi) {
        return std::nullopt;
      }
      return v;
    };
    if (name == "--contract") {
      out.contract = *value;
    } else if (name == "--db") {
      out.db = *value;
    } else if (name == "--status-dir") {
      out.status_dir = *value;
    } else if (name == "--guarantee") {
      auto g = parse_checked_guarantee(*value);
      if (!g) {
        return g.error();
      }
      out.options.guarantees.push_back(*g);
    } else if (name == "-w" || name == "--warning" || name == "-c" || name == "--critical") {
      auto r = ThresholdRange::parse(*value);
      if (!r) {
        return bad(name + ": " + r.error().msg);
      }
      (name == "-w" || name == "--warning" ? out.options.warning : out.options.critical) = *r;
    } else if (name == "--budget-warning") {
      auto p = whole(1, 100);
      if (!p) {
        return bad("--budget-warning must be a whole percent from 1 to 100, not \"" + *value +
                   "\"");
      }
      out.options.budget_warning_percent = static_cast<int>(*p);
    } else if (name == "--unmonitored-warning") {
      auto m = whole(0, 44'640);
      if (!m) {
        return bad("--unmonitored-warning must be whole minutes from 0 to 44640 (31 days), not \"" +
                   *value + "\"");
      }
      out.options.unmonitored_warning_minutes = *m;
    } else if (name == "--max-age") {
      auto m = whole(0, 86'400);
      if (!m) {
        return bad("--max-age must be whole seconds from 0 to 86400, not \"" + *value + "\"");
      }
      out.max_age = static_cast<int>(*m);
    } else if (name == "-t" || name == "--timeout") {
      auto t = whole(1, 3'600);
      if (!t) {
        return bad(name + " must be whole seconds from 1 to 3600, not \"" + *value + "\"");
      }
      out.timeout = static_cast<int>(*t);
    } else if (name == "--as-of") {
      out.as_of = *value;
    }
  }
  if (out.contract.empty() && !out.help && !out.version) {
    return bad("--contract is required (check_colosla --help)");
  }
  return out;
}

}  // namespace colosla::core
