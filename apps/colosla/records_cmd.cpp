// colosla exclude|customer-report|notify|install|contact-invalid: the records of SPEC §8.
// Every family has the same three verbs: add (under its own name: add, record, complete), list,
// and remove (a withdrawal record; nothing is ever deleted or edited). `notify send`
// (notify_cmd.cpp) enters its notification through enter_record, as `notify record` does.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "colosla/base/text.hpp"
#include "colosla/services/operations.hpp"
#include "colosla/services/record_effect.hpp"
#include "commands.hpp"

namespace colosla::cli {

namespace {

using core::Record;
using core::RecordKind;

// A family of records: the group of its commands in the command table (commands.cpp).
struct Family {
  std::string_view group;  // "exclude"
  RecordKind kind;
};

constexpr Family kFamilies[] = {
    {"exclude", RecordKind::exclusion},
    {"customer-report", RecordKind::customer_report},
    {"notify", RecordKind::notification},
    {"install", RecordKind::installation},
    {"contact-invalid", RecordKind::contact_invalid},
};

// The family of the command ctx runs (its group).
const Family& family(const Context& ctx) {
  for (const auto& f : kFamilies) {
    if (ctx.entry != nullptr && ctx.entry->group == f.group) {
      return f;
    }
  }
  throw std::logic_error("the command table names a record family records_cmd.cpp lacks");
}

std::string opt(const po::variables_map& vm, const char* name) {
  return vm.count(name) != 0 ? vm[name].as<std::string>() : std::string();
}

Zone zone_for(const core::Inventory* inv, const std::string& contract) {
  if (inv != nullptr) {
    if (const auto* c = inv->find_contract(contract)) {
      if (auto z = Zone::locate(c->time_zone)) {
        return *z;
      }
    }
  }
  return Zone::utc();
}

}  // namespace

// What a record says, in one line of words.
std::string describe(const Record& r, const Zone& z) {
  if (r.retraction) {
    return "withdraws " + core::record_name(r.supersedes);
  }
  std::string s;
  switch (r.kind) {
    case RecordKind::exclusion:
      s = format_local_minute(r.at, z) + " to " + format_local_minute(*r.until, z) + " " +
          std::string(to_string(*r.reason)) + " (" +
          (r.guarantee ? std::string(to_string(*r.guarantee)) : std::string("network and power")) +
          ")";
      if (!r.approved_by.empty()) {
        s += ", approved by " + r.approved_by;
      }
      break;
    case RecordKind::customer_report:
      s = format_local_minute(r.at, z) + " " + std::string(to_string(*r.guarantee)) +
          " problem reported";
      break;
    case RecordKind::notification:
      s = format_local_minute(r.at, z) + " told " + r.contact + " by " +
          std::string(to_string(*r.channel));
      break;
    case RecordKind::installation:
      s = format_local_minute(r.at, z) + " installation complete";
      break;
    case RecordKind::contact_invalid:
      s = format_local_minute(r.at, z) + " to " +
          (r.until ? format_local_minute(*r.until, z) : std::string("(still wrong)")) +
          " contact details wrong through the customer's fault";
      break;
    default:  // authorizations, complaints, visits (process_cmd.cpp)
      s = describe_process(r, z);
      break;
  }
  if (r.supersedes != 0) {
    s += "; corrects " + core::record_name(r.supersedes);
  }
  return s;
}

nlohmann::ordered_json record_json(const Record& r, const std::vector<Record>& all, const Zone& z) {
  using J = nlohmann::ordered_json;
  J j;
  j["id"] = r.id;
  j["kind"] = std::string(to_string(r.kind));
  j["contract"] = r.contract.empty() ? J(nullptr) : J(r.contract);
  j["status"] = core::record_status(r, all);
  j["supersedes"] = r.supersedes == 0 ? J(nullptr) : J(r.supersedes);
  if (!r.retraction) {
    const bool windowed = r.kind == RecordKind::exclusion || r.kind == RecordKind::contact_invalid;
    j[windowed ? "from" : "at"] = format_time(r.at, z);
    if (windowed) {
      j["to"] = r.until ? J(format_time(*r.until, z)) : J(nullptr);
    }
    if (r.kind == RecordKind::exclusion) {
      j["reason"] = std::string(to_string(*r.reason));
      j["guarantee"] = r.guarantee ? J(std::string(to_string(*r.guarantee))) : J("both");
      j["approved-by"] = r.approved_by.empty() ? J(nullptr) : J(r.approved_by);
    }
    if (r.kind == RecordKind::customer_report) {
      j["guarantee"] = std::string(to_string(*r.guarantee));
    }
    if (r.kind == RecordKind::notification) {
      j["channel"] = std::string(to_string(*r.channel));
      j["contact"] = r.contact;
    }
    if (core::is_process_kind(r.kind)) {
      add_process_json(j, r, z);
    }
  }
  j["entered-by"] = r.entered_by;
  j["entered-at"] = format_time_utc(r.entered_at);
  j["note"] = r.note;
  return j;
}

namespace {

int store_record(Context& ctx, Record r, const po::variables_map& vm) {
  auto store = open_store(ctx, core::Store::Mode::existing);
  if (!store) {
    return kFailed;
  }
  auto added = enter_record(ctx, *store, std::move(r), vm);
  if (!added) {
    return refused(added.error());
  }
  return kOk;
}

int add(Context& ctx, const Family& f) {
  po::options_description d(ctx.command);
  const bool exclusion = f.kind == RecordKind::exclusion;
  d.add_options()("contract", po::value<std::string>(), "contract id");
  if (exclusion) {
    d.add_options()("all", "for every contract (an exclusion such as force majeure)")(
        "from", po::value<std::string>(), "start (RFC 3339)")("to", po::value<std::string>(),
                                                              "end (RFC 3339), after --from")(
        "reason", po::value<std::string>(),
        "approved-maintenance, customer-equipment, customer-application, customer-negligence, "
        "customer-authorized-operation, force-majeure, customer-other")(
        "guarantee", po::value<std::string>()->default_value("both"), "network, power or both")(
        "approved-by", po::value<std::string>(),
        "approved-maintenance: who on the customer's side consented");
  } else if (f.kind == RecordKind::contact_invalid) {
    d.add_options()("from", po::value<std::string>(), "since when (RFC 3339)")(
        "to", po::value<std::string>(), "until when (RFC 3339; default: still wrong)");
  } else {
    d.add_options()("at", po::value<std::string>()->default_value("now"), "when (RFC 3339 or now)");
  }
  if (f.kind == RecordKind::customer_report) {
    d.add_options()("guarantee", po::value<std::string>(), "which problem: network or power");
  }
  if (f.kind == RecordKind::notification) {
    d.add_options()("channel", po::value<std::string>(),
                    "office-phone, mobile, pager, fax or email")(
        "contact", po::value<std::string>(), "the contact told (an authorized contact)");
  }
  add_record_options(d, true);
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }

