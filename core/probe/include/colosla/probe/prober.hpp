#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "colosla/base/clock.hpp"
#include "colosla/base/result.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/model/model.hpp"
#include "colosla/probe/probe.hpp"
#include "colosla/store/store.hpp"

/// Article 4 live: every contract's probe targets probed on a schedule spread over each
/// contract's probe interval, the results kept as probe observations, and the emergencies they
/// make followed as they happen (the SLA engine remains the judge; this only says when to look).
namespace colosla::core {

/// One service of one address, probed every `interval`. An address that several contracts name
/// is probed once, at the shortest of their intervals.
struct ProbeJob {
  std::string address;
  ProbeService service = ProbeService::icmp;
  std::string www_path = "/";
  std::chrono::seconds interval{300};
  std::vector<std::string> contracts;
  std::chrono::minutes notify_within{15};  ///< the shortest of its contracts'
};

/// A probe's round: the time it was due divided by its interval, rounded down. The schedule
/// gives a job one due time a round (ProbeSchedule), so every prober that shares a target
/// gives a result the same round, and the store keeps one result of a round
/// (Observation::round).
std::int64_t probe_round(Timestamp due, std::chrono::seconds interval);
/// A job's turn in the round of `due`, as the probers share them (store.hpp: ProbeTurn): the
/// target "ADDRESS SERVICE", the round, and when it ends.
ProbeTurn probe_turn(const ProbeJob& job, Timestamp due);
/// A prober's name in the leases unless one is given: the host's name and the process id
/// ("noc1:4242").
std::string default_prober_name();

/// The jobs of every contract in force at `now` (start ≤ now < end), in address order. Targets
/// on documentation addresses are left out (and named in `skipped`, when given).
std::vector<ProbeJob> probe_jobs(const Inventory& inv, Timestamp now,
                                 std::vector<std::string>* skipped = nullptr);

/// When each job is due. The k-th of the n jobs that share an interval I (k = 0 … n−1, in the
/// order of a hash of address and service, so that neighbouring addresses are apart) is due
/// whenever the time since the epoch is I × k ÷ n modulo I, so that a thousand targets never
/// fire in the same second, and a restart keeps every target's rhythm; each next round is I
/// after the time it was due, not after it ran, so that the rounds do not drift. A job more than
/// a round behind is probed once, and its missed rounds are skipped.
class ProbeSchedule {
 public:
  ProbeSchedule(const std::vector<ProbeJob>& jobs, Timestamp start);
  struct Due {
    std::size_t job = 0;
    Timestamp due;
  };
  /// Every job due at or before `now`, each moved on to its next round.
  std::vector<Due> take_due(Timestamp now);
  /// When the next job is due (nullopt without jobs).
  [[nodiscard]] std::optional<Timestamp> next() const;

 private:
  std::vector<std::chrono::seconds> interval_;
  std::vector<std::pair<Timestamp, std::size_t>> heap_;  // a min-heap on the due time
};

/// Consecutive failures of each probed service, as Article 4 counts them: the second failure
/// with no pass between declares an emergency, the next pass ends it.
class EmergencyTracker {
 public:
  enum class Change : std::uint8_t { none, declared, cleared };
  /// What the store last knew of a service (after a restart): one failure, or none.
  void seed(const std::string& address, ProbeService s, bool last_failed);
  /// What the store holds of a service that other probers probed meanwhile: its last results
  /// were `failures` failures in a row (an emergency open from two on).
  void resume(const std::string& address, ProbeService s, int failures);
  Change feed(const std::string& address, ProbeService s, bool pass);
  [[nodiscard]] bool open(const std::string& address, ProbeService s) const;

 private:
  struct State {
    int failures = 0;
    bool open = false;
  };
  std::map<std::pair<std::string, ProbeService>, State> states_;
};

/// A probe as the prober runs it; the real one is core::probe. Tests may script the outcomes.
using ProbeFunction =
    std::function<ProbeResult(const ProbeJob&, const ProbeOptions&, const Clock&)>;

/// What one probe did, for the store, the tracker and the round figures.
struct ProbeOutcome {
  std::size_t job = 0;
  ProbeResult result;
  Timestamp due;
  std::chrono::milliseconds late{0};  ///< from when it was due to when it began
};

/// Runs the probes of a schedule on a pool of worker threads (or, with no workers, in the
/// caller's thread: the fake-clock tests), and hands back what they found.
class Prober {
 public:
  struct Options {
    ProbeOptions probe;
    std::size_t workers = 64;  ///< probes in flight at once; 0 = run each in start_due()
  };
  Prober(std::vector<ProbeJob> jobs, Options options, const Clock& clock, ProbeFunction fn = {});
  ~Prober();
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;

  /// Starts (or, without workers, runs) every probe due by now. When the pool is busy, a due
  /// probe waits for a free worker; its lateness shows that.
  void start_due() { start(take_due()); }
  /// The probes due by now, each moved on to its next round (to start, or leave to another
  /// prober).
  std::vector<ProbeSchedule::Due> take_due() { return schedule_.take_due(clock_.now()); }
  /// Starts (or, without workers, runs) these probes.
  void start(const std::vector<ProbeSchedule::Due>& due);
  /// Workers without a probe (the largest size_t without workers: every probe runs at once).
  [[nodiscard]] std::size_t free_workers() const;
  /// The probes finished since the last call.
  std::vector<ProbeOutcome> collect();
  /// When the next probe is due.
  [[nodiscard]] std::optional<Timestamp> next_due() const { return schedule_.next(); }
  [[nodiscard]] const std::vector<ProbeJob>& jobs() const { return jobs_; }
  /// Probes waiting for a worker or running.
  [[nodiscard]] std::size_t in_flight() const;
  /// Starts nothing more, drops the probes waiting, and waits for those running (each within its
  /// timeout × attempts); what they found is there for collect().
  void stop();

