// The SLA engine (SPEC §2–§6, §7a). Every guarantee is computed by sweeping the change points
// of its inputs (port states, mapping boundaries, uplinks, power sources) in time order, keeping
// counters of how many inputs are down, de-energized or unknown; between two change points
// nothing changes, so each interval is judged once. The cost is linear in the observations.
#include "colosla/sla/sla.hpp"

#include <algorithm>
#include <cassert>
#include <map>
#include <set>

#include "sweep.hpp"

namespace colosla::core {

namespace {
using namespace sweeping;  // NOLINT: the engine is written in the sweep's terms
using sweeping::Channel;   // not the inventory's contact channel

// -- the engine ------------------------------------------------------------------------------

class Engine {
 public:
  Engine(const SlaInput& in, year_month month, Timestamp as_of)
      : in_(in), month_(month), as_of_(as_of) {
    build_uplinks();
    for (const auto& r : in.records) {
      records_by_contract_[r.contract].push_back(&r);
    }
    for (const auto& m : in.mappings) {
      mappings_by_contract_[m.contract].push_back(&m);
    }
  }

  std::optional<ContractReport> contract(const Contract& c) {
    const Zone& zone = zone_of(c.time_zone);
    ContractReport r;
    r.id = c.id;
    r.customer = c.customer;
    r.time_zone = c.time_zone;
    r.currency = c.currency;
    r.monthly_fee = c.monthly_fee;
    r.period = intersect(month_window(month_, zone), Window{c.start, c.end});
    r.period_seconds = r.period.length().count();
    r.installation = installation(c, zone);
    if (r.period.empty() && !r.installation.refund_this_month) {
      return std::nullopt;
    }
    // Seconds count in [period.begin, eval_end): nothing after as-of.
    const Window counted{r.period.begin, std::max(r.period.begin, std::min(r.period.end, as_of_))};
    const Timestamp horizon = std::min(c.end, as_of_);
    const bool open_possible = as_of_ < c.end;

    if (!r.period.empty()) {
      r.network =
          judge(network(c, counted, horizon, open_possible), counted, r.period_seconds,
                exclusions(c, Guarantee::network), reports(c, Guarantee::network), c, as_of_);
      r.network.limit = static_cast<std::int64_t>(c.sla.max_outage_minutes) * 60;
      r.network.breached = r.network.counted_seconds >= r.network.limit;
      r.power = judge(power(c, counted, horizon, open_possible), counted, r.period_seconds,
                      exclusions(c, Guarantee::power), reports(c, Guarantee::power), c, as_of_);
      // availability < target  <=>  counted × 100000 > period × (100000 − target), exactly.
      r.power.limit = static_cast<std::int64_t>(c.sla.availability_target_milli);
      r.power.breached =
          r.power.counted_seconds * 100'000 > r.period_seconds * (100'000 - r.power.limit);
      emergencies(c, zone, r);
    }

    // Credits (SPEC §6): a breach waives the month's rent once; else one day's fee per day that
    // holds a missed deadline, rounded once half up, never more than the fee.
    const auto days_in_month =
        static_cast<std::int64_t>(static_cast<unsigned>((month_ / std::chrono::last).day()));
    const auto days = static_cast<std::int64_t>(r.deduction_days.size());
    const std::int64_t deduction = (2 * days * c.monthly_fee + days_in_month) / (2 * days_in_month);
    r.credit.deduction = std::min(deduction, c.monthly_fee);
    r.credit.rent_waived = r.network.breached || r.power.breached;
    r.credit.total = r.credit.rent_waived ? c.monthly_fee : r.credit.deduction;
    r.process = process_report(c, records_for(c.id), r.period, as_of_);  // no money (SPEC §7)
    return r;
  }

 private:
  const Zone& zone_of(const std::string& name) {
    auto it = zones_.find(name);
    if (it == zones_.end()) {
      auto z = Zone::locate(name);
      it = zones_.emplace(name, z ? *z : Zone::utc()).first;
    }
    return it->second;
  }

