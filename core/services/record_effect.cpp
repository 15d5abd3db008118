// Whether a record just entered can still change a report (SPEC §2–§5, §7a). The record is
// stored either way; this only finds the words that say why it counts for nothing.
#include "colosla/services/record_effect.hpp"

#include <algorithm>

#include "colosla/base/money.hpp"
#include "colosla/model/mapping.hpp"
#include "colosla/services/check.hpp"

namespace colosla::core {

namespace {

using std::chrono::seconds;
using std::chrono::year_month;

constexpr std::int64_t kDay = 86'400;
// A longer window is not judged (its months would be computed one by one).
constexpr std::size_t kMaxMonths = 13;

year_month month_of(Timestamp t, const Zone& z) {
  const auto d = z.local_day(t);
  return d.year() / d.month();
}

// The months from a's to b's, both included; empty beyond kMaxMonths.
std::vector<year_month> months_between(Timestamp a, Timestamp b, const Zone& z) {
  std::vector<year_month> out;
  const year_month last = month_of(b, z);
  for (year_month m = month_of(a, z); m <= last; m += std::chrono::months{1}) {
    if (out.size() == kMaxMonths) {
      return {};
    }
    out.push_back(m);
  }
  return out;
}

seconds report_window(const Contract& c) {
  return seconds{static_cast<std::int64_t>(c.sla.report_window_days) * kDay};
}

seconds notify_within(const Contract& c) {
  return std::chrono::minutes{static_cast<std::int64_t>(c.sla.notify_within_minutes)};
}

// Whether the record is judged at all (the rest needs its contract's reports).
bool judged(const Record& r, Timestamp now) {
  if (r.retraction || r.contract.empty() || r.at > now) {
    return false;
  }
  if (r.kind == RecordKind::exclusion || r.kind == RecordKind::contact_invalid) {
    return r.until && *r.until <= now;  // a window still open may cover what is to come
  }
  return true;
}

const GuaranteeReport& of(const ContractReport& r, Guarantee g) {
  return g == Guarantee::network ? r.network : r.power;
}

// Every outage of g the reports list, once (one across a month's end is in both), by start.
std::vector<const OutageReport*> outages_of(const std::vector<ContractReport>& reports,
                                            Guarantee g) {
  std::vector<const OutageReport*> out;
  for (const auto& r : reports) {
    for (const auto& o : of(r, g).outages) {
      out.push_back(&o);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const OutageReport* a, const OutageReport* b) {
    return a->start < b->start;
  });
  out.erase(std::unique(
                out.begin(), out.end(),
                [](const OutageReport* a, const OutageReport* b) { return a->start == b->start; }),
            out.end());
  return out;
}

// Every emergency the reports list (each in the month of its deadline: once), by declaration.
std::vector<const EmergencyReport*> emergencies_of(const std::vector<ContractReport>& reports) {
  std::vector<const EmergencyReport*> out;
  for (const auto& r : reports) {
    for (const auto& e : r.emergencies) {
      out.push_back(&e);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const EmergencyReport* a, const EmergencyReport* b) {
    return a->declared < b->declared;
  });
  return out;
}

bool any_declared_in(const std::vector<const EmergencyReport*>& es, Timestamp from, Timestamp to) {
  return std::any_of(es.begin(), es.end(), [&](const EmergencyReport* e) {
    return e->declared >= from && e->declared < to;
  });
}

std::vector<std::string> customer_report(const Record& r, const Contract& c, const Zone& z,
                                         const std::vector<ContractReport>& reports) {
  const std::string kind = std::string(to_string(*r.guarantee)) + " outage";
  const seconds window = report_window(c);
  const Timestamp from = r.at - window;
  const OutageReport* before = nullptr;
  for (const auto* o : outages_of(reports, *r.guarantee)) {
    if (o->start >= from && o->start <= r.at) {
      return {};  // the report may make this one count
    }
    if (o->start < from) {
      before = o;
    }
  }
  std::string s = "counts for nothing: a customer report makes a " + kind +
                  " count only when it comes at most " + std::to_string(c.sla.report_window_days) +
                  " days after the outage's start (docs/sla-rules.md §2, §7a), and no " + kind +
                  " of " + c.id + " began between " + format_time(from, z) + " and " +
                  format_time(r.at, z);
  if (before != nullptr) {
    s += "; the last one before began " + format_time(before->start, z) +
         ", and its report window ended " + format_time(before->start + window, z);
  }
  return {s};
}

std::vector<std::string> notification(const Record& r, const Contract& c, const Zone& z,
                                      const std::vector<ContractReport>& reports) {
  const auto es = emergencies_of(reports);
  const EmergencyReport* before = nullptr;
  for (const auto* e : es) {
    if (e->declared <= r.at && r.at <= e->deadline) {
      return {};  // it may satisfy this one
    }
    if (e->deadline < r.at) {
      before = e;
    }
  }
  std::string s =
      "counts for nothing: a notification satisfies only the emergencies declared at "
      "or before it whose deadline (" +
      std::to_string(c.sla.notify_within_minutes) +
      " minutes after the declaration) it meets (docs/sla-rules.md §4), and no "
      "emergency of " +
      c.id + " was declared between " + format_time(r.at - notify_within(c), z) + " and " +
      format_time(r.at, z);
  if (before != nullptr) {
    s += "; the last one before was declared " + format_time(before->declared, z) +
         ", and its deadline passed at " + format_time(before->deadline, z);
  }
  return {s};
}

std::vector<std::string> installation(const Record& r, const Contract& c, const Zone& z,
                                      const std::vector<ContractReport>& reports) {
  const InstallationReport& i = reports.front().installation;
  if (i.completed && *i.completed < r.at) {
    return {"changes nothing: the installation of " + c.id + " was complete at " +
            format_time(*i.completed, z) + " (" + i.completed_by +
            "), and the earliest completion counts (docs/sla-rules.md §7a)"};
  }
  if (r.at > i.deadline) {
    return {"changes no money: the installation deadline of " + c.id + " was " +
            format_time(i.deadline, z) + " (docs/sla-rules.md §5): completed after it, it is " +
            "late, and the installation fee (" + format_money(c.installation_fee, c.currency) +
            " " + c.currency + ") is refunded as it would be were it still open"};
  }
  return {};
}

std::vector<std::string> exclusion(const Record& r, const Contract& c, const Zone& z,
                                   const std::vector<ContractReport>& reports, Timestamp now) {
  const Window w{r.at, *r.until};
  std::vector<Guarantee> gs;
  for (const Guarantee g : {Guarantee::network, Guarantee::power}) {
    if ((!r.guarantee || *r.guarantee == g) && excuses(*r.reason, g)) {
      gs.push_back(g);
    }
  }
  for (const Guarantee g : gs) {
    for (const auto* o : outages_of(reports, g)) {
      if (!intersect(Window{o->start, o->end.value_or(now)}, w).empty()) {
        return {};
      }
    }
  }
  const bool force_majeure = *r.reason == ExclusionReason::force_majeure;
  if (force_majeure && any_declared_in(emergencies_of(reports), w.begin, w.end)) {
    return {};  // it makes those emergencies exempt
  }
  std::string what = gs.size() == 2
                         ? "network or power"
                         : std::string(to_string(gs.empty() ? Guarantee::network : gs.front()));
  return {"excuses nothing: no " + what + " outage of " + c.id +
          (force_majeure ? " lies, and no emergency was declared," : " lies") + " between " +
          format_time(w.begin, z) + " and " + format_time(w.end, z) + ", as the store stands"};
}

std::vector<std::string> contact_invalid(const Record& r, const Contract& c, const Zone& z,
                                         const std::vector<ContractReport>& reports) {
  if (any_declared_in(emergencies_of(reports), r.at, *r.until)) {
    return {};
  }
  return {"exempts nothing: no emergency of " + c.id + " was declared between " +
          format_time(r.at, z) + " and " + format_time(*r.until, z) + ", as the store stands"};
}

}  // namespace

std::vector<year_month> months_to_judge(const Record& r, const Contract& c,
                                        const BusinessCalendar& calendar, const Zone& z,
                                        Timestamp now) {
  if (!judged(r, now)) {
    return {};
  }
  switch (r.kind) {
    case RecordKind::customer_report:
      if (!c.sla.require_customer_report) {
        return {};
      }
      return months_between(r.at - report_window(c), r.at, z);
    case RecordKind::notification:
      return months_between(r.at, r.at + notify_within(c), z);
    case RecordKind::installation:
      // Every month lists the installation; the month of its last business day always lists
      // the contract (SPEC §7a).
      return {month_of(installation_deadline(c, calendar, z) - seconds{1}, z)};
    case RecordKind::exclusion:
    case RecordKind::contact_invalid:
      // Outages that touch the window, and emergencies declared in it (listed by deadline).
      return months_between(r.at, *r.until + notify_within(c), z);
    default:  // the process guarantees' records move no figure (docs/process.md)
      return {};
  }
  return {};
}

std::vector<std::string> record_warnings(const Record& r, const Contract& c, const Zone& z,
                                         const std::vector<ContractReport>& reports,
                                         Timestamp now) {
  if (r.retraction) {
    return {};
  }
  if (r.kind == RecordKind::customer_report && !c.sla.require_customer_report) {
    return {"counts for nothing: " + c.id +
            " does not require customer reports (require-customer-report false): its outages "
            "count without one"};
  }
  // Without reports (the contract has no period in those months) nothing is judged.
  if (!judged(r, now) || reports.empty()) {
    return {};
  }
  switch (r.kind) {
    case RecordKind::customer_report:
      return customer_report(r, c, z, reports);
    case RecordKind::notification:
      return notification(r, c, z, reports);
    case RecordKind::installation:
      return installation(r, c, z, reports);
    case RecordKind::exclusion:
      return exclusion(r, c, z, reports, now);
    case RecordKind::contact_invalid:
      return contact_invalid(r, c, z, reports);
    default:
      return {};
  }
  return {};
}

Result<std::vector<std::string>> record_warnings(const Store& store, const Record& r,
                                                 Timestamp now) {
  std::vector<std::string> out;
  if (r.retraction || r.contract.empty()) {
    return out;
  }
  auto done = store.read([&]() -> Result<void> {
    auto inv = store.load_contract(r.contract);
    if (!inv) {
      return inv.error();
    }
    if (!inv->has_value()) {
      return {};
    }
    const Inventory& inventory = **inv;
    const Contract& c = inventory.contracts.front();
    auto zone = Zone::locate(c.time_zone);
    if (!zone) {
      return zone.error();
    }
    const auto months = months_to_judge(r, c, inventory.calendar, *zone, now);
    std::vector<ContractReport> reports;
    if (!months.empty()) {
      auto changes = store.mapping_changes();
      if (!changes) {
        return changes.error();
      }
      std::erase_if(*changes, [&](const MappingChange& m) { return m.contract != c.id; });
      auto mappings = resolve_mappings(inventory, *changes);
      if (!mappings) {
        return mappings.error();
      }
      // As check_colosla reads: each input from its last state before the first month, less
      // the report window (an outage's true start); the installation from the signing day.
      Timestamp from = month_window(months.front(), *zone).begin -
                       std::chrono::days{c.sla.report_window_days + 1};
      if (r.kind == RecordKind::installation) {
        from = std::min(from, zone->day_start(c.signed_on));
      }
      auto history = store.history_of(contract_inputs(inventory, c, *mappings), from, now);
      if (!history) {
        return history.error();
      }
      auto records = store.records_of(c.id);
      if (!records) {
        return records.error();
      }
      std::vector<Record> in_force = effective_records(*records);
      std::erase_if(in_force,
                    [&](const Record& x) { return !x.contract.empty() && x.contract != c.id; });
      const SlaInput in{inventory, *mappings, *history, in_force};
      for (const auto m : months) {
        auto each = for_each_contract_report(
            in, m, now, c.id, [&](const ContractReport& cr) { reports.push_back(cr); });
        if (!each) {
          return each.error();
        }
      }
    }
    out = record_warnings(r, c, *zone, reports, now);
    return {};
  });
  if (!done) {
    return done.error();
  }
  return out;
}

}  // namespace colosla::core
