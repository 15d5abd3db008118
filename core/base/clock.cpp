#include "colosla/base/clock.hpp"

namespace colosla {

// The one place that reads the real clock: everything else takes a Clock&.
Timestamp SystemClock::now() const {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace colosla
