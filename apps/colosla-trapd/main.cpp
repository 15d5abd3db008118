// colosla-trapd: the trap receiver of the NOC server (SPEC §8). It receives SNMP traps and
// informs, turns them into observations through the device plugins, commits them in batches
// (an inform is answered only after its commit), keeps counters of what happened to every
// packet, polls the devices, SNMP and NETCONF, on a schedule (each poll in a child `colosla
// poll`, so that a slow device never holds up reception), and keeps a child `colosla
// netconf-listen` running for each NETCONF device, which stores the device's notifications.
//
// This file: start-up, signals and exit codes. The event loop is daemon.cpp (its batching
// commits.cpp), the commit writer writer.cpp, the poll schedule polls.cpp, the children
// supervisor.cpp, the settings settings.cpp.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string_view>

#include "colosla/base/log.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/rules/trap_rules.hpp"
#include "daemon.hpp"
#include "privileges.hpp"
#include "settings.hpp"

using namespace colosla;

namespace {

int wake_pipe[2] = {-1, -1};

extern "C" void on_signal(int sig) {
  const char c = sig == SIGHUP ? 'h' : sig == SIGCHLD ? 'c' : sig == SIGUSR1 ? 'u' : 't';
  const int saved = errno;
  [[maybe_unused]] const auto n = write(wake_pipe[1], &c, 1);
  errno = saved;
}

// Whether the command line asks for --check-config (also when it could not be read).
bool check_only(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--check-config") {
      return true;
    }
  }
  return false;
}

// The signals reach the loop through a self-pipe: returns its read end.
int install_signals() {
  if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw ConfigError(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGUSR1}) {
    sigaction(sig, &sa, nullptr);
  }
  signal(SIGPIPE, SIG_IGN);
  return wake_pipe[0];
}

// --check-config: what a start would refuse in the settings, the user and the inventory, without
// starting. One line on stdout when all is well; else the first error on stderr.
int check_config(const trapd::Settings& s) {
  if (!s.user.empty() && !trapd::find_account(s.user)) {
    std::cerr << s.where("user") << "no such user \"" << s.user << "\"\n";
    return 1;
  }
  if (!s.inventory.empty()) {
    core::InventoryValidator validator;
    if (auto v = validator.validate_files({s.inventory}); !v) {
      std::cerr << (v.error().empty() ? s.inventory + ": not valid" : v.error().front().to_string())
                << "\n";
      return 1;
    }
  }
  core::TrapRuleLoader rules;
  if (auto r = rules.load_all(s.rule_paths()); !r) {
    for (const auto& d : r.error()) {
      std::cerr << d.to_string() << "\n";
    }
    return 1;
  }
  std::cout << "configuration OK\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<trapd::Settings> settings;
  std::unique_ptr<trapd::Daemon> daemon;
  try {
    settings = trapd::read_settings(argc, argv);
    if (!settings) {
      return 0;
    }
    if (settings->check_config) {
      return check_config(*settings);
    }
    set_log_level(settings->level);
    set_log_sink(stderr_log_sink());  // start-up problems go to the terminal in both modes
    const int wake = install_signals();
    daemon = std::make_unique<trapd::Daemon>(*settings, wake);
    return daemon->run();
  } catch (const ConfigError& e) {
    if (check_only(argc, argv)) {
      std::cerr << e.what() << "\n";  // FILE:LINE: KEY: message, as nginx -t says it
    } else if (daemon && daemon->daemonized()) {
      log(LogLevel::error, "trapd", e.what());
    } else {
      std::cerr << "colosla-trapd: " << e.what() << "\n";
    }
    return 1;
  }
}
