#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "colosla/base/clock.hpp"
#include "colosla/store/store.hpp"

/// A cluster-wide singleton's leadership (docs/scale-out.md, "One leader"): the lease of its
/// name in the store, taken and renewed, and the store's writes fenced by its epoch. Any
/// singleton takes one by its name ("evaluate"; later "month-close").
namespace colosla::core {

class Leadership {
 public:
  using Steady = std::chrono::steady_clock;

  /// Nothing is asked of the store before renew(). `holder`: this process's name in the lease
  /// (lease_holder_name() by default).
  Leadership(Store& store, const Clock& clock, std::string name, std::chrono::seconds ttl,
             std::string holder = lease_holder_name());

  /// Takes the lease, or renews it when this process holds it, and fences the store's writes
  /// with the epoch it holds (Leases::fence_writes). Logs once when this process becomes the
  /// leader, stops being it, or first finds another holding it (with the epochs). When the store
  /// cannot be asked, a leader goes on while more than a third of its lease is left, by the
  /// steady clock from when it last asked successfully, and stops after that (logged). Returns
  /// whether this process leads now.
  bool renew();
  /// Whether this process leads, with more than `margin` of its lease left, without asking the
  /// store.
  [[nodiscard]] bool leading(Steady::duration margin = Steady::duration::zero()) const;
  /// The epoch it leads with (0: it does not lead).
  [[nodiscard]] std::int64_t epoch() const { return leading() ? epoch_ : 0; }
  [[nodiscard]] const std::string& holder() const { return holder_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  /// When renew() is due: a third of the lease after it was last called.
  [[nodiscard]] Steady::time_point next_renewal() const { return next_renewal_; }
  /// True once after renew() made this process the leader (a new epoch): the singleton starts
  /// its work at once rather than at its next scheduled round.
  bool take_new_term();
  /// Ends the lease, when this process leads, so that another takes over at once (a clean
  /// exit). Errors are logged only.
  void release();

 private:
  void stop(const std::string& why);

  Store& store_;
  const Clock& clock_;
  std::string name_;
  std::chrono::seconds ttl_;
  std::string holder_;
  std::int64_t epoch_ = 0;  // the epoch of its lease, while it thinks it leads
  Steady::time_point deadline_;
  Steady::time_point next_renewal_;
  bool new_term_ = false;
  bool told_waiting_ = false;  // logged who holds it, while it does not lead
  bool failing_ = false;       // the store could not be asked (logged once until it can)
};

}  // namespace colosla::core
