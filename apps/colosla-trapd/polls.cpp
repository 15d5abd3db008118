#include "polls.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include "colosla/base/log.hpp"

namespace colosla::trapd {

void Polls::plan(const std::vector<core::Device>& devices) {
  next_poll_.clear();
  const std::size_t n = devices.size();
  std::size_t i = 0;
  for (const auto& d : devices) {
    if (s_.poll_interval.count() > 0) {
      next_poll_[d.name] =
          Steady::now() + s_.poll_interval * static_cast<long>(i++) / std::max<std::size_t>(n, 1);
    }
  }
}

std::size_t Polls::start_due(const std::vector<core::Device>& devices) {
  std::size_t started = 0;
  const auto now = Steady::now();
  for (const auto& d : devices) {
    if (polling_.size() >= s_.poll_concurrency) {
      break;
    }
    const bool asked = asked_.count(d.name) != 0;
    const auto it = next_poll_.find(d.name);
    const bool due = it != next_poll_.end() && it->second <= now;
    if (!asked && !due) {
      continue;
    }
    bool busy = false;
    for (const auto& [pid, poll] : polling_) {
      busy = busy || poll.device == d.name;
    }
    if (busy) {
      continue;
    }
    asked_.erase(d.name);
    if (it != next_poll_.end()) {
      it->second = now + s_.poll_interval;
    }
    std::vector<std::string> args = spawner_.colosla_command({"poll", "--device", d.name});
    if (d.netconf) {
      args.insert(args.end(), {"--netconf-timeout", std::to_string(s_.netconf_timeout.count())});
    } else {
      args.insert(args.end(), {"--timeout", std::to_string(s_.poll_timeout.count()), "--retries",
                               std::to_string(s_.poll_retries)});
      // The poll rules are those of the trap rules in force (a device whose plugin is
      // "rules"): their copy, which a rule file broken since does not touch.
      const auto rules = rules_.poll_args();
      args.insert(args.end(), rules.begin(), rules.end());
    }
    const pid_t pid = spawner_.spawn(args, "poll " + d.name);
    if (pid <= 0) {
      continue;
    }
    ++started;
    polling_[pid] = Poll{d.name, Steady::now(), rules_.copy()};
  }
  return started;
}

bool Polls::ended(pid_t pid, int status) {
  const auto it = polling_.find(pid);
  if (it == polling_.end()) {
    return false;
  }
  if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 3)) {
    log(LogLevel::warning, "trapd", "the poll of " + it->second.device + " failed");
  }
  polling_.erase(it);
  return true;
}

void Polls::kill_overdue() {
  const auto now = Steady::now();
  const auto limit =
      std::max<std::chrono::seconds>(std::chrono::seconds{60}, s_.netconf_timeout * 6);
  for (const auto& [p, poll] : polling_) {
    if (now - poll.started > limit) {
      log(LogLevel::warning, "trapd",
          "the poll of " + poll.device + " took over " + std::to_string(limit.count()) +
              " s: stopped");
      kill(p, SIGKILL);
    }
  }
}

void Polls::terminate() {
  for (const auto& [pid, poll] : polling_) {
    kill(pid, SIGTERM);
  }
}

void Polls::wait_or_kill(std::chrono::seconds limit) {
  const auto deadline = Steady::now() + limit;
  while (!polling_.empty() && Steady::now() < deadline) {
    if (const pid_t pid = waitpid(-1, nullptr, WNOHANG); pid > 0) {
      polling_.erase(pid);
    } else {
      usleep(10'000);
    }
  }
  // libnetconf2 may hold signals back while it waits: what has not gone is killed.
  for (const auto& [pid, poll] : polling_) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
}

bool Polls::reads(const std::string& rules_copy) const {
  return std::any_of(polling_.begin(), polling_.end(),
                     [&](const auto& p) { return p.second.rules_copy == rules_copy; });
}

}  // namespace colosla::trapd
