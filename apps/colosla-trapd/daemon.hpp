#pragma once
// colosla-trapd's event loop: it receives SNMP traps and informs, turns them into observations
// through the device plugins, hands them to the writer in batches (an inform is answered only
// after its commit), keeps counters of what happened to every packet, reloads the inventory on
// SIGHUP, and drives the poll schedule and the children once a second.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "colosla/base/clock.hpp"
#include "colosla/base/log.hpp"
#include "colosla/ingest/ingest.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/plugin/registry.hpp"
#include "colosla/rules/trap_rules.hpp"
#include "colosla/snmp/trap_receiver.hpp"
#include "colosla/store/sqlite.hpp"
#include "colosla/store/store.hpp"
#include "polls.hpp"
#include "privileges.hpp"
#include "rules_in_force.hpp"
#include "settings.hpp"
#include "supervisor.hpp"
#include "writer.hpp"

namespace colosla::trapd {

class Daemon {
 public:
  /// `wake_fd`: the read end of the self-pipe the signal handler writes to: 't' (SIGTERM,
  /// SIGINT), 'h' (SIGHUP), 'c' (SIGCHLD), 'u' (SIGUSR1).
  Daemon(const Settings& s, int wake_fd);

  /// Starts, runs until SIGTERM or SIGINT, stops. Throws ConfigError when it cannot start.
  int run();
  /// Whether it has become a daemon (its log goes to syslog, no longer to the terminal).
  [[nodiscard]] bool daemonized() const { return daemonized_; }

 private:
  using Steady = std::chrono::steady_clock;

  std::unique_ptr<core::Store> open_store(const core::SqliteOptions& options = {});
  void start();
  void give_state_files(const Account& a) const;
  [[nodiscard]] std::string endpoints() const;
  [[nodiscard]] std::string located(const std::string& error) const;
  void stop();
  void reload();
  bool load_rules();
  void refresh_states();
  void loop();
  void signals();
  void drain(int fd);
  void process(core::ReceivedTrap& r);
  void trace(const core::Trap& trap, const core::Processed& p);
  [[nodiscard]] bool full() const;
  void submit(bool checkpoint);
  void collect();
  void flush();
  void tick();
  void reap();

  const Settings& s_;
  const int wake_fd_;
  bool daemonized_ = false;
  SystemClock clock_;
  core::Registry registry_;
  std::unique_ptr<core::Store> store_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<core::TrapReceiver> rx_;
  core::Inventory inventory_;
  RulesInForce rules_{s_.state_dir + "/rules-in-force"};  // settings' rule_paths, as last loaded
  std::unique_ptr<core::TrapProcessor> proc_;
  bool running_ = true;

  core::ReceiveCounters rxc_;
  core::TrapCounters flushed_;  // as last committed
  core::IngestBatch waiting_;   // received, not yet handed to the writer (counters unused)
  std::vector<std::uint64_t> acks_;
  std::size_t pending_ = 0;
  Steady::time_point first_pending_;
  LogLimiter problems_{"trapd", s_.problem_log_rate};  // per-datagram lines, rate-limited

  std::int64_t seen_seq_ = 0;
  Supervisor children_{s_};
  Polls polls_{s_, children_, rules_};
};

}  // namespace colosla::trapd
