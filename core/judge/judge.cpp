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
  v.perfdata = "'" + n + "_left_min'=" + fixed(left_min, 1) + ";" + range_text(o.warning) + ";" +
               range_text(o.critical) + ";0;" + fixed(budget_min, 1) + " '" + n +
               "_counted_min'=" + fixed(used_min, 1) + ";;;0 '" + n +
               "_budget_min'=" + fixed(budget_min, 1) + " '" + n +
               "_availability'=" + percent_milli(g.availability_milli) + "%;;;0;100 '" + n +
               "_pending_min'=" + fixed(static_cast<double>(g.pending_seconds) / 60.0, 1) + ";;;0";
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

}  // namespace

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
  return make_error(Errc::invalid_input, "--guarantee must be network, power or emergency, not \"" +
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
  return json{{"contract", s.contract},
              {"month", s.month},
              {"as-of", s.as_of.time_since_epoch().count()},
              {"network", figures_json(s.network)},
              {"power", figures_json(s.power)},
              {"emergencies", e}}
      .dump();
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
        break;
      case CheckedGuarantee::power:
        verdicts.push_back(judge_budget("power", s.power, o));
        break;
      case CheckedGuarantee::emergency:
        verdicts.push_back(judge_emergencies(s.emergencies));
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
    if (result.status == CheckStatus::ok || v.status != CheckStatus::ok) {
      words += (words.empty() ? "" : "; ") + v.words;
    }
  }
  std::string perf;
  std::string details;
  for (const auto& v : verdicts) {
    perf += (perf.empty() ? "" : " ") + v.perfdata;
    details += "\n" + v.detail;
  }
  result.output = "COLOSLA " + std::string(to_string(result.status)) + ": " + s.contract + " " +
                  words + " | " + perf + details + "\n";
  return result;
}

const char* const kCheckUsage =
    "usage: check_colosla --contract ID [--db PATH] [--guarantee network|power|emergency]\n"
    "                     [-w RANGE] [-c RANGE] [--budget-warning PERCENT] [--as-of T] [--max-age "
    "S]\n"
    "\n"
    "Checks one contract's SLA for the current month (in the contract's time zone) from the\n"
    "colosla store (--db, else $COLOSLA_DB, else /var/lib/colosla/colosla.db).\n"
    "  --guarantee   network, power or emergency; repeatable (default: all three)\n"
    "  -w, -c        Monitoring Plugins ranges on the minutes of outage budget left (network,\n"
    "                power): -w 22: -c 0: warns below 22 minutes left, critical at none left.\n"
    "                Without them: WARNING once --budget-warning percent (default 50) of the\n"
    "                budget is used, CRITICAL once the guarantee is breached; emergency: WARNING\n"
    "                while an emergency is open and the customer not yet told, CRITICAL once a\n"
    "                notification deadline was missed.\n"
    "  --max-age S   use the figures `colosla evaluate` stored (colosla-trapd runs it every\n"
    "                minute) when they are at most S seconds old (default 150); else compute\n"
    "                them from the store now (colosla check, slower)\n"
    "  --as-of T     judge at T (RFC 3339) instead of now (always computed)\n"
    "Performance data: per guarantee the minutes left, counted, budget, pending, availability.\n"
    "Exit: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n";

Result<CheckArgs> parse_check_args(const std::vector<std::string>& args) {
  CheckArgs out;
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
    std::string name = a;
    std::optional<std::string> value;
    if (const auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    } else if ((a.rfind("-w", 0) == 0 || a.rfind("-c", 0) == 0) && a.size() > 2 && a[1] != '-') {
      name = a.substr(0, 2);
      value = a.substr(2);
    }
    const bool known = name == "--contract" || name == "--db" || name == "--guarantee" ||
                       name == "-w" || name == "--warning" || name == "-c" ||
                       name == "--critical" || name == "--budget-warning" || name == "--as-of" ||
                       name == "--max-age";
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
    } else if (name == "--max-age") {
      auto m = whole(0, 86'400);
      if (!m) {
        return bad("--max-age must be whole seconds from 0 to 86400, not \"" + *value + "\"");
      }
      out.max_age = static_cast<int>(*m);
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
