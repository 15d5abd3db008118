// colosla inventory validate|load|show
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "colosla/base/money.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/services/operations.hpp"
#include "commands.hpp"

namespace colosla::cli {

namespace {

using core::Inventory;

std::vector<std::string> files_option(const po::variables_map& vm) {
  if (vm.count("file") == 0) {
    throw UsageError("give at least one inventory file");
  }
  return vm["file"].as<std::vector<std::string>>();
}

// Prints every diagnostic; returns kFailed when a file could not be read at all (as every
// command does), else kRejected.
int print_diagnostics(const std::vector<core::Diagnostic>& diags, std::string_view verb) {
  bool unreadable = false;
  for (const auto& d : diags) {
    std::cerr << d.to_string() << "\n";
    unreadable = unreadable || d.unreadable;
  }
  std::cerr << "colosla: " << diags.size() << (diags.size() == 1 ? " problem" : " problems") << "; "
            << verb << "\n";
  return unreadable ? kFailed : kRejected;
}

std::string summary(const Inventory& inv) {
  auto n = [](std::size_t k, const char* one, const char* many) {
    return std::to_string(k) + " " + (k == 1 ? one : many);
  };
  return n(inv.devices.size(), "device", "devices") + ", " +
         n(inv.uplinks.size(), "uplink", "uplinks") + ", " +
         n(inv.contracts.size(), "contract", "contracts");
}

int validate(Context& ctx) {
  po::options_description d("inventory validate");
  d.add_options()("file", po::value<std::vector<std::string>>(), "inventory files (JSON or XML)");
  po::positional_options_description pos;
  pos.add("file", -1);
  auto vm = parse(ctx, d, pos);
  if (!vm) {
    return kOk;
  }
  const auto files = files_option(*vm);
  core::InventoryValidator validator;
  auto v = validator.validate_files(files);
  if (!v) {
    return print_diagnostics(v.error(), "the inventory is not valid");
  }
  std::string names;
  for (const auto& f : files) {
    names += (names.empty() ? "" : ", ") + f;
  }
  std::cout << names << ": valid (" << summary(v->inventory) << ")\n";
  return kOk;
}

int load(Context& ctx) {
  po::options_description d("inventory load");
  d.add_options()("file", po::value<std::vector<std::string>>(), "inventory files (JSON or XML)")(
      "by", po::value<std::string>(), "who loads it (default: your login name)");
  po::positional_options_description pos;
  pos.add("file", -1);
  auto vm = parse(ctx, d, pos);
  if (!vm) {
    return kOk;
  }
  const auto files = files_option(*vm);
  core::InventoryValidator validator;
  auto v = validator.validate_files(files);
  if (!v) {
    // The store is not even opened: a rejected inventory cannot touch it.
    return print_diagnostics(v.error(), "nothing loaded");
  }
  auto store = open_store(ctx, core::Store::Mode::create);
  if (!store) {
    return kFailed;
  }
  const std::string by = entered_by(*vm);
  auto committed = core::commit_inventory(*store, *v, by, ctx.clock->now());
  if (!committed) {
    report(committed.error());
    std::cerr << "colosla: nothing loaded\n";
    return exit_for(committed.error());
  }
  if (!committed->changed) {
    std::cout << "inventory unchanged: " << ctx.db << " already holds this document as version "
              << committed->version << "\n";
    return kOk;
  }
  std::cout << "loaded inventory version " << committed->version << " into " << ctx.db << ": "
            << summary(v->inventory) << "\n";
  return kOk;
}

void show_contract_text(const core::Contract& c, std::ostream& out) {
  auto zone = Zone::locate(c.time_zone);
  const Zone z = zone ? *zone : Zone::utc();
  out << c.id << "  " << c.customer << "  (" << to_string(c.service) << ")\n";
  out << "  signed " << format_date(c.signed_on) << "; runs " << format_local_minute(c.start, z)
      << " to " << format_local_minute(c.end, z) << " " << c.time_zone
      << (c.end_given ? "" : " (end: one year, Article 11)") << "\n";
  out << "  fee " << core::format_money(c.monthly_fee, c.currency) << " " << c.currency
      << " a month; installation " << core::format_money(c.installation_fee, c.currency) << " "
      << c.currency
      << (c.installation_auto_complete ? " (completes itself when up and powered)" : "") << "\n";
  out << "  ports (" << to_string(c.port_mode) << "):";
  if (c.ports.empty()) {
    out << " none";
  }
  for (const auto& p : c.ports) {
    out << " " << p.device << " " << p.interface << ";";
  }
  out << "\n  power:";
  if (c.power_sources.empty()) {
    out << " none";
  }
  for (const auto& p : c.power_sources) {
    out << " " << p.device << (p.outlet ? " outlet " + *p.outlet : std::string()) << ";";
  }
  out << "\n  probes:";
  if (c.probe_targets.empty()) {
    out << " none";
  }
  for (const auto& t : c.probe_targets) {
    out << " " << t.address;
    for (auto s : t.services) {
      out << " " << to_string(s);
    }
    out << ";";
  }
  out << "\n  contacts:";
  if (c.contacts.empty()) {
    out << " none";
  }
  for (const auto& k : c.contacts) {
    out << " " << k.name << " (" << (k.authorized ? "authorized, " : "") << to_string(k.channel)
        << " " << k.address << ");";
  }
  const auto& s = c.sla;
  std::string target = core::format_decimal(s.availability_target_milli, 3);
  target.erase(target.find_last_not_of('0') + 1);  // 99.900 -> 99.9
  if (target.back() == '.') {
    target.pop_back();
  }
  out << "\n  sla: network outage under " << s.max_outage_minutes << " min a month; power "
      << target << " %; customer report "
      << (s.require_customer_report ? "required" : "not required") << " within "
      << s.report_window_days << " days; probe every " << s.probe_interval_seconds
      << " s; notify within " << s.notify_within_minutes << " min; install within "
      << s.installation_business_days << " business days\n";
  // Articles 5-9 (docs/process.md): the hash is not shown, only whether there is one.
  const auto names = [](const std::vector<std::string>& v) {
    std::string t;
    for (const auto& n : v) {
      t += (t.empty() ? "" : ", ") + n;
    }
    return t.empty() ? std::string("none named") : t;
  };
  out << "  process: MRTG user " << (c.mrtg_user.empty() ? std::string("none") : c.mrtg_user)
      << (c.mrtg_password_hash.empty() ? " (no password hash)" : " (password hash set)")
      << "; language " << c.language << "; customer service " << names(c.staff.customer_service)
      << "; technical support " << names(c.staff.technical_support) << "; feedback within "
      << s.feedback_minutes << " min, operation report " << s.operation_report_hours
      << " h, written confirmation " << s.written_confirmation_hours << " h, complaint report "
      << s.complaint_report_hours << " h\n";
}

int show(Context& ctx) {
  po::options_description d("inventory show");
  d.add_options()("contract", po::value<std::string>(), "only this contract")(
      "format", po::value<std::string>()->default_value("text"), "text or json")(
      "show-secrets", po::bool_switch(),
      "json: the communities, pass phrases and passwords in clear (needs the secrets key); else "
      "\"(secret)\"");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  const std::string format = format_option(*vm, {"text", "json"});
  auto store = open_store(ctx, core::Store::Mode::read_only);
  if (!store) {
    return kFailed;
  }
  const bool reveal = (*vm)["show-secrets"].as<bool>();
  if (reveal && format != "json") {
    throw UsageError("--show-secrets goes with --format json (the text shows no secret)");
  }
  auto record = store->inventory_record(reveal ? core::Secrets::reveal : core::Secrets::withhold);
  if (!record) {
    return report(record.error());
  }
  if (!record->has_value()) {
    return report(make_error(Errc::not_found,
                             "no inventory is loaded (colosla inventory load FILE)", ctx.db));
  }
  const std::string only = vm->count("contract") != 0 ? (*vm)["contract"].as<std::string>() : "";
  if (format == "json") {
    auto doc = nlohmann::ordered_json::parse((*record)->document);
    if (!only.empty()) {
      auto& contracts = doc["colosla-inventory:inventory"]["contract"];
      nlohmann::ordered_json kept = nlohmann::ordered_json::array();
      for (const auto& c : contracts) {
        if (c.value("id", "") == only) {
          kept.push_back(c);
        }
      }
      if (kept.empty()) {
        return report(make_error(Errc::not_found, "no contract " + only + " in the inventory"));
      }
      contracts = kept;
    }
    std::cout << doc.dump(2) << "\n";
    return kOk;
  }
  auto inv = store->load_inventory();
  if (!inv) {
    return report(inv.error());
  }
  const Inventory& i = **inv;
  if (!only.empty() && i.find_contract(only) == nullptr) {
    return report(make_error(Errc::not_found, "no contract " + only + " in the inventory"));
  }
  const auto& r = **record;
  std::cout << "inventory version " << r.version << ", loaded " << format_time_utc(r.loaded_at)
            << " by " << r.loaded_by << ": " << summary(i) << "\n";
  if (only.empty()) {
    std::cout << "\ndevices:\n";
    for (const auto& dev : i.devices) {
      std::cout << "  " << dev.name << "  " << to_string(dev.role) << "  " << dev.address
                << "  plugin " << dev.plugin;
      if (dev.netconf) {
        std::cout << "  netconf " << dev.netconf->transport << "/" << dev.netconf->port;
      } else {
        std::cout << "  snmp " << dev.snmp.version << "/" << dev.snmp.port;
      }
      std::cout << "\n";
    }
    std::cout << "uplinks:";
    for (const auto& u : i.uplinks) {
      std::cout << " " << u.device << " " << u.interface << ";";
    }
    std::cout << "\ncalendar: " << i.calendar.holidays.size() << " holidays, "
              << i.calendar.working_days.size() << " make-up working days\n";
  }
  for (const auto& c : i.contracts) {
    if (only.empty() || c.id == only) {
      std::cout << "\n";
      show_contract_text(c, std::cout);
    }
  }
  return kOk;
}

}  // namespace

int inventory_validate(Context& ctx) { return validate(ctx); }

int inventory_load(Context& ctx) { return load(ctx); }

int inventory_show(Context& ctx) { return show(ctx); }

}  // namespace colosla::cli
