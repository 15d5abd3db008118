#pragma once

// colosla evaluate --every: the wait between two rounds (wait_round.cpp).
#include <signal.h>

#include <chrono>

#include "colosla/store/store.hpp"

namespace colosla::cli {

/// How soon after the first wake-up of a burst the round starts: the commits of the next
/// second join it.
inline constexpr std::chrono::milliseconds kWakeDebounce{1000};

/// Waits for the next round of `colosla evaluate --every`: `at_most`; a signal of `wake`
/// (blocked by the caller), returned at once; or the store's hint that another connection
/// committed observations or records (Store::wait_for_change: on PostgreSQL a NOTIFY; never on
/// SQLite), then kWakeDebounce more, or less when the timer ends sooner. Signals are looked at
/// at least every 250 ms. Returns the signal taken, or 0 when the round is due; `*hinted` (when
/// given) tells whether a hint made it due before `at_most`. When the store cannot wait
/// (PostgreSQL away) it says so once and tries again every 5 s, waiting on the signals meanwhile.
int wait_round(core::Store& store, const sigset_t& wake, std::chrono::milliseconds at_most,
               bool* hinted = nullptr);

}  // namespace colosla::cli
