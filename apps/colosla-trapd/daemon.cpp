#include "daemon.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <sstream>

#include "colosla/base/text.hpp"
#include "colosla/services/operations.hpp"
#include "colosla/store/secrets.hpp"
#include "notify.hpp"

namespace colosla::trapd {

namespace {

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
    log(LogLevel::error, "trapd",
        file + ": inventory not loaded: " + committed.error().to_string());
    return false;
  }
  log(LogLevel::info, "trapd",
      file + (committed->changed
                  ? ": inventory version " + std::to_string(committed->version) + " loaded"
                  : ": inventory unchanged (version " + std::to_string(committed->version) + ")"));
  return true;
}

// The pid file, opened as root before --user drops it (it may be in a directory only root
// writes, /run), written once the pid is known (after daemon()); removed again when the start
// fails before that.
class PidFile {
 public:
  explicit PidFile(const std::string& path) : path_(path) {
    if (path_.empty()) {
      return;
    }
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd_ < 0) {
      throw ConfigError("cannot write the pid file " + path_ + ": " + std::strerror(errno));
    }
  }
  ~PidFile() {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(path_.c_str());
    }
  }
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

  void write(pid_t pid) {
    if (fd_ < 0) {
      return;
    }
    const std::string text = std::to_string(pid) + "\n";
    if (::write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      log(LogLevel::warning, "trapd",
          "cannot write the pid file " + path_ + ": " + std::strerror(errno));
    }
    ::close(fd_);
    fd_ = -1;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace

Daemon::Daemon(const Settings& s, int wake_fd) : s_(s), wake_fd_(wake_fd) {
  core::register_builtins(registry_);
}

int Daemon::run() {
  start();
  loop();
  stop();
  return 0;
}

// -- start and stop ---------------------------------------------------------------------------
std::unique_ptr<core::Store> Daemon::open_store(const core::SqliteOptions& options) {
  auto opened = core::open_sqlite(s_.db, core::Store::Mode::create, s_.secrets_key, options);
  if (!opened) {
    throw ConfigError(opened.error().to_string());
  }
  return std::move(*opened);
}

void Daemon::start() {
  // Everything that can fail at start fails here, while stderr is still the terminal. What
  // needs root (the sockets, the pid file) comes first; then, with --user, root is dropped, and
  // the store (and its key) is opened, or made, as that user. The store is closed again before
  // daemon() forks: an SQLite connection must not cross a fork.
  std::optional<Account> account;
  if (!s_.user.empty()) {
    account = find_account(s_.user);
    if (!account) {
      throw ConfigError(s_.where("user") + "no such user \"" + s_.user + "\"");
    }
    if (geteuid() != 0 && geteuid() != account->uid) {
      throw ConfigError(s_.where("user") + "colosla-trapd must be started as root to become " +
                        s_.user);
    }
    // Net-SNMP keeps the SNMPv3 engine's boots there, as the user from now on: a directory
    // that is not there yet is made the user's.
    if (::mkdir(s_.state_dir.c_str(), 0700) == 0 &&
        ::chown(s_.state_dir.c_str(), account->uid, account->gid) != 0) {
      throw ConfigError("cannot give " + s_.state_dir + " to " + s_.user + ": " +
                        std::strerror(errno));
    }
  }
  problems_.set_limit("traps", s_.trap_log_rate);
  try {
    rx_ = std::make_unique<core::TrapReceiver>(
        core::TrapReceiver::Options{s_.listen, s_.state_dir, s_.users, s_.receive_buffer,
                                    &problems_},
        clock_);
  } catch (const ConfigError& e) {
    throw ConfigError(located(e.what()));
  }
  PidFile pid_file(s_.pid_file);
  if (account && geteuid() == 0) {
    give_state_files(*account);
    become(*account, s_.probe);
  }
  if (account) {
    check_state_dir(s_.state_dir, s_.user);
    check_store_access(
        s_.db, s_.secrets_key.empty() ? core::default_key_path(s_.db) : s_.secrets_key, s_.user);
  }
  {
    auto first = open_store();
    if (!s_.inventory.empty() && !load_inventory(*first, s_.inventory)) {
      throw ConfigError("the inventory " + s_.inventory + " is not valid");
    }
    if (!load_rules()) {
      throw ConfigError("the trap rules were not loaded");
    }
    // Without the key that opens the devices' communities and pass phrases, every trap would
    // be refused (a store without sealed secrets needs none).
    if (auto devices = first->devices(core::Secrets::reveal); !devices) {
      throw ConfigError("cannot read the inventory's secrets: " + devices.error().to_string());
    }
  }

  if (!s_.foreground) {
    if (daemon(0, 0) != 0) {
      throw ConfigError(std::string("cannot become a daemon: ") + std::strerror(errno));
    }
    daemonized_ = true;
    children_.set_quiet(true);
    set_log_sink(syslog_sink("colosla-trapd"));
    // The polls and NETCONF listeners it starts log there too (colosla reads COLOSLA_LOG).
    setenv("COLOSLA_LOG", "syslog", 1);
  }
  pid_file.write(getpid());
  // Two connections: the loop's, which reads (states, names, the inventory) and loads the
  // inventory on SIGHUP, and the writer's, which commits what is received.
  store_ = open_store();
  core::SqliteOptions writer;
  // A commit that waits for another writer's lock (a poll, `colosla inventory load`) holds up
  // nothing but the next commit: wait, and try again with the next batch if it is still held.
  writer.busy_timeout = std::chrono::milliseconds{1000};
  // The write-ahead log is copied into the database once a second (tick), not every 4 MiB
  // in the middle of a burst; SQLite does it by itself only if the log passes 64 MiB.
  writer.autocheckpoint_pages = 16384;
  // Room for the history pages a merge touches: a flood spread over many ports dirties one
  // leaf page per port; with SQLite's default 2 MiB they spill to the log in mid-transaction.
  writer.cache_kib = 8192;
  // Observations reach the history the SLA engine reads in one sorted run a second (Writer).
  writer.defer_history_merge = true;
  writer_ = std::make_unique<Writer>(open_store(writer));
  reload();
  const std::string endpoints = this->endpoints();
  log(LogLevel::info, "trapd",
      "listening on " + endpoints + "; SNMPv3 engine ID " + rx_->engine_id() + "; store " + s_.db +
          (s_.user.empty() ? std::string() : "; as user " + s_.user));
  notify_ready("listening on " + endpoints);
}

// Net-SNMP's files in the state directory, made as root a moment ago, become the user's when
// the directory is: the engine's boots are saved there again at every start and at the end.
void Daemon::give_state_files(const Account& a) const {
  struct stat dir {};
  if (::stat(s_.state_dir.c_str(), &dir) != 0 || dir.st_uid != a.uid) {
    return;  // not the user's: check_state_dir says whether the user may write it
  }
  for (const char* name : {"/colosla-trapd.conf", "/empty-mib-dir"}) {
    const std::string path = s_.state_dir + name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && st.st_uid == 0) {
      [[maybe_unused]] const int r = ::lchown(path.c_str(), a.uid, a.gid);
    }
  }
}