  // The all-uplinks-down channel, shared by every contract.
  void build_uplinks() {
    std::vector<Channel> chans;
    for (const auto& u : in_.inventory.uplinks) {
      chans.push_back(combine(
          changes_of(in_.history, EntityId::port(u.device, u.interface)), {}, 0, as_of_,
          [](State s, std::uint8_t) {
            return s == State::up ? kUp : s == State::down ? kDown : kPortUnknown;
          },
          "uplink " + u.device + " " + u.interface));
    }
    uplinks_.label = "all uplinks down";
    uplinks_.initial = kNo;
    if (chans.empty()) {
      return;
    }
    std::size_t down = 0;
    std::int64_t last_seq = 0;
    std::uint8_t cur = kNo;
    // Steps of "every uplink is down"; an unknown uplink never disconnects.
    std::vector<std::pair<Timestamp, std::int64_t>> pending;
    sweep(
        chans, kBeginning, Timestamp::max(),
        [&](std::uint32_t, std::uint8_t old, std::uint8_t v, const Step& s) {
          if (old == kDown) {
            --down;
          }
          if (v == kDown) {
            ++down;
            last_seq = s.seq;
          }
        },
        [&](const Window& w) {
          const std::uint8_t v = down == chans.size() ? kYes : kNo;
          if (v != cur) {
            uplinks_.steps.push_back(Step{w.begin, v, v == kYes ? last_seq : 0});
            cur = v;
          }
          return true;
        });
    if (!uplinks_.steps.empty() && uplinks_.steps.front().t == kBeginning) {
      uplinks_.initial = uplinks_.steps.front().v;
      uplinks_.steps.erase(uplinks_.steps.begin());
    }
  }

  // A port's channel for contract c: its state while mapped, kNotMapped otherwise. With
  // `unclipped`, a range is not cut at the contract's start and end (installation is judged from
  // the signing day on: the ports the contract starts with are its ports before the start too,
  // and those it ends with stay its ports after the end).
  Channel port_channel(const Contract& c, const PortRef& p, bool unclipped) {
    std::vector<Step> mapped;
    std::uint8_t mapped0 = 0;
    for (const MappingRange* r : mappings_for(c.id)) {
      if (r->port != p) {
        continue;
      }
      if (unclipped && r->span.begin == c.start) {
        mapped0 = 1;
      } else {
        mapped.push_back(Step{r->span.begin, 1, 0});
      }
      if (!unclipped || r->span.end != c.end) {
        mapped.push_back(Step{r->span.end, 0, 0});
      }
    }
    std::sort(mapped.begin(), mapped.end(), [](const Step& a, const Step& b) { return a.t < b.t; });
    return combine(
        changes_of(in_.history, EntityId::port(p.device, p.interface)), mapped, mapped0, as_of_,
        [](State s, std::uint8_t m) {
          if (m == 0) {
            return kNotMapped;
          }
          return s == State::up ? kUp : s == State::down ? kDown : kPortUnknown;
        },
        "port " + p.device + " " + p.interface);
  }

  std::vector<PortRef> ports_of(const Contract& c) {
    std::set<PortRef> ports;
    for (const MappingRange* r : mappings_for(c.id)) {
      ports.insert(r->port);
    }
    return {ports.begin(), ports.end()};
  }

  const std::vector<const MappingRange*>& mappings_for(const std::string& contract) {
    static const std::vector<const MappingRange*> kNone;
    const auto it = mappings_by_contract_.find(contract);
    return it == mappings_by_contract_.end() ? kNone : it->second;
  }

