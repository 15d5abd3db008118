#include "colosla/model/timeline.hpp"

#include <algorithm>

namespace colosla::core {

Timeline::Timeline(std::vector<Observation> observations) : obs_(std::move(observations)) {
  std::stable_sort(obs_.begin(), obs_.end(), [](const Observation& a, const Observation& b) {
    return a.time != b.time ? a.time < b.time : a.seq < b.seq;
  });
}

std::ptrdiff_t Timeline::index_at(Timestamp t) const {
  // The last observation with time <= t; among equal times the last to arrive.
  const auto it = std::upper_bound(obs_.begin(), obs_.end(), t,
                                   [](Timestamp v, const Observation& o) { return v < o.time; });
  return (it - obs_.begin()) - 1;
}

State Timeline::state_at(Timestamp t) const {
  const auto i = index_at(t);
  return i < 0 ? State::unknown : obs_[static_cast<std::size_t>(i)].state;
}

const Observation* Timeline::cause_at(Timestamp t) const {
  const auto i = index_at(t);
  return i < 0 ? nullptr : &obs_[static_cast<std::size_t>(i)];
}

std::vector<Segment> Timeline::segments(Window w) const {
  std::vector<Segment> out;
  if (w.empty()) {
    return out;
  }
  // The state in force at w.begin, then every change inside w.
  out.push_back(Segment{{w.begin, w.end}, state_at(w.begin), cause_at(w.begin)});
  auto it = std::upper_bound(obs_.begin(), obs_.end(), w.begin,
                             [](Timestamp v, const Observation& o) { return v < o.time; });
  for (; it != obs_.end() && it->time < w.end; ++it) {
    // Among observations at the same instant only the last to arrive holds.
    const auto next = it + 1;
    if (next != obs_.end() && next->time == it->time) {
      continue;
    }
    Segment& last = out.back();
    if (it->state == last.state) {
      continue;  // a repeated report of the same state does not start a new segment
    }
    last.span.end = it->time;
    out.push_back(Segment{{it->time, w.end}, it->state, &*it});
  }
  return out;
}

}  // namespace colosla::core
