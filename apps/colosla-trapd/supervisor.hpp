#pragma once
// colosla-trapd's children: how it starts the colosla program (spawn), the long-lived children
// it keeps running (a `colosla netconf-listen` a NETCONF device, the prober) and the child
// `colosla evaluate --every N` that judges the contracts.

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "colosla/model/inventory.hpp"
#include "settings.hpp"

namespace colosla::trapd {

class Supervisor {
 public:
  using Steady = std::chrono::steady_clock;

  explicit Supervisor(const Settings& s) : s_(s) {}

  /// Once this process is a daemon: the children's stdout and stderr go to /dev/null.
  void set_quiet(bool quiet) { quiet_ = quiet; }

  /// Starts the colosla program with args (start_child): its stdin is /dev/null, or a pipe that
  /// `input` is written to (secrets); it gets `on_death` when this process ends, however it ends,
  /// so that no poll, listener or prober outlives the daemon. 0 when it failed (logged, with
  /// `what`).
  pid_t spawn(std::vector<std::string> args, const std::string& what, int on_death = SIGKILL,
              const std::string& input = {}, int nice = 0) const;
  /// The evaluator's nice value above colosla-trapd's.
  static constexpr int kEvaluatorNice = 19;

  /// The colosla program on this daemon's store (and its secrets key, when one is set),
  /// running `command`.
  [[nodiscard]] std::vector<std::string> colosla_command(
      std::initializer_list<std::string> command) const;

  /// Stops the long-lived children and starts those the devices and the settings call for
  /// afresh: the inventory may have changed a device's access or a contract's probe targets.
  void restart_children(const std::vector<core::Device>& devices);
  /// Starts the long-lived children that are due (not running, their pause over).
  void supervise();
  /// Starts the evaluator when it is not running and its interval has passed since it last was.
  void schedule_evaluation();
  /// SIGUSR1 from the prober: the evaluator evaluates now (it is sent SIGUSR1), or is started now.
  void evaluate_now();
  /// A child process ended: true when pid was a long-lived child or the evaluator.
  bool ended(pid_t pid, int status);
  /// Whether a long-lived child is running.
  [[nodiscard]] bool any_running() const;
  /// Stops the long-lived children (SIGTERM, SIGKILL after 10 s) and waits for them.
  void stop_children();
  /// Stops the evaluator (SIGTERM) and waits for it.
  void stop_evaluator();

 private:
  // One `colosla netconf-listen` a NETCONF device, and one `colosla prober`. Each carries on by
  // itself (a listener reconnects); when one ends other than by its own choice (exit 0: the
  // server sends no notifications), it is started again after a pause that doubles up to 5
  // minutes, and is back to 10 s once it ran for 10 minutes.
  struct Child {
    std::vector<std::string> args;
    pid_t pid = 0;
    Steady::time_point started;
    Steady::time_point next_start;  // when not running
    std::chrono::seconds pause{10};
    bool done = false;  // ended by its own choice
  };

  const Settings& s_;
  bool quiet_ = false;
  std::map<std::string, Child> children_;  // by what the log calls it
  pid_t evaluating_ = 0;
  Steady::time_point next_evaluation_;
};

}  // namespace colosla::trapd
