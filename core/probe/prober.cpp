#include "colosla/probe/prober.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <limits>

#include "colosla/base/log.hpp"
#include "colosla/store/store.hpp"

namespace colosla::core {

namespace {

using HeapItem = std::pair<Timestamp, std::size_t>;
constexpr auto kLater = std::greater<HeapItem>{};  // std::*_heap keep the largest first

}  // namespace

std::int64_t probe_round(Timestamp due, std::chrono::seconds interval) {
  const std::int64_t t = due.time_since_epoch().count();
  const std::int64_t i = interval.count();
  return t >= 0 ? t / i : -((-t + i - 1) / i);  // rounded down, before 1970 too
}

ProbeTurn probe_turn(const ProbeJob& job, Timestamp due) {
  ProbeTurn t;
  t.target = job.address + " " + std::string(to_string(job.service));
  t.round = probe_round(due, job.interval);
  t.ends = Timestamp{job.interval * (t.round + 1)};
  return t;
}

std::string default_prober_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) {
    host[0] = '\0';
  }
  return std::string(host) + ":" + std::to_string(::getpid());
}

std::vector<ProbeJob> probe_jobs(const Inventory& inv, Timestamp now,
                                 std::vector<std::string>* skipped) {
  std::map<std::pair<std::string, ProbeService>, ProbeJob> jobs;
  for (const auto& c : inv.contracts) {
    if (now < c.start || c.end <= now) {
      continue;
    }
    const std::chrono::seconds interval{c.sla.probe_interval_seconds};
    const std::chrono::minutes within{c.sla.notify_within_minutes};
    for (const auto& t : c.probe_targets) {
      if (documentation_address(t.address)) {
        if (skipped != nullptr) {
          skipped->push_back(c.id + " " + t.address);
        }
        continue;
      }
      for (const auto s : t.services) {
        auto [it, fresh] = jobs.try_emplace({t.address, s});
        ProbeJob& j = it->second;
        if (fresh) {
          j.address = t.address;
          j.service = s;
          j.www_path = t.www_path;
          j.interval = interval;
          j.notify_within = within;
        }
        j.interval = std::min(j.interval, interval);
        j.notify_within = std::min(j.notify_within, within);
        j.contracts.push_back(c.id);
      }
    }
  }
  std::vector<ProbeJob> out;
  out.reserve(jobs.size());
  for (auto& [key, j] : jobs) {
    out.push_back(std::move(j));
  }
  return out;
}

namespace {

// FNV-1a of a job's address and service: its place in the round, the same in every run.
std::uint64_t slot_hash(const ProbeJob& j) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : j.address + " " + std::string(to_string(j.service))) {
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  return h;
}

}  // namespace

ProbeSchedule::ProbeSchedule(const std::vector<ProbeJob>& jobs, Timestamp start) {
  // The jobs of each interval spread evenly over it, in the order of a hash: the addresses of
  // one customer's subnet, which tend to fail together, do not come due together.
  std::map<std::chrono::seconds, std::vector<std::size_t>> by_interval;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    interval_.push_back(jobs[i].interval);
    by_interval[jobs[i].interval].push_back(i);
  }
  for (auto& [interval, members] : by_interval) {
    std::vector<std::pair<std::uint64_t, std::size_t>> keyed;
    keyed.reserve(members.size());
    for (const auto i : members) {
      keyed.emplace_back(slot_hash(jobs[i]), i);
    }
    std::sort(keyed.begin(), keyed.end());
    for (std::size_t k = 0; k < keyed.size(); ++k) {
      members[k] = keyed[k].second;
    }
  }
  const std::int64_t now = start.time_since_epoch().count();
  for (const auto& [interval, members] : by_interval) {
    const std::int64_t length = interval.count();
    const auto n = static_cast<std::int64_t>(members.size());
    for (std::int64_t k = 0; k < n; ++k) {
      // The slot is a phase of the interval counted from the epoch, so that a restart (a new
      // inventory, a crash) keeps each target's rhythm: its next probe is one interval after
      // the last, not sooner or up to twice as late.
      const std::int64_t phase = length * k / n;
      const std::int64_t first = now + (((phase - now) % length) + length) % length;
      heap_.emplace_back(Timestamp{std::chrono::seconds{first}},
                         members[static_cast<std::size_t>(k)]);
    }
  }
  std::make_heap(heap_.begin(), heap_.end(), kLater);
}

