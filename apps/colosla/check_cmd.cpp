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
#include "colosla/services/check.hpp"
#include "colosla/services/evaluate.hpp"
#include "colosla/services/operations.hpp"
#include "colosla/snmp/snmp_notify.hpp"

namespace colosla::cli {

namespace {

int check_unknown(const std::string& why) {
  std::cout << "COLOSLA UNKNOWN: " << why << "\n";
  return static_cast<int>(core::CheckStatus::unknown);
}

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
  auto report = core::current_contract_report(**store, a->contract, now);
  if (!report) {
    return check_unknown(report.error().to_string());
  }
  const core::CheckResult r =
      core::judge(core::status_of(report->first, report->second, now), a->options);
  std::cout << r.output << "figures computed from the store as of " << format_time_utc(now) << "\n";
  return static_cast<int>(r.status);
}

int evaluate_once(Context& ctx, const po::variables_map& vm_, core::Store& store,
                  core::Evaluator& evaluator, Timestamp as_of, int share);

// Every contract's figures for its current month, stored for check_colosla in one transaction.
int evaluate(Context& ctx) {
  po::options_description d("evaluate");
  d.add_options()("as-of", po::value<std::string>()->default_value("now"),
                  "evaluate as of this time (RFC 3339 or now)")(
      "every", po::value<int>()->default_value(0),
      "stay and evaluate again every this many seconds (and at once on SIGUSR1), judging again "
      "only the contracts that can have changed; 0: once")(
      "budget-warning", po::value<int>()->default_value(50),
      "percent of a month's outage budget used that makes a budget-warning event")(
      "event-log", po::value<std::string>(),
      "append each new SLA event to this file, one JSON line each")(
      "nagios-command-file", po::value<std::string>(),
      "Nagios' external command file: a passive result for each service an event touched")(
      "nagios-host", po::value<std::string>()->default_value("colosla"),
      "the Nagios host of the services")(
      "zabbix-server", po::value<std::string>(),
      "a Zabbix server or proxy, HOST[:PORT]: trapper values of the events")(
      "zabbix-host", po::value<std::string>()->default_value("colosla"),
      "the Zabbix host the trapper items belong to")(
      "trap-sink", po::value<std::vector<std::string>>(),
      "in --config only (it holds a community or pass phrases): a trap receiver, as snmptrap's "
      "options: "
      "\"-v 2c -c public HOST:PORT\", -Ci for informs (repeatable)")(
      "config", po::value<std::string>(),
      "read these options (trap-sink among them) as key = value lines from FILE, or - for stdin; "
      "other "
      "keys are ignored, so colosla-trapd's own configuration file does");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  if (vm->count("trap-sink") != 0) {
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
  auto store = open_store(ctx, core::Store::Mode::existing);
  if (!store) {
    return kFailed;
  }
  core::Evaluator evaluator;
  const int every = (*vm)["every"].as<int>();
  if (every == 0) {
    return evaluate_once(ctx, *vm, *store, evaluator, as_of, share);
  }
  if ((*vm)["as-of"].as<std::string>() != "now") {
    throw UsageError("--every evaluates as of now: give no --as-of");
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
  for (;;) {
    if (evaluate_once(ctx, *vm, *store, evaluator, ctx.clock->now(), share) != kOk) {
      log(LogLevel::warning, "evaluate",
          "the evaluation failed; again in " + std::to_string(every) + " s");
    }
    std::cout.flush();
    const timespec wait{every, 0};
    siginfo_t info{};
    const int sig = sigtimedwait(&wake, &info, &wait);
    if (sig == SIGTERM || sig == SIGINT) {
      return kOk;
    }
  }
}

// One evaluation as of as_of, delivered to the sinks vm names.
int evaluate_once(Context& ctx, const po::variables_map& vm_, core::Store& store,
                  core::Evaluator& evaluator, Timestamp as_of, int share) {
  const po::variables_map* vm = &vm_;
  // Each new event: appended to the event log as it is recorded, and listed after the summary
  // (the first 1,000: a first evaluation of a store with a year in it may record many more).
  constexpr std::size_t kListed = 1000;
  std::vector<std::string> listed;
  std::ofstream log_file;
  const std::string log_path =
      vm->count("event-log") != 0 ? (*vm)["event-log"].as<std::string>() : "";
  core::EvaluateOptions options;
  options.as_of = as_of;
  options.budget_warning_percent = share;
  options.on_fresh = [&](const core::SlaEvent& e) {
    if (!log_path.empty()) {
      if (!log_file.is_open()) {
        log_file.open(log_path, std::ios::app);
      }
      log_file << core::to_json(e) << "\n";
    }
    if (listed.size() < kListed) {
      listed.push_back("  #" + std::to_string(e.id) + " " + std::string(to_string(e.kind)) + " " +
                       e.contract + " at " + format_time_utc(e.time) +
                       (e.reason.empty() ? "" : ": " + e.reason));
    }
  };
  auto done = evaluator.run(store, options, ctx.clock->now());
  if (!done) {
    return report(done.error());
  }
  if (done->no_inventory) {
    std::cout << "no inventory is loaded: nothing to evaluate\n";
    return kOk;
  }
  const auto& figures = done->figures;
  const std::size_t fresh = done->fresh;
  if (log_file.is_open()) {
    log_file.flush();
    if (!log_file) {
      return report(make_error(Errc::io, "cannot append the SLA events to " + log_path +
                                             " (they are in the store: colosla events)"));
    }
  }
  std::cout << "evaluated " << done->stored << (done->stored == 1 ? " contract" : " contracts")
            << " as of " << format_time_utc(as_of) << "; " << fresh
            << (fresh == 1 ? " new event" : " new events") << "\n";
  if (vm->count("nagios-command-file") != 0) {
    auto sent =
        deliver_to_nagios(store, (*vm)["nagios-command-file"].as<std::string>(),
                          (*vm)["nagios-host"].as<std::string>(), figures, ctx.clock->now());
    if (!sent) {
      log(LogLevel::warning, "evaluate",
          sent.error().msg + " (the results wait for the next evaluation)");
    } else if (*sent > 0) {
      std::cout << "  " << *sent << (*sent == 1 ? " passive result" : " passive results")
                << " to Nagios\n";
    }
  }
  if (vm->count("zabbix-server") != 0) {
    auto sent =
        deliver_to_zabbix(store, (*vm)["zabbix-server"].as<std::string>(),
                          (*vm)["zabbix-host"].as<std::string>(), figures, ctx.clock->now());
    if (!sent) {
      log(LogLevel::warning, "evaluate",
          sent.error().to_string() + " (the values wait for the next evaluation)");
    } else if (*sent > 0) {
      std::cout << "  " << *sent << (*sent == 1 ? " value" : " values") << " to Zabbix\n";
    }
  }
  if (vm->count("trap-sink") != 0) {
    for (const auto& receiver : (*vm)["trap-sink"].as<std::vector<std::string>>()) {
      // The cursor's name: the receiver's address and a hash of the rest (no secrets in it).
      const std::string address = receiver.substr(receiver.find_last_of(' ') + 1);
      const std::string sink =
          "snmp:" + address + ":" + std::to_string(std::hash<std::string>{}(receiver) % 1000000);
      auto pending = store.undelivered(sink);
      if (!pending) {
        return report(pending.error());
      }
      if (pending->empty()) {
        continue;
      }
      std::string problem;
      auto last = core::send_sla_notifications(receiver, *pending, problem);
      if (!last) {
        log(LogLevel::warning, "evaluate", last.error().msg);
        continue;
      }
      if (*last != 0) {
        if (auto r = store.set_sink_cursor(sink, *last); !r) {
          return report(r.error());
        }
      }
      const auto sent = static_cast<std::size_t>(std::count_if(
          pending->begin(), pending->end(), [&](const auto& p) { return p.first <= *last; }));
      if (sent > 0) {
        std::cout << "  " << sent << (sent == 1 ? " notification" : " notifications") << " to "
                  << address << "\n";
      }
      if (sent < pending->size()) {
        log(LogLevel::warning, "evaluate",
            "trap sink " + address + ": " + problem + "; " +
                std::to_string(pending->size() - sent) +
                (pending->size() - sent == 1 ? " notification waits" : " notifications wait") +
                " for the next evaluation");
      }
    }
  }
  for (const auto& line : listed) {
    std::cout << line << "\n";
  }
  if (fresh > listed.size()) {
    std::cout << "  … and " << fresh - listed.size() << " more (colosla events)\n";
  }
  return kOk;
}

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

}  // namespace

bool is_check_command(const std::string& command) {
  return command == "check" || command == "evaluate" || command == "events";
}

int run_check(Context& ctx, const std::string& command) {
  if (command == "check") {
    return check(ctx);
  }
  return command == "evaluate" ? evaluate(ctx) : events(ctx);
}

}  // namespace colosla::cli
