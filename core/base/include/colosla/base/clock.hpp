#pragma once

#include <chrono>

namespace colosla {

/// An instant in UTC with second precision: how colosla keeps time in memory and in the store.
using Timestamp = std::chrono::sys_seconds;

/// The source of "now". Components take a Clock& so that tests can set the time.
class Clock {
 public:
  virtual ~Clock() = default;
  /// The current instant, truncated to the second.
  [[nodiscard]] virtual Timestamp now() const = 0;
};

/// The machine's real-time clock.
class SystemClock final : public Clock {
 public:
  [[nodiscard]] Timestamp now() const override;
};

/// A clock that only moves when told to; for tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start) : now_(start) {}
  [[nodiscard]] Timestamp now() const override { return now_; }
  void set(Timestamp t) { now_ = t; }
  void advance(std::chrono::seconds d) { now_ += d; }

 private:
  Timestamp now_;
};

}  // namespace colosla
