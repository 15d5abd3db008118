// A singleton's leadership: its lease taken, renewed, lost and released, and the store fenced
// with its epoch.
#include "colosla/services/leader.hpp"

#include "colosla/base/calendar.hpp"
#include "colosla/base/log.hpp"

namespace colosla::core {

Leadership::Leadership(Store& store, const Clock& clock, std::string name, std::chrono::seconds ttl,
                       std::string holder)
    : store_(store),
      clock_(clock),
      name_(std::move(name)),
      ttl_(ttl),
      holder_(std::move(holder)),
      next_renewal_(Steady::now()) {}

bool Leadership::leading(Steady::duration margin) const {
  return epoch_ != 0 && Steady::now() + margin < deadline_;
}

bool Leadership::take_new_term() {
  const bool fresh = new_term_;
  new_term_ = false;
  return fresh;
}

void Leadership::stop(const std::string& why) {
  log(LogLevel::warning, name_,
      "no longer the leader (epoch " + std::to_string(epoch_) + ") at " +
          format_time_utc(clock_.now()) + ": " + why);
  epoch_ = 0;  // the store stays fenced with the old epoch: a stray write fails
  told_waiting_ = true;
}

bool Leadership::renew() {
  const auto asked = Steady::now();
  next_renewal_ = asked + ttl_ / 3;
  auto got = store_.acquire_lease(name_, holder_, ttl_, clock_.now());
  if (!got) {
    if (!failing_) {
      log(LogLevel::warning, name_,
          "cannot take or renew the lease: " + got.error().to_string() + " (trying again every " +
              std::to_string((ttl_ / 3).count()) + " s)");
      failing_ = true;
    }
    // Go on while a renewal can still come in time; stop before the lease ends.
    if (epoch_ != 0 && !leading(ttl_ / 3)) {
      stop("its lease could not be renewed and ends within " + std::to_string((ttl_ / 3).count()) +
           " s");
    }
    return leading();
  }
  if (failing_) {
    log(LogLevel::info, name_, "the lease can be asked for again");
    failing_ = false;
  }
  const Lease& l = *got;
  if (l.holder == holder_ && l.held()) {
    if (l.epoch != epoch_) {
      if (epoch_ != 0) {
        stop("its lease lapsed; taken again as a new term");
      }
      LeaseFence fence{name_, holder_, l.epoch, ttl_, &clock_};
      if (auto f = store_.fence_writes(fence); !f) {
        log(LogLevel::error, name_, "cannot fence the store's writes: " + f.error().to_string());
        (void)store_.release_lease(name_, holder_, l.epoch, clock_.now());
        return false;
      }
      epoch_ = l.epoch;
      new_term_ = true;
      told_waiting_ = false;
      log(LogLevel::info, name_,
          "this process (" + holder_ + ") is the leader now, epoch " + std::to_string(epoch_) +
              ", at " + format_time_utc(clock_.now()) + "; lease of " +
              std::to_string(ttl_.count()) + " s renewed every " +
              std::to_string((ttl_ / 3).count()) + " s");
    }
    deadline_ = asked + l.remaining;
    return true;
  }
  if (epoch_ != 0) {
    stop("the lease is held by " + l.holder + " epoch " + std::to_string(l.epoch));
  } else if (!told_waiting_) {
    log(LogLevel::info, name_,
        "not the leader: the lease is held by " + l.holder + " epoch " + std::to_string(l.epoch) +
            " until " + format_time_utc(l.expires) + "; this process (" + holder_ +
            ") waits, asking every " + std::to_string((ttl_ / 3).count()) + " s");
    told_waiting_ = true;
  }
  return false;
}

void Leadership::release() {
  if (epoch_ == 0) {
    return;
  }
  auto r = store_.release_lease(name_, holder_, epoch_, clock_.now());
  if (!r) {
    log(LogLevel::warning, name_, "cannot release the lease: " + r.error().to_string());
  } else if (*r) {
    log(LogLevel::info, name_, "released the lease (epoch " + std::to_string(epoch_) + ")");
  }
  epoch_ = 0;
}

}  // namespace colosla::core
