// colosla-trapd: the trap receiver of the NOC server (SPEC §8). It receives SNMP traps and
// informs, turns them into observations through the device plugins, commits them in batches
// (an inform is answered only after its commit), keeps counters of what happened to every
// packet, polls the devices, SNMP and NETCONF, on a schedule (each poll in a child `colosla
// poll`, so that a slow device never holds up reception), and keeps a child `colosla
// netconf-listen` running for each NETCONF device, which stores the device's notifications.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "colosla/base/log.hpp"
#include "colosla/ingest/trap_processor.hpp"
#include "colosla/judge/programs.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/plugin/registry.hpp"
#include "colosla/services/operations.hpp"
#include "colosla/snmp/trap_receiver.hpp"
#include "colosla/store/sqlite.hpp"
#include "colosla/store/store.hpp"
#include "settings.hpp"

using namespace colosla;
using Steady = std::chrono::steady_clock;
using trapd::Settings;

namespace {

int wake_pipe[2] = {-1, -1};
bool daemonized = false;

extern "C" void on_signal(int sig) {
  const char c = sig == SIGHUP ? 'h' : sig == SIGCHLD ? 'c' : sig == SIGUSR1 ? 'u' : 't';
  const int saved = errno;
  [[maybe_unused]] const auto n = write(wake_pipe[1], &c, 1);
  errno = saved;
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

// The store writer: commits batches on its own thread and its own SQLite connection, so that
// reception goes on while SQLite writes and the disk syncs. The loop hands it one batch at a
// time and learns through ready_fd() that the batch is done; informs are answered by the loop
// after that, so the receiver is touched by one thread only.
class Writer {
 public:
  struct Batch {
    std::vector<core::Observation> observations;
    std::vector<core::TrapEvidence> evidence;
    std::vector<std::uint64_t> acks;  // informs to answer once committed
    core::TrapCounters snapshot;      // the counters as this batch leaves them
    core::TrapCounters delta;         // what this batch adds to the stored counters
    Timestamp at{};
    bool checkpoint = false;
    // Filled in by the writer.
    std::optional<Error> failed;
    std::optional<Error> checkpoint_failed;
    Steady::duration took{};
  };

  explicit Writer(std::unique_ptr<core::Store> store) : store_(std::move(store)) {
    if (pipe2(ready_, O_CLOEXEC | O_NONBLOCK) != 0) {
      throw ConfigError(std::string("cannot create a pipe: ") + std::strerror(errno));
    }
    merge_rest();  // what a daemon that died left unmerged
    thread_ = std::thread([this] { run(); });
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer() {
    {
      std::lock_guard lock(m_);
      stopping_ = true;
    }
    cv_.notify_one();
    thread_.join();
    merge_rest();
    close(ready_[0]);
    close(ready_[1]);
  }

  [[nodiscard]] int ready_fd() const { return ready_[0]; }
  [[nodiscard]] bool busy() const { return busy_; }

  void submit(Batch b) {
    busy_ = true;
    {
      std::lock_guard lock(m_);
      job_ = std::move(b);
    }
    cv_.notify_one();
  }

  // The finished batch, once ready_fd() is readable (or after wait()).
  std::optional<Batch> collect() {
    char c = 0;
    while (read(ready_[0], &c, 1) > 0) {
    }
    std::lock_guard lock(m_);
    if (!done_) {
      return std::nullopt;
    }
    busy_ = false;
    return std::exchange(done_, std::nullopt);
  }

  // Blocks until the batch in progress is done.
  void wait() {
    std::unique_lock lock(m_);
    cv_.wait(lock, [this] { return done_.has_value() || !busy_; });
  }

 private:
  void run() {
    std::unique_lock lock(m_);
    for (;;) {
      cv_.wait(lock, [this] { return stopping_ || job_.has_value(); });
      if (!job_) {
        return;  // stopping, with nothing left to do
      }
      Batch b = std::move(*job_);
      job_.reset();
      lock.unlock();
      commit(b);
      lock.lock();
      done_ = std::move(b);
      cv_.notify_all();
      [[maybe_unused]] const auto n = write(ready_[1], "d", 1);
    }
  }

  // Leaves the history complete (readers would manage without, a little slower).
  void merge_rest() {
    if (auto n = store_->maintain(); !n) {
      log(LogLevel::warning, "trapd",
          "merging observations into the history: " + n.error().to_string());
    }
  }

  void commit(Batch& b) {
    const auto started = Steady::now();
    const bool counters = any(b.delta);
    // The history the SLA engine reads gets what was stored since the last merge once a second
    // (with the checkpoint), or sooner when a storm has stored a lot: one sorted run rewrites
    // each flapping port's pages once.
    const bool merge = unmerged_ + b.observations.size() > 0 &&
                       (b.checkpoint || unmerged_ + b.observations.size() >= kMergeRows);
    if (!b.observations.empty() || !b.evidence.empty() || counters || merge) {
      auto done = store_->write([&]() -> Result<void> {
        if (!b.observations.empty()) {
          if (auto n = store_->add_observations(b.observations); !n) {
            return n.error();
          }
        }
        if (merge) {
          if (auto n = store_->maintain(); !n) {  // inside write(): the merge only
            return n.error();
          }
        }
        if (!b.evidence.empty()) {
          if (auto n = store_->add_evidence(b.evidence); !n) {
            return n.error();
          }
        }
        return counters ? store_->add_counters(b.delta.named(), b.at) : Result<void>{};
      });
      if (!done) {
        b.failed = done.error();
      } else {
        unmerged_ = merge ? 0 : unmerged_ + b.observations.size();
      }
    }
    if (b.checkpoint && !b.failed) {
      if (auto c = store_->maintain(); !c) {  // merged already: the checkpoint
        b.checkpoint_failed = c.error();
      }
    }
    b.took = Steady::now() - started;
  }

 public:
  static bool any(const core::TrapCounters& d) {
    for (const auto& [name, n] : d.named()) {
      if (n != 0) {
        return true;
      }
    }
    return false;
  }

 private:
  static constexpr std::size_t kMergeRows = 65536;
  std::unique_ptr<core::Store> store_;
  std::size_t unmerged_ = 0;  // stored since the last merge (the writer thread's)
  int ready_[2] = {-1, -1};
  bool busy_ = false;  // the loop's view: a batch is out and not yet collected
  std::mutex m_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::optional<Batch> job_, done_;
  std::thread thread_;
};

class Daemon {
 public:
  explicit Daemon(const Settings& s) : s_(s) { core::register_builtins(registry_); }

  int run() {
    start();
    loop();
    stop();
    return 0;
  }

 private:
  // -- start and stop -------------------------------------------------------------------------
  std::unique_ptr<core::Store> open_store(const core::SqliteOptions& options = {}) {
    auto opened = core::open_sqlite(s_.db, core::Store::Mode::create, s_.secrets_key, options);
    if (!opened) {
      throw ConfigError(opened.error().to_string());
    }
    return std::move(*opened);
  }

  void start() {
    set_log_level(s_.level);
    set_log_sink(stderr_log_sink());  // start-up problems go to the terminal in both modes
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

    // Everything that can fail at start fails here, while stderr is still the terminal. The
    // store is closed again before daemon() forks: an SQLite connection must not cross a fork.
    if (auto first = open_store(); !s_.inventory.empty() && !load_inventory(*first, s_.inventory)) {
      throw ConfigError("the inventory " + s_.inventory + " is not valid");
    }
    problems_.set_limit("traps", s_.trap_log_rate);
    rx_ = std::make_unique<core::TrapReceiver>(
        core::TrapReceiver::Options{s_.listen, s_.state_dir, s_.users, s_.receive_buffer,
                                    &problems_},
        clock_);

    if (!s_.foreground) {
      if (daemon(0, 0) != 0) {
        throw ConfigError(std::string("cannot become a daemon: ") + std::strerror(errno));
      }
      daemonized = true;
      set_log_sink(syslog_sink("colosla-trapd"));
      // The polls and NETCONF listeners it starts log there too (colosla reads COLOSLA_LOG).
      setenv("COLOSLA_LOG", "syslog", 1);
    }
    if (!s_.pid_file.empty()) {
      std::ofstream(s_.pid_file) << getpid() << "\n";
    }
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
    std::string endpoints;
    for (const auto& e : rx_->endpoints()) {
      endpoints += (endpoints.empty() ? "" : ", ") + e;
    }
    log(LogLevel::info, "trapd",
        "listening on " + endpoints + "; SNMPv3 engine ID " + rx_->engine_id() + "; store " +
            s_.db);
  }

  void stop() {
    flush();  // what was received is stored and its informs answered before we go
    // The polls running are stopped and waited for: when this process has gone, nothing of it
    // writes to the store any more.
    for (const auto& [pid, poll] : polling_) {
      kill(pid, SIGTERM);
    }
    stop_children();
    if (evaluating_ != 0) {
      kill(evaluating_, SIGTERM);
      waitpid(evaluating_, nullptr, 0);
      evaluating_ = 0;
    }
    auto deadline = Steady::now() + std::chrono::seconds{5};
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
    writer_.reset();
    log(LogLevel::info, "trapd", "stopping");
    if (!s_.pid_file.empty()) {
      std::filesystem::remove(s_.pid_file);
    }
  }

  // (Re)reads the devices, ifIndex names and known states from the store.
  void reload() {
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
    o.duplicate_window = s_.duplicate_window;
    o.rate_per_second = s_.rate_per_device;
    o.rate_burst = s_.rate_burst;
    proc_ = std::make_unique<core::TrapProcessor>(inventory_, registry_, clock_, o);
    proc_->counters() = kept;
    if (auto index = store_->port_index()) {
      for (auto& [dev, names] : *index) {
        proc_->set_port_names(dev, std::move(names));
      }
    }
    seen_seq_ = 0;
    refresh_states();
    // The poll schedule: every device, SNMP or NETCONF, spread over the interval.
    next_poll_.clear();
    const std::size_t n = inventory_.devices.size();
    std::size_t i = 0;
    for (const auto& d : inventory_.devices) {
      if (s_.poll_interval.count() > 0) {
        next_poll_[d.name] =
            Steady::now() + s_.poll_interval * static_cast<long>(i++) / std::max<std::size_t>(n, 1);
      }
    }
    // A NETCONF listener a device and the prober, started afresh: the inventory may have changed
    // a device's access or a contract's probe targets.
    stop_children();
    children_.clear();
    if (s_.netconf_listen) {
      for (const auto& d : inventory_.devices) {
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
    supervise_children();
  }

  // Learns the states others stored (poll children, colosla observe) since the last look.
  void refresh_states() {
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

  // -- the loop ---------------------------------------------------------------------------------
  void loop() {
    std::vector<pollfd> fds;
    Steady::time_point next_tick = Steady::now();
    while (running_) {
      fds.clear();
      fds.push_back(pollfd{wake_pipe[0], POLLIN, 0});
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

  void signals() {
    char buf[64];
    ssize_t n = 0;
    while ((n = read(wake_pipe[0], buf, sizeof buf)) > 0) {
      for (ssize_t i = 0; i < n; ++i) {
        if (buf[i] == 't') {
          running_ = false;
        } else if (buf[i] == 'h') {
          log(LogLevel::info, "trapd", "SIGHUP: reloading the inventory");
          flush();
          if (!s_.inventory.empty()) {
            load_inventory(*store_, s_.inventory);
          }
          reload();
        } else if (buf[i] == 'c') {
          reap();
        } else if (buf[i] == 'u') {
          // The prober saw an emergency begin or end, or a notification come due: evaluate now
          // (the evaluator, between two runs, wakes on SIGUSR1; in a run, right after it).
          if (evaluating_ != 0) {
            kill(evaluating_, SIGUSR1);
          } else {
            next_evaluation_ = Steady::now();
          }
        }
      }
    }
  }

  // Reads what is waiting on one socket, a batch at a time, processing each notification.
  void drain(int fd) {
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

  void process(core::ReceivedTrap& r) {
    core::Processed p = proc_->process(r.trap);
    using core::Disposition;
    switch (p.disposition) {
      case Disposition::observation:
        for (auto& o : p.observations) {
          observations_.push_back(std::move(o));
        }
        break;
      case Disposition::evidence:
      case Disposition::malformed:
        evidence_.push_back(std::move(p.evidence));
        break;
      default:
        break;
    }
    if (r.inform != 0) {
      if (p.disposition == Disposition::unknown_source ||
          p.disposition == Disposition::bad_community) {
        rx_->release(r.inform);  // not ours to answer
      } else {
        acks_.push_back(r.inform);  // answered after the next commit
      }
    }
    if (p.disposition == Disposition::observation || p.disposition == Disposition::evidence ||
        p.disposition == Disposition::malformed || r.inform != 0) {
      if (pending_++ == 0) {
        first_pending_ = Steady::now();
      }
    }
    if ((p.poll || p.refresh) && p.device != nullptr) {
      poll_now_.insert(p.device->name);
    }
    trace(r.trap, p);
  }

  // One log line a trap: at most trap-log-rate a second, and problem-log-rate of each kind of
  // refusal, so that a flood from anyone cannot flood the log; the rest are counted (tick).
  void trace(const core::Trap& trap, const core::Processed& p) {
    using core::Disposition;
    const char* kind = p.disposition == Disposition::unknown_source ? "traps from unknown senders"
                       : p.disposition == Disposition::bad_community
                           ? "traps with a refused community"
                       : p.disposition == Disposition::malformed ? "malformed traps"
                                                                 : "traps";
    problems_.log(kind == std::string_view("traps") ? LogLevel::info : LogLevel::warning, kind,
                  core::describe(trap, p));
  }

  // -- commits -------------------------------------------------------------------------------
  // What is waiting goes to the writer commit-interval after the first of it arrived, or when
  // commit-batch of it is waiting, or once a second for the counters; while the writer is busy
  // it keeps waiting, so that under a flood each transaction carries more rows for its fixed
  // cost (the fsync). Informs are answered when their batch is
  // committed.
  [[nodiscard]] bool full() const { return writer_->busy() && pending_ >= s_.commit_batch; }

  // Hands what is waiting to the writer, if the writer is free and there is something to write
  // (or a checkpoint is asked for).
  void submit(bool checkpoint) {
    if (writer_->busy()) {
      return;
    }
    core::TrapCounters& c = proc_->counters();
    // The receiver counts datagrams; the processor counts what it was handed.
    c.received = rxc_.datagrams;
    c.rejected_usm = rxc_.usm;
    c.v3_discovery = rxc_.discovery;
    c.not_notifications = rxc_.not_notifications;
    c.inform_repeats = rxc_.inform_repeats;
    c.rejected_malformed += rxc_.malformed - flushed_rx_.malformed;
    flushed_rx_.malformed = rxc_.malformed;
    Writer::Batch b;
    b.delta = c.minus(flushed_);
    if (pending_ == 0 && acks_.empty() && !Writer::any(b.delta) && !checkpoint) {
      return;
    }
    b.snapshot = c;
    // The informs answered once this batch is committed count with it.
    b.delta.informs_answered += static_cast<std::int64_t>(acks_.size());
    b.snapshot.informs_answered += static_cast<std::int64_t>(acks_.size());
    b.observations.swap(observations_);
    b.evidence.swap(evidence_);
    b.acks.swap(acks_);
    // Room for a whole batch at once: growing by doubling would hold up to twice that.
    observations_.reserve(s_.commit_batch + 64);
    b.at = clock_.now();
    b.checkpoint = checkpoint;
    pending_ = 0;
    writer_->submit(std::move(b));
  }

  // Takes back a batch the writer has finished: answers its informs, or, if the commit failed,
  // puts its rows back in front of what arrived since.
  void collect() {
    auto b = writer_->collect();
    if (!b) {
      return;
    }
    if (b->checkpoint_failed) {
      log(LogLevel::warning, "trapd", b->checkpoint_failed->to_string());
    }
    if (b->failed) {
      // Nothing of the batch happened: its rows, its informs (unanswered: a sender's
      // retransmission is folded into the one waiting) and its counters wait for the next try,
      // up to a bound.
      problems_.log(LogLevel::error, "commit failures", "commit failed: " + b->failed->to_string());
      if (b->observations.size() + b->evidence.size() + observations_.size() + evidence_.size() >
          1'000'000) {
        problems_.log(
            LogLevel::error, "commit failures",
            "dropping " + std::to_string(b->observations.size() + b->evidence.size()) +
                " waiting observations and not answering their informs: the store keeps failing");
        for (auto h : b->acks) {
          rx_->release(h);  // their senders retransmit
        }
      } else {
        std::move(observations_.begin(), observations_.end(), std::back_inserter(b->observations));
        std::move(evidence_.begin(), evidence_.end(), std::back_inserter(b->evidence));
        std::move(acks_.begin(), acks_.end(), std::back_inserter(b->acks));
        observations_.swap(b->observations);
        evidence_.swap(b->evidence);
        acks_.swap(b->acks);
      }
      if (pending_ == 0 && observations_.size() + evidence_.size() > 0) {
        first_pending_ = Steady::now();
      }
      pending_ = observations_.size() + evidence_.size() + acks_.size();
      return;
    }
    // Its informs were counted as answered in the transaction that stored them, so that a
    // kill between the two cannot make the counter lag behind.
    proc_->counters().informs_answered += static_cast<std::int64_t>(b->acks.size());
    flushed_ = b->snapshot;
    for (auto h : b->acks) {
      rx_->acknowledge(h);  // a lost answer: the retransmission is answered from the answered list
    }
  }

  // Commits everything received so far and waits for it (SIGHUP, stop).
  void flush() {
    for (int round = 0; round < 2; ++round) {
      if (writer_->busy()) {
        writer_->wait();
        collect();
      }
      submit(false);
    }
    if (writer_->busy()) {
      writer_->wait();
      collect();
    }
  }

  // Once a second: counters, suppressed log lines, polls.
  void tick() {
    submit(true);  // with a checkpoint; if the writer is busy, the next tick does it
    problems_.flush();
    reap();
    schedule_polls();
    supervise_children();
    schedule_evaluation();
  }

  // Every contract's figures for check_colosla and the SLA events they show, computed by a child
  // `colosla evaluate --every INTERVAL` that stays (a month report of every contract takes
  // seconds; reception must not wait): after its first run it judges again only the contracts
  // that can have changed. Started again an interval after it ends, should it end.
  void schedule_evaluation() {
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

  // -- polls --------------------------------------------------------------------------------------
  void schedule_polls() {
    const auto now = Steady::now();
    for (const auto& d : inventory_.devices) {
      if (polling_.size() >= s_.poll_concurrency) {
        break;
      }
      const bool asked = poll_now_.count(d.name) != 0;
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
      poll_now_.erase(d.name);
      if (it != next_poll_.end()) {
        it->second = now + s_.poll_interval;
      }
      spawn_poll(d);
    }
  }

  void spawn_poll(const core::Device& device) {
    std::vector<std::string> args = colosla_command({"poll", "--device", device.name});
    if (device.netconf) {
      args.insert(args.end(), {"--netconf-timeout", std::to_string(s_.netconf_timeout.count())});
    } else {
      args.insert(args.end(), {"--timeout", std::to_string(s_.poll_timeout.count()), "--retries",
                               std::to_string(s_.poll_retries)});
    }
    const pid_t pid = spawn(args, "poll " + device.name);
    if (pid <= 0) {
      return;
    }
    ++proc_->counters().polls_requested;
    polling_[pid] = Poll{device.name, Steady::now()};
  }

  // Starts the colosla program with args. Its stdin is /dev/null, or a pipe that `input` is
  // written to: secrets never go on a command line, which every user of the machine can read.
  // Its stdout and stderr are /dev/null once this process is a daemon (the child logs to syslog:
  // COLOSLA_LOG). The child gets `on_death` when this process ends, however it ends (a kill -9
  // too: PR_SET_PDEATHSIG), so that no poll, listener or prober outlives the daemon. 0 when it
  // failed.
  pid_t spawn(std::vector<std::string> args, const std::string& what, int on_death = SIGKILL,
              const std::string& input = {}) {
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
    const bool quiet = daemonized;
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

  // The colosla program on this daemon's store (and its secrets key, when one is set), running
  // `command`.
  std::vector<std::string> colosla_command(std::initializer_list<std::string> command) const {
    std::vector<std::string> args{s_.poller, "--db", s_.db};
    if (!s_.secrets_key.empty()) {
      args.insert(args.end(), {"--secrets-key", s_.secrets_key});
    }
    args.insert(args.end(), command);
    return args;
  }

  // -- long-running children --------------------------------------------------------------------
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

  void supervise_children() {
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

  // A child process ended: true when pid was one.
  bool child_ended(pid_t pid, int status) {
    for (auto& [name, l] : children_) {
      if (l.pid != pid) {
        continue;
      }
      l.pid = 0;
      const auto now = Steady::now();
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        l.done = true;
        log(LogLevel::info, "trapd",
            name + " ended" +
                (name == "the prober" ? std::string() : ": the device is polled only"));
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

  static std::string describe_status(int status) {
    return WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                             : "signal " + std::to_string(WTERMSIG(status));
  }

  void stop_children() {
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

  void reap() {
    int status = 0;
    pid_t pid = 0;
    bool any = false;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      if (child_ended(pid, status)) {
        continue;
      }
      if (pid == evaluating_) {
        evaluating_ = 0;
        log(LogLevel::warning, "trapd",
            "colosla evaluate ended (" + describe_status(status) +
                "): check_colosla computes the figures itself until it is started again, in " +
                std::to_string(s_.evaluate_interval.count()) + " s");
        continue;
      }
      const auto it = polling_.find(pid);
      if (it == polling_.end()) {
        continue;
      }
      any = true;
      if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 3)) {
        log(LogLevel::warning, "trapd", "the poll of " + it->second.device + " failed");
      }
      polling_.erase(it);
    }
    // A poll that outlives its deadline (a device that holds a NETCONF session open without
    // answering, past the poller's own watchdog) is killed, so that the device is polled again.
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
    if (any || std::any_of(children_.begin(), children_.end(),
                           [](const auto& l) { return l.second.pid != 0; })) {
      // What the polls and listeners stored: new states, and fresh ifIndex names.
      refresh_states();
    }
    if (any) {
      if (auto index = store_->port_index()) {
        for (auto& [dev, names] : *index) {
          proc_->set_port_names(dev, std::move(names));
        }
      }
    }
  }

  const Settings& s_;
  SystemClock clock_;
  core::Registry registry_;
  std::unique_ptr<core::Store> store_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<core::TrapReceiver> rx_;
  core::Inventory inventory_;
  std::unique_ptr<core::TrapProcessor> proc_;
  bool running_ = true;

  core::ReceiveCounters rxc_, flushed_rx_;
  core::TrapCounters flushed_;  // as last committed
  std::vector<core::Observation> observations_;
  std::vector<core::TrapEvidence> evidence_;
  std::vector<std::uint64_t> acks_;
  std::size_t pending_ = 0;
  Steady::time_point first_pending_;
  LogLimiter problems_{"trapd", s_.problem_log_rate};  // per-datagram lines, rate-limited

  std::int64_t seen_seq_ = 0;
  std::map<std::string, Steady::time_point> next_poll_;
  std::set<std::string> poll_now_;
  struct Poll {
    std::string device;
    Steady::time_point started;
  };
  std::map<pid_t, Poll> polling_;
  std::map<std::string, Child> children_;  // by what the log calls it
  pid_t evaluating_ = 0;
  Steady::time_point next_evaluation_;
};

}  // namespace

int main(int argc, char** argv) {
  try {
    auto settings = trapd::read_settings(argc, argv);
    if (!settings) {
      return 0;
    }
    Daemon d(*settings);
    return d.run();
  } catch (const ConfigError& e) {
    if (daemonized) {
      log(LogLevel::error, "trapd", e.what());
    } else {
      std::cerr << "colosla-trapd: " << e.what() << "\n";
    }
    return 1;
  }
}