std::vector<ProbeSchedule::Due> ProbeSchedule::take_due(Timestamp now) {
  std::vector<Due> out;
  while (!heap_.empty() && heap_.front().first <= now) {
    std::pop_heap(heap_.begin(), heap_.end(), kLater);
    auto& [due, job] = heap_.back();
    out.push_back(Due{job, due});
    const auto interval = interval_[job];
    // The next round after now: rounds missed while this process was held up are skipped.
    const auto behind = (now - due) / interval;
    due += interval * (behind + 1);
    std::push_heap(heap_.begin(), heap_.end(), kLater);
  }
  return out;
}

std::optional<Timestamp> ProbeSchedule::next() const {
  if (heap_.empty()) {
    return std::nullopt;
  }
  return heap_.front().first;
}

void EmergencyTracker::seed(const std::string& address, ProbeService s, bool last_failed) {
  states_[{address, s}] = State{last_failed ? 1 : 0, false};
}

EmergencyTracker::Change EmergencyTracker::feed(const std::string& address, ProbeService s,
                                                bool pass) {
  State& st = states_[{address, s}];
  if (pass) {
    const bool was_open = st.open;
    st = State{};
    return was_open ? Change::cleared : Change::none;
  }
  ++st.failures;
  if (st.failures >= 2 && !st.open) {
    st.open = true;
    return Change::declared;
  }
  return Change::none;
}

void EmergencyTracker::resume(const std::string& address, ProbeService s, int failures) {
  states_[{address, s}] = State{failures, failures >= 2};
}

bool EmergencyTracker::open(const std::string& address, ProbeService s) const {
  const auto it = states_.find({address, s});
  return it != states_.end() && it->second.open;
}

Prober::Prober(std::vector<ProbeJob> jobs, Options options, const Clock& clock, ProbeFunction fn)
    : jobs_(std::move(jobs)),
      options_(options),
      clock_(clock),
      fn_(fn ? std::move(fn)
             : ProbeFunction([](const ProbeJob& j, const ProbeOptions& o, const Clock& c) {
                 return probe(j.address, j.service, j.www_path, o, c);
               })),
      schedule_(jobs_, clock.now()) {
  for (std::size_t i = 0; i < options_.workers; ++i) {
    threads_.emplace_back([this] { work(); });
  }
}

Prober::~Prober() { stop(); }

void Prober::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    t.join();  // a probe in progress ends within its timeout × attempts, and is kept
  }
  threads_.clear();
}

void Prober::start(const std::vector<ProbeSchedule::Due>& due) {
  if (due.empty()) {
    return;
  }
  if (threads_.empty()) {
    for (const auto& d : due) {
      auto outcome = run(d.job, d.due);
      std::lock_guard lock(mutex_);
      done_.push_back(std::move(outcome));
    }
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return;
    }
    for (const auto& d : due) {
      queue_.emplace_back(d.job, d.due);
    }
  }
  // One worker a probe: waking every idle worker for each batch costs more than the probes.
  for (std::size_t i = 0; i < due.size(); ++i) {
    wake_.notify_one();
  }
}

std::vector<ProbeOutcome> Prober::collect() {
  std::lock_guard lock(mutex_);
  std::vector<ProbeOutcome> out;
  out.swap(done_);
  return out;
}

std::size_t Prober::free_workers() const {
  if (options_.workers == 0) {
    return std::numeric_limits<std::size_t>::max();
  }
  std::lock_guard lock(mutex_);
  const std::size_t busy = queue_.size() + running_;
  return busy >= threads_.size() ? 0 : threads_.size() - busy;
}

