// colosla zabbix discovery | get KEY: low-level discovery and item values for Zabbix (external
// checks and UserParameter); the trapper values colosla evaluate sends are core/sinks' ZabbixSink.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "colosla/judge/published.hpp"
#include "colosla/services/check.hpp"
#include "colosla/sinks/sinks.hpp"
#include "commands.hpp"

namespace colosla::cli {

namespace {

constexpr std::chrono::seconds kFresh{150};  // as check_colosla's --max-age

// Low-level discovery: one entry a contract and guarantee.
int discovery(Context& ctx) {
  po::options_description d("zabbix discovery");
  d.add_options()("guarantee", po::value<std::vector<std::string>>(),
                  "only these guarantees (network, power, emergency, process; repeatable)")(
      "status-dir", po::value<std::string>(),
      "read the contracts from the figures colosla evaluate publishes here (what the Zabbix "
      "agent's user may read), not from the store");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  std::vector<std::pair<std::string, std::string>> contracts;  // id, customer
  if (vm->count("status-dir") != 0) {
    auto list = core::read_published_contracts((*vm)["status-dir"].as<std::string>());
    if (!list) {
      return report(list.error());
    }
    contracts = std::move(*list);
  } else {
    auto opened = open_with_inventory(ctx, core::Store::Mode::read_only);
    if (!opened) {
      return kFailed;
    }
    for (const auto& c : opened->inventory.contracts) {
      contracts.emplace_back(c.id, c.customer);
    }
  }
  std::vector<std::string> which{"network", "power", "emergency", "process"};
  if (vm->count("guarantee") != 0) {
    which = (*vm)["guarantee"].as<std::vector<std::string>>();
    for (const auto& g : which) {
      if (!core::parse_checked_guarantee(g)) {
        throw UsageError("--guarantee must be network, power or emergency (or process), not \"" +
                         g + "\"");
      }
    }
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& [id, customer] : contracts) {
    for (const auto& g : which) {
      out.push_back({{"{#CONTRACT}", id}, {"{#CUSTOMER}", customer}, {"{#GUARANTEE}", g}});
    }
  }
  std::cout << out.dump() << "\n";
  return kOk;
}

// colosla.sla[CONTRACT,GUARANTEE,FIELD] or colosla.status[…] → "CONTRACT", "GUARANTEE", "FIELD".
std::optional<std::array<std::string, 3>> split_key(const std::string& key) {
  std::string head = "colosla.sla[";
  if (key.rfind("colosla.status[", 0) == 0) {
    head = "colosla.status[";
  }
  if (key.rfind(head, 0) != 0 || key.back() != ']') {
    return std::nullopt;
  }
  std::array<std::string, 3> parts;
  std::size_t i = 0;
  for (const char ch : key.substr(head.size(), key.size() - head.size() - 1)) {
    if (ch == ',') {
      if (++i == parts.size()) {
        return std::nullopt;
      }
    } else if (ch != '"' && ch != ' ') {
      parts[i] += ch;
    }
  }
  if (i != 2 || parts[0].empty()) {
    return std::nullopt;
  }
  return parts;
}

// The figures beyond the SLA's (zabbix_item_value's) that the agent items give: unmonitored
// minutes and what is down now (network, power), the figures' age.
std::optional<std::string> noc_value(const core::ContractStatus& s, const std::string& guarantee,
                                     const std::string& field, std::int64_t age) {
  if (field == "age-seconds") {
    return std::to_string(age);
  }
  const bool network = guarantee == "network";
  if (!network && guarantee != "power") {
    return std::nullopt;
  }
  if (field == "unmonitored-minutes") {
    const auto& g = network ? s.network : s.power;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(g.unmonitored_seconds) / 60.0);
    return std::string(buf);
  }
  if (field == "down-now") {
    const auto which = network ? core::CheckedGuarantee::network : core::CheckedGuarantee::power;
    return std::to_string(std::count_if(s.down_now.begin(), s.down_now.end(),
                                        [&](const auto& d) { return d.guarantee == which; }));
  }
  return std::nullopt;
}

int get(Context& ctx) {
  po::options_description d("zabbix get");
  d.add_options()("key", po::value<std::string>(),
                  "colosla.sla[CONTRACT,GUARANTEE,FIELD] (or colosla.status[…], the same)")(
      "status-dir", po::value<std::string>(),
      "read the figures colosla evaluate publishes here (what the Zabbix agent's user may read), "
      "not the store; older than 150 s: an error")(
      "max-age", po::value<int>()->default_value(static_cast<int>(kFresh.count())),
      "with --status-dir: seconds the published figures may be old");
  po::positional_options_description pos;
  pos.add("key", 1);
  auto vm = parse(ctx, d, pos);
  if (!vm) {
    return kOk;
  }
  if (vm->count("key") == 0) {
    throw UsageError("KEY is required: colosla.sla[CONTRACT,GUARANTEE,FIELD]");
  }
  const std::string key = (*vm)["key"].as<std::string>();
  const auto parts = split_key(key);
  if (!parts) {
    return report(make_error(Errc::invalid_input,
                             "\"" + key + "\" is not colosla.sla[CONTRACT,GUARANTEE,FIELD]"));
  }
  const Timestamp now = ctx.clock->now();
  if (vm->count("status-dir") != 0) {
    auto p = core::read_published((*vm)["status-dir"].as<std::string>(), (*parts)[0]);
    if (!p) {
      return report(p.error());
    }
    const std::int64_t age = now.time_since_epoch().count() - p->computed_at;
    if (age > (*vm)["max-age"].as<int>()) {
      return report(make_error(
          Errc::not_found,
          "figures " + std::to_string(age) + " s old: is colosla-trapd's evaluator running?",
          p->file));
    }
    if (auto v = noc_value(p->status, (*parts)[1], (*parts)[2], age)) {
      std::cout << *v << "\n";
      return kOk;
    }
    auto value = core::zabbix_item_value(p->status, (*parts)[1], (*parts)[2]);
    if (!value) {
      return report(value.error());
    }
    std::cout << *value << "\n";
    return kOk;
  }
  auto store = core::Store::open(ctx.db, core::Store::Mode::read_only);
  if (!store) {
    return report(store.error());
  }
  std::optional<core::ContractStatus> status;
  auto stored = (*store)->contract_status((*parts)[0]);
  if (!stored) {
    return report(stored.error());
  }
  if (*stored && now - (*stored)->first <= kFresh) {
    auto s = core::status_from_json((*stored)->second);
    if (s) {
      status = std::move(*s);
    }
  }
  if (!status) {
    auto r = core::current_contract_status(**store, (*parts)[0], now);
    if (!r) {
      return report(r.error());
    }
    status = std::move(*r);
  }
  if (auto v = noc_value(*status, (*parts)[1], (*parts)[2], 0)) {
    std::cout << *v << "\n";
    return kOk;
  }
  auto value = core::zabbix_item_value(*status, (*parts)[1], (*parts)[2]);
  if (!value) {
    return report(value.error());
  }
  std::cout << *value << "\n";
  return kOk;
}

}  // namespace

int zabbix_discovery(Context& ctx) { return discovery(ctx); }

int zabbix_get(Context& ctx) { return get(ctx); }

}  // namespace colosla::cli
