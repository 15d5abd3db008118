// colosla ship: the local store's observations copied to a PostgreSQL store, each stored there
// once however many receivers ship it (docs/scale-out.md, "The shipper").
//
// The local store (a receiver's SQLite file) keeps its own counters: ship.watermark, the seq of
// the last observation PostgreSQL committed; ship.origin, a random number that names this store
// to PostgreSQL (the identity of a shipped row besides its seq there); ship.shipped,
// ship.duplicates and ship.backlog. A batch is committed in PostgreSQL first and the watermark
// advanced after, so that a crash between the two ships the batch again, which PostgreSQL then
// stores no second time. Only what PostgreSQL committed, and received more than --keep-days
// ago, is forgotten locally (forget_shipped, sqlite.hpp: its state changes stay).
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <random>

#include "cli.hpp"
#include "colosla/store/postgresql.hpp"
#include "colosla/store/sqlite.hpp"

namespace colosla::cli {

namespace {

constexpr const char* kWatermark = "ship.watermark";
constexpr const char* kOrigin = "ship.origin";
constexpr const char* kShipped = "ship.shipped";
constexpr const char* kDuplicates = "ship.duplicates";
constexpr const char* kBacklog = "ship.backlog";
constexpr const char* kForgotten = "ship.forgotten";

Result<std::map<std::string, std::int64_t>> counters_of(const core::Store& local) {
  auto all = local.counters();
  if (!all) {
    return all.error();
  }
  std::map<std::string, std::int64_t> out;
  for (const auto& c : *all) {
    out[c.name] = c.value;
  }
  return out;
}

// The name of the local store to PostgreSQL, drawn once and kept in it.
Result<std::string> origin_of(core::Store& local, Timestamp now) {
  std::int64_t origin = 0;
  auto r = local.write([&]() -> Result<void> {
    auto c = counters_of(local);
    if (!c) {
      return c.error();
    }
    origin = (*c)[kOrigin];
    if (origin != 0) {
      return {};
    }
    std::random_device rd;
    const auto drawn = (static_cast<std::uint64_t>(rd()) << 32U) | rd();
    origin = static_cast<std::int64_t>(drawn >> 2U) | 1;  // positive, never 0
    return local.add_counters({{kOrigin, origin}}, now);
  });
  if (!r) {
    return r.error();
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(origin));
  return std::string("store-") + hex;
}

// Sets ship.backlog to what lies above the watermark now.
Result<std::int64_t> update_backlog(core::Store& local, Timestamp now) {
  std::int64_t backlog = 0;
  auto r = local.write([&]() -> Result<void> {
    auto c = counters_of(local);
    auto last = local.last_observation_seq();
    if (!c || !last) {
      return !c ? c.error() : last.error();
    }
    backlog = std::max<std::int64_t>(0, *last - (*c)[kWatermark]);
    if (backlog == (*c)[kBacklog]) {
      return {};
    }
    return local.add_counters({{kBacklog, backlog - (*c)[kBacklog]}}, now);
  });
  if (!r) {
    return r.error();
  }
  return backlog;
}

struct Round {
  core::Shipment done;
  std::int64_t backlog = 0;
};

// Ships batch after batch until nothing is left above the watermark (or a stop is asked).
Result<Round> ship_all(core::Store& local, core::Store& pg, const std::string& from,
                       std::size_t batch, const Clock& clock) {
  Round round;
  while (!stop_requested()) {
    auto c = counters_of(local);
    if (!c) {
      return c.error();
    }
    const std::int64_t mark = (*c)[kWatermark];
    auto obs = local.observations_after(mark, batch);
    if (!obs) {
      return obs.error();
    }
    if (obs->empty()) {
      break;
    }
    auto shipped = core::ship_observations(pg, *obs, from);
    if (!shipped) {
      return shipped.error();
    }
    // PostgreSQL has committed: only now the watermark moves.
    const std::int64_t last = obs->back().seq;
    auto r = local.write([&]() -> Result<void> {
      return local.add_counters({{kWatermark, last - mark},
                                 {kShipped, static_cast<std::int64_t>(shipped->stored)},
                                 {kDuplicates, static_cast<std::int64_t>(shipped->duplicates)}},
                                clock.now());
    });
    if (!r) {
      return r.error();
    }
    round.done.stored += shipped->stored;
    round.done.duplicates += shipped->duplicates;
  }
  auto backlog = update_backlog(local, clock.now());
  if (!backlog) {
    return backlog.error();
  }
  round.backlog = *backlog;
  return round;
}

// Forgets the shipped observations received before `before`, in short transactions; counts them
// in ship.forgotten. A failure is reported and left for the next round (nothing is lost by it).
void forget(core::Store& local, Timestamp before, const Clock& clock) {
  constexpr std::int64_t kAtOnce = 2000;
  auto c = counters_of(local);
  if (!c) {
    report(c.error());
    return;
  }
  const std::int64_t through = (*c)[kWatermark];
  std::int64_t total = 0;
  for (;;) {
    auto n = core::forget_shipped(local, through, before, kAtOnce);
    if (!n) {
      report(n.error());
      break;
    }
    total += *n;
    if (*n < kAtOnce || stop_requested()) {
      break;
    }
  }
  if (total > 0) {
    (void)local.write([&] { return local.add_counters({{kForgotten, total}}, clock.now()); });
  }
}

// Sleeps, woken early by SIGTERM or SIGINT (stop_on_sigterm).
void pause_for(std::chrono::milliseconds d) {
  timespec left{static_cast<time_t>(d.count() / 1000),
                static_cast<long>(d.count() % 1000) * 1'000'000};
  while (!stop_requested() && nanosleep(&left, &left) != 0) {
  }
}

}  // namespace

int ship(Context& ctx) {
  po::options_description d("ship");
  d.add_options()("to", po::value<std::string>(),
                  "the PostgreSQL store (a postgresql:// URI or service=NAME; the password from "
                  "~/.pgpass or the service file)")(
      "every", po::value<int>()->default_value(0),
      "ship again every SECONDS until SIGTERM, retrying with backoff while PostgreSQL is "
      "unreachable (0: ship the backlog once and exit)")(
      "batch", po::value<int>()->default_value(5000), "observations a transaction in PostgreSQL")(
      "keep-days", po::value<int>()->default_value(7),
      "forget shipped observations received more than this many days ago in the local store "
      "(their state changes stay; PostgreSQL has them); 0: as soon as PostgreSQL committed them");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  const std::string to = required(*vm, "to");
  const int every = (*vm)["every"].as<int>();
  const int batch = (*vm)["batch"].as<int>();
  const int keep_days = (*vm)["keep-days"].as<int>();
  if (every < 0 || every > 86400 || batch < 1 || batch > 100000 || keep_days < 0 ||
      keep_days > 3660) {
    throw UsageError("--every must be 0 to 86400, --batch 1 to 100000 and --keep-days 0 to 3660");
  }
  if (!core::is_postgresql_location(to)) {
    throw UsageError("--to must name a PostgreSQL store (postgresql://… or service=NAME)");
  }
  if (core::is_postgresql_location(ctx.db)) {
    throw UsageError("colosla ship reads a receiver's local SQLite store (--db FILE)");
  }
  stop_on_sigterm();
  auto local = open_store(ctx, core::Store::Mode::existing);
  if (!local) {
    return kFailed;
  }
  const Clock& clock = *ctx.clock;
  auto from = origin_of(*local, clock.now());
  if (!from) {
    return report(from.error());
  }
  std::unique_ptr<core::Store> pg;
  std::chrono::milliseconds backoff{500};
  constexpr std::chrono::milliseconds kMaxBackoff{30'000};
  while (!stop_requested()) {
    Result<Round> round = make_error(Errc::internal, "not shipped");
    if (!pg) {
      auto opened = core::open_postgresql(to, core::Store::Mode::create, ctx.secrets_key);
      if (opened) {
        pg = std::move(*opened);
      } else {
        round = opened.error();
      }
    }
    if (pg) {
      round = ship_all(*local, *pg, *from, static_cast<std::size_t>(batch), clock);
    }
    if (!round) {
      const int code = report(round.error());
      pg.reset();  // reconnect next time
      (void)update_backlog(*local, clock.now());
      if (every == 0) {
        return code;
      }
      backoff = std::min(kMaxBackoff, backoff * 2);
      std::cerr << "colosla: ship: retrying in " << backoff.count() << " ms; the local store "
                << "keeps every observation meanwhile\n";
      pause_for(backoff);
      continue;
    }
    backoff = std::chrono::milliseconds{500};
    forget(*local, clock.now() - std::chrono::days{keep_days}, clock);
    if (every == 0 || round->done.stored + round->done.duplicates > 0) {
      std::cout << "shipped " << round->done.stored << " observations (" << round->done.duplicates
                << " already there), backlog " << round->backlog << std::endl;
    }
    if (every == 0) {
      return kOk;
    }
    pause_for(std::chrono::seconds{every});
  }
  return kOk;
}

}  // namespace colosla::cli
