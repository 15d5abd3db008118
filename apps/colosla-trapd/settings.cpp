#include "settings.hpp"

#include <algorithm>
#include <array>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "colosla/base/result.hpp"
#include "colosla/base/text.hpp"
#include "colosla/judge/programs.hpp"
#include "colosla/snmp/trap_receiver.hpp"
#include "colosla/store/postgresql.hpp"

namespace colosla::trapd {

namespace po = boost::program_options;

namespace {

constexpr const char* kDefaultConfig = "/etc/colosla/colosla-trapd.conf";

// The keys that carry secrets (communities, SNMPv3 pass phrases): a configuration file only.
constexpr std::array<const char*, 3> kSecretKeys{"community", "create-user", core::kTrapSinkKey};

// Options parsed into ints first, then checked and converted.
struct Raw {
  std::string level = "info";
  int commit_interval = 0, commit_batch = 0, duplicate_window = 0, poll_interval = 0,
      poll_timeout = 0, poll_concurrency = 0, netconf_timeout = 0, evaluate_interval = 0;
  explicit Raw(const Settings& d)
      : commit_interval(static_cast<int>(d.commit_interval.count())),
        commit_batch(static_cast<int>(d.commit_batch)),
        duplicate_window(static_cast<int>(d.duplicate_window.count())),
        poll_interval(static_cast<int>(d.poll_interval.count())),
        poll_timeout(static_cast<int>(d.poll_timeout.count())),
        poll_concurrency(static_cast<int>(d.poll_concurrency)),
        netconf_timeout(static_cast<int>(d.netconf_timeout.count())),
        evaluate_interval(static_cast<int>(d.evaluate_interval.count())) {}
};

// Every key, bound to where it goes; the defaults are what s holds (a default Settings).
po::options_description describe(Settings& s, Raw& r) {
  po::options_description o("colosla-trapd options (also valid as key = value in the config file)");
  // clang-format off
  o.add_options()
      ("listen", po::value(&s.listen)->composing(),
       "where to receive, udp:ADDR:PORT, udp:PORT, udp6:[ADDR]:PORT; repeatable (default udp:162)")
      ("db", po::value(&s.db)->default_value(s.db), "the store: a SQLite file or a postgresql:// URI")
      ("secrets-key", po::value(&s.secrets_key),
       "the key that opens the secrets in the store (default for SQLite: the store's path with .key "
       "added; a PostgreSQL store needs it named)")
      ("inventory", po::value(&s.inventory), "inventory file to load at start and on SIGHUP (default: the store's)")
      ("rules", po::value(&s.rules)->composing(),
       "trap rule file or directory of them, loaded at start and on SIGHUP; repeatable "
       "(default: the package's rules directory, when it exists)")
      ("community", po::value(&s.communities)->composing(),
       "configuration file only: a community accepted from every device besides its own; repeatable")
      ("create-user", po::value(&s.users)->composing(),
       "configuration file only: an SNMPv3 user as snmptrapd.conf's createUser: [-e ENGINEID] USER "
       "(MD5|SHA|SHA-256|SHA-512) AUTHPASS [(DES|AES) PRIVPASS]; its security level is the least it accepts; "
       "repeatable")
      ("trap-relay", po::value(&s.trap_relays)->composing(),
       "a relay (ADDRESS or ADDRESS/PREFIX) trusted to say in a v2c/v3 trap's snmpTrapAddress.0 "
       "which device sent it; from anyone else that varbind is ignored; repeatable")
      ("state-dir", po::value(&s.state_dir)->default_value(s.state_dir),
       "Net-SNMP's persistent state (the SNMPv3 engine ID and boots)")
      ("pid-file", po::value(&s.pid_file), "write the process id here (as root, before --user)")
      ("user", po::value(&s.user),
       "started as root: bind the sockets and write the pid file, then become this user (its "
       "groups too), keeping only CAP_NET_RAW, for the prober's ICMP, when probe = true")
      ("log-level", po::value(&r.level)->default_value(r.level), "debug, info, warning or error")
      ("trap-log-rate", po::value(&s.trap_log_rate)->default_value(s.trap_log_rate),
       "traps logged a second at most (the rest are counted)")
      ("problem-log-rate", po::value(&s.problem_log_rate)->default_value(s.problem_log_rate),
       "lines a second at most for each kind of refused datagram or failure (the rest are counted)")
      ("receive-buffer", po::value(&s.receive_buffer)->default_value(s.receive_buffer), "socket receive buffer, bytes")
      ("commit-interval", po::value(&r.commit_interval)->default_value(r.commit_interval),
       "commit at least this often, milliseconds")
      ("commit-batch", po::value(&r.commit_batch)->default_value(r.commit_batch),
       "commit at once when this many are waiting; while a commit runs, reception pauses at this many")
      ("duplicate-window", po::value(&r.duplicate_window)->default_value(r.duplicate_window),
       "seconds in which a repeated trap is a duplicate")
      ("rate-per-device", po::value(&s.rate_per_device)->default_value(s.rate_per_device),
       "traps a second a device may send that change nothing")
      ("rate-burst", po::value(&s.rate_burst)->default_value(s.rate_burst), "… with bursts of this many")
      ("poll-interval", po::value(&r.poll_interval)->default_value(r.poll_interval),
       "seconds between polls of a device (0: no polling)")
      ("poll-timeout", po::value(&r.poll_timeout)->default_value(r.poll_timeout),
       "milliseconds to wait for a device's answer")
      ("poll-retries", po::value(&s.poll_retries)->default_value(s.poll_retries), "times to ask a device again")
      ("poll-concurrency", po::value(&r.poll_concurrency)->default_value(r.poll_concurrency),
       "polls at the same time at most")
      ("poller", po::value(&s.poller),
       "the colosla program that runs polls and NETCONF listeners (default: found beside this one)")
      ("netconf-timeout", po::value(&r.netconf_timeout)->default_value(r.netconf_timeout),
       "seconds for each NETCONF RPC")
      ("evaluate-interval", po::value(&r.evaluate_interval)->default_value(r.evaluate_interval),
       "seconds between evaluations of every contract's figures and SLA events (colosla evaluate; 0: none)")
      ("status-dir", po::value(&s.status_dir),
       "where the evaluator publishes each contract's figures for check_colosla and the Zabbix agent (default: status beside the store)")
      ("budget-warning", po::value(&s.budget_warning)->default_value(s.budget_warning),
       "percent of a month's outage budget used that makes a budget-warning event")
      ("lead", po::value(&s.lead)->default_value(s.lead),
       "yes: the evaluator takes the store's lease \"evaluate\" (colosla evaluate --lead): of all the "
       "evaluators on this store only its holder evaluates and delivers the events (docs/scale-out.md)")
      ("lease-seconds", po::value(&s.lease_seconds)->default_value(s.lease_seconds),
       "with lead = yes: the lease's length, renewed every third of it (3 to 300)")
      ("netconf-listen", po::value(&s.netconf_listen)->default_value(s.netconf_listen),
       "follow each NETCONF device's notifications (colosla netconf-listen); false: polls only")
      ("probe", po::value(&s.probe)->default_value(s.probe),
       "probe every contract's targets on its probe interval (colosla prober; Article 4); false: no probes")
      ("probe-timeout", po::value(&s.probe_timeout)->default_value(s.probe_timeout), "milliseconds for each probe attempt")
      ("probe-retries", po::value(&s.probe_retries)->default_value(s.probe_retries),
       "attempts after the first within one probe")
      ("probe-workers", po::value(&s.probe_workers)->default_value(s.probe_workers), "probes in flight at once")
      ("probe-www-port", po::value(&s.probe_www_port)->default_value(s.probe_www_port), "the port of the www probe")
      ("probe-smtp-port", po::value(&s.probe_smtp_port)->default_value(s.probe_smtp_port), "the port of the email probe")
      ("probe-ftp-port", po::value(&s.probe_ftp_port)->default_value(s.probe_ftp_port), "the port of the ftp probe")
      ("foreground", po::bool_switch(&s.foreground), "stay in the foreground and log to stderr (else: syslog)");
  // clang-format on
  core::add_sink_options(o, s.sinks);
  return o;
}

// A value that is wrong, and the key that gave it (for the line it came from).
struct KeyError {
  std::string key;
  std::string message;
  std::size_t nth = 0;  ///< which of a repeatable key's values
};

void require(bool ok, const char* key, const char* message) {
  if (!ok) {
    throw KeyError{key, message};
  }
}

// Checks and converts what was parsed; s already holds the rest. Throws KeyError.
void finish(Settings& s, const Raw& r) {
  try {
    s.level = parse_level(r.level);
  } catch (const ConfigError&) {
    throw KeyError{"log-level", "must be debug, info, warning or error, not \"" + r.level + "\""};
  }
  require(s.budget_warning >= 1 && s.budget_warning <= 100, "budget-warning",
          "must be a percent from 1 to 100");
  require(r.commit_interval > 0, "commit-interval", "must be positive");
  require(s.lease_seconds >= 3 && s.lease_seconds <= 300, "lease-seconds", "must be 3 to 300");
  require(!s.lead || r.evaluate_interval > 0, "lead",
          "needs an evaluator: evaluate-interval must not be 0");
  require(r.poll_timeout > 0, "poll-timeout", "must be positive");
  require(r.netconf_timeout > 0, "netconf-timeout", "must be positive");
  require(r.poll_interval >= 0, "poll-interval", "must not be negative");
  require(s.poll_retries >= 0, "poll-retries", "must not be negative");
  require(s.rate_per_device >= 0, "rate-per-device", "must not be negative");
  require(s.rate_burst >= 1, "rate-burst", "must be at least 1");
  require(s.trap_log_rate >= 0, "trap-log-rate", "must not be negative");
  require(s.problem_log_rate >= 0, "problem-log-rate", "must not be negative");
  require(s.probe_timeout > 0, "probe-timeout", "must be positive");
  require(s.probe_retries >= 0, "probe-retries", "must not be negative");
  require(s.probe_workers >= 1 && s.probe_workers <= 4096, "probe-workers", "must be 1 to 4096");
  require(s.probe_www_port >= 1 && s.probe_www_port <= 65535, "probe-www-port",
          "must be 1 to 65535");
  require(s.probe_smtp_port >= 1 && s.probe_smtp_port <= 65535, "probe-smtp-port",
          "must be 1 to 65535");
  require(s.probe_ftp_port >= 1 && s.probe_ftp_port <= 65535, "probe-ftp-port",
          "must be 1 to 65535");
  require(!s.listen.empty(), "listen", "must name at least one endpoint");
  for (std::size_t i = 0; i < s.listen.size(); ++i) {
    try {
      core::check_endpoint(s.listen[i]);
    } catch (const ConfigError& e) {
      throw KeyError{"listen", e.what(), i};
    }
  }
  s.relays.clear();
  for (std::size_t i = 0; i < s.trap_relays.size(); ++i) {
    auto p = core::AddressPrefix::parse(s.trap_relays[i]);
    if (!p) {
      throw KeyError{"trap-relay",
                     "\"" + escaped(s.trap_relays[i]) +
                         "\" is not an address or a network (192.0.2.7, 192.0.2.0/24, "
                         "2001:db8::/32, no host bits beyond the prefix)",
                     i};
    }
    s.relays.push_back(*p);
  }
  require(s.user.find_first_of(" \t:/") == std::string::npos, "user", "is not a user name");
  s.commit_interval = std::chrono::milliseconds{r.commit_interval};
  s.commit_batch = static_cast<std::size_t>(std::max(1, r.commit_batch));
  s.duplicate_window = std::chrono::seconds{std::max(0, r.duplicate_window)};
  s.poll_interval = std::chrono::seconds{r.poll_interval};
  s.poll_timeout = std::chrono::milliseconds{r.poll_timeout};
  s.poll_concurrency = static_cast<std::size_t>(std::max(1, r.poll_concurrency));
  s.netconf_timeout = std::chrono::seconds{r.netconf_timeout};
  s.evaluate_interval = std::chrono::seconds{std::max(0, r.evaluate_interval)};
  if (s.poller.empty()) {
    s.poller = program_path("colosla", "colosla");
  }
}

// The text of a Boost.Program_options error. Boost 1.74 fills an error's message template in a
// loop that never ends when a value it fills in holds its own placeholder (a key or a value
// "%value%" in the file hung colosla-trapd at start), so '%' in those values is shown as '?'.
std::string message(const po::error& e) {
  const auto* named = dynamic_cast<const po::error_with_option_name*>(&e);
  if (named == nullptr) {
    return e.what();
  }
  struct Tamed : po::error_with_option_name {
    explicit Tamed(const po::error_with_option_name& from) : po::error_with_option_name(from) {
      for (auto& [placeholder, value] : m_substitutions) {
        std::replace(value.begin(), value.end(), '%', '?');
      }
    }
  };
  return Tamed(*named).what();
}

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return {};
  }
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

// Reads a configuration file as Boost.Program_options' parse_config_file does (`key = value`,
// `#` to the end of a line a comment, `[section]` a prefix of the keys after it), a line at a
// time, so that every error names its line: parse_config_file says which key, never where.
// Stores each value into vm (the command line, stored before, wins) and notes in s.origins the
// line of each key that took effect.
void store_config(std::istream& in, const std::string& name, const po::options_description& o,
                  po::variables_map& vm, Settings& s) {
  std::map<std::string, int> seen;  // key: its first line
  std::string text;
  std::string prefix;
  for (int line = 1; std::getline(in, text); ++line) {
    const std::string at = name + ":" + std::to_string(line) + ": ";
    if (const auto hash = text.find('#'); hash != std::string::npos) {
      text.erase(hash);
    }
    text = trim(text);
    if (text.empty()) {
      continue;
    }
    if (text.front() == '[' && text.back() == ']') {
      prefix = text.substr(1, text.size() - 2);
      if (prefix.empty() || prefix.back() != '.') {
        prefix += '.';
      }
      continue;
    }
    const auto eq = text.find('=');
    if (eq == std::string::npos) {
      throw ConfigError(at + "not a \"key = value\" line");
    }
    const std::string key = prefix + trim(text.substr(0, eq));
    const std::string where = at + key + ": ";
    // (An empty key is "ambiguous" to Boost: it is a prefix of every key.)
    const po::option_description* d = nullptr;
    try {
      d = key.empty() || key.back() == '.' ? nullptr : o.find_nothrow(key, false);
    } catch (const po::error& e) {
      throw ConfigError(where + message(e));
    }
    if (d == nullptr) {
      throw ConfigError(where + "unknown key (colosla-trapd --help lists them)");
    }
    const bool composing = d->semantic()->is_composing();
    if (auto [first, fresh] = seen.emplace(key, line); !fresh && !composing) {
      throw ConfigError(where + "given twice (first on line " + std::to_string(first->second) +
                        ")");
    }
    // What the command line gave is kept (store ignores the file's value for it).
    const bool from_command_line = vm.count(key) != 0 && !vm[key].defaulted();
    po::parsed_options one(&o);
    one.options.emplace_back(key, std::vector<std::string>{trim(text.substr(eq + 1))});
    one.options.back().original_tokens = {key, one.options.back().value.front()};
    try {
      po::store(one, vm);
    } catch (const po::error& e) {
      throw ConfigError(where + message(e));
    }
    if (!from_command_line || composing) {
      s.origins[key].push_back(at);
    }
  }
}

// finish() and the sinks' checks, each error named with where its key was given.
void finish_located(Settings& s, const Raw& r) {
  try {
    finish(s, r);
  } catch (const KeyError& e) {
    throw ConfigError(s.where(e.key, e.nth) + e.message);
  }
  // colosla-trapd answers an inform only once the trap is on its own disk: its store is a local
  // SQLite file (docs/scale-out.md: a shared PostgreSQL store is fed by shipping from it).
  if (core::is_postgresql_location(s.db)) {
    throw ConfigError(s.where("db") +
                      "colosla-trapd keeps its store in a local SQLite file, its durable buffer "
                      "(it answers an inform once the trap is committed there); a PostgreSQL "
                      "store is for colosla's other commands (docs/scale-out.md)");
  }
  // The sinks' names: a ConfigError now rather than at evaluation. A trap sink's error is the
  // first of them that makes it (the first with the problem, or the second of two names).
  try {
    (void)core::make_sinks(s.sinks);
  } catch (const ConfigError& e) {
    std::string text = e.what();
    std::string key = core::kTrapSinkKey;
    for (const char* k :
         {"event-log", "nagios-command-file", "zabbix-server", core::kTrapSinkKey}) {
      if (text.rfind(std::string(k) + ": ", 0) == 0) {
        key = k;
        text.erase(0, key.size() + 2);
      }
    }
    if (key != core::kTrapSinkKey) {
      throw ConfigError(s.where(key) + text);
    }
    core::SinkOptions upto = s.sinks;
    for (std::size_t n = 0; n <= s.sinks.trap_sinks.size(); ++n) {
      upto.trap_sinks.assign(s.sinks.trap_sinks.begin(),
                             s.sinks.trap_sinks.begin() + static_cast<std::ptrdiff_t>(n));
      try {
        (void)core::make_sinks(upto);
      } catch (const ConfigError&) {
        throw ConfigError(n == 0 ? e.what() : s.where(key, n - 1) + text);
      }
    }
    throw;
  }
}

}  // namespace

