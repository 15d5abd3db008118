#include "colosla/check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "colosla/calendar.hpp"
#include "colosla/mapping.hpp"
#include "colosla/records.hpp"

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

std::string percent_milli(std::int64_t milli) { return fixed(static_cast<double>(milli) / 1000.0, 3); }

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

std::string range_text(const std::optional<ThresholdRange>& r) { return r ? r->text : std::string(); }

Verdict judge_budget(std::string_view name, const GuaranteeReport& g, double budget_seconds, const CheckOptions& o) {
  Verdict v;
  const double used_min = static_cast<double>(g.counted_seconds) / 60.0;
  const double budget_min = budget_seconds / 60.0;
  const double left_min = std::max(0.0, budget_min - used_min);
  const double share = budget_seconds > 0 ? 100.0 * static_cast<double>(g.counted_seconds) / budget_seconds : 100.0;
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
  v.words = std::string(name) + " " + fixed(used_min, 1) + " of " + fixed(budget_min, 1) + " min used" +
            (g.breached ? " (breached)" : "") +
            (g.pending_seconds > 0 ? ", " + fixed(static_cast<double>(g.pending_seconds) / 60.0, 1) + " pending" : "");
  const std::string n(name);
  v.perfdata = "'" + n + "_left_min'=" + fixed(left_min, 1) + ";" + range_text(o.warning) + ";" +
               range_text(o.critical) + ";0;" + fixed(budget_min, 1) + " '" + n + "_counted_min'=" +
               fixed(used_min, 1) + ";;;0 '" + n + "_budget_min'=" + fixed(budget_min, 1) + " '" + n +
               "_availability'=" + percent_milli(g.availability_milli) + "%;;;0;100 '" + n +
               "_pending_min'=" + fixed(static_cast<double>(g.pending_seconds) / 60.0, 1) + ";;;0";
  v.detail = n + ": counted " + fixed(used_min, 1) + " min of a " + fixed(budget_min, 1) + " min budget (" +
             fixed(share, 0) + " %), availability " + percent_milli(g.availability_milli) + " %, pending " +
             fixed(static_cast<double>(g.pending_seconds) / 60.0, 1) + " min, unmonitored " +
             fixed(static_cast<double>(g.unmonitored_seconds) / 60.0, 1) + " min, " +
             std::to_string(g.outages.size()) + (g.outages.size() == 1 ? " outage" : " outages");
  return v;
}

Verdict judge_emergencies(const ContractReport& r) {
  Verdict v;
  auto z = Zone::locate(r.time_zone);
  const Zone zone = z ? *z : Zone::utc();
  std::size_t open = 0, due = 0, missed = 0;
  std::string first_due, first_missed;
  for (const auto& e : r.emergencies) {
    const std::string what = e.target + " " + std::string(to_string(e.service));
    if (e.status == EmergencyStatus::missed) {
      ++missed;
      if (first_missed.empty()) {
        first_missed = what + " (deadline " + format_time(e.deadline, zone) + ")";
      }
    }
    if (e.status == EmergencyStatus::open) {
      ++open;
      if (!e.notified) {
        ++due;
        if (first_due.empty()) {
          first_due = what + " (tell the customer by " + format_time(e.deadline, zone) + ")";
        }
      }
    }
  }
  if (missed > 0) {
    v.status = CheckStatus::critical;
    v.words = "emergency notification missed: " + first_missed + (missed > 1 ? " and " + std::to_string(missed - 1) + " more" : "");
  } else if (due > 0) {
    v.status = CheckStatus::warning;
    v.words = "emergency open, notification due: " + first_due + (due > 1 ? " and " + std::to_string(due - 1) + " more" : "");
  } else {
    v.words = open > 0 ? std::to_string(open) + " emergency open, customer told" : "no emergency";
  }
  v.perfdata = "'emergencies'=" + std::to_string(r.emergencies.size()) + ";;;0 'emergencies_open'=" +
               std::to_string(open) + ";;;0 'emergencies_missed'=" + std::to_string(missed) + ";;;0";
  v.detail = "emergency: " + std::to_string(r.emergencies.size()) + " this month, " + std::to_string(open) +
             " open (" + std::to_string(due) + " not yet notified), " + std::to_string(missed) + " missed";
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
  return make_error(Errc::invalid_input,
                    "--guarantee must be network, power or emergency, not \"" + std::string(word) + "\"");
}

