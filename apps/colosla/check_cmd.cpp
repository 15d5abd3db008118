// colosla check (check_colosla's live path) | evaluate (the figures check_colosla reads, the SLA
// events) | events.
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "cli.hpp"
#include "colosla/base/log.hpp"
#include "colosla/judge/programs.hpp"
#include "colosla/judge/published.hpp"
#include "colosla/services/check.hpp"
#include "colosla/services/evaluate.hpp"
#include "colosla/services/leader.hpp"
#include "colosla/services/operations.hpp"
#include "colosla/sinks/sink.hpp"
#include "colosla/sinks/sink_options.hpp"
#include "commands.hpp"
#include "wait_round.hpp"

namespace colosla::cli {

namespace {

int check_unknown(const std::string& why) {
  std::cout << "COLOSLA UNKNOWN: " << why << "\n";
  return static_cast<int>(core::CheckStatus::unknown);
}

}  // namespace

// check_colosla's options, its output and exit codes (not colosla's): the figures computed now.
int check(Context& ctx) {
  auto a = core::parse_check_args(ctx.args);
  if (!a) {
    return check_unknown(a.error().msg);
  }
  if (a->help || a->version) {
    std::cout << core::kCheckUsage;
    return static_cast<int>(core::CheckStatus::unknown);
  }
  arm_check_timeout(a->timeout);
  Timestamp now = ctx.clock->now();
  if (a->as_of) {
    auto t = a->as_of == "now" ? Result<Timestamp>{now} : parse_time(*a->as_of);
    if (!t) {
      return check_unknown("--as-of: " + t.error().msg);
    }
    now = *t;
  }
  auto store = core::Store::open(ctx.db, core::Store::Mode::read_only);
  if (!store) {
    return check_unknown("cannot read the store " + ctx.db + ": " + store.error().msg);
  }
  auto status = core::current_contract_status(**store, a->contract, now);
  if (!status) {
    return check_unknown(status.error().to_string());
  }
  const core::CheckResult r = core::judge(*status, a->options);
  std::cout << r.output << "figures computed from the store as of " << format_time_utc(now) << "\n";
  if (a->verbose >= 1) {
    std::cout << "source: the store " << ctx.db << " (colosla check)\n";
  }
  if (a->verbose >= 2) {
    std::cout << "figures: " << core::to_json(*status) << "\n";
  }
  return static_cast<int>(r.status);
}

namespace {

int evaluate_once(Context& ctx, core::Store& store, core::Evaluator& evaluator,
                  const std::vector<std::unique_ptr<core::EventSink>>& sinks, Timestamp as_of,
                  int share, const std::string& status_dir, core::Leadership* leader = nullptr);
int evaluate_as_leader(Context& ctx, core::Store& store,
                       const std::vector<std::unique_ptr<core::EventSink>>& sinks, int every,
                       int share, const std::string& status_dir, int lease_seconds,
                       const sigset_t& wake);

}  // namespace

// Every contract's figures for its current month, stored for check_colosla in one transaction.
int evaluate(Context& ctx) {
  po::options_description d("evaluate");
  d.add_options()("as-of", po::value<std::string>()->default_value("now"),
                  "evaluate as of this time (RFC 3339 or now)")(
      "every", po::value<int>()->default_value(0),
      "stay and evaluate again every this many seconds (and at once on SIGUSR1; on PostgreSQL "
      "also a second after new observations or records are committed), judging again only the "
      "contracts that can have changed; 0: once")(
      "budget-warning", po::value<int>()->default_value(50),
      "percent of a month's outage budget used that makes a budget-warning event")(
      "status-dir", po::value<std::string>(),
      "publish each contract's figures for check_colosla and the Zabbix agent here, readable by "
      "the directory's group (default: status beside the store)")(
      "lead", po::value<bool>()->default_value(false)->implicit_value(true),
      "with --every: one evaluator across the cluster: only the holder of the store's lease "
      "\"evaluate\" evaluates and delivers, and its writes are fenced by the lease's epoch; the "
      "others wait and take over within the lease's length of the leader's end "
      "(docs/scale-out.md); also lead = yes in --config FILE")(
      "lease-seconds", po::value<int>()->default_value(15),
      "with --lead: the lease's length, renewed every third of it (3 to 300)")(
      "config", po::value<std::string>(),
      "read these options (trap-sink among them) as key = value lines from FILE, or - for stdin; "
      "other "
      "keys are ignored, so colosla-trapd's own configuration file does");
  core::SinkOptions sink_options;  // where the events go (core/sinks)
  core::add_sink_options(d, sink_options);
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  if (vm->count(core::kTrapSinkKey) != 0) {
    throw UsageError(
        "--trap-sink holds a community or pass phrases, which every user of this machine could "
        "read "
        "on a command line: give it as trap-sink = ... in --config FILE (or - for stdin)");
  }
  if (vm->count("config") != 0) {
    const std::string file = (*vm)["config"].as<std::string>();
    std::ifstream in_file;
    if (file != "-") {
      in_file.open(file);
      if (!in_file) {
        return report(
            make_error(Errc::io, std::string("cannot read: ") + std::strerror(errno), file));
      }
    }
    try {
      // The command line wins: what it gave was stored first.
      po::store(po::parse_config_file(file == "-" ? std::cin : in_file, d, true), *vm);
      po::notify(*vm);
    } catch (const po::error& e) {
      return report(
          make_error(Errc::invalid_input, e.what(), file == "-" ? "standard input" : file));
    }
  }
  const Timestamp as_of = parse_time_option("as-of", (*vm)["as-of"].as<std::string>(), *ctx.clock);
  const int share = (*vm)["budget-warning"].as<int>();
  if ((*vm)["every"].as<int>() < 0 || (*vm)["every"].as<int>() > 86400) {
    throw UsageError("--every must be from 0 to 86400 seconds");
  }
  if (share < 1 || share > 100) {
    throw UsageError("--budget-warning must be a percent from 1 to 100");
  }
  if ((*vm)["lead"].as<bool>() && (*vm)["every"].as<int>() == 0) {
    throw UsageError("--lead takes --every: a leader stays");
  }
  const auto sinks = core::make_sinks(sink_options);
  auto store = open_store(ctx, core::Store::Mode::existing);
  if (!store) {
    return kFailed;
  }
  core::Evaluator evaluator;
  const int every = (*vm)["every"].as<int>();
  const std::string status_dir = vm->count("status-dir") != 0
                                     ? (*vm)["status-dir"].as<std::string>()
                                     : core::default_status_dir(ctx.db);
  if (every == 0) {
    return evaluate_once(ctx, *store, evaluator, sinks, as_of, share, status_dir);
  }
  if ((*vm)["as-of"].as<std::string>() != "now") {
    throw UsageError("--every evaluates as of now: give no --as-of");
  }
  const bool lead = (*vm)["lead"].as<bool>();
  const int lease_seconds = (*vm)["lease-seconds"].as<int>();
  if (lease_seconds < 3 || lease_seconds > 300) {
    throw UsageError("--lease-seconds must be from 3 to 300");
  }
  // Again every `every` seconds, and at once on SIGUSR1 (colosla-trapd forwards the prober's
  // "an emergency began"); SIGTERM or SIGINT ends it between two evaluations. The evaluator
  // remembers what it judged: after the first run, only what can have changed is judged again.
  sigset_t wake;
  sigemptyset(&wake);
  sigaddset(&wake, SIGUSR1);
  sigaddset(&wake, SIGTERM);
  sigaddset(&wake, SIGINT);
  sigprocmask(SIG_BLOCK, &wake, nullptr);
  if (lead) {
    return evaluate_as_leader(ctx, *store, sinks, every, share, status_dir, lease_seconds, wake);
  }
  for (;;) {
    if (evaluate_once(ctx, *store, evaluator, sinks, ctx.clock->now(), share, status_dir) != kOk) {
      log(LogLevel::warning, "evaluate",
          "the evaluation failed; again in " + std::to_string(every) + " s");
    }
    std::cout.flush();
    // On PostgreSQL also soon after other connections commit observations (wait_round.hpp).
    const int sig = wait_round(*store, wake, std::chrono::seconds{every});
    if (sig == SIGTERM || sig == SIGINT) {
      return kOk;
    }
  }
}

namespace {

// --every --lead: evaluates only while this process holds the lease "evaluate", asking for it
// every third of its length (and before each round and each delivery); evaluates at once on
// taking it, then every `every` seconds and on SIGUSR1. SIGTERM or SIGINT releases it.
int evaluate_as_leader(Context& ctx, core::Store& store,
                       const std::vector<std::unique_ptr<core::EventSink>>& sinks, int every,
                       int share, const std::string& status_dir, int lease_seconds,
                       const sigset_t& wake) {
  using Steady = core::Leadership::Steady;
  core::Leadership leader(store, *ctx.clock, "evaluate", std::chrono::seconds{lease_seconds});
  auto evaluator = std::make_unique<core::Evaluator>();
  auto next_round = Steady::now();
  for (;;) {
    auto now = Steady::now();
    if (now >= leader.next_renewal() || now >= next_round) {
      leader.renew();
      if (leader.take_new_term()) {
        // A new leader evaluates at once, and everything: another leader may have stored
        // figures meanwhile, which this process's memory (and status directory) does not have.
        next_round = now;
        evaluator = std::make_unique<core::Evaluator>();
      }
    }
    if (now >= next_round) {
      next_round = now + std::chrono::seconds{every};
      if (leader.leading()) {
        if (evaluate_once(ctx, store, *evaluator, sinks, ctx.clock->now(), share, status_dir,
                          &leader) != kOk) {
          log(LogLevel::warning, "evaluate",
              "the evaluation failed; again in " + std::to_string(every) + " s");
        }
        std::cout.flush();
        continue;  // the round may have taken a while: renew first
      }
    }
    now = Steady::now();
    const auto until = std::min(next_round, leader.next_renewal());
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - now);
    if (left.count() <= 0) {
      continue;
    }
    // On PostgreSQL also soon after other connections commit observations (wait_round.hpp).
    bool hinted = false;
    const int sig = wait_round(store, wake, left, &hinted);
    if (sig == SIGTERM || sig == SIGINT) {
      leader.release();
      return kOk;
    }
    if (sig == SIGUSR1 || (hinted && leader.leading())) {
      next_round = Steady::now();
    }
  }
}

// One evaluation as of as_of, its events delivered to the sinks. With a leader: only while it
// leads, and the delivery in one fenced transaction.
int evaluate_once(Context& ctx, core::Store& store, core::Evaluator& evaluator,
                  const std::vector<std::unique_ptr<core::EventSink>>& sinks, Timestamp as_of,
                  int share, const std::string& status_dir, core::Leadership* leader) {
  // Each new event listed after the summary (the first 1,000: a first evaluation of a store with
  // a year in it may record many more).
  constexpr std::size_t kListed = 1000;
  std::vector<std::string> listed;
  std::optional<std::int64_t> first_new;
  core::EvaluateOptions options;
  options.as_of = as_of;
  options.budget_warning_percent = share;
  options.status_dir = status_dir;
  options.on_fresh = [&](const core::SlaEvent& e) {
    if (!first_new) {
      first_new = e.id;
    }
    if (listed.size() < kListed) {
      listed.push_back("  #" + std::to_string(e.id) + " " + std::string(to_string(e.kind)) + " " +
                       e.contract + " at " + format_time_utc(e.time) +
                       (e.reason.empty() ? "" : ": " + e.reason));
    }
  };
  if (leader != nullptr && !leader->leading()) {
    return kOk;
  }
  auto done = evaluator.run(store, options, ctx.clock->now());
  if (!done) {
    return report(done.error());
  }
  if (done->no_inventory) {
    std::cout << "no inventory is loaded: nothing to evaluate\n";
    return kOk;
  }
  std::cout << "evaluated " << done->stored << (done->stored == 1 ? " contract" : " contracts")
            << " as of " << format_time_utc(as_of) << "; " << done->fresh
            << (done->fresh == 1 ? " new event" : " new events") << "\n";
  if (done->publish_error) {
    log(LogLevel::warning, "evaluate",
        "the figures for check_colosla and the Zabbix agent were not published: " +
            done->publish_error->to_string() + " (the next evaluation publishes them all)");
  }
  // Every sink's events after its cursor (those of earlier rounds that it did not take too),
  // judged on the figures just computed, or, for a contract this run did not judge again (its
  // figures unchanged), on those stored.
  std::map<std::string, std::optional<core::ContractStatus>> stored;
  core::DeliveryContext context;
  context.now = ctx.clock->now();
  context.figures = [&](const std::string& contract) -> const core::ContractStatus* {
    if (const auto it = done->figures.find(contract); it != done->figures.end()) {
      return &it->second;
    }
    auto [it, fresh] = stored.try_emplace(contract);
    if (fresh) {
      if (auto row = store.contract_status(contract); row && *row) {
        if (auto status = core::status_from_json((*row)->second)) {
          it->second = std::move(*status);
        }
      }
    }
    return it->second ? &*it->second : nullptr;
  };
  Result<std::vector<core::SinkRound>> rounds = std::vector<core::SinkRound>{};
  if (leader == nullptr) {
    rounds = core::deliver_pending(store, sinks, context, first_new);
  } else if (!leader->renew()) {
    return kOk;  // not the leader any more: its successor delivers (logged by renew)
  } else {
    // One transaction, fenced: the lease row is locked (PostgreSQL: FOR SHARE) while the sinks
    // take the events and the cursors move with the epoch, so a successor cannot take over
    // between the two; a paused old leader's round fails whole when it resumes. (A leader killed
    // between a sink's taking and the commit: its successor delivers those again.)
    auto r = store.write([&]() -> Result<void> {
      rounds = core::deliver_pending(store, sinks, context, first_new);
      return rounds ? Result<void>{} : Result<void>(rounds.error());
    });
    if (!r && rounds) {
      rounds = r.error();
    }
  }
  if (!rounds) {
    return report(rounds.error());
  }
  for (const auto& r : *rounds) {
    if (!r.line.empty()) {
      std::cout << "  " << r.line << "\n";
    }
  }
  for (const auto& line : listed) {
    std::cout << line << "\n";
  }
  if (done->fresh > listed.size()) {
    std::cout << "  … and " << done->fresh - listed.size() << " more (colosla events)\n";
  }
  return kOk;
}

}  // namespace

// The recorded SLA events, as JSON lines (the YANG notifications in RFC 7951 JSON).
int events(Context& ctx) {
  po::options_description d("events");
  d.add_options()("after", po::value<std::int64_t>()->default_value(0),
                  "only the events after this event-id");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  auto store = open_store(ctx, core::Store::Mode::read_only);
  if (!store) {
    return kFailed;
  }
  auto list = store->events_after((*vm)["after"].as<std::int64_t>());
  if (!list) {
    return report(list.error());
  }
  for (const auto& [id, body] : *list) {
    std::cout << body << "\n";
  }
  return kOk;
}

}  // namespace colosla::cli