std::size_t Prober::in_flight() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + running_;
}

void Prober::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) {
      return;
    }
    const auto [job, due] = queue_.front();
    queue_.pop_front();
    ++running_;
    lock.unlock();
    auto outcome = run(job, due);
    lock.lock();
    --running_;
    done_.push_back(std::move(outcome));
  }
}

ProbeOutcome Prober::run(std::size_t job, Timestamp due) {
  ProbeOutcome o;
  o.job = job;
  o.due = due;
  o.late = std::max(std::chrono::milliseconds{0}, std::chrono::milliseconds{clock_.now() - due});
  o.result = fn_(jobs_[job], options_.probe, clock_);
  return o;
}

Observation Prober::observation(const ProbeJob& job, const ProbeResult& r) {
  const std::string service(to_string(job.service));
  Observation obs;
  obs.time = r.at;
  obs.entity = EntityId::probe(job.address, service);
  obs.state = r.pass ? State::pass : State::fail;
  obs.source = Source::probe;
  obs.received = r.at;
  obs.origin = "probe:" + service + ":" + job.address;
  obs.evidence = r.detail;
  return obs;
}

ProbeLoop::ProbeLoop(Store& store, std::vector<ProbeJob> jobs, Prober::Options options,
                     const Clock& clock, ProbeFunction fn, std::string holder)
    : store_(store),
      clock_(clock),
      prober_(std::move(jobs), options, clock, std::move(fn)),
      last_flush_(clock.now()),
      holder_(holder.empty() ? default_prober_name() : std::move(holder)) {
  // A claim outlives the longest probe (every attempt timing out) by half a minute: it expires
  // only when its prober has stopped or stalled.
  const auto longest = options.probe.timeout * (options.probe.retries + 1);
  lease_ = std::chrono::ceil<std::chrono::seconds>(longest) + std::chrono::seconds{30};
  // After a restart a service whose last probe failed needs one more failure, not two.
  if (auto latest = store_.latest_states(0)) {
    std::map<std::pair<std::string, std::string>, bool> failed;
    for (const auto& [e, change] : latest->changes) {
      if (e.kind == EntityKind::probe) {
        failed[{e.device, e.item}] = change.state == State::fail;
      }
    }
    for (const auto& j : prober_.jobs()) {
      const auto it = failed.find({j.address, std::string(to_string(j.service))});
      tracker_.seed(j.address, j.service, it != failed.end() && it->second);
    }
  } else {
    log(LogLevel::warning, "prober", latest.error().to_string());
  }
  for (const auto& j : prober_.jobs()) {
    round_length_ = std::min(round_length_, j.interval);
  }
  round_.began = clock.now();
}

Result<bool> ProbeLoop::step() {
  const Timestamp now = clock_.now();
  if (now >= round_.began + round_length_) {
    finished_rounds_.push_back(round_);
    round_ = ProbeRoundFigures{};
    round_.began = now;
  }
  // A claim that fails (the store is away) is asked for again at the next pass; the results
  // made meanwhile are still stored.
  auto claimed = claim_due(now);
  bool look = false;
  round_.most_in_flight = std::max(round_.most_in_flight, prober_.in_flight());
  const bool changed = absorb();
  if (changed || now >= last_flush_ + std::chrono::seconds{1}) {
    COLOSLA_TRY(flush());
    look = changed;
  }
  COLOSLA_TRY(claimed);
  const auto passed =
      std::partition(wakes_.begin(), wakes_.end(), [&](Timestamp t) { return t > now; });
  if (passed != wakes_.end()) {
    wakes_.erase(passed, wakes_.end());
    look = true;
  }
  return look;
}

Result<void> ProbeLoop::finish() {
  prober_.stop();
  absorb();
  return flush();
}