void Daemon::stop() {
  notify_stopping();
  flush();  // what was received is stored and its informs answered before we go
  // The polls running are stopped and waited for: when this process has gone, nothing of it
  // writes to the store any more.
  polls_.terminate();
  children_.stop_children();
  children_.stop_evaluator();
  polls_.wait_or_kill(std::chrono::seconds{5});
  writer_.reset();
  log(LogLevel::info, "trapd", "stopping");
  if (!s_.pid_file.empty()) {
    std::error_code ignored;  // after --user, a pid file in root's directory stays
    std::filesystem::remove(s_.pid_file, ignored);
  }
}

// A receiver's error about a create-user value ("create-user NAME: ...") or a listen value
// ("cannot listen on SPEC: ..."), with the line of the configuration file that gave it.
std::string Daemon::located(const std::string& error) const {
  const std::string user = "create-user ";
  if (error.rfind(user, 0) == 0) {
    const std::string name = error.substr(user.size(), error.find(':') - user.size());
    for (std::size_t i = 0; i < s_.users.size(); ++i) {
      std::istringstream words(s_.users[i]);
      std::string word;
      words >> word;
      if (word == "-e") {
        words >> word >> word;
      }
      if (word == name) {
        return s_.where("create-user", i) + error.substr(user.size());
      }
    }
  }
  for (std::size_t i = 0; i < s_.listen.size(); ++i) {
    if (error.rfind("cannot listen on " + s_.listen[i] + ":", 0) == 0 ||
        error.rfind("cannot listen on \"" + s_.listen[i] + "\"", 0) == 0) {
      return s_.where("listen", i) + error;
    }
  }
  return error;
}

