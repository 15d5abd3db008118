// The SLA engine (SPEC §2–§6, §7a). Every guarantee is computed by sweeping the change points
// of its inputs (port states, mapping boundaries, uplinks, power sources) in time order, keeping
// counters of how many inputs are down, de-energized or unknown; between two change points
// nothing changes, so each interval is judged once. The cost is linear in the observations.
#include "colosla/sla/sla.hpp"

#include <algorithm>
#include <cassert>
#include <map>
#include <set>

namespace colosla::core {

namespace {

using std::chrono::seconds;
using std::chrono::year_month;
using std::chrono::year_month_day;

constexpr std::int64_t kDay = 86'400;

// -- channels: a value that changes at instants ---------------------------------------------

// Values of a port channel.
constexpr std::uint8_t kNotMapped = 0, kUp = 1, kDown = 2, kPortUnknown = 3;
// Values of a power-source channel.
constexpr std::uint8_t kEnergized = 1, kDeenergized = 2, kPowerUnknown = 3;
// Values of the all-uplinks-down channel.
constexpr std::uint8_t kNo = 0, kYes = 1;

struct Step {
  Timestamp t;
  std::uint8_t v;
  std::int64_t seq;  // the observation behind the change (0: a mapping boundary)
};

struct Channel {
  std::uint8_t initial = 0;
  std::vector<Step> steps;  // strictly increasing t; consecutive values differ
  std::string label;        // "port sw1 ge-0/0/1"
};

const Timestamp kBeginning = Timestamp::min();

// Builds a channel from up to two inputs: `a` is an entity's state changes, `b` an optional
// second input (a mapping, a PDU inlet) given as steps; value(a_state, b_value) combines them.
// Only changes at or before `until` are read. Same-instant changes: the last one holds.
template <class F>
Channel combine(const std::vector<StateChange>* a, const std::vector<Step>& b, std::uint8_t b0,
                Timestamp until, F value, std::string label) {
  // The store hands over each entity's changes in (time, seq) order; the merge relies on it.
  assert(a == nullptr ||
         std::is_sorted(a->begin(), a->end(), [](const StateChange& x, const StateChange& y) {
           return x.time != y.time ? x.time < y.time : x.seq < y.seq;
         }));
  Channel ch;
  ch.label = std::move(label);
  State sa = State::unknown;
  std::uint8_t vb = b0;
  ch.initial = value(sa, vb);
  std::uint8_t cur = ch.initial;
  std::size_t i = 0, j = 0;
  const std::size_t na = a != nullptr ? a->size() : 0;
  while (true) {
    const bool more_a = i < na && (*a)[i].time <= until;
    const bool more_b = j < b.size() && b[j].t <= until;
    if (!more_a && !more_b) {
      break;
    }
    Timestamp t = more_a ? (*a)[i].time : b[j].t;
    if (more_b && b[j].t < t) {
      t = b[j].t;
    }
    std::int64_t seq = 0;
    while (i < na && (*a)[i].time == t) {
      sa = (*a)[i].state;
      seq = (*a)[i].seq;
      ++i;
    }
    while (j < b.size() && b[j].t == t) {
      vb = b[j].v;
      if (seq == 0) {
        seq = b[j].seq;
      }
      ++j;
    }
    const std::uint8_t v = value(sa, vb);
    if (v != cur) {
      ch.steps.push_back(Step{t, v, seq});
      cur = v;
    }
  }
  return ch;
}

const std::vector<StateChange>* changes_of(const History& h, const EntityId& e) {
  const auto it = h.find(e);
  return it == h.end() ? nullptr : &it->second;
}

// Visits the channels' change points in time order. apply(channel, old, new, step) is called for
// every change (and once per channel at the start with old = 255); emit(window) for every
// interval of [from, to) over which nothing changes, in order; emit returns false to stop early.
// When it runs to the end, the changes at instant `to` itself are applied last, so that the
// caller's counters then say what holds at `to` (is an outage still open at as-of?), and it
// returns true.
template <class Apply, class Emit>
bool sweep(const std::vector<Channel>& chans, Timestamp from, Timestamp to, Apply apply,
           Emit emit) {
  // Each channel's steps are already in time order: merge them by picking the smallest head
  // (a handful of channels per contract), rather than sorting them all together.
  std::vector<std::size_t> next(chans.size(), 0);
  const auto earliest = [&]() -> std::optional<Timestamp> {
    std::optional<Timestamp> t;
    for (std::size_t c = 0; c < chans.size(); ++c) {
      if (next[c] < chans[c].steps.size() && (!t || chans[c].steps[next[c]].t < *t)) {
        t = chans[c].steps[next[c]].t;
      }
    }
    return t;
  };
  std::vector<std::uint8_t> cur(chans.size());
  for (std::uint32_t c = 0; c < chans.size(); ++c) {
    cur[c] = chans[c].initial;
    apply(c, std::uint8_t{255}, cur[c], Step{kBeginning, cur[c], 0});
  }
  // Applies every change at instant t.
  const auto apply_at = [&](Timestamp t) {
    for (std::uint32_t c = 0; c < chans.size(); ++c) {
      while (next[c] < chans[c].steps.size() && chans[c].steps[next[c]].t == t) {
        const Step& s = chans[c].steps[next[c]++];
        apply(c, cur[c], s.v, s);
        cur[c] = s.v;
      }
    }
  };
  std::optional<Timestamp> t = earliest();
  for (; t && *t <= from; t = earliest()) {
    apply_at(*t);
  }
  Timestamp prev = from;
  for (; t && *t < to; t = earliest()) {
    if (!emit(Window{prev, *t})) {
      return false;
    }
    apply_at(*t);
    prev = *t;
  }
  if (prev < to && !emit(Window{prev, to})) {
    return false;
  }
  if (t && *t == to) {
    apply_at(*t);
  }
  return true;
}

// A channel's latest change, for naming the cause of an outage.
struct Latest {
  Timestamp t = kBeginning;
  std::int64_t seq = 0;
};

// -- guarantees --------------------------------------------------------------------------------

// Half-open windows, sorted and merged (overlapping exclusions are united, never counted twice).
std::vector<Window> unite(std::vector<Window> w) {
  std::sort(w.begin(), w.end(), [](const Window& a, const Window& b) { return a.begin < b.begin; });
  std::vector<Window> out;
  for (const auto& x : w) {
    if (x.empty()) {
      continue;
    }
    if (!out.empty() && x.begin <= out.back().end) {
      out.back().end = std::max(out.back().end, x.end);
    } else {
      out.push_back(x);
    }
  }
  return out;
}

std::int64_t overlap(const Window& w, const std::vector<Window>& united) {
  std::int64_t s = 0;
  for (const auto& u : united) {
    if (u.begin >= w.end) {
      break;
    }
    s += intersect(w, u).length().count();
  }
  return s;
}

// Availability in thousandths of a percent, rounded half up (SPEC §7a).
std::int64_t availability_milli(std::int64_t counted, std::int64_t period) {
  if (period <= 0) {
    return 100'000;
  }
  const std::int64_t up = period - counted;
  return (up * 200'000 + period) / (2 * period);
}

// An interval during which the contract is disconnected (or without power).
struct Interval {
  Timestamp start;
  Timestamp end;      // up to the horizon
  bool open = false;  // still so at as-of
  // What began it: the label of an input (it lives as long as the sweep), then, once the
  // outage is closed, the words.
  const char* prefix = "";
  const std::string* cause = nullptr;
  const char* suffix = "";
  std::int64_t cause_seq = 0;
  std::string cause_text;
};

// What a sweep of one guarantee yields.
struct Swept {
  std::vector<Interval> outages;  // every one that touches [period.begin, eval_end)
  std::int64_t unmonitored = 0;   // seconds in [period.begin, eval_end)
};

// Sums the outages of one guarantee into the report: exclusions, the report rule, breach.
GuaranteeReport judge(Swept&& swept, const Window& counted_window, std::int64_t period_seconds,
                      const std::vector<Window>& exclusions, const std::vector<Timestamp>& reports,
                      const Contract& c, Timestamp as_of) {
  GuaranteeReport g;
  g.unmonitored_seconds = swept.unmonitored;
  const seconds window{static_cast<std::int64_t>(c.sla.report_window_days) * kDay};
  for (auto& o : swept.outages) {
    const Window part = intersect(Window{o.start, o.end}, counted_window);
    if (part.empty()) {
      continue;
    }
    OutageReport r;
    r.start = o.start;
    if (!o.open) {
      r.end = o.end;
    }
    r.cause = std::move(o.cause_text);
    r.cause_observation = o.cause_seq;
    r.seconds = part.length().count();
    r.excluded_seconds = overlap(part, exclusions);
    const std::int64_t rest = r.seconds - r.excluded_seconds;
    // The report rule: a report r with start <= r <= start + window (and known by as-of).
    const Timestamp last = o.start + window;
    const auto rep = std::lower_bound(reports.begin(), reports.end(), o.start);
    if (rep != reports.end() && *rep <= last) {
      r.reported = *rep;
    }
    if (!c.sla.require_customer_report || r.reported) {
      r.counted_seconds = rest;
    } else if (as_of <= last) {
      r.pending_seconds = rest;
    } else {
      r.unreported_seconds = rest;
    }
    g.outage_seconds += r.seconds;
    g.excluded_seconds += r.excluded_seconds;
    g.counted_seconds += r.counted_seconds;
    g.pending_seconds += r.pending_seconds;
    g.unreported_seconds += r.unreported_seconds;
    g.outages.push_back(std::move(r));
  }
  g.availability_milli = availability_milli(g.counted_seconds, period_seconds);
  return g;
}

// Turns a sweep's intervals (bad or not, unmonitored or not) into outages and unmonitored time.
class OutageCollector {
 public:
  OutageCollector(Window counted, Timestamp horizon, bool horizon_is_as_of)
      : counted_(counted), horizon_(horizon), open_at_horizon_(horizon_is_as_of) {}

  // Called for each interval of the sweep; returns false once nothing more can matter.
  // `cause` is asked for only when an outage begins.
  template <class Cause>
  bool add(const Window& w, bool bad, bool unmonitored, Cause cause) {
    if (bad) {
      if (!in_outage_) {
        in_outage_ = true;
        current_ = Interval{w.begin, w.end, false, "", nullptr, "", 0, {}};
        cause(current_);
      } else {
        current_.end = w.end;
      }
    } else {
      close();
      if (unmonitored) {
        out_.unmonitored += intersect(w, counted_).length().count();
      }
      if (w.begin >= counted_.end) {
        return false;  // past the counted window and not in an outage
      }
    }
    return true;
  }

  // The state at the horizon instant itself decides whether the last outage is still open
  // (false when the sweep stopped early: then no outage reaches the horizon).
  Swept finish(bool bad_at_horizon) {
    if (in_outage_ && current_.end == horizon_ && bad_at_horizon && open_at_horizon_) {
      current_.open = true;
    }
    close();
    return std::move(out_);
  }

 private:
  void close() {
    if (in_outage_) {
      if (current_.end > counted_.begin && current_.start < counted_.end) {
        if (current_.cause != nullptr) {
          current_.cause_text = current_.prefix + *current_.cause + current_.suffix;
        }
        out_.outages.push_back(std::move(current_));
      }
      in_outage_ = false;
    }
  }

  Window counted_;
  Timestamp horizon_;
  bool open_at_horizon_;
  bool in_outage_ = false;
  Interval current_;
  Swept out_;
};

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
    // An outlet that is on while its PDU's inlet has lost power supplies nothing.
    const Channel in = combine(
        inlet, {}, 0, as_of_, [](State s, std::uint8_t) { return s == State::off ? kYes : kNo; },
        "");
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