Result<void> ProbeLoop::claim_due(Timestamp now) {
  for (const auto& d : prober_.take_due()) {
    waiting_.push_back(Waiting{d, probe_turn(prober_.jobs()[d.job], d.due), now, false});
  }
  // A turn asked for again until its round ended is another prober's (or nobody's: its lease
  // expired late); the next round's turn is on the schedule. (A turn just due is asked for
  // once, even if this prober was so late that its round ended.)
  waiting_.erase(std::remove_if(waiting_.begin(), waiting_.end(),
                                [&](const Waiting& w) { return w.again && w.turn.ends <= now; }),
                 waiting_.end());
  std::vector<std::size_t> asked;
  std::vector<ProbeTurn> turns;
  for (std::size_t i = 0; i < waiting_.size(); ++i) {
    if (waiting_[i].ask <= now) {
      asked.push_back(i);
      turns.push_back(waiting_[i].turn);
    }
  }
  const std::size_t limit = prober_.free_workers();
  if (turns.empty() || limit == 0) {
    return {};
  }
  auto claims = store_.claim_probes(holder_, turns, now, lease_, limit);
  if (!claims) {
    for (const auto i : asked) {
      waiting_[i].ask = now + std::chrono::seconds{1};
    }
    return make_error(claims.error().code, "cannot claim the probes due: " + claims.error().msg,
                      claims.error().where);
  }
  std::vector<ProbeSchedule::Due> start;
  std::vector<bool> done(waiting_.size(), false);
  for (std::size_t k = 0; k < asked.size(); ++k) {
    Waiting& w = waiting_[asked[k]];
    const ProbeClaim& c = (*claims)[k];
    if (c.claimed) {
      start.push_back(w.due);
      done[asked[k]] = true;
    } else if (c.until >= w.turn.ends && c.until > now) {
      ++round_.elsewhere;  // probed, or held to its end, by another prober
      done[asked[k]] = true;
    } else {
      // Held by a prober whose lease may run out before the round ends (it stopped or stalled),
      // or not looked at: ask again then.
      w.ask = std::max(c.until, now + std::chrono::seconds{1});
      w.again = true;
    }
  }
  std::vector<Waiting> still;
  for (std::size_t i = 0; i < waiting_.size(); ++i) {
    if (!done[i]) {
      still.push_back(std::move(waiting_[i]));
    }
  }
  waiting_ = std::move(still);
  prober_.start(start);
  return {};
}

void ProbeLoop::catch_up(const std::vector<ProbeOutcome>& outcomes) {
  fed_.resize(prober_.jobs().size());
  std::vector<EntityId> stale;
  for (const auto& o : outcomes) {
    const ProbeJob& j = prober_.jobs()[o.job];
    const auto previous = fed_[o.job];
    // Its first since this prober started, or after rounds another prober probed.
    if (o.result.made && (!previous || *previous != probe_round(o.due, j.interval) - 1)) {
      stale.push_back(EntityId::probe(j.address, std::string(to_string(j.service))));
    }
  }
  if (stale.empty()) {
    return;
  }
  // One read for them all: each one's results from its last pass on.
  const Timestamp now = clock_.now();
  auto h = store_.history_of(stale, now, now);
  if (!h) {
    log(LogLevel::warning, "prober",
        "cannot read the probe results of other probers: " + h.error().to_string());
    return;
  }
  for (const auto& e : stale) {
    int failures = 0;
    for (const auto& c : (*h)[e]) {
      failures = c.state == State::fail ? failures + 1 : 0;
    }
    const auto service = parse_probe_service(e.item);
    if (service) {
      tracker_.resume(e.device, *service, failures);
    }
  }
}

