// The timeline of a guarantee's month (sla.hpp, GuaranteeReport::timeline). It is built from
// what judge() counts, piece by piece, so that the seconds of each state are the report's own
// figures, never a second computation that could disagree with them.
#include "timeline.hpp"

#include <algorithm>

namespace colosla::core {

std::string_view to_string(TimeState s) {
  switch (s) {
    case TimeState::available:
      return "available";
    case TimeState::counted:
      return "counted";
    case TimeState::excluded:
      return "excluded";
    case TimeState::unreported:
      return "unreported";
    case TimeState::pending:
      return "pending";
    case TimeState::unmonitored:
      return "unmonitored";
  }
  return "?";
}

namespace sweeping {

namespace {

// Appends a span, merged with the last one when they touch and share a state.
void push(std::vector<TimelineSpan>& out, Window w, TimeState s) {
  if (w.empty()) {
    return;
  }
  if (!out.empty() && out.back().state == s && out.back().span.end == w.begin) {
    out.back().span.end = w.end;
    return;
  }
  out.push_back(TimelineSpan{w, s});
}

// An outage part cut by the exclusions: excluded where they cover it, `rest` elsewhere.
void push_part(std::vector<TimelineSpan>& out, const OutagePart& p,
               const std::vector<Window>& exclusions) {
  Timestamp at = p.part.begin;
  for (const auto& x : exclusions) {
    if (x.end <= at) {
      continue;
    }
    if (x.begin >= p.part.end) {
      break;
    }
    const Window covered = intersect(Window{at, p.part.end}, x);
    push(out, Window{at, covered.begin}, p.rest);
    push(out, covered, TimeState::excluded);
    at = covered.end;
  }
  push(out, Window{at, p.part.end}, p.rest);
}

}  // namespace

std::vector<TimelineSpan> build_timeline(const Window& counted,
                                         const std::vector<OutagePart>& parts,
                                         const std::vector<Window>& exclusions,
                                         const std::vector<Window>& unmonitored) {
  std::vector<TimelineSpan> out;
  if (counted.empty()) {
    return out;
  }
  Timestamp at = counted.begin;
  std::size_t i = 0, j = 0;
  // Both lists are in time order and disjoint from each other: merge them, available between.
  while (i < parts.size() || j < unmonitored.size()) {
    const bool take_part =
        j == unmonitored.size() || (i < parts.size() && parts[i].part.begin < unmonitored[j].begin);
    if (take_part) {
      const Window w = intersect(parts[i].part, counted);
      if (!w.empty()) {
        push(out, Window{at, std::max(at, w.begin)}, TimeState::available);
        push_part(out, OutagePart{w, parts[i].rest}, exclusions);
        at = std::max(at, w.end);
      }
      ++i;
    } else {
      const Window w = intersect(unmonitored[j], counted);
      if (!w.empty()) {
        push(out, Window{at, std::max(at, w.begin)}, TimeState::available);
        push(out, w, TimeState::unmonitored);
        at = std::max(at, w.end);
      }
      ++j;
    }
  }
  push(out, Window{at, counted.end}, TimeState::available);
  return out;
}

}  // namespace sweeping
}  // namespace colosla::core
