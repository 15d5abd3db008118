// colosla-trapd: the trap receiver of the NOC server (SPEC §8). Thin: it reads its options,
// wires the store, the inventory and the receiver together, and runs until SIGTERM.
#include <fcntl.h>
#include <signal.h>
#include <syslog.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "colosla/inventory.hpp"
#include "colosla/log.hpp"
#include "colosla/operations.hpp"
#include "colosla/store.hpp"
#include "colosla/trap_receiver.hpp"

namespace po = boost::program_options;
using namespace colosla;

namespace {

constexpr const char* kDefaultConfig = "/etc/colosla/colosla-trapd.conf";

struct Settings {
  std::vector<std::string> listen;
  std::string db;
  std::string inventory;
  std::string state_dir;
  std::string pid_file;
  bool foreground = false;
  LogLevel level = LogLevel::info;
};

// The self-pipe: signal handlers only write a byte; the main loop reads it.
int wake_pipe[2] = {-1, -1};
// Until daemon() succeeds, stderr is the operator's terminal; after it, only syslog is.
bool daemonized = false;

extern "C" void on_signal(int sig) {
  const char c = sig == SIGHUP ? 'h' : 't';
  const int saved = errno;
  [[maybe_unused]] const auto n = write(wake_pipe[1], &c, 1);
  errno = saved;
}

LogLevel parse_level(const std::string& s) {
  if (s == "debug") {
    return LogLevel::debug;
  }
  if (s == "info") {
    return LogLevel::info;
  }
  if (s == "warning") {
    return LogLevel::warning;
  }
  if (s == "error") {
    return LogLevel::error;
  }
  throw ConfigError("--log-level must be debug, info, warning or error, not \"" + s + "\"");
}

// Returns nullopt when --help or --version was asked for.
std::optional<Settings> read_settings(int argc, char** argv) {
  po::options_description opts("colosla-trapd options (also valid as key = value in the config file)");
  opts.add_options()
      ("listen", po::value<std::vector<std::string>>()->composing(),
       "where to receive traps, udp:ADDR:PORT or udp6:[ADDR]:PORT; repeatable (default udp:0.0.0.0:162)")
      ("db", po::value<std::string>()->default_value("/var/lib/colosla/colosla.db"), "the store")
      ("inventory", po::value<std::string>(),
       "inventory file to load at start and on SIGHUP (default: the store's inventory)")
      ("state-dir", po::value<std::string>()->default_value("/var/lib/colosla"),
       "Net-SNMP's persistent state (engine boots)")
      ("pid-file", po::value<std::string>(), "write the process id here")
      ("log-level", po::value<std::string>()->default_value("info"), "debug, info, warning or error")
      ("foreground", po::bool_switch(), "stay in the foreground and log to stderr (else: syslog)");
  po::options_description cmdline_only("Command line only");
  cmdline_only.add_options()("config,c", po::value<std::string>(),
                             "configuration file (default /etc/colosla/colosla-trapd.conf if present)")(
      "help,h", "show this help")("version", "show the version");
  po::options_description all;
  all.add(opts).add(cmdline_only);

  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, all), vm);
    if (vm.count("help") != 0) {
      std::cout << "usage: colosla-trapd [--config FILE] [--listen udp:ADDR:PORT]... [--db PATH]\n"
                   "                     [--inventory FILE] [--foreground]\n\n"
                << all;
      return std::nullopt;
    }
    if (vm.count("version") != 0) {
      std::cout << "colosla-trapd 0.1.0\n";
      return std::nullopt;
    }
    // The command line wins over the config file: values stored first are kept.
    const bool explicit_config = vm.count("config") != 0;
    const std::string config = explicit_config ? vm["config"].as<std::string>() : kDefaultConfig;
    if (explicit_config || std::filesystem::exists(config)) {
      std::ifstream in(config);
      if (!in) {
        throw ConfigError("cannot read the config file " + config + ": " + std::strerror(errno));
      }
      try {
        po::store(po::parse_config_file(in, opts), vm);
      } catch (const po::error& e) {
        throw ConfigError(config + ": " + e.what());
      }
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(e.what());
  }
  Settings s;
  s.listen = vm.count("listen") != 0 ? vm["listen"].as<std::vector<std::string>>()
                                     : std::vector<std::string>{"udp:0.0.0.0:162"};
  s.db = vm["db"].as<std::string>();
  if (vm.count("inventory") != 0) {
    s.inventory = vm["inventory"].as<std::string>();
  }
  s.state_dir = vm["state-dir"].as<std::string>();
  if (vm.count("pid-file") != 0) {
    s.pid_file = vm["pid-file"].as<std::string>();
  }
  s.foreground = vm["foreground"].as<bool>();
  s.level = parse_level(vm["log-level"].as<std::string>());
  return s;
}