bool ProbeLoop::absorb() {
  bool changed = false;
  const auto outcomes = prober_.collect();
  catch_up(outcomes);
  for (const auto& o : outcomes) {
    const ProbeJob& j = prober_.jobs()[o.job];
    const std::string what = std::string(to_string(j.service)) + " " + j.address;
    const ProbeTurn turn = probe_turn(j, o.due);
    if (!o.result.made) {
      unprobed_.push_back(turn);
      // Our fault, not the target's: nothing stored, nothing counted towards an emergency.
      if (round_.not_made++ == 0) {
        log(LogLevel::error, "prober", "cannot probe " + what + ": " + o.result.detail);
      }
      continue;
    }
    ++round_.probes;
    fed_[o.job] = turn.round;
    round_.latest = std::max(round_.latest, o.late);
    if (!o.result.pass) {
      ++round_.failed;
    }
    switch (tracker_.feed(j.address, j.service, o.result.pass)) {
      case EmergencyTracker::Change::declared: {
        log(LogLevel::warning, "prober",
            "emergency: the second consecutive " + what + " probe failed (" + o.result.detail +
                ")");
        changed = true;
        const Timestamp deadline = o.result.at + j.notify_within;
        wakes_.push_back(std::max(o.result.at, deadline - std::chrono::minutes{5}));
        wakes_.push_back(deadline + std::chrono::seconds{1});
        break;
      }
      case EmergencyTracker::Change::cleared:
        log(LogLevel::info, "prober",
            "emergency over: " + what + " passed (" + o.result.detail + ")");
        changed = true;
        break;
      case EmergencyTracker::Change::none:
        if (!o.result.pass) {
          log(LogLevel::info, "prober", what + " failed: " + o.result.detail);
        }
        break;
    }
    pending_.push_back(Prober::observation(j, o.result));
    pending_.back().round = turn.round;
    probed_.push_back(turn);
  }
  return changed;
}

Result<void> ProbeLoop::flush() {
  const Timestamp now = clock_.now();
  last_flush_ = now;
  if (pending_.empty() && unprobed_.empty()) {
    return {};
  }
  // The results and the release of their turns in one transaction: a turn is held to its
  // round's end exactly when its result is stored.
  auto stored = store_.write([&]() -> Result<void> {
    COLOSLA_TRY(store_.add_observations(pending_));
    COLOSLA_TRY(store_.release_probes(holder_, probed_, true, now));
    return store_.release_probes(holder_, unprobed_, false, now);
  });
  if (!stored) {
    if (pending_.size() > 1'000'000) {
      log(LogLevel::error, "prober",
          "dropping " + std::to_string(pending_.size()) +
              " probe results: the store keeps failing");
      pending_.clear();
      probed_.clear();
      unprobed_.clear();
    }
    return make_error(stored.error().code, "cannot store probe results: " + stored.error().msg,
                      stored.error().where);
  }
  pending_.clear();
  probed_.clear();
  unprobed_.clear();
  return {};
}

Timestamp ProbeLoop::next_wake() const {
  Timestamp t = last_flush_ + std::chrono::seconds{1};
  if (const auto due = prober_.next_due()) {
    t = std::min(t, *due);
  }
  for (const auto& w : waiting_) {
    t = std::min(t, w.ask);
  }
  for (const auto w : wakes_) {
    t = std::min(t, w);
  }
  return t;
}

std::vector<ProbeRoundFigures> ProbeLoop::rounds() {
  std::vector<ProbeRoundFigures> out;
  out.swap(finished_rounds_);
  return out;
}

Result<ProberLock> ProberLock::take(const std::string& store_path, std::chrono::milliseconds wait) {
  const std::string path = store_path + ".prober-lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return make_error(Errc::io,
                      std::string("cannot open the prober's lock: ") + std::strerror(errno), path);
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return make_error(Errc::io, "cannot lock: " + why, path);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      char buf[32] = {};
      const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
      ::close(fd);
      const std::string holder =
          n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("?");
      return make_error(Errc::conflict,
                        "another colosla prober (pid " + holder.substr(0, holder.find('\n')) +
                            ") probes this store: two would count every failure twice",
                        path);
    }
    ::usleep(100'000);
  }
  // Who holds it, for the message of the next one.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    log(LogLevel::debug, "prober", path + ": cannot write the pid: " + std::strerror(errno));
  }
  return ProberLock(fd);
}

ProberLock::~ProberLock() {
  if (fd_ >= 0) {
    ::close(fd_);  // releases the lock
  }
}

}  // namespace colosla::core