  // A power source's channel: energized, de-energized or unknown.
  Channel power_channel(const PowerSourceRef& p) {
    const Device* d = in_.inventory.find_device(p.device);
    const auto level = [](State s) {
      if (s == State::unknown) {
        return kPowerUnknown;
      }
      return energized(s) ? kEnergized : kDeenergized;
    };
    if (d != nullptr && d->role == Role::ups) {
      return combine(
          changes_of(in_.history, EntityId::ups(p.device)), {}, 0, as_of_,
          [&](State s, std::uint8_t) { return level(s); }, "ups " + p.device);
    }
    const auto* inlet = changes_of(in_.history, EntityId::inlet(p.device));
    if (!p.outlet) {
      return combine(
          inlet, {}, 0, as_of_, [&](State s, std::uint8_t) { return level(s); },
          "pdu " + p.device + " inlet");
    }
    // An outlet that is on while its PDU's inlet has lost power supplies nothing; nor does one
    // whose phase (as the inventory gives it) has.
    Channel in = combine(
        inlet, {}, 0, as_of_, [](State s, std::uint8_t) { return s == State::off ? kYes : kNo; },
        "");
    if (const auto phase = d != nullptr ? d->phase_of(*p.outlet) : std::nullopt) {
      in = combine(
          changes_of(in_.history, EntityId::phase(p.device, *phase)), in.steps, in.initial, as_of_,
          [](State s, std::uint8_t inlet_off) {
            return s == State::off || inlet_off == kYes ? kYes : kNo;
          },
          "");
    }
    return combine(
        changes_of(in_.history, EntityId::outlet(p.device, *p.outlet)), in.steps, in.initial,
        as_of_,
        [&](State s, std::uint8_t inlet_off) {
          return inlet_off == kYes ? kDeenergized : level(s);
        },
        "outlet " + p.device + " " + *p.outlet);
  }

  Swept network(const Contract& c, const Window& counted, Timestamp horizon, bool open_possible) {
    std::vector<Channel> chans;
    for (const auto& p : ports_of(c)) {
      chans.push_back(port_channel(c, p, false));
    }
    const std::uint32_t uplink = static_cast<std::uint32_t>(chans.size());
    chans.push_back(uplinks_);
    std::size_t mapped = 0, down = 0, unknown = 0;
    bool uplinks_down = false;
    std::vector<Latest> latest(chans.size());
    std::vector<std::uint8_t> value(chans.size(), kNotMapped);
    const bool all_mode = c.port_mode == PortMode::all;
    const auto disconnected = [&] {
      return uplinks_down || (all_mode ? mapped > 0 && down == mapped : down > 0);
    };
    OutageCollector out(counted, horizon, open_possible);
    const bool to_end = sweep(
        chans, c.start, horizon,
        [&](std::uint32_t ch, std::uint8_t old, std::uint8_t v, const Step& s) {
          value[ch] = v;
          latest[ch] = Latest{s.t, s.seq};
          if (ch == uplink) {
            uplinks_down = v == kYes;
            return;
          }
          if (old != 255 && old != kNotMapped) {
            --mapped;
            down -= old == kDown;
            unknown -= old == kPortUnknown;
          }
          if (v != kNotMapped) {
            ++mapped;
            down += v == kDown;
            unknown += v == kPortUnknown;
          }
        },
        [&](const Window& w) {
          const bool bad = disconnected();
          return out.add(w, bad, !bad && unknown > 0, [&](Interval& o) {
            // What tipped it: the latest change among the inputs that are down now.
            std::optional<std::uint32_t> pick;
            for (std::uint32_t i = 0; i < chans.size(); ++i) {
              const bool is_bad = i == uplink ? value[i] == kYes : value[i] == kDown;
              if (is_bad && (!pick || latest[i].t > latest[*pick].t)) {
                pick = i;
              }
            }
            if (pick) {
              o.cause = &chans[*pick].label;
              o.suffix = *pick == uplink ? "" : " down";
              o.cause_seq = latest[*pick].seq;
            }
          });
        });
    return out.finish(to_end && disconnected());
  }