  /// A probe result as the observation the store keeps (origin probe:SERVICE:ADDRESS).
  static Observation observation(const ProbeJob& job, const ProbeResult& r);

 private:
  void work();
  ProbeOutcome run(std::size_t job, Timestamp due);

  std::vector<ProbeJob> jobs_;
  Options options_;
  const Clock& clock_;
  ProbeFunction fn_;
  ProbeSchedule schedule_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::size_t, Timestamp>> queue_;
  std::vector<ProbeOutcome> done_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

/// The figures of one round (the shortest probe interval): how many probes ran, how many
/// failed, the latest start, the most in flight at once. The daemon logs them; bench/probe
/// reads them.
struct ProbeRoundFigures {
  Timestamp began;
  std::size_t probes = 0;
  std::size_t failed = 0;
  std::size_t not_made = 0;   ///< probes this machine could not make (the first is logged)
  std::size_t elsewhere = 0;  ///< turns due here that another prober held (ProbeLeases)
  std::chrono::milliseconds latest{0};
  std::size_t most_in_flight = 0;
};

/// The prober as the daemon runs it: probes, stores their results, and follows the emergencies.
/// It shares the targets with the other probers of the store (store.hpp: ProbeLeases): it
/// claims each due turn (target, round) before probing it, as many as it has free workers,
/// leaves those another prober holds, asks again for one whose holder's lease expires before
/// the round ends, and stores each result with its round, releasing the turn in the same
/// transaction. Its emergency tracker counts its own results and, for a target whose previous
/// round another prober probed, the run of failures the store holds.
class ProbeLoop {
 public:
  /// `holder`: this prober's name in the leases (empty: default_prober_name()).
  ProbeLoop(Store& store, std::vector<ProbeJob> jobs, Prober::Options options, const Clock& clock,
            ProbeFunction fn = {}, std::string holder = {});

  /// One pass: starts the probes due, takes the finished ones, and stores them: at once when an
  /// emergency began or ended, else at most once a second. True when the SLA events should be
  /// evaluated now: an emergency declared or ended, a notification coming due (5 minutes before
  /// the deadline), a deadline passed. A store that fails keeps the results for the next pass.
  Result<bool> step();
  /// When step() next has something to do.
  [[nodiscard]] Timestamp next_wake() const;
  /// Stores what is waiting.
  Result<void> flush();
  /// At the end: waits for the probes running, and stores them with what is waiting.
  Result<void> finish();
  /// The rounds completed since the last call.
  std::vector<ProbeRoundFigures> rounds();
  [[nodiscard]] const Prober& prober() const { return prober_; }

 private:
  /// Takes the finished probes into pending_ and the tracker; true when an emergency began or
  /// ended.
  bool absorb();
  /// Claims the turns due (and those to ask for again) and starts the probes of those claimed.
  Result<void> claim_due(Timestamp now);
  /// Brings the tracker up to the store for the jobs of `outcomes` whose previous round this
  /// prober did not probe (another prober did): their run of failures as stored.
  void catch_up(const std::vector<ProbeOutcome>& outcomes);

  /// A due turn not claimed yet: asked for again at `ask` until its round ends.
  struct Waiting {
    ProbeSchedule::Due due;
    ProbeTurn turn;
    Timestamp ask;
    bool again = false;  // asked for before
  };

  Store& store_;
  const Clock& clock_;
  Prober prober_;
  EmergencyTracker tracker_;
  std::vector<Observation> pending_;
  Timestamp last_flush_;
  std::string holder_;
  std::chrono::seconds lease_{30};  // a claim's length: longer than a probe can take
  std::vector<Waiting> waiting_;
  std::vector<ProbeTurn> probed_;    // released with pending_, held to their rounds' ends
  std::vector<ProbeTurn> unprobed_;  // released with pending_, free at once (not made)
  std::vector<std::optional<std::int64_t>> fed_;  // by job: the last round the tracker was fed
  std::vector<Timestamp> wakes_;                  // notifications due, deadlines
  std::chrono::seconds round_length_{300};
  ProbeRoundFigures round_;
  std::vector<ProbeRoundFigures> finished_rounds_;
};

/// The one prober of a SQLite store: an exclusive lock (flock) on the file
/// `<store>.prober-lock` beside it, held while this object lives (colosla prober takes it unless
/// told to share: probers that share a store split its targets by ProbeLeases, and a round is
/// stored once by its key, so that two cannot store two failures of one round).
class ProberLock {
 public:
  /// Takes the lock, waiting up to `wait` for a prober that is finishing (storing the probes it
  /// had running). Errors: conflict, naming the process that holds it; io when the lock file
  /// cannot be opened.
  static Result<ProberLock> take(const std::string& store_path, std::chrono::milliseconds wait);
  ProberLock(ProberLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ProberLock& operator=(ProberLock&&) = delete;
  ProberLock(const ProberLock&) = delete;
  ~ProberLock();

 private:
  explicit ProberLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace colosla::core
