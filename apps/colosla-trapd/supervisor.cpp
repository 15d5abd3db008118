#include "supervisor.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "colosla/base/log.hpp"
#include "colosla/sinks/sink_options.hpp"

namespace colosla::trapd {

pid_t Supervisor::spawn(std::vector<std::string> args, const std::string& what, int on_death,
                        const std::string& input) const {
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  int in[2] = {-1, -1};
  if (!input.empty() && pipe2(in, O_CLOEXEC) != 0) {
    log(LogLevel::error, "trapd",
        "cannot run " + s_.poller + " (" + what + "): " + std::strerror(errno));
    return 0;
  }
  const pid_t parent = getpid();
  const bool quiet = quiet_;
  const pid_t pid = fork();
  if (pid == 0) {
    // The child, until exec: async-signal-safe calls only (the writer thread may hold locks).
    prctl(PR_SET_PDEATHSIG, on_death);
    if (getppid() != parent) {
      _exit(127);  // the daemon ended before the line above
    }
    const int stdin_fd = in[0] >= 0 ? in[0] : ::open("/dev/null", O_RDONLY);
    if (stdin_fd < 0 || dup2(stdin_fd, 0) < 0) {
      _exit(127);
    }
    if (quiet) {
      const int null_fd = ::open("/dev/null", O_WRONLY);
      if (null_fd < 0 || dup2(null_fd, 1) < 0 || dup2(null_fd, 2) < 0) {
        _exit(127);
      }
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  const int spawn_errno = errno;
  if (in[0] >= 0) {
    ::close(in[0]);
  }
  if (pid < 0) {
    if (in[1] >= 0) {
      ::close(in[1]);
    }
    log(LogLevel::error, "trapd",
        "cannot run " + s_.poller + " (" + what + "): " + std::strerror(spawn_errno));
    return 0;
  }
  if (in[1] >= 0) {
    // A few lines: far below a pipe's buffer, so this does not block.
    for (std::size_t done = 0; done < input.size();) {
      const ssize_t n = ::write(in[1], input.data() + done, input.size() - done);
      if (n <= 0) {
        break;  // the child ended already: it says why
      }
      done += static_cast<std::size_t>(n);
    }
    ::close(in[1]);
  }
  return pid;
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
  // The trap sinks hold communities and pass phrases: on the child's stdin, not in its argv.
  auto [sink_args, secrets] = core::sink_command_line(s_.sinks);
  args.insert(args.end(), sink_args.begin(), sink_args.end());
  evaluating_ = spawn(args, "evaluate", SIGTERM, secrets);
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
        "colosla evaluate ended (" + describe_status(status) +
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
        name + " ended (" + describe_status(status) + "); starting it again in " +
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

std::string Supervisor::describe_status(int status) {
  return WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                           : "signal " + std::to_string(WTERMSIG(status));
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