std::string Daemon::endpoints() const {
  std::string all;
  for (const auto& e : rx_->endpoints()) {
    all += (all.empty() ? "" : ", ") + e;
  }
  return all;
}

// Loads the trap rules the settings name (RulesInForce: all or nothing, the log says why), and
// drops the copies of earlier rules no poll reads.
bool Daemon::load_rules() {
  const bool loaded = rules_.load(s_.rule_paths());
  rules_.prune([this](const std::string& copy) { return polls_.reads(copy); });
  return loaded;
}

// (Re)reads the devices, ifIndex names and known states from the store.
void Daemon::reload() {
  // The communities, to check what every v1/v2c trap says (the key: only this user reads it).
  auto devices = store_->devices(core::Secrets::reveal);
  if (!devices) {
    log(LogLevel::error, "trapd", devices.error().to_string());
    return;
  }
  if (devices->empty()) {
    log(LogLevel::warning, "trapd",
        "the store has no inventory: every trap is from an unknown source "
        "(colosla inventory load FILE, or --inventory FILE)");
  }
  core::TrapCounters kept = proc_ ? proc_->counters() : core::TrapCounters{};
  inventory_.devices = std::move(*devices);
  core::TrapProcessor::Options o;
  o.communities = s_.communities;
  o.relays = s_.relays;
  o.duplicate_window = s_.duplicate_window;
  o.rate_per_second = s_.rate_per_device;
  o.rate_burst = s_.rate_burst;
  o.rules = &rules_.rules();
  proc_ = std::make_unique<core::TrapProcessor>(inventory_, registry_, clock_, o);
  proc_->counters() = kept;
  core::load_port_names(*proc_, *store_);
  seen_seq_ = 0;
  refresh_states();
  polls_.plan(inventory_.devices);
  children_.restart_children(inventory_.devices);
}

// Learns the states others stored (poll children, colosla observe) since the last look.
void Daemon::refresh_states() {
  // seen_seq_ is the watermark the store gave last time (store.hpp, "Cursors"): what another
  // writer commits late, below a seq already seen, comes next time.
  auto latest = store_->latest_states(seen_seq_);
  if (!latest) {
    log(LogLevel::error, "trapd", latest.error().to_string());
    return;
  }
  for (const auto& [e, s] : latest->changes) {
    proc_->set_known_state(e, s.state, s.time);
  }
  seen_seq_ = latest->through;
}

// -- the loop -----------------------------------------------------------------------------------
void Daemon::loop() {
  std::vector<pollfd> fds;
  Steady::time_point next_tick = Steady::now();
  while (running_) {
    fds.clear();
    fds.push_back(pollfd{wake_fd_, POLLIN, 0});
    fds.push_back(pollfd{writer_->ready_fd(), POLLIN, 0});
    // With a full batch waiting behind the one being written, reception pauses: the socket
    // buffers hold the traffic meanwhile, and memory stays bounded.
    if (!full()) {
      for (int fd : rx_->fds()) {
        fds.push_back(pollfd{fd, POLLIN, 0});
      }
    }
    const auto now = Steady::now();
    auto deadline = next_tick;
    if (pending_ > 0 && !writer_->busy()) {
      deadline = std::min(deadline, first_pending_ + s_.commit_interval);
    }
    const int timeout = static_cast<int>(std::max<std::int64_t>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count()));
    const int n = ::poll(fds.data(), fds.size(), timeout);
    if (n > 0 && (fds[0].revents & POLLIN) != 0) {
      signals();
    }
    if (n > 0 && (fds[1].revents & POLLIN) != 0) {
      collect();
    }
    if (n > 0) {
      for (std::size_t i = 2; i < fds.size(); ++i) {
        if ((fds[i].revents & POLLIN) != 0) {
          drain(fds[i].fd);
        }
      }
    }
    if (pending_ > 0 &&
        (pending_ >= s_.commit_batch || Steady::now() >= first_pending_ + s_.commit_interval)) {
      submit(false);
    }
    if (Steady::now() >= next_tick) {
      tick();
      next_tick = Steady::now() + std::chrono::seconds{1};
    }
  }
}

