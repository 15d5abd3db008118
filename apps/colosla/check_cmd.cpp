// colosla check (check_colosla's live path) | evaluate (the figures check_colosla reads, the SLA
// events) | events.
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
#include "colosla/services/events.hpp"
#include "colosla/services/operations.hpp"
#include "colosla/sinks/sink_options.hpp"

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

// Every contract's figures for its current month, stored for check_colosla in one transaction.
int evaluate(Context& ctx) {
  po::options_description d("evaluate");
  d.add_options()("as-of", po::value<std::string>()->default_value("now"),
                  "evaluate as of this time (RFC 3339 or now)")(
      "budget-warning", po::value<int>()->default_value(50),
      "percent of a month's outage budget used that makes a budget-warning event")(
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
  if (share < 1 || share > 100) {
    throw UsageError("--budget-warning must be a percent from 1 to 100");
  }
  const auto sinks = core::make_sinks(sink_options);
  auto store = open_store(ctx, core::Store::Mode::existing);
  if (!store) {
    return kFailed;
  }
  auto loaded = store->load_inventory();
  if (!loaded) {
    return report(loaded.error());
  }
  if (!loaded->has_value()) {
    std::cout << "no inventory is loaded: nothing to evaluate\n";
    return kOk;
  }
  const core::Inventory* inv = &**loaded;
  // Each contract's current month is in its own time zone: one report a month that some
  // contract is in (nearly always one), each contract kept from the report of its month.
  std::map<std::chrono::year_month, std::set<std::string>> months;
  std::map<std::string, const core::Contract*> by_id;
  for (const auto& c : inv->contracts) {
    auto zone = Zone::locate(c.time_zone);
    if (!zone) {
      return report(make_error(zone.error().code, zone.error().msg, c.id));
    }
    const auto day = zone->local_day(as_of);
    months[day.year() / day.month()].insert(c.id);
    by_id[c.id] = &c;
  }
  std::vector<std::pair<std::string, std::string>> statuses;
  std::map<std::string, core::ContractStatus> figures;
  std::vector<core::SlaEvent> events;
  for (const auto& [month, ids] : months) {
    const std::set<std::string>& in_month = ids;  // clang 14 cannot capture a structured binding
    auto r =
        core::month_report(*store, month, as_of, std::nullopt, [&](const core::ContractReport& cr) {
          if (in_month.count(cr.id) != 0) {
            const core::Contract& c = *by_id.at(cr.id);
            auto status = core::status_of(c, cr, as_of);
            statuses.emplace_back(cr.id, core::to_json(status));
            figures.emplace(cr.id, std::move(status));
            for (auto& e : core::derive_events(c, cr, as_of, share)) {
              events.push_back(std::move(e));
            }
          }
        });
    if (!r) {
      return report(r.error());
    }
  }
  if (auto r = store->save_contract_statuses(statuses, ctx.clock->now()); !r) {
    return report(r.error());
  }
  auto fresh = core::record_sla_events(*store, std::move(events), ctx.clock->now());
  if (!fresh) {
    return report(fresh.error());
  }
  std::cout << "evaluated " << statuses.size()
            << (statuses.size() == 1 ? " contract" : " contracts") << " as of "
            << format_time_utc(as_of) << "; " << fresh->size()
            << (fresh->size() == 1 ? " new event" : " new events") << "\n";
  // Every sink's events after its cursor (those of earlier rounds that it did not take too).
  auto rounds =
      core::deliver_pending(*store, sinks, core::DeliveryContext{&figures, ctx.clock->now()},
                            fresh->empty() ? std::nullopt : std::optional(fresh->front().id));
  if (!rounds) {
    return report(rounds.error());
  }
  for (const auto& r : *rounds) {
    if (!r.line.empty()) {
      std::cout << "  " << r.line << "\n";
    }
  }
  for (const auto& e : *fresh) {
    std::cout << "  #" << e.id << " " << to_string(e.kind) << " " << e.contract << " at "
              << format_time_utc(e.time) << (e.reason.empty() ? "" : ": " + e.reason) << "\n";
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
