// colosla probe --contract ID: one round of Article 4's probes by hand, stored as observations.
// colosla prober: every contract's probes on their schedule, for as long as it runs
// (colosla-trapd keeps one running), waking colosla-trapd's evaluation when an emergency
// begins, ends, comes due or passes its deadline.
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <optional>

#include "cli.hpp"
#include "colosla/base/log.hpp"
#include "colosla/probe/probe.hpp"
#include "colosla/probe/prober.hpp"
#include "colosla/store/postgresql.hpp"
#include "commands.hpp"

namespace colosla::cli {

namespace {

// The options of one probe, shared by probe and prober.
void add_probe_options(po::options_description& d) {
  d.add_options()("timeout", po::value<int>()->default_value(5000),
                  "milliseconds for each attempt")("retries", po::value<int>()->default_value(1),
                                                   "attempts after the first within one probe")(
      "www-port", po::value<int>()->default_value(80), "the port of the www probe")(
      "smtp-port", po::value<int>()->default_value(25), "the port of the email probe")(
      "ftp-port", po::value<int>()->default_value(21), "the port of the ftp probe");
}

core::ProbeOptions probe_options(const po::variables_map& vm) {
  core::ProbeOptions o;
  o.timeout = std::chrono::milliseconds{vm["timeout"].as<int>()};
  o.retries = vm["retries"].as<int>();
  const auto port = [&](const char* name) {
    const int p = vm[name].as<int>();
    if (p < 1 || p > 65535) {
      throw UsageError(std::string("--") + name + " must be a port, 1 to 65535");
    }
    return static_cast<std::uint16_t>(p);
  };
  o.www_port = port("www-port");
  o.smtp_port = port("smtp-port");
  o.ftp_port = port("ftp-port");
  if (o.timeout.count() <= 0 || o.retries < 0) {
    throw UsageError("--timeout must be positive and --retries not negative");
  }
  return o;
}

}  // namespace

int probe(Context& ctx) {
  po::options_description d("probe");
  d.add_options()("contract", po::value<std::string>(),
                  "the contract whose probe targets to probe");
  add_probe_options(d);
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  const std::string id = required(*vm, "contract");
  const core::ProbeOptions o = probe_options(*vm);
  auto opened = open_with_inventory(ctx);
  if (!opened) {
    return kFailed;
  }
  core::Store* store = opened->store.get();
  const core::Inventory* inv = &opened->inventory;
  const core::Contract* c = inv->find_contract(id);
  if (c == nullptr) {
    return report(make_error(Errc::not_found, "no contract " + id + " in the inventory"));
  }
  std::vector<core::Observation> results;
  int rc = kOk;
  for (const auto& t : c->probe_targets) {
    if (core::documentation_address(t.address)) {
      std::cout << std::left << std::setw(40) << t.address
                << "not probed: a documentation address (RFC 5737, 3849)\n";
      continue;
    }
    for (const auto s : t.services) {
      core::ProbeJob job;
      job.address = t.address;
      job.service = s;
      job.www_path = t.www_path;
      const auto r = core::probe(t.address, s, t.www_path, o, *ctx.clock);
      std::cout << std::left << std::setw(40) << t.address << std::setw(7) << to_string(s)
                << (!r.made  ? "NOT MADE"
                    : r.pass ? "pass"
                             : "FAIL")
                << "  " << r.detail << "\n";
      if (r.made) {
        results.push_back(core::Prober::observation(job, r));
      } else {
        rc = kFailed;  // this machine's fault: nothing stored for it
      }
    }
  }
  if (results.empty()) {
    if (rc == kOk) {
      std::cout << id << " has no probe targets to probe\n";
    }
    return rc;
  }
  if (auto n = store->add_observations(results); !n) {
    return report(n.error());
  }
  return rc;
}

namespace {

// The (address, service, interval) of each job: a change means a contract began or ended.
std::vector<std::string> job_keys(const std::vector<core::ProbeJob>& jobs) {
  std::vector<std::string> keys;
  keys.reserve(jobs.size());
  for (const auto& j : jobs) {
    keys.push_back(j.address + " " + std::string(to_string(j.service)) + " " +
                   std::to_string(j.interval.count()));
  }
  return keys;
}

void sleep_until(Timestamp t) {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  // Interrupted by SIGTERM: the loop looks at stop_requested at once.
  clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, nullptr);
}

}  // namespace