  Swept power(const Contract& c, const Window& counted, Timestamp horizon, bool open_possible) {
    std::vector<Channel> chans;
    for (const auto& p : c.power_sources) {
      chans.push_back(power_channel(p));
    }
    std::size_t deen = 0, unknown = 0;
    std::vector<Latest> latest(chans.size());
    std::vector<std::uint8_t> value(chans.size(), kPowerUnknown);
    const std::size_t sources = chans.size();
    const auto without_power = [&] { return sources > 0 && deen == sources; };
    OutageCollector out(counted, horizon, open_possible);
    const bool to_end = sweep(
        chans, c.start, horizon,
        [&](std::uint32_t ch, std::uint8_t old, std::uint8_t v, const Step& s) {
          value[ch] = v;
          latest[ch] = Latest{s.t, s.seq};
          if (old != 255) {
            deen -= old == kDeenergized;
            unknown -= old == kPowerUnknown;
          }
          deen += v == kDeenergized;
          unknown += v == kPowerUnknown;
        },
        [&](const Window& w) {
          // Without power when every source is de-energized; no source, no interruption.
          const bool bad = without_power();
          return out.add(w, bad, !bad && unknown > 0, [&](Interval& o) {
            std::uint32_t pick = 0;
            for (std::uint32_t i = 1; i < chans.size(); ++i) {
              if (latest[i].t > latest[pick].t) {
                pick = i;
              }
            }
            o.prefix = "every power source de-energized (last: ";
            o.cause = &chans[pick].label;
            o.suffix = ")";
            o.cause_seq = latest[pick].seq;
          });
        });
    return out.finish(to_end && without_power());
  }

  std::vector<Window> exclusions(const Contract& c, Guarantee g) {
    std::vector<Window> w;
    for (const auto* list : {&records_for(c.id), &records_for("")}) {
      for (const Record* r : *list) {
        if (r->kind == RecordKind::exclusion && r->until && r->reason &&
            (!r->guarantee || *r->guarantee == g) && excuses(*r->reason, g)) {
          w.push_back(Window{r->at, *r->until});
        }
      }
    }
    return unite(std::move(w));
  }

  std::vector<Timestamp> reports(const Contract& c, Guarantee g) {
    std::vector<Timestamp> t;
    for (const Record* r : records_for(c.id)) {
      if (r->kind == RecordKind::customer_report && r->guarantee == g && r->at <= as_of_) {
        t.push_back(r->at);
      }
    }
    std::sort(t.begin(), t.end());
    return t;
  }

  const std::vector<const Record*>& records_for(const std::string& contract) {
    static const std::vector<const Record*> kNone;
    const auto it = records_by_contract_.find(contract);
    return it == records_by_contract_.end() ? kNone : it->second;
  }

