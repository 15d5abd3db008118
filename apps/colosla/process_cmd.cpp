// colosla complaint add|report, visit add|enter|leave, and the list and remove verbs of the
// authorize, complaint and visit groups: the process guarantees' records (Articles 8, 9; SPEC
// §7, §8). Their clocks are computed by the SLA engine (core/sla/process.hpp).
#include <iostream>

#include "cli.hpp"
#include "colosla/base/text.hpp"
#include "colosla/services/operations.hpp"
#include "commands.hpp"

namespace colosla::cli {

namespace {

using core::Record;
using core::RecordKind;

std::string opt(const po::variables_map& vm, const char* name) {
  return vm.count(name) != 0 ? vm[name].as<std::string>() : std::string();
}

Timestamp time_of(const Context& ctx, const po::variables_map& vm, const char* name) {
  return parse_time_option(name, required(vm, name), *ctx.clock);
}

int enter(Context& ctx, const Record& r, const po::variables_map& vm) {
  auto store = open_store(ctx, core::Store::Mode::existing);
  if (!store) {
    return kFailed;
  }
  auto added = enter_record(ctx, *store, r, vm);
  return added ? kOk : refused(added.error());
}

// A record that refers to record N (the positional argument): its contract is N's.
int enter_referring(Context& ctx, Record r, const po::variables_map& vm) {
  auto store = open_store(ctx, core::Store::Mode::existing);
  if (!store) {
    return kFailed;
  }
  auto target = record_of(*store, r.refers_to);
  if (!target) {
    return refused(target.error());
  }
  r.contract = target->contract;
  if (r.kind == RecordKind::visit_leave && target->kind == RecordKind::visit) {
    // `visit leave N` with the announcement's number: the departure belongs to its entry.
    auto all = store->records();
    if (!all) {
      return refused(all.error());
    }
    const auto in_force = core::effective_records(*all);
    const auto entry = std::find_if(in_force.begin(), in_force.end(), [&](const Record& e) {
      return e.kind == RecordKind::visit_enter && e.refers_to == r.refers_to;
    });
    if (entry == in_force.end()) {
      return refused(make_error(Errc::invalid_input, core::record_name(r.refers_to) +
                                                         " has no entry recorded (visit enter)"));
    }
    r.refers_to = entry->id;
  }
  auto added = enter_record(ctx, *store, r, vm);
  return added ? kOk : refused(added.error());
}

std::optional<po::variables_map> parse_with_id(Context& ctx, po::options_description& d,
                                               const char* what) {
  d.add_options()("id", po::value<std::int64_t>(), what);
  po::positional_options_description pos;
  pos.add("id", 1);
  return parse(ctx, d, pos);
}

std::int64_t id_of(const po::variables_map& vm, const char* what) {
  if (vm.count("id") == 0) {
    throw UsageError(std::string("give the number of the ") + what);
  }
  return vm["id"].as<std::int64_t>();
}

// The kinds a group's list shows.
bool in_group(RecordKind k, std::string_view group) {
  if (group == "authorize") {
    return k >= RecordKind::authorization && k <= RecordKind::authorization_confirm;
  }
  if (group == "complaint") {
    return k == RecordKind::complaint || k == RecordKind::complaint_report;
  }
  return k >= RecordKind::visit && k <= RecordKind::visit_leave;
}

std::string at_text(const Record& r, const Zone& z) { return format_local_minute(r.at, z); }

}  // namespace

Result<Record> record_of(const core::Store& store, std::int64_t id) {
  auto all = store.records();
  if (!all) {
    return all.error();
  }
  for (const auto& r : *all) {
    if (r.id == id) {
      return r;
    }
  }
  return make_error(Errc::not_found, "there is no " + core::record_name(id));
}

std::string describe_process(const Record& r, const Zone& z) {
  const std::string n = core::record_name(r.refers_to);
  switch (r.kind) {
    case RecordKind::authorization:
      return at_text(r, z) + " " +
             (r.accepted == true ? "authorization" : "REFUSED authorization") + " by " + r.contact +
             " (" + std::string(to_string(*r.method)) +
             (r.mrtg_user.empty() ? "" : ", MRTG user " + r.mrtg_user) + ")";
    case RecordKind::authorization_feedback:
      return at_text(r, z) + " first feedback on " + n;
    case RecordKind::authorization_done:
      return at_text(r, z) + " operation of " + n + " ended";
    case RecordKind::authorization_report:
      return at_text(r, z) + " written operation report on " + n;
    case RecordKind::authorization_confirm:
      return at_text(r, z) + " written confirmation of " + n;
    case RecordKind::complaint:
      return at_text(r, z) + " complaint about " + std::string(to_string(*r.about));
    case RecordKind::complaint_report:
      return at_text(r, z) + " written report on " + n;
    case RecordKind::visit:
      return "visit announced " + at_text(r, z) + " to " + format_local_minute(*r.until, z) + ": " +
             r.purpose + "; " + r.activity + (r.needs.empty() ? "" : "; needs " + r.needs);
    case RecordKind::visit_enter:
      return at_text(r, z) + " entry" + (r.refers_to == 0 ? " WITHOUT ANNOUNCEMENT" : " for " + n) +
             ", badge " + r.badge + (r.escort.empty() ? ", NOT ESCORTED" : ", escort " + r.escort);
    case RecordKind::visit_leave:
      return at_text(r, z) + " left (entry " + n + ")";
    default:
      return at_text(r, z);
  }
}

void add_process_json(nlohmann::ordered_json& j, const Record& r, const Zone& z) {
  using J = nlohmann::ordered_json;
  if (r.refers_to != 0 || r.kind == RecordKind::visit_enter) {
    j["refers-to"] = r.refers_to == 0 ? J(nullptr) : J(r.refers_to);
  }
  switch (r.kind) {
    case RecordKind::authorization:
      j["contact"] = r.contact;
      j["by"] = std::string(to_string(*r.method));
      j["mrtg-user"] = r.mrtg_user.empty() ? J(nullptr) : J(r.mrtg_user);
      j["accepted"] = r.accepted == true;
      break;
    case RecordKind::complaint:
      j["about"] = std::string(to_string(*r.about));
      break;
    case RecordKind::visit:
      j["expected-in"] = format_time(r.at, z);
      j["expected-out"] = format_time(*r.until, z);
      j["reason"] = r.purpose;
      j["activity"] = r.activity;
      j["needs"] = r.needs;
      break;
    case RecordKind::visit_enter:
      j["escort"] = r.escort.empty() ? J(nullptr) : J(r.escort);
      j["badge"] = r.badge;
      break;
    default:
      break;
  }
}

int complaint_add(Context& ctx) {
  po::options_description d(ctx.command);
  d.add_options()("contract", po::value<std::string>(), "contract id")(
      "at", po::value<std::string>()->default_value("now"), "received (RFC 3339 or now)")(
      "about", po::value<std::string>(), "network, customer-service or technical-support");
  add_record_options(d, true);
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  Record r;
  r.kind = RecordKind::complaint;
  r.contract = required(*vm, "contract");
  r.at = parse_time_option("at", (*vm)["at"].as<std::string>(), *ctx.clock);
  auto about = core::parse_complaint_about(required(*vm, "about"));
  if (!about) {
    throw UsageError("--about: " + about.error().msg);
  }
  r.about = *about;
  return enter(ctx, r, *vm);
}

int complaint_add_report(Context& ctx) {
  po::options_description d(ctx.command);
  d.add_options()("at", po::value<std::string>()->default_value("now"), "when (RFC 3339 or now)");
  add_record_options(d, true);
  auto vm = parse_with_id(ctx, d, "the complaint record");
  if (!vm) {
    return kOk;
  }
  Record r;
  r.kind = RecordKind::complaint_report;
  r.refers_to = id_of(*vm, "complaint record");
  r.at = parse_time_option("at", (*vm)["at"].as<std::string>(), *ctx.clock);
  return enter_referring(ctx, r, *vm);
}

int visit_add(Context& ctx) {
  po::options_description d(ctx.command);
  d.add_options()("contract", po::value<std::string>(), "contract id")(
      "reason", po::value<std::string>(), "why the customer comes")(
      "activity", po::value<std::string>(), "what they will do")(
      "expected-in", po::value<std::string>(), "expected arrival (RFC 3339)")(
      "expected-out", po::value<std::string>(), "expected departure (RFC 3339)")(
      "needs", po::value<std::string>(), "the help asked of the data centre");
  add_record_options(d, true);
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  Record r;
  r.kind = RecordKind::visit;
  r.contract = required(*vm, "contract");
  r.purpose = required(*vm, "reason");
  r.activity = required(*vm, "activity");
  r.at = time_of(ctx, *vm, "expected-in");
  r.until = time_of(ctx, *vm, "expected-out");
  r.needs = opt(*vm, "needs");
  return enter(ctx, r, *vm);
}

int visit_enter(Context& ctx) {
  po::options_description d(ctx.command);
  d.add_options()("contract", po::value<std::string>(),
                  "without N: the contract of a visit that was not announced")(
      "at", po::value<std::string>()->default_value("now"), "entered (RFC 3339 or now)")(
      "escort", po::value<std::string>(), "the escorting staff member")(
      "badge", po::value<std::string>(), "the badge shown");
  add_record_options(d, true);
  auto vm = parse_with_id(ctx, d, "the visit record (its announcement)");
  if (!vm) {
    return kOk;
  }
  Record r;
  r.kind = RecordKind::visit_enter;
  r.at = parse_time_option("at", (*vm)["at"].as<std::string>(), *ctx.clock);
  r.escort = opt(*vm, "escort");
  r.badge = required(*vm, "badge");
  int rc = 0;
  if (vm->count("id") != 0) {
    if (vm->count("contract") != 0) {
      throw UsageError("give N (the announced visit) or --contract ID, not both");
    }
    r.refers_to = (*vm)["id"].as<std::int64_t>();
    rc = enter_referring(ctx, r, *vm);
  } else {
    r.contract = required(*vm, "contract");
    rc = enter(ctx, r, *vm);
  }
  if (rc == kOk && (r.refers_to == 0 || r.escort.empty())) {
    std::cerr << "colosla: warning: an entry " << (r.refers_to == 0 ? "without announcement" : "")
              << (r.refers_to == 0 && r.escort.empty() ? " and " : "")
              << (r.escort.empty() ? "without escort" : "")
              << " (Article 9): raised as an event by the next evaluate\n";
  }
  return rc;
}

int visit_leave(Context& ctx) {
  po::options_description d(ctx.command);
  d.add_options()("at", po::value<std::string>()->default_value("now"), "left (RFC 3339 or now)");
  add_record_options(d, true);
  auto vm = parse_with_id(ctx, d, "the visit record, or its entry record");
  if (!vm) {
    return kOk;
  }
  Record r;
  r.kind = RecordKind::visit_leave;
  r.refers_to = id_of(*vm, "visit record");
  r.at = parse_time_option("at", (*vm)["at"].as<std::string>(), *ctx.clock);
  return enter_referring(ctx, r, *vm);
}

int process_list(Context& ctx) {
  po::options_description d(ctx.command);
  d.add_options()("contract", po::value<std::string>(), "only this contract")(
      "format", po::value<std::string>()->default_value("text"), "text or json");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  const std::string format = format_option(*vm, {"text", "json"});
  const std::string only = opt(*vm, "contract");
  auto store = open_store(ctx, core::Store::Mode::read_only);
  if (!store) {
    return kFailed;
  }
  auto inv = store->load_inventory();
  auto all = store->records();
  if (!inv || !all) {
    return report(!inv ? inv.error() : all.error());
  }
  const std::string_view group = ctx.entry != nullptr ? ctx.entry->group : "";
  const auto zone = [&](const std::string& contract) {
    if (inv->has_value()) {
      if (const auto* c = (*inv)->find_contract(contract)) {
        if (auto z = Zone::locate(c->time_zone)) {
          return *z;
        }
      }
    }
    return Zone::utc();
  };
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  std::size_t n = 0;
  for (const auto& r : *all) {
    if (!in_group(r.kind, group) || (!only.empty() && r.contract != only)) {
      continue;
    }
    ++n;
    const Zone z = zone(r.contract);
    if (format == "json") {
      out.push_back(record_json(r, *all, z));
      continue;
    }
    std::cout << "#" << r.id << "  " << r.contract << "  " << escaped(describe(r, z)) << "  ["
              << core::record_status(r, *all) << "]  by " << escaped(r.entered_by) << " "
              << format_time_utc(r.entered_at)
              << (r.note.empty() ? "" : "  \"" + escaped(r.note) + "\"") << "\n";
  }
  if (format == "json") {
    std::cout << out.dump(2) << "\n";
  } else if (n == 0) {
    std::cout << "no " << group << " records\n";
  }
  return kOk;
}

int process_remove(Context& ctx) {
  po::options_description d(ctx.command);
  d.add_options()("by", po::value<std::string>(), "who withdraws it (default: your login name)")(
      "note", po::value<std::string>()->default_value(""), "why");
  auto vm = parse_with_id(ctx, d, "the record to withdraw");
  if (!vm) {
    return kOk;
  }
  const std::int64_t id = id_of(*vm, "record to withdraw");
  auto store = open_store(ctx, core::Store::Mode::existing);
  if (!store) {
    return kFailed;
  }
  auto target = record_of(*store, id);
  if (!target) {
    return refused(target.error());
  }
  const std::string_view group = ctx.entry != nullptr ? ctx.entry->group : "";
  if (!in_group(target->kind, group)) {
    return refused(make_error(Errc::invalid_input, core::record_name(id) + " is a " +
                                                       std::string(to_string(target->kind)) +
                                                       " record, not one of " +
                                                       std::string(group)));
  }
  Record r;
  r.kind = target->kind;
  r.retraction = true;
  r.supersedes = id;
  r.contract = target->contract;
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

}  // namespace colosla::cli
