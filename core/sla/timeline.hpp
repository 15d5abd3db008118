#pragma once
// A guarantee's month as consecutive spans of one state each (GuaranteeReport::timeline), from
// the same outages, exclusions and unmonitored windows the engine counts. Private to core/sla.

#include <vector>

#include "colosla/sla/sla.hpp"

namespace colosla::core::sweeping {

/// The part of one outage inside the counted window, and what its non-excluded seconds are
/// (counted, pending or unreported).
struct OutagePart {
  Window part;
  TimeState rest = TimeState::counted;
};

/// The spans of [counted.begin, counted.end): outage parts (excluded where an exclusion covers
/// them, else their `rest`), unmonitored windows, and available time between them. `parts` and
/// `unmonitored` are disjoint and each in time order; `exclusions` united and in time order.
std::vector<TimelineSpan> build_timeline(const Window& counted,
                                         const std::vector<OutagePart>& parts,
                                         const std::vector<Window>& exclusions,
                                         const std::vector<Window>& unmonitored);

}  // namespace colosla::core::sweeping