Result<std::pair<Contract, ContractReport>> current_contract_report(const Store& store, const std::string& id,
                                                                     Timestamp now) {
  std::optional<std::pair<Contract, ContractReport>> out;
  auto done = store.read([&]() -> Result<void> {
    auto inv = store.load_contract(id);
    if (!inv) {
      return inv.error();
    }
    if (!inv->has_value()) {
      return make_error(Errc::not_found, "no contract " + id + " in the store's inventory");
    }
    const Inventory& inventory = **inv;
    const Contract& c = inventory.contracts.front();
    auto zone = Zone::locate(c.time_zone);
    if (!zone) {
      return zone.error();
    }
    const auto day = zone->local_day(now);
    const std::chrono::year_month month{day.year(), day.month()};
    auto changes = store.mapping_changes();
    if (!changes) {
      return changes.error();
    }
    std::erase_if(*changes, [&](const MappingChange& m) { return m.contract != id; });
    auto mappings = resolve_mappings(inventory, *changes);
    if (!mappings) {
      return mappings.error();
    }
    // The entities the engine reads for this contract.
    std::vector<EntityId> entities;
    for (const auto& m : *mappings) {
      entities.push_back(EntityId::port(m.port.device, m.port.interface));
    }
    for (const auto& u : inventory.uplinks) {
      entities.push_back(EntityId::port(u.device, u.interface));
    }
    for (const auto& p : c.power_sources) {
      const Device* d = inventory.find_device(p.device);
      if (d != nullptr && d->role == Role::ups) {
        entities.push_back(EntityId::ups(p.device));
      } else {
        entities.push_back(EntityId::inlet(p.device));
        if (p.outlet) {
          entities.push_back(EntityId::outlet(p.device, *p.outlet));
        }
      }
    }
    for (const auto& t : c.probe_targets) {
      for (const auto s : t.services) {
        entities.push_back(EntityId::probe(t.address, std::string(to_string(s))));
      }
    }
    // What began before the month matters as far as the customer-report window (5 days) and
    // an emergency's deadline reach back: each entity from its last good state before that.
    const Window period = month_window(month, *zone);
    const auto reach = std::chrono::days{c.sla.report_window_days + 1};
    auto history = store.history_of(entities, period.begin - reach, now);
    if (!history) {
      return history.error();
    }
    auto records = store.records_of(id);
    if (!records) {
      return records.error();
    }
    std::vector<Record> in_force = effective_records(*records);
    std::erase_if(in_force, [&](const Record& r) { return !r.contract.empty() && r.contract != id; });
    return for_each_contract_report(SlaInput{inventory, *mappings, *history, in_force}, month, now, id,
                                    [&](const ContractReport& r) { out.emplace(c, r); });
  });
  if (!done) {
    return done.error();
  }
  if (!out) {
    return make_error(Errc::not_found, "contract " + id + " is not in force this month");
  }
  return std::move(*out);
}

CheckResult judge(const Contract& c, const ContractReport& r, const CheckOptions& o) {
  std::vector<CheckedGuarantee> which = o.guarantees;
  if (which.empty()) {
    which = {CheckedGuarantee::network, CheckedGuarantee::power, CheckedGuarantee::emergency};
  }
  std::vector<Verdict> verdicts;
  for (const auto g : which) {
    switch (g) {
      case CheckedGuarantee::network:
        verdicts.push_back(judge_budget("network", r.network, static_cast<double>(r.network.limit), o));
        break;
      case CheckedGuarantee::power: {
        // Breached when availability falls below the target: the budget is the period's
        // seconds times (1 − target).
        const double budget = static_cast<double>(r.period_seconds) *
                              static_cast<double>(100'000 - c.sla.availability_target_milli) / 100'000.0;
        verdicts.push_back(judge_budget("power", r.power, budget, o));
        break;
      }
      case CheckedGuarantee::emergency:
        verdicts.push_back(judge_emergencies(r));
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
  result.output = "COLOSLA " + std::string(to_string(result.status)) + ": " + c.id + " " + words + " | " + perf +
                  details + "\n";
  return result;
}

}  // namespace colosla::core