void Daemon::signals() {
  char buf[64];
  ssize_t n = 0;
  while ((n = read(wake_fd_, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == 't') {
        running_ = false;
      } else if (buf[i] == 'h') {
        log(LogLevel::info, "trapd", "SIGHUP: reloading the inventory and the trap rules");
        notify_reloading();
        flush();
        if (!s_.inventory.empty()) {
          load_inventory(*store_, s_.inventory);
        }
        load_rules();
        reload();
        notify_ready("listening on " + endpoints());
      } else if (buf[i] == 'c') {
        reap();
      } else if (buf[i] == 'u') {
        children_.evaluate_now();
      }
    }
  }
}

// Reads what is waiting on one socket, a batch at a time, processing each notification.
void Daemon::drain(int fd) {
  // Bounded, so that signals and commits are not starved under a flood.
  for (int round = 0; round < 64; ++round) {
    std::size_t datagrams = 0;
    for (auto& r : rx_->receive(fd, rxc_, &datagrams)) {
      process(r);
    }
    if (datagrams == 0) {
      break;
    }
    if (pending_ >= s_.commit_batch) {
      submit(false);
      if (full()) {
        break;
      }
    }
  }
}

void Daemon::process(core::ReceivedTrap& r) {
  core::Processed p = proc_->process(r.trap);
  const bool stored = waiting_.add(p);
  if (r.inform != 0) {
    if (core::answers_inform(p)) {
      acks_.push_back(r.inform);  // answered after the next commit
    } else {
      rx_->release(r.inform);  // not ours to answer
    }
  }
  if (stored || r.inform != 0) {
    if (pending_++ == 0) {
      first_pending_ = Steady::now();
    }
  }
  if ((p.poll || p.refresh) && p.device != nullptr) {
    polls_.ask(p.device->name);
  }
  trace(r.trap, p);
}

// One log line a trap: at most trap-log-rate a second, and problem-log-rate of each kind of
// refusal, so that a flood from anyone cannot flood the log; the rest are counted (tick).
void Daemon::trace(const core::Trap& trap, const core::Processed& p) {
  using core::Disposition;
  const char* kind = p.disposition == Disposition::unknown_source ? "traps from unknown senders"
                     : p.disposition == Disposition::bad_community
                         ? "traps with a refused community"
                     : p.disposition == Disposition::malformed ? "malformed traps"
                                                               : "traps";
  problems_.log(kind == std::string_view("traps") ? LogLevel::info : LogLevel::warning, kind,
                core::describe(trap, p));
  if (s_.level == LogLevel::debug && (p.relay.kind == core::RelayVerdict::Kind::untrusted ||
                                      p.relay.kind == core::RelayVerdict::Kind::unreadable)) {
    // What a device may not say: that it speaks for another (counted, trapd.relay.*). Built
    // only when it is logged: a flood of them costs nothing at info.
    problems_.log(LogLevel::debug, "ignored snmpTrapAddress.0",
                  "snmpTrapAddress.0 " + escaped(p.relay.device_address) + " from " +
                      trap.source_address + " ignored: " +
                      (p.relay.kind == core::RelayVerdict::Kind::untrusted
                           ? "the sender is no trusted relay (trap-relay)"
                           : "not an IPv4 IpAddress"));
  }
}

// Once a second: counters, suppressed log lines, polls, children.
void Daemon::tick() {
  submit(true);  // with a checkpoint; if the writer is busy, the next tick does it
  problems_.flush();
  reap();
  proc_->counters().polls_requested +=
      static_cast<std::int64_t>(polls_.start_due(inventory_.devices));
  children_.supervise();
  children_.schedule_evaluation();
}

void Daemon::reap() {
  int status = 0;
  pid_t pid = 0;
  bool any = false;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (children_.ended(pid, status)) {
      continue;
    }
    any = polls_.ended(pid, status) || any;
  }
  polls_.kill_overdue();
  if (any || children_.any_running()) {
    // What the polls and listeners stored: new states, and fresh ifIndex names.
    refresh_states();
  }
  if (any) {
    core::load_port_names(*proc_, *store_);
    rules_.prune([this](const std::string& copy) { return polls_.reads(copy); });
  }
}

}  // namespace colosla::trapd
