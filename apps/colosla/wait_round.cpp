#include "wait_round.hpp"

#include <algorithm>

#include "colosla/base/log.hpp"

namespace colosla::cli {

int wait_round(core::Store& store, const sigset_t& wake, std::chrono::milliseconds at_most,
               bool* hinted_out) {
  using Clock = std::chrono::steady_clock;
  using std::chrono::milliseconds;
  constexpr milliseconds kSlice{250};
  auto due = Clock::now() + at_most;
  bool hinted = false;
  const auto done = [&](int sig) {
    if (hinted_out != nullptr) {
      *hinted_out = hinted;
    }
    return sig;
  };
  bool failed = false;
  for (;;) {
    const auto left = std::chrono::ceil<milliseconds>(due - Clock::now());
    const milliseconds slice = std::clamp(left, milliseconds{0}, kSlice);
    siginfo_t info{};
    const timespec none{0, 0};
    if (const int sig = sigtimedwait(&wake, &info, &none); sig > 0) {
      return done(sig);
    }
    if (slice.count() == 0) {
      return done(0);
    }
    auto change = store.wait_for_change(slice);
    if (!change) {
      // Tried again after a pause of up to 5 s (the store connects again by itself); the timer
      // still runs.
      if (!failed) {
        log(LogLevel::warning, "evaluate",
            "cannot wait for new observations (" + change.error().to_string() +
                "); evaluating on the timer until the store answers");
        failed = true;
      }
      const auto rest = std::min(left, milliseconds{5000});
      const timespec pause{static_cast<time_t>(rest.count() / 1000),
                           static_cast<long>(rest.count() % 1000) * 1'000'000L};
      if (const int sig = sigtimedwait(&wake, &info, &pause); sig > 0) {
        return done(sig);
      }
    } else if (*change && !hinted) {
      hinted = true;
      due = std::min(due, Clock::now() + kWakeDebounce);
    }
  }
}

}  // namespace colosla::cli
