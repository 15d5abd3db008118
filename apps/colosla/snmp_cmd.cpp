// colosla poll | discover | stats | plugins | trap-handler: the devices side of the command line
// (NETCONF sessions are in netconf_cmd.cpp).
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli.hpp"
#include "colosla/base/log.hpp"
#include "colosla/base/text.hpp"
#include "colosla/ingest/ingest.hpp"
#include "colosla/ingest/traphandle.hpp"
#include "colosla/plugin/registry.hpp"
#include "colosla/rules/trap_rules.hpp"
#include "colosla/services/operations.hpp"
#include "colosla/snmp/snmp_client.hpp"
#include "commands.hpp"
#include "rules_cmd.hpp"

namespace colosla::cli {

namespace {

std::string changes_text(const core::PollReport& r) {
  std::string s;
  for (const auto& o : r.recorded) {
    s += (s.empty() ? "" : "; ") + core::describe(o.entity) + " " +
         std::string(to_string(o.state)) + " since " + format_time_utc(o.time);
  }
  return s;
}

}  // namespace

int poll(Context& ctx) {
  po::options_description d("poll");
  d.add_options()("device", po::value<std::string>(), "only this device (default: every device)")(
      "rules", po::value<std::vector<std::string>>()->composing(),
      "poll rule files or directories, for the devices whose plugin is \"rules\" (default: the "
      "package's rules directory, when it exists)");
  add_poll_options(d);
  add_netconf_options(d, "netconf-timeout");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  const PollOptions o = poll_options(*vm);
  const core::NetconfOptions nc = netconf_options(*vm, "netconf-timeout");
  auto opened = open_with_inventory(ctx, core::Store::Mode::existing, core::Secrets::reveal);
  if (!opened) {
    return kFailed;
  }
  core::Store* store = opened->store.get();
  const core::Inventory* inv = &opened->inventory;
  const std::string only = vm->count("device") != 0 ? (*vm)["device"].as<std::string>() : "";
  if (!only.empty() && inv->find_device(only) == nullptr) {
    return report(make_error(Errc::not_found, "no device " + only + " in the inventory"));
  }
  const bool by_rules = std::any_of(inv->devices.begin(), inv->devices.end(), [&](const auto& dev) {
    const auto names = core::plugin_names(dev);
    return (only.empty() || dev.name == only) &&
           std::find(names.begin(), names.end(), "rules") != names.end();
  });
  // The poll rules, read only when a device it polls names the plugin "rules".
  core::TrapRules rules;
  if (by_rules) {
    int code = kFailed;
    auto loaded = rules_of_options(*vm, &code, "the rule files are not valid; no device polled");
    if (!loaded) {
      return code;
    }
    rules = std::move(*loaded);
  }
  core::init_net_snmp("");
  int worst = kOk;
  for (const auto& dev : inv->devices) {
    if (!only.empty() && dev.name != only) {
      continue;
    }
    auto r = dev.netconf
                 ? poll_netconf(*store, dev, nc, *ctx.clock)
                 : core::poll_device(*store, builtin_registry(), dev, snmp_fetch_of(o, *ctx.clock),
                                     *ctx.clock, rules.poll_count() != 0 ? &rules : nullptr);
    if (!r) {
      report(r.error());
      worst = kFailed;
      continue;
    }
    std::cout << dev.name << ": ";
    if (r->answered) {
      std::cout << r->states << (r->states == 1 ? " state" : " states");
    } else {
      std::cout << r->problem;
      worst = kFailed;
    }
    std::cout << "; " << r->recorded.size() << (r->recorded.size() == 1 ? " change" : " changes")
              << " recorded";
    const std::string changes = changes_text(*r);
    if (!changes.empty()) {
      std::cout << ": " << changes;
    }
    std::cout << "\n";
  }
  return worst;
}

int discover(Context& ctx) {
  po::options_description d("discover");
  d.add_options()("device", po::value<std::string>(), "the switch to walk")(
      "pattern", po::value<std::string>()->default_value("CUST:([A-Za-z0-9._-]+)"),
      "regular expression on ifAlias; its first group is the contract id")(
      "apply", "record the proposed mappings, from now")(
      "by", po::value<std::string>(), "who records them (default: your login name)");
  add_poll_options(d);
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  const std::string name = required(*vm, "device");
  std::regex pattern;
  try {
    pattern = std::regex((*vm)["pattern"].as<std::string>());
  } catch (const std::regex_error& e) {
    throw UsageError(std::string("--pattern: ") + e.what());
  }
  const PollOptions o = poll_options(*vm);
  auto one = one_device(ctx, name);
  if (!one) {
    return kFailed;
  }
  core::Store* store = one->store.get();
  const core::Device* dev = one->device;
  if (dev->role != core::Role::network_switch) {
    return report(make_error(Errc::invalid_input, name + " is not a switch"));
  }
  core::init_net_snmp("");
  auto r =
      core::poll_device(*store, builtin_registry(), *dev, snmp_fetch_of(o, *ctx.clock), *ctx.clock);
  if (!r) {
    return report(r.error());
  }
  if (!r->answered) {
    return report(make_error(Errc::io, r->problem, name));
  }
  auto ranges = core::current_mappings(*store);
  if (!ranges) {
    return report(ranges.error());
  }
  const Timestamp now = ctx.clock->now();
  const auto mapped = core::mapped_at(*ranges, now);
  std::size_t proposed = 0, applied = 0;
  for (const auto& p : r->ports) {
    std::smatch m;
    if (!std::regex_search(p.alias, m, pattern) || m.size() < 2) {
      continue;
    }
    const std::string contract = m[1].str();
    const core::PortRef port{name, p.name};
    std::cout << std::left << std::setw(16) << p.name << std::setw(28) << ("\"" + p.alias + "\"");
    if (one->inventory.find_contract(contract) == nullptr) {
      std::cout << "names " << contract << ", which is not in the inventory\n";
      continue;
    }
    const auto holder = std::find_if(mapped.begin(), mapped.end(),
                                     [&](const core::MappingRange& x) { return x.port == port; });
    if (holder != mapped.end()) {
      std::cout << (holder->contract == contract
                        ? "already mapped to " + contract
                        : "mapped to " + holder->contract + ", not " + contract)
                << "\n";
      continue;
    }
    ++proposed;
    if (vm->count("apply") == 0) {
      std::cout << "-> map to " << contract << "\n";
      continue;
    }
    core::MappingChange c;
    c.contract = contract;
    c.port = port;
    c.action = core::MappingAction::add;
    c.at = now;
    c.entered_by = entered_by(*vm);
    c.entered_at = now;
    c.note = "colosla discover: ifAlias \"" + p.alias + "\"";
    auto done = core::record_mapping_change(*store, c);
    if (!done) {
      std::cout << "not mapped: " << done.error().msg << "\n";
      continue;
    }
    ++applied;
    std::cout << "mapped to " << contract << " (mapping change #" << done->id << ")\n";
  }
  std::cout << r->ports.size() << " interfaces; " << proposed << " to map"
            << (vm->count("apply") != 0 ? "; " + std::to_string(applied) + " mapped"
                                        : std::string(" (--apply maps them)"))
            << "\n";
  return kOk;
}

// What `colosla stats --help` says of the counters (docs/operations.md, "Counters", says more).
constexpr std::string_view kCountersHelp =
    "\nEvery datagram colosla-trapd receives (every trap colosla trap-handler is given) is "
    "counted\n"
    "once among received's parts, and every accepted trap once among accepted's:\n"
    "  trapd.received = accepted + rejected.unknown-source + rejected.bad-community\n"
    "                   + rejected.usm + rejected.malformed + rejected.overload + v3-discovery\n"
    "                   + ignored.not-notification + ignored.inform-retransmitted\n"
    "  trapd.accepted = observations-stored + evidence-stored + duplicates + rate-limited\n"
    "observations-stored and evidence-stored count traps, not rows: a trap stored as\n"
    "observations (with their evidence) is not evidence-stored too. A trap a plugin cannot read\n"
    "is evidence-stored, and also trapd.diagnostic.unreadable, which is in neither identity, as\n"
    "informs-answered and polls-requested are not. rejected.malformed is only datagrams that do\n"
    "not parse.\n";

int stats(Context& ctx) {
  po::options_description d("stats");
  d.add_options()("format", po::value<std::string>()->default_value("text"), "text or json");
  auto vm = parse(ctx, d);
  if (!vm) {
    std::cout << kCountersHelp;  // (parse printed the usage: --help)
    return kOk;
  }
  const std::string format = format_option(*vm, {"text", "json"});
  auto store = open_store(ctx, core::Store::Mode::read_only);
  if (!store) {
    return kFailed;
  }
  auto counters = store->counters();
  auto observations = store->observation_count();
  if (!counters || !observations) {
    return report(!counters ? counters.error() : observations.error());
  }
  if (format == "json") {
    nlohmann::ordered_json j;
    for (const auto& c : *counters) {
      j[c.name] = c.value;
    }
    j["store.observations"] = *observations;
    std::cout << j.dump(2) << "\n";
    return kOk;
  }
  for (const auto& c : *counters) {
    std::cout << std::left << std::setw(34) << c.name << std::right << std::setw(14) << c.value
              << "  (updated " << format_time_utc(c.updated) << ")\n";
  }
  std::cout << std::left << std::setw(34) << "store.observations" << std::right << std::setw(14)
            << *observations << "\n";
  return kOk;
}

int plugins(Context& ctx) {
  po::options_description d("plugins");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  for (const auto& [name, p] : builtin_registry().all()) {
    const auto& i = p->info();
    std::string reads;
    for (const auto& m : i.mibs) {
      reads += (reads.empty() ? "" : ", ") + m;
    }
    for (const auto& m : i.yang_modules) {
      reads += (reads.empty() ? "" : ", ") + to_string(m);
    }
    std::cout << std::left << std::setw(22) << name << std::setw(8) << to_string(i.stability)
              << i.summary << " [" << reads << "]\n";
  }
  return kOk;
}

// snmptrapd's traphandle: one trap on stdin, stored like colosla-trapd would store it. snmptrapd
// waits for the handler, so it loads only what one trap needs.
int trap_handler(Context& ctx) {
  po::options_description d("trap-handler");
  d.add_options()("trap-relay", po::value<std::vector<std::string>>()->composing(),
                  "a relay (ADDRESS or ADDRESS/PREFIX) trusted to say in a v2c/v3 trap's "
                  "snmpTrapAddress.0 which device sent it; repeatable");
  d.add_options()("rules", po::value<std::vector<std::string>>(),
                  "trap rule file or directory; repeatable (default: the package's rules "
                  "directory, when it exists)");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  core::TrapProcessor::Options options;
  options.check_community = false;  // snmptrapd authorized it (authCommunity / authUser)
  if (vm->count("trap-relay") != 0) {
    for (const auto& r : (*vm)["trap-relay"].as<std::vector<std::string>>()) {
      auto p = core::AddressPrefix::parse(r);
      if (!p) {
        throw UsageError("--trap-relay: \"" + escaped(r) +
                         "\" is not an address or a network (192.0.2.7, 192.0.2.0/24)");
      }
      options.relays.push_back(*p);
    }
  }
  auto trap = core::parse_traphandle_input(std::cin, ctx.clock->now());
  auto store = open_store(ctx, core::Store::Mode::existing);
  if (!store) {
    return kFailed;
  }
  core::IngestBatch batch;
  batch.at = ctx.clock->now();
  ++batch.counters.received;
  if (!trap) {
    ++batch.counters.rejected_malformed;
    (void)core::write_batch(*store, batch);
    return report(trap.error());
  }
  auto devices = store->devices();
  if (!devices) {
    return report(devices.error());
  }
  core::Inventory inv;
  inv.devices = std::move(*devices);
  // The trap rules, as colosla-trapd reads them; a bad rule file is said, and the trap is still
  // stored (by the plugins alone).
  const auto rule_paths = core::rule_paths_or_default(
      vm->count("rules") != 0 ? (*vm)["rules"].as<std::vector<std::string>>()
                              : std::vector<std::string>{});
  core::TrapRules rules;
  if (!rule_paths.empty()) {
    core::TrapRuleLoader loader;
    if (auto loaded = loader.load_all(rule_paths)) {
      rules = std::move(*loaded);
    } else {
      for (const auto& problem : loaded.error()) {
        log(LogLevel::error, "trap-handler", problem.to_string() + " (trap rules not used)");
      }
    }
  }
  options.rules = &rules;
  core::TrapProcessor proc(inv, builtin_registry(), *ctx.clock, options);
  core::load_port_names(proc, *store);
  for (const auto& dev : inv.devices) {
    if (dev.address == trap->source_address || dev.address == trap->agent_address ||
        std::any_of(trap->varbinds.begin(), trap->varbinds.end(), [&](const core::Varbind& v) {
          return v.oid == core::kSnmpTrapAddress && v.text == dev.address;
        })) {
      if (auto latest = store->latest_states_of(dev.name)) {
        for (const auto& [e, s] : *latest) {
          proc.set_known_state(e, s.state, s.time);
        }
      }
    }
  }
  auto p = proc.process(*trap);
  batch.add(p);
  batch.counters = proc.counters();
  batch.at = ctx.clock->now();
  if (auto done = core::write_batch(*store, batch); !done) {
    return report(done.error());
  }
  {
    log(p.disposition == core::Disposition::observation ||
                p.disposition == core::Disposition::evidence
            ? LogLevel::info
            : LogLevel::warning,
        "trap-handler", core::describe(*trap, p));
  }
  if (p.relay.kind == core::RelayVerdict::Kind::untrusted ||
      p.relay.kind == core::RelayVerdict::Kind::unreadable) {
    log(LogLevel::debug, "trap-handler",
        "snmpTrapAddress.0 " + escaped(p.relay.device_address) + " from " + trap->source_address +
            " ignored: " +
            (p.relay.kind == core::RelayVerdict::Kind::untrusted
                 ? "the sender is no trusted relay (--trap-relay)"
                 : "not an IPv4 IpAddress"));
  }
  if (p.refresh || p.poll) {
    log(LogLevel::info, "trap-handler",
        (p.device ? p.device->name : std::string("?")) +
            ": run `colosla poll --device` to confirm");
  }
  return kOk;
}

}  // namespace colosla::cli
