// The figures check_colosla judges, read from one contract's rows of the store.
#include "colosla/services/check.hpp"

#include <algorithm>
#include <functional>
#include <optional>

#include "colosla/base/calendar.hpp"
#include "colosla/model/mapping.hpp"
#include "colosla/model/records.hpp"

namespace colosla::core {

std::vector<EntityId> contract_inputs(const Inventory& inventory, const Contract& c,
                                      const std::vector<MappingRange>& mappings) {
  std::vector<EntityId> entities;
  for (const auto& m : mappings) {
    if (m.contract == c.id) {
      entities.push_back(EntityId::port(m.port.device, m.port.interface));
    }
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
        if (const auto phase = d != nullptr ? d->phase_of(*p.outlet) : std::nullopt) {
          entities.push_back(EntityId::phase(p.device, *phase));
        }
      }
    }
  }
  for (const auto& t : c.probe_targets) {
    for (const auto s : t.services) {
      entities.push_back(EntityId::probe(t.address, std::string(to_string(s))));
    }
  }
  return entities;
}

namespace {

// The contract's month as of `now`, handed to `sink` with what it was computed from.
using MonthSink =
    std::function<void(const Inventory&, const Contract&, const std::vector<MappingRange>&,
                       const History&, const ContractReport&)>;

Result<void> contract_month(const Store& store, const std::string& id, Timestamp now,
                            const MonthSink& sink) {
  bool found = false;
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
    const std::vector<EntityId> entities = contract_inputs(inventory, c, *mappings);
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
    std::erase_if(in_force,
                  [&](const Record& r) { return !r.contract.empty() && r.contract != id; });
    return for_each_contract_report(SlaInput{inventory, *mappings, *history, in_force}, month, now,
                                    id, [&](const ContractReport& r) {
                                      found = true;
                                      sink(inventory, c, *mappings, *history, r);
                                    });
  });
  if (!done) {
    return done.error();
  }
  if (!found) {
    return make_error(Errc::not_found, "contract " + id + " is not in force this month");
  }
  return {};
}

// The state at `at` and since when: the last change at or before it.
const StateChange* change_at(const History& h, const EntityId& e, Timestamp at) {
  const auto it = h.find(e);
  if (it == h.end()) {
    return nullptr;
  }
  const StateChange* last = nullptr;
  for (const StateChange& c : it->second) {
    if (c.time > at) {
      break;
    }
    last = &c;
  }
  return last;
}

// What the SLA makes of the outage open at as-of (DownNow::sla).
std::string sla_of_open(const GuaranteeReport& g, const char* without) {
  for (const auto& o : g.outages) {
    if (o.end) {
      continue;
    }
    if (o.pending_seconds > 0) {
      return "pending";
    }
    if (o.counted_seconds > 0) {
      return "counted";
    }
    if (o.unreported_seconds > 0) {
      return "unreported";
    }
    if (o.excluded_seconds > 0) {
      return "excluded";
    }
    return "counted";
  }
  return without;
}

}  // namespace

Result<std::pair<Contract, ContractReport>> current_contract_report(const Store& store,
                                                                    const std::string& id,
                                                                    Timestamp now) {
  std::optional<std::pair<Contract, ContractReport>> out;
  auto done =
      contract_month(store, id, now,
                     [&](const Inventory&, const Contract& c, const std::vector<MappingRange>&,
                         const History&, const ContractReport& r) { out.emplace(c, r); });
  if (!done) {
    return done.error();
  }
  return std::move(*out);
}

Result<ContractStatus> current_contract_status(const Store& store, const std::string& id,
                                               Timestamp now) {
  std::optional<ContractStatus> out;
  auto done = contract_month(
      store, id, now,
      [&](const Inventory& inv, const Contract& c, const std::vector<MappingRange>& mappings,
          const History& h, const ContractReport& r) {
        out = status_of(c, r, now);
        out->down_now = down_now(inv, c, r, mappings, h, now);
      });
  if (!done) {
    return done.error();
  }
  return std::move(*out);
}

