// colosla map add|remove|list
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "colosla/services/operations.hpp"
#include "commands.hpp"

namespace colosla::cli {

namespace {

Zone zone_of(const core::Inventory& inv, const std::string& contract) {
  const core::Contract* c = inv.find_contract(contract);
  if (c != nullptr) {
    if (auto z = Zone::locate(c->time_zone)) {
      return *z;
    }
  }
  return Zone::utc();
}

int change(Context& ctx, core::MappingAction action) {
  const char* when = action == core::MappingAction::add ? "from" : "at";
  po::options_description d(ctx.command);
  d.add_options()("contract", po::value<std::string>(), "contract id")(
      "device", po::value<std::string>(), "switch name")("interface", po::value<std::string>(),
                                                         "interface name (ifName)")(
      when, po::value<std::string>()->default_value("now"),
      action == core::MappingAction::add ? "mapped from this time (RFC 3339 or now)"
                                         : "unmapped at this time (RFC 3339 or now)")(
      "by", po::value<std::string>(), "who makes the change (default: your login name)")(
      "note", po::value<std::string>()->default_value(""), "why (ticket, work order)");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  core::MappingChange c;
  c.contract = required(*vm, "contract");
  c.port = core::PortRef{required(*vm, "device"), required(*vm, "interface")};
  c.action = action;
  c.at = parse_time_option(when, (*vm)[when].as<std::string>(), *ctx.clock);
  c.entered_by = entered_by(*vm);
  c.entered_at = ctx.clock->now();
  c.note = (*vm)["note"].as<std::string>();

  auto store = open_store(ctx, core::Store::Mode::existing);
  if (!store) {
    return kFailed;
  }
  auto recorded = core::record_mapping_change(*store, c);
  if (!recorded) {
    return refused(recorded.error());
  }
  auto inv = store->load_inventory();
  const Zone z = inv && inv->has_value() ? zone_of(**inv, c.contract) : Zone::utc();
  std::cout
      << "recorded mapping change #" << recorded->id << ": " << c.port.device << " "
      << c.port
             .interface << (action == core::MappingAction::add ? " mapped to " : " unmapped from ")
      << c.contract << (action == core::MappingAction::add ? " from " : " at ")
      << format_time(c.at, z) << " (by " << c.entered_by << ")\n";
  return kOk;
}

std::string source_name(std::int64_t id) {
  return id == 0 ? std::string("inventory") : "#" + std::to_string(id);
}

int list(Context& ctx) {
  po::options_description d("map list");
  d.add_options()("contract", po::value<std::string>(), "only this contract")(
      "at", po::value<std::string>(), "only the mappings that hold at this time (RFC 3339 or now)")(
      "format", po::value<std::string>()->default_value("text"), "text or json");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  const std::string format = format_option(*vm, {"text", "json"});
  std::optional<Timestamp> at;
  if (vm->count("at") != 0) {
    at = parse_time_option("at", (*vm)["at"].as<std::string>(), *ctx.clock);
  }
  const std::string only = vm->count("contract") != 0 ? (*vm)["contract"].as<std::string>() : "";

  auto store = open_store(ctx, core::Store::Mode::read_only);
  if (!store) {
    return kFailed;
  }
  auto inv = store->load_inventory();
  if (!inv) {
    return report(inv.error());
  }
  auto ranges = core::current_mappings(*store);
  if (!ranges) {
    return report(ranges.error());
  }
  if (!only.empty() && (*inv)->find_contract(only) == nullptr) {
    return report(make_error(Errc::not_found, "no contract " + only + " in the inventory"));
  }
  std::vector<core::MappingRange> shown = at ? core::mapped_at(*ranges, *at) : *ranges;
  std::erase_if(shown,
                [&](const core::MappingRange& r) { return !only.empty() && r.contract != only; });

  if (format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& r : shown) {
      const Zone z = zone_of(**inv, r.contract);
      out.push_back(
          {{"contract", r.contract},
           {"device", r.port.device},
           {"interface", r.port.interface},
           {"from", format_time(r.span.begin, z)},
           {"to", format_time(r.span.end, z)},
           {"opened-by", source_name(r.opened_by)},
           {"closed-by", r.closed_by == 0 ? nlohmann::ordered_json(nullptr)
                                          : nlohmann::ordered_json(source_name(r.closed_by))}});
    }
    std::cout << out.dump(2) << "\n";
    return kOk;
  }
  if (shown.empty()) {
    std::cout << "no port is mapped" << (at ? " at that time" : "") << "\n";
    return kOk;
  }
  std::cout << std::left << std::setw(10) << "CONTRACT" << std::setw(10) << "DEVICE"
            << std::setw(16) << "INTERFACE" << std::setw(18) << "FROM" << std::setw(18) << "TO"
            << "SOURCE\n";
  for (const auto& r : shown) {
    const Zone z = zone_of(**inv, r.contract);
    const core::Contract* c = (*inv)->find_contract(r.contract);
    std::cout << std::left << std::setw(10) << r.contract << std::setw(10) << r.port.device
              << std::setw(16) << r.port.interface << std::setw(18)
              << format_local_minute(r.span.begin, z) << std::setw(18)
              << (r.closed_by == 0 && c != nullptr && r.span.end == c->end
                      ? "(contract end)"
                      : format_local_minute(r.span.end, z))
              << source_name(r.opened_by)
              << (r.closed_by != 0 ? ", closed by " + source_name(r.closed_by) : "") << "\n";
  }
  return kOk;
}

}  // namespace

int map_add(Context& ctx) { return change(ctx, core::MappingAction::add); }

int map_remove(Context& ctx) { return change(ctx, core::MappingAction::remove); }

int map_list(Context& ctx) { return list(ctx); }

}  // namespace colosla::cli
