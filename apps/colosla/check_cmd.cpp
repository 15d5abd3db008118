// colosla check (check_colosla's live path) | evaluate (the figures check_colosla reads).
#include <iostream>
#include <map>
#include <set>

#include "cli.hpp"
#include "colosla/check.hpp"
#include "colosla/operations.hpp"

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
                  "evaluate as of this time (RFC 3339 or now)");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  const Timestamp as_of = parse_time_option("as-of", (*vm)["as-of"].as<std::string>(), *ctx.clock);
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
  for (const auto& [month, ids] : months) {
    auto r = core::month_report(*store, month, as_of, std::nullopt, [&](const core::ContractReport& cr) {
      if (ids.count(cr.id) != 0) {
        statuses.emplace_back(cr.id, core::to_json(core::status_of(*by_id.at(cr.id), cr, as_of)));
      }
    });
    if (!r) {
      return report(r.error());
    }
  }
  if (auto r = store->save_contract_statuses(statuses, ctx.clock->now()); !r) {
    return report(r.error());
  }
  std::cout << "evaluated " << statuses.size() << (statuses.size() == 1 ? " contract" : " contracts") << " as of "
            << format_time_utc(as_of) << "\n";
  return kOk;
}

}  // namespace

bool is_check_command(const std::string& command) { return command == "check" || command == "evaluate"; }

int run_check(Context& ctx, const std::string& command) {
  return command == "check" ? check(ctx) : evaluate(ctx);
}

}  // namespace colosla::cli
