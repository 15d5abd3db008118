#pragma once

#include <vector>

#include "colosla/base/calendar.hpp"
#include "colosla/model/model.hpp"

namespace colosla::core {

/// A stretch of time during which an entity had one state.
struct Segment {
  Window span;
  State state = State::unknown;
  /// The observation that began the state (nullptr for the `unknown` before the first one),
  /// so that a report can point at the evidence behind each minute.
  const Observation* cause = nullptr;
  friend bool operator==(const Segment& a, const Segment& b) {
    return a.span == b.span && a.state == b.state;
  }
};

/// The history of one entity's state (SPEC §1): a state holds from its observation until the
/// next observation of the entity; before the first one the state is `unknown`; observations
/// with the same timestamp apply in arrival order, so the last to arrive wins.
class Timeline {
 public:
  Timeline() = default;
  /// Takes observations of one entity in any order; they are ordered by (time, seq).
  explicit Timeline(std::vector<Observation> observations);

  /// The state at instant t.
  [[nodiscard]] State state_at(Timestamp t) const;
  /// The observation whose state holds at t, or nullptr while the state is still unknown.
  [[nodiscard]] const Observation* cause_at(Timestamp t) const;
  /// Segments that cover w exactly, in order, with no two neighbours in the same state
  /// (a repeated observation of the same state does not split a segment). Empty when w is empty.
  [[nodiscard]] std::vector<Segment> segments(Window w) const;

  [[nodiscard]] const std::vector<Observation>& observations() const { return obs_; }
  [[nodiscard]] bool empty() const { return obs_.empty(); }

 private:
  // Index of the observation in force at t, or -1.
  [[nodiscard]] std::ptrdiff_t index_at(Timestamp t) const;
  std::vector<Observation> obs_;
};

}  // namespace colosla::core
