#pragma once
// The SLA engine's sweep (sla.cpp): channels of values that change at instants, merged in time
// order, and the outages and unmonitored time an interval sweep gives. Private to core/sla.

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <string>
#include <vector>

#include "colosla/sla/sla.hpp"
#include "timeline.hpp"

namespace colosla::core::sweeping {

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

// part ÷ period in thousandths of a percent, rounded half up (the unmonitored share).
std::int64_t share_milli(std::int64_t part, std::int64_t period) {
  if (period <= 0) {
    return 0;
  }
  return (part * 200'000 + period) / (2 * period);
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
  std::vector<Interval> outages;            // every one that touches [period.begin, eval_end)
  std::int64_t unmonitored = 0;             // seconds in [period.begin, eval_end)
  std::vector<Window> unmonitored_windows;  // those seconds, in time order (for the timeline)
};

// Sums the outages of one guarantee into the report: exclusions, the report rule, breach.
GuaranteeReport judge(Swept&& swept, const Window& counted_window, std::int64_t period_seconds,
                      const std::vector<Window>& exclusions, const std::vector<Timestamp>& reports,
                      const Contract& c, Timestamp as_of) {
  GuaranteeReport g;
  g.unmonitored_seconds = swept.unmonitored;
  const seconds window{static_cast<std::int64_t>(c.sla.report_window_days) * kDay};
  std::vector<OutagePart> parts;
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
      parts.push_back(OutagePart{part, TimeState::counted});
    } else if (as_of <= last) {
      r.pending_seconds = rest;
      parts.push_back(OutagePart{part, TimeState::pending});
    } else {
      r.unreported_seconds = rest;
      parts.push_back(OutagePart{part, TimeState::unreported});
    }
    g.outage_seconds += r.seconds;
    g.excluded_seconds += r.excluded_seconds;
    g.counted_seconds += r.counted_seconds;
    g.pending_seconds += r.pending_seconds;
    g.unreported_seconds += r.unreported_seconds;
    g.outages.push_back(std::move(r));
  }
  g.availability_milli = availability_milli(g.counted_seconds, period_seconds);
  g.unmonitored_milli = share_milli(g.unmonitored_seconds, period_seconds);
  g.timeline = build_timeline(counted_window, parts, exclusions, swept.unmonitored_windows);
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
        const Window part = intersect(w, counted_);
        if (!part.empty()) {
          out_.unmonitored += part.length().count();
          auto& ws = out_.unmonitored_windows;
          if (!ws.empty() && ws.back().end == part.begin) {
            ws.back().end = part.end;
          } else {
            ws.push_back(part);
          }
        }
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

}  // namespace colosla::core::sweeping
