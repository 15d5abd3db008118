#include "supervisor.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include "colosla/base/child_process.hpp"
#include "colosla/base/log.hpp"
#include "colosla/sinks/sink_options.hpp"

namespace colosla::trapd {

pid_t Supervisor::spawn(std::vector<std::string> args, const std::string& what, int on_death,
                        const std::string& input, int nice) const {
  auto pid = start_child(std::move(args), ChildOptions{on_death, input, quiet_, nice});
  if (!pid) {
    log(LogLevel::error, "trapd",
        "cannot run " + s_.poller + " (" + what + "): " + pid.error().msg);
    return 0;
  }
  return *pid;
}

std::vector<std::string> Supervisor::colosla_command(
    std::initializer_list<std::string> command) const {
  std::vector<std::string> args{s_.poller, "--db", s_.db};
  if (!s_.secrets_key.empty()) {
    args.insert(args.end(), {"--secrets-key", s_.secrets_key});
  }
  args.insert(args.end(), command);
  return args;
}

void Supervisor::restart_children(const std::vector<core::Device>& devices) {
  stop_children();
  children_.clear();
  if (s_.netconf_listen) {
    for (const auto& d : devices) {
      if (d.netconf) {
        children_["the NETCONF listener of " + d.name].args =
            colosla_command({"netconf-listen", "--device", d.name, "--timeout",
                             std::to_string(s_.netconf_timeout.count())});
      }
    }
  }
  if (s_.probe) {
    auto& prober = children_["the prober"];
    prober.args = colosla_command({"prober", "--wake-pid", std::to_string(getpid())});
    const auto options = s_.prober_options();
    prober.args.insert(prober.args.end(), options.begin(), options.end());
  }
  supervise();
}

void Supervisor::supervise() {
  const auto now = Steady::now();
  for (auto& [name, l] : children_) {
    if (l.pid != 0 || l.done || now < l.next_start) {
      continue;
    }
    // The prober stores the probes it has running when told to stop; the listeners may not
    // hear a SIGTERM for minutes (libnetconf2 holds signals back).
    l.pid = spawn(l.args, name, name == "the prober" ? SIGTERM : SIGKILL);
    l.started = now;
    if (l.pid == 0) {
      l.next_start = now + l.pause;
    }
  }
}

// Every contract's figures for check_colosla and the SLA events they show, computed by a child
// `colosla evaluate --every INTERVAL` that stays (a month report of every contract takes
// seconds; reception must not wait): after its first run it judges again only the contracts
// that can have changed. Started again an interval after it ends, should it end.
void Supervisor::schedule_evaluation() {
  const auto now = Steady::now();
  if (s_.evaluate_interval.count() == 0 || evaluating_ != 0 || now < next_evaluation_) {
    return;
  }
  next_evaluation_ = now + s_.evaluate_interval;
  std::vector<std::string> args =
      colosla_command({"evaluate", "--every", std::to_string(s_.evaluate_interval.count()),
                       "--budget-warning", std::to_string(s_.budget_warning)});
  if (!s_.status_dir.empty()) {
    args.insert(args.end(), {"--status-dir", s_.status_dir});
  }
  if (s_.lead) {
    // One evaluator across every one on this store: only the lease's holder evaluates.
    args.insert(args.end(), {"--lead", "--lease-seconds", std::to_string(s_.lease_seconds)});
  }
  // The trap sinks hold communities and pass phrases: on the child's stdin, not in its argv.
  auto [sink_args, secrets] = core::sink_command_line(s_.sinks);
  args.insert(args.end(), sink_args.begin(), sink_args.end());
  // Background work: when it and reception want the same CPU (a storm while a first evaluation
  // of many contracts runs), reception wins.
  evaluating_ = spawn(args, "evaluate", SIGTERM, secrets, kEvaluatorNice);
}

void Supervisor::evaluate_now() {
  // The prober saw an emergency begin or end, or a notification come due: evaluate now (the
  // evaluator, between two runs, wakes on SIGUSR1; in a run, right after it).
  if (evaluating_ != 0) {
    kill(evaluating_, SIGUSR1);
  } else {
    next_evaluation_ = Steady::now();
  }
}

bool Supervisor::ended(pid_t pid, int status) {
  if (pid == evaluating_) {
    evaluating_ = 0;
    log(LogLevel::warning, "trapd",
        "colosla evaluate ended (" + describe_exit(status) +
            "): check_colosla computes the figures itself until it is started again, in " +
            std::to_string(s_.evaluate_interval.count()) + " s");
    return true;
  }
  for (auto& [name, l] : children_) {
    if (l.pid != pid) {
      continue;
    }
    l.pid = 0;
    const auto now = Steady::now();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      l.done = true;
      log(LogLevel::info, "trapd",
          name + " ended" + (name == "the prober" ? std::string() : ": the device is polled only"));
      return true;
    }
    const auto pause =
        now - l.started > std::chrono::minutes{10} ? std::chrono::seconds{10} : l.pause;
    l.next_start = now + pause;
    l.pause = std::min(pause * 2, std::chrono::seconds{300});
    log(LogLevel::warning, "trapd",
        name + " ended (" + describe_exit(status) + "); starting it again in " +
            std::to_string(pause.count()) + " s");
    return true;
  }
  return false;
}

bool Supervisor::any_running() const {
  for (const auto& [name, l] : children_) {
    if (l.pid != 0) {
      return true;
    }
  }
  return false;
}

void Supervisor::stop_children() {
  std::vector<pid_t> running;
  for (auto& [name, l] : children_) {
    if (l.pid != 0) {
      kill(l.pid, SIGTERM);
      running.push_back(l.pid);
      l.pid = 0;
    }
  }
  // (10 s: a busy machine; a listener that holds SIGTERM back is killed after that)
  const auto deadline = Steady::now() + std::chrono::seconds{10};
  for (const pid_t pid : running) {
    while (waitpid(pid, nullptr, WNOHANG) == 0) {
      if (Steady::now() >= deadline) {
        kill(pid, SIGKILL);  // libnetconf2 may hold SIGTERM back for minutes
        waitpid(pid, nullptr, 0);
        break;
      }
      usleep(10'000);
    }
  }
}

void Supervisor::stop_evaluator() {
  if (evaluating_ != 0) {
    kill(evaluating_, SIGTERM);
    waitpid(evaluating_, nullptr, 0);
    evaluating_ = 0;
  }
}

}  // namespace colosla::trapd
