#pragma once
// colosla-trapd's settings: its command line and its configuration file (Boost.Program_options'
// `key = value`, the same keys as the flags; SPEC §8). Each default is written once, in Settings.

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "colosla/base/log.hpp"
#include "colosla/ingest/trap_processor.hpp"
#include "colosla/sinks/sink_options.hpp"

namespace colosla::trapd {

struct Settings {
  std::vector<std::string> listen{"udp:162"};
  std::string db = "/var/lib/colosla/colosla.db";
  std::string secrets_key;  ///< empty: the store's default (core::default_key_path)
  std::string inventory;
  /// Trap rule files or directories (`rules =`, repeatable); none given: core::default_rules_dir()
  /// when it exists.
  std::vector<std::string> rules;
  std::string state_dir = "/var/lib/colosla";
  std::string pid_file;
  std::string user;           ///< --user: the user to become once the sockets are bound
  bool check_config = false;  ///< --check-config: check, say so, exit
  bool foreground = false;
  LogLevel level = LogLevel::info;
  // Secrets: accepted from the configuration file only, never from the command line.
  std::vector<std::string> communities;
  std::vector<std::string> users;
  /// trap-relay: the relays trusted to name a v2c/v3 trap's device in snmpTrapAddress.0.
  std::vector<std::string> trap_relays;
  std::vector<core::AddressPrefix> relays;  ///< the same, parsed
  int receive_buffer = 32 << 20;
  std::chrono::milliseconds commit_interval{20};
  std::size_t commit_batch = 10000;
  // The trap processor's own defaults.
  std::chrono::seconds duplicate_window = core::TrapProcessor::Options{}.duplicate_window;
  double rate_per_device = core::TrapProcessor::Options{}.rate_per_second;
  double rate_burst = core::TrapProcessor::Options{}.rate_burst;
  int trap_log_rate = 20;
  int problem_log_rate = 10;
  std::chrono::seconds poll_interval{60};
  std::chrono::milliseconds poll_timeout{2000};
  int poll_retries = 1;
  std::size_t poll_concurrency = 4;
  std::string poller;  ///< the colosla program (default: found beside this one)
  std::chrono::seconds netconf_timeout{10};
  bool netconf_listen = true;
  bool probe = true;
  int probe_timeout = 5000;
  int probe_retries = 1;
  int probe_workers = 64;
  int probe_www_port = 80;
  int probe_smtp_port = 25;
  int probe_ftp_port = 21;
  std::chrono::seconds evaluate_interval{60};
  /// Where the evaluator publishes the figures for the monitoring users (empty: status beside
  /// the store).
  std::string status_dir;
  int budget_warning = 50;
  /// `lead`: the evaluator runs with --lead, one across every colosla evaluate on its store
  /// (docs/scale-out.md, "One leader"); `lease-seconds`: its lease's length.
  bool lead = false;
  int lease_seconds = 15;
  /// Where colosla evaluate delivers the SLA events (its trap sinks are secrets too).
  core::SinkOptions sinks;

  /// Where each key given in the configuration file was: "FILE:LINE: " for each value that took
  /// effect (a key the command line gave is not here, but for a repeatable key).
  std::map<std::string, std::vector<std::string>> origins;
  /// "FILE:LINE: KEY: ", where the nth value of `key` was given, or "--KEY: " (the command line
  /// or the default): the start of a message about its value.
  [[nodiscard]] std::string where(const std::string& key, std::size_t nth = 0) const;
  /// The trap rules to load: `rules`, or else the package's rules directory when it exists.
  [[nodiscard]] std::vector<std::string> rule_paths() const;

  /// colosla prober's options for these settings: --timeout MS --retries N …
  [[nodiscard]] std::vector<std::string> prober_options() const;
};

/// The command line, then the configuration file (--config FILE, else
/// /etc/colosla/colosla-trapd.conf when it exists): the command line wins. nullopt after --help
/// or --version (printed). Throws ConfigError naming what is wrong ("FILE:LINE: KEY: message"
/// for the configuration file, "--KEY: message" for the command line), also for a secret
/// (community, create-user, trap-sink) given on the command line, where every user of the
/// machine can read it.
std::optional<Settings> read_settings(int argc, char** argv);

/// The settings a configuration file alone gives, as if colosla-trapd had no other option (what
/// the tests and the fuzzer drive). Throws ConfigError prefixed with `name` and the line.
Settings settings_from_config(std::istream& in, const std::string& name);

/// "debug", "info", "warning", "error"; throws ConfigError for another word.
LogLevel parse_level(const std::string& word);

}  // namespace colosla::trapd