LogLevel parse_level(const std::string& word) {
  if (word == "debug") {
    return LogLevel::debug;
  }
  if (word == "info") {
    return LogLevel::info;
  }
  if (word == "warning") {
    return LogLevel::warning;
  }
  if (word == "error") {
    return LogLevel::error;
  }
  throw ConfigError("log-level must be debug, info, warning or error, not \"" + word + "\"");
}

std::string Settings::where(const std::string& key, std::size_t nth) const {
  const auto found = origins.find(key);
  if (found == origins.end() || found->second.empty()) {
    return "--" + key + ": ";  // the command line, or the default
  }
  return found->second[std::min(nth, found->second.size() - 1)] + key + ": ";
}

std::vector<std::string> Settings::prober_options() const {
  return {
      "--timeout",   std::to_string(probe_timeout),   "--retries",  std::to_string(probe_retries),
      "--workers",   std::to_string(probe_workers),   "--www-port", std::to_string(probe_www_port),
      "--smtp-port", std::to_string(probe_smtp_port), "--ftp-port", std::to_string(probe_ftp_port)};
}

std::optional<Settings> read_settings(int argc, char** argv) {
  Settings s;
  Raw r(s);
  const po::options_description opts = describe(s, r);
  po::options_description cmdline_only("Command line only");
  cmdline_only.add_options()(
      "config,c", po::value<std::string>(),
      "configuration file (default /etc/colosla/colosla-trapd.conf if present)")(
      "check-config",
      "check the configuration (and the inventory it names), say what is wrong "
      "and where, and exit: 0 when it is valid, 1 when not")("help,h", "show this help")(
      "version", "show the version");
  po::options_description all;
  all.add(opts).add(cmdline_only);

  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, all), vm);
    if (vm.count("help") != 0) {
      std::cout << "usage: colosla-trapd [--config FILE] [--listen udp:ADDR:PORT]... [--db PATH]\n"
                   "                     [--inventory FILE] [--foreground] [--user USER]\n"
                   "       colosla-trapd --check-config [--config FILE]\n\n"
                << all;
      return std::nullopt;
    }
    if (vm.count("version") != 0) {
      std::cout << "colosla-trapd 0.1.0\n";
      return std::nullopt;
    }
    for (const char* key : kSecretKeys) {
      if (vm.count(key) != 0) {
        throw ConfigError(
            std::string("--") + key +
            " holds a secret: give it in the configuration file (--config FILE, readable by "
            "colosla-trapd's user only), not on the command line, which every user of this "
            "machine can read");
      }
    }
    // The command line wins over the config file: values stored first are kept.
    const bool explicit_config = vm.count("config") != 0;
    const std::string config = explicit_config ? vm["config"].as<std::string>() : kDefaultConfig;
    if (explicit_config || std::filesystem::exists(config)) {
      std::ifstream in(config);
      if (!in) {
        throw ConfigError("cannot read the config file " + config + ": " + std::strerror(errno));
      }
      store_config(in, config, opts, vm, s);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(message(e));
  }
  s.check_config = vm.count("check-config") != 0;
  finish_located(s, r);
  return s;
}

std::vector<std::string> Settings::rule_paths() const { return core::rule_paths_or_default(rules); }

Settings settings_from_config(std::istream& in, const std::string& name) {
  Settings s;
  Raw r(s);
  const po::options_description opts = describe(s, r);
  po::variables_map vm;
  store_config(in, name, opts, vm, s);
  try {
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(name + ": " + message(e));
  }
  finish_located(s, r);
  return s;
}

}  // namespace colosla::trapd