  Record r;
  r.kind = f.kind;
  if (exclusion && vm->count("all") != 0) {
    if (vm->count("contract") != 0) {
      throw UsageError("give --contract ID or --all, not both");
    }
  } else {
    r.contract = required(*vm, "contract");
  }
  if (exclusion || f.kind == RecordKind::contact_invalid) {
    r.at = parse_time_option("from", required(*vm, "from"), *ctx.clock);
    if (exclusion || vm->count("to") != 0) {
      r.until = parse_time_option("to", required(*vm, "to"), *ctx.clock);
    }
  } else {
    r.at = parse_time_option("at", (*vm)["at"].as<std::string>(), *ctx.clock);
  }
  if (exclusion) {
    auto reason = core::parse_exclusion_reason(required(*vm, "reason"));
    if (!reason) {
      throw UsageError("--reason: " + reason.error().msg);
    }
    r.reason = *reason;
    const std::string g = (*vm)["guarantee"].as<std::string>();
    if (g != "both") {
      auto parsed = core::parse_guarantee(g);
      if (!parsed) {
        throw UsageError("--guarantee: " + parsed.error().msg + " (or both)");
      }
      r.guarantee = *parsed;
    }
    r.approved_by = opt(*vm, "approved-by");
  }
  if (f.kind == RecordKind::customer_report) {
    auto g = core::parse_guarantee(required(*vm, "guarantee"));
    if (!g) {
      throw UsageError("--guarantee: " + g.error().msg);
    }
    r.guarantee = *g;
  }
  if (f.kind == RecordKind::notification) {
    auto ch = core::parse_channel(required(*vm, "channel"));
    if (!ch) {
      throw UsageError("--channel: " + ch.error().msg);
    }
    r.channel = *ch;
    r.contact = required(*vm, "contact");
  }
  const int rc = store_record(ctx, r, *vm);
  if (rc == kOk && exclusion && !r.guarantee && !core::excuses(*r.reason, core::Guarantee::power)) {
    std::cout << "note: " << to_string(*r.reason)
              << " excuses network outages only; it does not excuse a power interruption "
                 "(Article 2.4)\n";
  }
  return rc;
}

int remove(Context& ctx, const Family& f) {
  po::options_description d(ctx.command);
  d.add_options()("id", po::value<std::int64_t>(), "the record to withdraw")(
      "by", po::value<std::string>(), "who withdraws it (default: your login name)")(
      "note", po::value<std::string>()->default_value(""), "why");
  po::positional_options_description pos;
  pos.add("id", 1);
  auto vm = parse(ctx, d, pos);
  if (!vm) {
    return kOk;
  }
  if (vm->count("id") == 0) {
    throw UsageError("give the number of the record to withdraw");
  }
  const std::int64_t id = (*vm)["id"].as<std::int64_t>();
  auto store = open_store(ctx, core::Store::Mode::existing);
  if (!store) {
    return kFailed;
  }
  auto all = store->records();
  if (!all) {
    return report(all.error());
  }
  const auto target =
      std::find_if(all->begin(), all->end(), [&](const Record& r) { return r.id == id; });
  Record r;
  r.kind = f.kind;
  r.retraction = true;
  r.supersedes = id;
  r.contract = target != all->end() ? target->contract : std::string();
  r.entered_by = entered_by(*vm);
  r.entered_at = ctx.clock->now();
  r.note = (*vm)["note"].as<std::string>();
  auto added = core::add_record(*store, r);
  if (!added) {
    return refused(added.error());
  }
  std::cout << "recorded " << core::record_name(added->id) << ": withdraws "
            << core::record_name(id) << " (it stays listed, withdrawn)\n";
  return kOk;
}

int list(Context& ctx, const Family& f) {
  po::options_description d(ctx.command);
  d.add_options()("contract", po::value<std::string>(), "only this contract (and records for all)")(
      "format", po::value<std::string>()->default_value("text"), "text or json");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  const std::string format = format_option(*vm, {"text", "json"});
  std::optional<std::string> only;
  if (vm->count("contract") != 0) {
    only = (*vm)["contract"].as<std::string>();
  }
  auto store = open_store(ctx, core::Store::Mode::read_only);
  if (!store) {
    return kFailed;
  }
  auto inv = store->load_inventory();
  if (!inv) {
    return report(inv.error());
  }
  const core::Inventory* inventory = inv->has_value() ? &**inv : nullptr;
  if (only && (inventory == nullptr || inventory->find_contract(*only) == nullptr)) {
    return report(make_error(Errc::not_found, "no contract " + *only + " in the inventory"));
  }
  auto records = core::list_records(*store, f.kind, only);
  auto all = store->records();
  if (!records || !all) {
    return report(!records ? records.error() : all.error());
  }
  if (format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& r : *records) {
      out.push_back(record_json(r, *all, zone_for(inventory, r.contract)));
    }
    std::cout << out.dump(2) << "\n";
    return kOk;
  }
  if (records->empty()) {
    std::cout << "no " << to_string(f.kind) << " records\n";
    return kOk;
  }
  for (const auto& r : *records) {
    const Zone z = zone_for(inventory, r.contract);
    std::cout << "#" << r.id << "  " << (r.contract.empty() ? std::string("(all)") : r.contract)
              << "  " << describe(r, z) << "  [" << core::record_status(r, *all) << "]  by "
              << r.entered_by << " " << format_time_utc(r.entered_at)
              << (r.note.empty() ? "" : "  \"" + r.note + "\"") << "\n";
  }
  return kOk;
}

}  // namespace