int prober(Context& ctx) {
  po::options_description d("prober");
  add_probe_options(d);
  d.add_options()("workers", po::value<int>()->default_value(64), "probes in flight at once")(
      "wake-pid", po::value<int>(),
      "send this process SIGUSR1 when the SLA events should be evaluated now (colosla-trapd passes "
      "its own)")("rounds", po::value<int>()->default_value(0),
                  "stop after this many rounds (0: run until SIGTERM)")(
      "lock-wait", po::value<int>()->default_value(30),
      "seconds to wait for another prober of a SQLite store to finish (one at a time unless "
      "--share)")("name", po::value<std::string>(),
                  "this prober's name in the probe leases (default: host name:pid)")(
      "share",
      "share a SQLite store's targets with its other probers (each target probed by one of them "
      "each round) instead of waiting for the store's one prober; probers of a PostgreSQL store "
      "always share");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  core::Prober::Options o;
  o.probe = probe_options(*vm);
  const int workers = (*vm)["workers"].as<int>();
  const int rounds = (*vm)["rounds"].as<int>();
  if (workers < 1 || workers > 4096 || rounds < 0) {
    throw UsageError("--workers must be 1 to 4096 and --rounds not negative");
  }
  o.workers = static_cast<std::size_t>(workers);
  const pid_t wake_pid = vm->count("wake-pid") != 0 ? (*vm)["wake-pid"].as<int>() : 0;
  const std::string name = vm->count("name") != 0 ? (*vm)["name"].as<std::string>() : "";
  if (vm->count("name") != 0 && (name.empty() || name.size() > 200)) {
    throw UsageError("--name must be 1 to 200 characters");
  }
  stop_on_sigterm();
  // Probers share the targets by leases in the store (ProbeLoop); a SQLite store keeps to one
  // prober unless told to share, as colosla-trapd's child prober expects.
  std::optional<core::ProberLock> lock;
  if (!core::is_postgresql_location(ctx.db) && vm->count("share") == 0) {
    auto taken = core::ProberLock::take(
        ctx.db, std::chrono::seconds{std::max(0, (*vm)["lock-wait"].as<int>())});
    if (!taken) {
      report(taken.error());
      return kFailed;
    }
    lock.emplace(std::move(*taken));
  }
  auto opened = open_with_inventory(ctx);
  if (!opened) {
    return kFailed;
  }
  core::Store& store = *opened->store;
  const core::Inventory& inv = opened->inventory;

  const Clock& clock = *ctx.clock;
  int rounds_done = 0;
  while (!stop_requested()) {
    std::vector<std::string> skipped;
    auto jobs = core::probe_jobs(inv, clock.now(), &skipped);
    const auto keys = job_keys(jobs);
    for (const auto& s : skipped) {
      log(LogLevel::warning, "prober",
          "not probing " + s + ": a documentation address (RFC 5737, 3849)");
    }
    log(LogLevel::info, "prober",
        "probing " + std::to_string(jobs.size()) + " services of " +
            std::to_string(inv.contracts.size()) +
            (inv.contracts.size() == 1 ? " contract" : " contracts"));
    core::ProbeLoop loop(store, std::move(jobs), o, clock, {}, name);
    Timestamp next_look = clock.now() + std::chrono::seconds{60};
    bool rebuild = false;
    while (!stop_requested() && !rebuild) {
      auto look = loop.step();
      if (!look) {
        log(LogLevel::error, "prober", look.error().to_string());
      } else if (*look && wake_pid > 0 && getppid() == wake_pid) {
        // Only the daemon that started it: once that has gone, its pid may be another process's.
        kill(wake_pid, SIGUSR1);
      }
      for (const auto& r : loop.rounds()) {
        log(LogLevel::info, "prober",
            "round: " + std::to_string(r.probes) + " probes, " + std::to_string(r.failed) +
                " failed, latest start " + std::to_string(r.latest.count()) + " ms late, at most " +
                std::to_string(r.most_in_flight) + " in flight" +
                (r.not_made > 0
                     ? ", " + std::to_string(r.not_made) + " not made (see the error above)"
                     : "") +
                (r.elsewhere > 0 ? ", " + std::to_string(r.elsewhere) + " left to other probers"
                                 : ""));
        if (rounds > 0 && ++rounds_done >= rounds) {
          request_stop();
        }
      }
      if (clock.now() >= next_look) {
        // A contract that began or ended since: probe the new set of services.
        next_look = clock.now() + std::chrono::seconds{60};
        rebuild = job_keys(core::probe_jobs(inv, clock.now())) != keys;
      }
      if (!stop_requested() && !rebuild) {
        sleep_until(std::min(loop.next_wake(), next_look));
      }
    }
    if (auto f = loop.finish(); !f) {
      log(LogLevel::error, "prober", f.error().to_string());
    }
  }
  return kOk;
}

}  // namespace colosla::cli