  void emergencies(const Contract& c, const Zone& zone, ContractReport& r) {
    // Notifications that count: an authorized contact of the contract, one of the five channels.
    std::vector<Timestamp> notes;
    for (const Record* rec : records_for(c.id)) {
      if (rec->kind != RecordKind::notification || !rec->channel || rec->at > as_of_) {
        continue;
      }
      const auto k = std::find_if(c.contacts.begin(), c.contacts.end(),
                                  [&](const Contact& x) { return x.name == rec->contact; });
      if (k != c.contacts.end() && k->authorized) {
        notes.push_back(rec->at);
      }
    }
    std::sort(notes.begin(), notes.end());
    const seconds within{static_cast<std::int64_t>(c.sla.notify_within_minutes) * 60};

    std::set<year_month_day> days;
    for (const auto& target : c.probe_targets) {
      for (const auto service : target.services) {
        const auto* results = changes_of(
            in_.history, EntityId::probe(target.address, std::string(to_string(service))));
        if (results == nullptr) {
          continue;
        }
        int failures = 0;
        std::int64_t first_failure = 0;
        constexpr std::size_t kNoneOpen = static_cast<std::size_t>(-1);
        std::size_t open = kNoneOpen;  // the emergency still open (until the next pass)
        std::vector<EmergencyReport> found;
        for (const auto& p : *results) {
          // Probes count while the contract runs, up to as-of.
          if (p.time < c.start || p.time >= c.end || p.time > as_of_) {
            continue;
          }
          if (p.state == State::fail) {
            if (open != kNoneOpen) {
              continue;  // further failures declare nothing new
            }
            if (++failures == 1) {
              first_failure = p.seq;
            }
            if (failures == 2) {
              EmergencyReport e;
              e.target = target.address;
              e.service = service;
              e.declared = p.time;
              e.deadline = p.time + within;
              e.first_failure_observation = first_failure;
              e.declaring_observation = p.seq;
              open = found.size();
              found.push_back(e);
            }
          } else if (p.state == State::pass) {
            if (open != kNoneOpen) {
              found[open].cleared = p.time;
              open = kNoneOpen;
            }
            failures = 0;
          }
        }
        for (auto& e : found) {
          if (!r.period.contains(e.deadline)) {
            continue;
          }
          const auto n = std::lower_bound(notes.begin(), notes.end(), e.declared);
          if (n != notes.end() && *n <= e.deadline) {
            e.notified = *n;
            e.status = EmergencyStatus::met;
          } else if (as_of_ > e.deadline) {
            e.exempt_because = exemption(c, e.declared);
            e.status = e.exempt_because.empty() ? EmergencyStatus::missed : EmergencyStatus::exempt;
          } else {
            e.status = EmergencyStatus::open;
          }
          if (e.status == EmergencyStatus::missed) {
            days.insert(zone.local_day(e.deadline));
          }
          r.emergencies.push_back(std::move(e));
        }
      }
    }
    std::sort(r.emergencies.begin(), r.emergencies.end(),
              [](const EmergencyReport& a, const EmergencyReport& b) {
                if (a.declared != b.declared) {
                  return a.declared < b.declared;
                }
                return a.target != b.target ? a.target < b.target : a.service < b.service;
              });
    r.deduction_days.assign(days.begin(), days.end());
  }

  // Why an unsatisfied emergency is exempt, or "" when it is not (Article 4.7).
  std::string exemption(const Contract& c, Timestamp declared) {
    for (const auto* list : {&records_for(c.id), &records_for("")}) {
      for (const Record* r : *list) {
        if (r->kind == RecordKind::exclusion && r->reason == ExclusionReason::force_majeure &&
            r->until && r->at <= declared && declared < *r->until) {
          return "force majeure (" + record_name(r->id) + ")";
        }
      }
    }
    for (const Record* r : records_for(c.id)) {
      if (r->kind == RecordKind::contact_invalid && r->at <= declared &&
          (!r->until || declared < *r->until)) {
        return "contact details wrong (" + record_name(r->id) + ")";
      }
    }
    return {};
  }

  InstallationReport installation(const Contract& c, const Zone& zone) {
    InstallationReport r;
    r.last_business_day = nth_business_day_after(c.signed_on, c.sla.installation_business_days,
                                                 in_.inventory.calendar);
    r.deadline = installation_deadline(c, in_.inventory.calendar, zone);
    for (const Record* rec : records_for(c.id)) {
      if (rec->kind == RecordKind::installation && rec->at <= as_of_ &&
          (!r.completed || rec->at < *r.completed)) {
        r.completed = rec->at;
        r.completed_by = record_name(rec->id);
      }
    }
    if (c.installation_auto_complete) {
      if (auto t = auto_completion(c, zone); t && (!r.completed || *t < *r.completed)) {
        r.completed = t;
        r.completed_by = "auto (all ports up and powered)";
      }
    }
    r.late = r.completed ? *r.completed > r.deadline : as_of_ > r.deadline;
    r.refund_this_month = r.last_business_day.year() / r.last_business_day.month() == month_;
    r.refund = r.late && r.refund_this_month ? c.installation_fee : 0;
    return r;
  }

