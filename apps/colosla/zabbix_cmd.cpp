// colosla zabbix discovery | get KEY: low-level discovery and item values for Zabbix (external
// checks and UserParameter); the trapper values colosla evaluate sends are core/sinks' ZabbixSink.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
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
                  "only these guarantees (network, power, emergency; repeatable)");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  auto opened = open_with_inventory(ctx, core::Store::Mode::read_only);
  if (!opened) {
    return kFailed;
  }
  const core::Inventory* inv = &opened->inventory;
  std::vector<std::string> which{"network", "power", "emergency"};
  if (vm->count("guarantee") != 0) {
    which = (*vm)["guarantee"].as<std::vector<std::string>>();
    for (const auto& g : which) {
      if (!core::parse_checked_guarantee(g)) {
        throw UsageError("--guarantee must be network, power or emergency, not \"" + g + "\"");
      }
    }
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& c : inv->contracts) {
    for (const auto& g : which) {
      out.push_back({{"{#CONTRACT}", c.id}, {"{#CUSTOMER}", c.customer}, {"{#GUARANTEE}", g}});
    }
  }
  std::cout << out.dump() << "\n";
  return kOk;
}

// colosla.sla[CONTRACT,GUARANTEE,FIELD] → "CONTRACT", "GUARANTEE", "FIELD".
std::optional<std::array<std::string, 3>> split_key(const std::string& key) {
  const std::string head = "colosla.sla[";
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

int get(Context& ctx) {
  po::options_description d("zabbix get");
  d.add_options()("key", po::value<std::string>(), "colosla.sla[CONTRACT,GUARANTEE,FIELD]");
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
  auto store = core::Store::open(ctx.db, core::Store::Mode::read_only);
  if (!store) {
    return report(store.error());
  }
  const Timestamp now = ctx.clock->now();
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
    auto r = core::current_contract_report(**store, (*parts)[0], now);
    if (!r) {
      return report(r.error());
    }
    status = core::status_of(r->first, r->second, now);
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