std::vector<DownNow> down_now(const Inventory& inventory, const Contract& c,
                              const ContractReport& r, const std::vector<MappingRange>& mappings,
                              const History& history, Timestamp as_of) {
  std::vector<DownNow> out;
  auto zone = Zone::locate(r.time_zone);
  const Zone z = zone ? *zone : Zone::utc();
  const std::string network =
      sla_of_open(r.network, c.port_mode == PortMode::all ? "redundant" : "no-outage");
  for (const auto& m : mappings) {
    if (m.contract != c.id || as_of < m.span.begin || !(as_of < m.span.end)) {
      continue;
    }
    const StateChange* s =
        change_at(history, EntityId::port(m.port.device, m.port.interface), as_of);
    if (s != nullptr && s->state == State::down) {
      out.push_back(DownNow{CheckedGuarantee::network,
                            "port " + m.port.device + " " + m.port.interface,
                            format_time(s->time, z), network});
    }
  }
  std::optional<Timestamp> uplinks_down;
  for (const auto& u : inventory.uplinks) {
    const StateChange* s = change_at(history, EntityId::port(u.device, u.interface), as_of);
    if (s == nullptr || s->state != State::down) {
      uplinks_down.reset();
      break;
    }
    uplinks_down = std::max(uplinks_down.value_or(s->time), s->time);
  }
  if (uplinks_down) {
    out.push_back(
        DownNow{CheckedGuarantee::network, "all uplinks", format_time(*uplinks_down, z), network});
  }
  for (const auto& o : r.power.outages) {
    if (!o.end) {
      out.push_back(DownNow{CheckedGuarantee::power, "power", format_time(o.start, z),
                            sla_of_open(r.power, "counted")});
      break;
    }
  }
  return out;
}

ContractStatus status_of(const Contract& c, const ContractReport& r, Timestamp as_of) {
  ContractStatus s;
  s.contract = c.id;
  auto zone = Zone::locate(r.time_zone);
  const Zone z = zone ? *zone : Zone::utc();
  const auto first = z.local_day(r.period.begin);
  s.month = format_month(first.year() / first.month());
  s.as_of = as_of;
  const auto figures = [](const GuaranteeReport& g, std::int64_t budget) {
    GuaranteeFigures f;
    f.counted_seconds = g.counted_seconds;
    f.pending_seconds = g.pending_seconds;
    f.unmonitored_seconds = g.unmonitored_seconds;
    f.budget_seconds = budget;
    f.availability_milli = g.availability_milli;
    f.breached = g.breached;
    f.outages = static_cast<std::int64_t>(g.outages.size());
    return f;
  };
  s.network = figures(r.network, r.network.limit);
  // Power breaches when availability falls below the target: the budget is the period's
  // seconds times (1 - target), rounded down.
  s.power =
      figures(r.power, r.period_seconds *
                           (100'000 - static_cast<std::int64_t>(c.sla.availability_target_milli)) /
                           100'000);
  for (const auto& e : r.emergencies) {
    EmergencyFigures f;
    f.what = e.target + " " + std::string(to_string(e.service));
    f.deadline = format_time(e.deadline, z);
    f.open = e.status == EmergencyStatus::open;
    f.notified = e.notified.has_value();
    f.missed = e.status == EmergencyStatus::missed;
    s.emergencies.push_back(std::move(f));
  }
  for (const auto& k : r.process.clocks) {
    if (k.status == ClockStatus::met) {
      ++s.process.met;
    } else if (k.status == ClockStatus::open) {
      ++s.process.open;
    } else if (s.process.missed++ == 0) {
      s.process.first_missed = std::string(to_string(k.kind)) + " of " + record_name(k.record) +
                               ", due " + format_time(k.due, z);
    }
  }
  return s;
}

}  // namespace colosla::core