  // The first instant, from the signing day on and up to as-of, at which every port of the
  // contract is up and it has power: at least one port mapped and all of them up, at least one
  // source energized. Without ports or power sources nothing shows the installation done.
  std::optional<Timestamp> auto_completion(const Contract& c, const Zone& zone) {
    const Timestamp from = zone.day_start(c.signed_on);
    if (as_of_ < from) {
      return std::nullopt;
    }
    std::vector<Channel> chans;
    for (const auto& p : ports_of(c)) {
      chans.push_back(port_channel(c, p, true));
    }
    const auto ports = static_cast<std::uint32_t>(chans.size());
    for (const auto& p : c.power_sources) {
      chans.push_back(power_channel(p));
    }
    std::size_t mapped = 0, up = 0, energized_sources = 0;
    const std::size_t sources = c.power_sources.size();
    std::optional<Timestamp> when;
    sweep(
        chans, from, as_of_ + seconds{1},
        [&](std::uint32_t ch, std::uint8_t old, std::uint8_t v, const Step&) {
          if (ch < ports) {
            if (old != 255 && old != kNotMapped) {
              --mapped;
              up -= old == kUp;
            }
            if (v != kNotMapped) {
              ++mapped;
              up += v == kUp;
            }
          } else {
            if (old != 255) {
              energized_sources -= old == kEnergized;
            }
            energized_sources += v == kEnergized;
          }
        },
        [&](const Window& w) {
          if (mapped > 0 && up == mapped && sources > 0 && energized_sources > 0) {
            when = w.begin;
            return false;
          }
          return true;
        });
    return when;
  }

  const SlaInput& in_;
  year_month month_;
  Timestamp as_of_;
  Channel uplinks_;
  std::map<std::string, Zone> zones_;
  std::map<std::string, std::vector<const Record*>> records_by_contract_;
  std::map<std::string, std::vector<const MappingRange*>> mappings_by_contract_;
};

}  // namespace

std::string_view to_string(EmergencyStatus s) {
  switch (s) {
    case EmergencyStatus::met:
      return "met";
    case EmergencyStatus::missed:
      return "missed";
    case EmergencyStatus::exempt:
      return "exempt";
    case EmergencyStatus::open:
      return "open";
  }
  return "?";
}

Timestamp installation_deadline(const Contract& c, const BusinessCalendar& cal, const Zone& z) {
  const auto last = nth_business_day_after(c.signed_on, c.sla.installation_business_days, cal);
  return z.day_start(year_month_day{std::chrono::sys_days{last} + std::chrono::days{1}});
}

Result<void> for_each_contract_report(const SlaInput& in, year_month month, Timestamp as_of,
                                      const std::optional<std::string>& contract,
                                      const std::function<void(const ContractReport&)>& sink) {
  if (contract && in.inventory.find_contract(*contract) == nullptr) {
    return make_error(Errc::not_found, "no contract " + *contract + " in the inventory");
  }
  Engine engine(in, month, as_of);
  std::vector<const Contract*> contracts;
  for (const auto& c : in.inventory.contracts) {
    if (!contract || c.id == *contract) {
      contracts.push_back(&c);
    }
  }
  std::sort(contracts.begin(), contracts.end(),
            [](const Contract* a, const Contract* b) { return a->id < b->id; });
  for (const Contract* c : contracts) {
    if (auto r = engine.contract(*c)) {
      sink(*r);
    }
  }
  return {};
}

Result<MonthReport> compute_month_report(const SlaInput& in, year_month month, Timestamp as_of,
                                         const std::optional<std::string>& contract) {
  MonthReport report;
  report.month = month;
  report.as_of = as_of;
  auto r = for_each_contract_report(
      in, month, as_of, contract, [&](const ContractReport& c) { report.contracts.push_back(c); });
  if (!r) {
    return r.error();
  }
  return report;
}

}  // namespace colosla::core
