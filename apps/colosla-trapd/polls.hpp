#pragma once
// colosla-trapd's poll schedule: every device, SNMP or NETCONF, polled every poll-interval by a
// child `colosla poll` (a slow device never holds up reception), at most poll-concurrency at a
// time, and sooner when a trap asks for it.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "colosla/model/inventory.hpp"
#include "rules_in_force.hpp"
#include "settings.hpp"
#include "supervisor.hpp"

namespace colosla::trapd {

class Polls {
 public:
  using Steady = std::chrono::steady_clock;

  /// `rules`: the polls of SNMP devices read the copy of the rules in force it names.
  Polls(const Settings& s, const Supervisor& spawner, const RulesInForce& rules)
      : s_(s), spawner_(spawner), rules_(rules) {}

  /// A new schedule for these devices, spread over the interval (at start and on SIGHUP).
  void plan(const std::vector<core::Device>& devices);
  /// Polls the device as soon as it can (a trap asked to confirm a state or walk it again).
  void ask(const std::string& device) { asked_.insert(device); }
  /// Starts the polls that are due or asked for, one a device at a time. Returns how many
  /// started.
  std::size_t start_due(const std::vector<core::Device>& devices);
  /// A child process ended: true when pid was a poll.
  bool ended(pid_t pid, int status);
  /// Kills the polls that outlived their deadline (a device that holds a NETCONF session open
  /// without answering, past the poller's own watchdog), so that the device is polled again.
  void kill_overdue();
  /// Asks every poll running to stop (SIGTERM).
  void terminate();
  /// Waits up to `limit` for the polls to end, then kills what is left and waits for it.
  void wait_or_kill(std::chrono::seconds limit);
  /// Whether a poll running was given this copy of the rules (RulesInForce::copy).
  [[nodiscard]] bool reads(const std::string& rules_copy) const;

 private:
  struct Poll {
    std::string device;
    Steady::time_point started;
    std::string rules_copy;
  };

  const Settings& s_;
  const Supervisor& spawner_;
  const RulesInForce& rules_;
  std::map<std::string, Steady::time_point> next_poll_;
  std::set<std::string> asked_;
  std::map<pid_t, Poll> polling_;
};

}  // namespace colosla::trapd