void add_record_options(po::options_description& d, bool corrections) {
  d.add_options()("by", po::value<std::string>(), "who enters it (default: your login name)")(
      "note", po::value<std::string>()->default_value(""), "why: a ticket, a name, a reference");
  if (corrections) {
    d.add_options()("supersedes", po::value<std::int64_t>(),
                    "the record this one corrects (by its number)");
  }
}

Result<Record> enter_record(const Context& ctx, core::Store& store, Record r,
                            const po::variables_map& vm) {
  r.entered_by = entered_by(vm);
  r.entered_at = ctx.clock->now();
  r.note = vm["note"].as<std::string>();
  if (vm.count("supersedes") != 0) {
    r.supersedes = vm["supersedes"].as<std::int64_t>();
  }
  auto added = core::add_record(store, r);
  if (!added) {
    return added.error();
  }
  auto inv = store.load_inventory();
  const Zone z = zone_for(inv && inv->has_value() ? &**inv : nullptr, added->contract);
  std::cout << "recorded " << core::record_name(added->id) << " (" << to_string(added->kind) << ", "
            << (added->contract.empty() ? std::string("all contracts") : added->contract)
            << "): " << describe(*added, z) << "\n";
  // Stored and in force, but perhaps too late (or too far from anything) to count: say so, on
  // stderr; the exit status stays 0 (the record was accepted).
  std::cout.flush();
  auto warnings = core::record_warnings(store, *added, ctx.clock->now());
  if (!warnings) {
    std::cerr << "colosla: warning: could not tell whether " << core::record_name(added->id)
              << " counts: " << escaped(warnings.error().to_string()) << "\n";
  } else {
    for (const auto& w : *warnings) {
      std::cerr << "colosla: warning: " << core::record_name(added->id) << " " << escaped(w)
                << "\n";
    }
  }
  return added;
}

int record_add(Context& ctx) { return add(ctx, family(ctx)); }

int record_list(Context& ctx) { return list(ctx, family(ctx)); }

int record_remove(Context& ctx) { return remove(ctx, family(ctx)); }

}  // namespace colosla::cli