LogSink syslog_sink() {
  openlog("colosla-trapd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
  return [](LogLevel level, std::string_view component, std::string_view msg) {
    const int pri = level == LogLevel::error     ? LOG_ERR
                    : level == LogLevel::warning ? LOG_WARNING
                    : level == LogLevel::info    ? LOG_INFO
                                                 : LOG_DEBUG;
    syslog(pri, "%.*s: %.*s", static_cast<int>(component.size()), component.data(),
           static_cast<int>(msg.size()), msg.data());
  };
}

// Loads the inventory file into the store. At start a failure is fatal; on SIGHUP the store
// keeps the inventory it had.
bool load_inventory(core::Store& store, const std::string& file) {
  core::InventoryValidator validator;
  auto v = validator.validate_files({file});
  if (!v) {
    for (const auto& d : v.error()) {
      log(LogLevel::error, "trapd", d.to_string());
    }
    log(LogLevel::error, "trapd", file + ": inventory not loaded; the store keeps the one it had");
    return false;
  }
  auto committed = core::commit_inventory(store, *v, "colosla-trapd", SystemClock().now());
  if (!committed) {
    log(LogLevel::error, "trapd", file + ": inventory not loaded: " + committed.error().to_string());
    return false;
  }
  if (!committed->changed) {
    log(LogLevel::info, "trapd",
        file + ": inventory unchanged (version " + std::to_string(committed->version) + ")");
    return true;
  }
  log(LogLevel::info, "trapd",
      file + ": inventory version " + std::to_string(committed->version) + " loaded (" +
          std::to_string(v->inventory.devices.size()) + " devices, " +
          std::to_string(v->inventory.contracts.size()) + " contracts)");
  return true;
}

// Who sent a trap, in the inventory's words: "sw1" or "unknown source".
std::string sender_name(const core::Inventory* inv, const core::Trap& t) {
  if (inv != nullptr) {
    for (const auto& d : inv->devices) {
      if (d.address == t.source_address || (!t.agent_address.empty() && d.address == t.agent_address)) {
        return d.name;
      }
    }
  }
  return "unknown source";
}

int run(const Settings& s) {
  set_log_level(s.level);
  set_log_sink(stderr_log_sink());  // start-up problems go to the terminal in both modes

  if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw ConfigError(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
    sigaction(sig, &sa, nullptr);
  }
  signal(SIGPIPE, SIG_IGN);

  auto open_store = [&] {
    auto opened = core::Store::open(s.db, core::Store::Mode::create);
    if (!opened) {
      throw ConfigError(opened.error().to_string());
    }
    return std::move(*opened);
  };
  // Everything that can fail at start fails here, while stderr is still the terminal: the store,
  // the inventory, the endpoints. The store is closed again before daemon() forks: an SQLite
  // connection must not cross a fork.
  if (auto first = open_store(); !s.inventory.empty() && !load_inventory(*first, s.inventory)) {
    throw ConfigError("the inventory " + s.inventory + " is not valid");
  }

  std::optional<core::Inventory> inventory;
  SystemClock clock;
  core::TrapReceiver receiver(
      {s.listen, s.state_dir},
      [&](const core::Trap& t) {
        log(LogLevel::info, "trapd",
            sender_name(inventory ? &*inventory : nullptr, t) + ": " + core::to_text(t));
        return true;
      },
      clock);

  if (!s.foreground) {
    if (daemon(0, 0) != 0) {
      throw ConfigError(std::string("cannot become a daemon: ") + std::strerror(errno));
    }
    daemonized = true;
    set_log_sink(syslog_sink());
  }
  if (!s.pid_file.empty()) {
    std::ofstream(s.pid_file) << getpid() << "\n";
  }
  const std::unique_ptr<core::Store> store = open_store();
  auto reload_from_store = [&] {
    auto inv = store->load_inventory();
    if (!inv) {
      log(LogLevel::error, "trapd", inv.error().to_string());
      return;
    }
    inventory = std::move(*inv);
    if (!inventory) {
      log(LogLevel::warning, "trapd",
          "the store has no inventory: every trap is from an unknown source "
          "(colosla inventory load FILE, or --inventory FILE)");
    }
  };
  reload_from_store();
  std::string endpoints;
  for (const auto& e : receiver.endpoints()) {
    endpoints += (endpoints.empty() ? "" : ", ") + e;
  }
  log(LogLevel::info, "trapd", "listening on " + endpoints + "; store " + s.db);

  bool running = true;
  while (running) {
    if (!receiver.poll(std::chrono::milliseconds(1000), wake_pipe[0])) {
      continue;
    }
    char buf[64];
    ssize_t n = 0;
    while ((n = read(wake_pipe[0], buf, sizeof buf)) > 0) {
      for (ssize_t i = 0; i < n; ++i) {
        if (buf[i] == 't') {
          running = false;
        } else if (buf[i] == 'h') {
          log(LogLevel::info, "trapd", "SIGHUP: reloading the inventory");
          if (!s.inventory.empty()) {
            load_inventory(*store, s.inventory);
          }
          reload_from_store();
        }
      }
    }
  }
  log(LogLevel::info, "trapd", "stopping");
  if (!s.pid_file.empty()) {
    std::filesystem::remove(s.pid_file);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    auto settings = read_settings(argc, argv);
    if (!settings) {
      return 0;
    }
    return run(*settings);
  } catch (const ConfigError& e) {
    if (daemonized) {
      log(LogLevel::error, "trapd", e.what());
    } else {
      std::cerr << "colosla-trapd: " << e.what() << "\n";
    }
    return 1;
  }
}
