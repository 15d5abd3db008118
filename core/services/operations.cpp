#include "colosla/services/operations.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <set>

#include "colosla/base/calendar.hpp"
#include "colosla/base/text.hpp"
#include "colosla/rules/trap_rules.hpp"

namespace colosla::core {

std::string default_user() {
  std::array<char, 256> buf{};
  if (getlogin_r(buf.data(), buf.size()) == 0 && buf[0] != '\0') {
    return buf.data();
  }
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr) {
    return pw->pw_name;
  }
  return "uid " + std::to_string(geteuid());
}

Result<CommitOutcome> commit_inventory(Store& store, const ValidatedInventory& v,
                                       const std::string& by, Timestamp now) {
  CommitOutcome out;
  auto r = store.write([&]() -> Result<void> {
    auto current = store.version_holding(v.document);
    if (!current) {
      return current.error();
    }
    if (current->has_value()) {
      out.version = **current;
      return {};
    }
    auto changes = store.mapping_changes();
    if (!changes) {
      return changes.error();
    }
    if (auto ranges = resolve_mappings(v.inventory, *changes); !ranges) {
      Error e = ranges.error();
      e.msg = "the new inventory contradicts a recorded port mapping: " + e.msg;
      return e;
    }
    auto saved = store.save_inventory(v, by, now);
    if (!saved) {
      return saved.error();
    }
    out.version = *saved;
    out.changed = true;
    return {};
  });
  if (!r) {
    return r.error();
  }
  return out;
}

namespace {

Result<Inventory> require_inventory(const Store& store) {
  auto inv = store.load_inventory();
  if (!inv) {
    return inv.error();
  }
  if (!inv->has_value()) {
    return make_error(Errc::not_found,
                      "no inventory is loaded in this store (colosla inventory load FILE)",
                      store.path());
  }
  return std::move(**inv);
}

}  // namespace

Result<MappingChange> record_mapping_change(Store& store, MappingChange change) {
  auto r = store.write([&]() -> Result<void> {
    auto inv = require_inventory(store);
    if (!inv) {
      return inv.error();
    }
    if (inv->find_contract(change.contract) == nullptr) {
      return make_error(Errc::not_found, "no contract " + change.contract + " in the inventory");
    }
    const Device* d = inv->find_device(change.port.device);
    if (d == nullptr) {
      return make_error(Errc::not_found, "no device " + change.port.device + " in the inventory");
    }
    if (d->role != Role::network_switch) {
      return make_error(Errc::invalid_input, change.port.device + " is a " +
                                                 std::string(to_string(d->role)) +
                                                 ", not a switch; only switch ports are mapped");
    }
    if (std::find(inv->uplinks.begin(), inv->uplinks.end(), change.port) != inv->uplinks.end()) {
      return make_error(Errc::invalid_input, "port " + change.port.device + " " +
                                                 change.port.interface +
                                                 " is an uplink; it cannot be a customer's port");
    }
    auto id = store.add_mapping_change(change);
    if (!id) {
      return id.error();
    }
    change.id = *id;
    auto changes = store.mapping_changes();
    if (!changes) {
      return changes.error();
    }
    if (auto ranges = resolve_mappings(*inv, *changes); !ranges) {
      Error e = ranges.error();
      if (e.where == mapping_record_name(change.id)) {
        e.where.clear();  // the new change itself: it is rolled back, so it has no number
      } else {
        e.msg = "it would contradict a later record: " + e.msg;
      }
      return e;  // rolls the insert back
    }
    return {};
  });
  if (!r) {
    return r.error();
  }
  return change;
}

Result<std::vector<MappingRange>> current_mappings(const Store& store) {
  auto inv = require_inventory(store);
  if (!inv) {
    return inv.error();
  }
  auto changes = store.mapping_changes();
  if (!changes) {
    return changes.error();
  }
  return resolve_mappings(*inv, *changes);
}

Result<Record> add_record(Store& store, Record r) {
  auto done = store.write([&]() -> Result<void> {
    auto inv = require_inventory(store);
    if (!inv) {
      return inv.error();
    }
    auto existing = store.records();
    if (!existing) {
      return existing.error();
    }
    if (auto ok = check_record(r, *inv, *existing); !ok) {
      return ok.error();
    }
    auto id = store.add_record(r);
    if (!id) {
      return id.error();
    }
    r.id = *id;
    return {};
  });
  if (!done) {
    return done.error();
  }
  return r;
}

Result<std::vector<Record>> list_records(const Store& store, RecordKind kind,
                                         const std::optional<std::string>& contract) {
  auto all = store.records();
  if (!all) {
    return all.error();
  }
  std::vector<Record> out;
  for (auto& r : *all) {
    if (r.kind == kind && (!contract || r.contract == *contract || r.contract.empty())) {
      out.push_back(std::move(r));
    }
  }
  return out;
}

Result<void> month_report(const Store& store, std::chrono::year_month month, Timestamp as_of,
                          const std::optional<std::string>& contract,
                          const std::function<void(const ContractReport&)>& sink) {
  return store.read([&]() -> Result<void> {
    auto inv = require_inventory(store);
    if (!inv) {
      return inv.error();
    }
    auto changes = store.mapping_changes();
    if (!changes) {
      return changes.error();
    }
    auto mappings = resolve_mappings(*inv, *changes);
    if (!mappings) {
      return mappings.error();
    }
    auto history = store.history(as_of);
    if (!history) {
      return history.error();
    }
    auto records = store.records();
    if (!records) {
      return records.error();
    }
    const std::vector<Record> in_force = effective_records(*records);
    return for_each_contract_report(SlaInput{*inv, *mappings, *history, in_force}, month, as_of,
                                    contract, sink);
  });
}

Result<MonthReport> month_report(const Store& store, std::chrono::year_month month, Timestamp as_of,
                                 const std::optional<std::string>& contract) {
  MonthReport report;
  report.month = month;
  report.as_of = as_of;
  auto r = month_report(store, month, as_of, contract,
                        [&](const ContractReport& c) { report.contracts.push_back(c); });
  if (!r) {
    return r.error();
  }
  return report;
}

namespace {

// The device's plugins that read it as `kind` (SNMP or NETCONF); all of its plugins when none
// does (then the plugin says what it does not read). Errors: not_found for a name this colosla
// does not have.
Result<std::vector<const DevicePlugin*>> plugins_of(const Registry& registry, const Device& device,
                                                    PluginKind kind) {
  auto plugins = registry.plugins_of(device);
  if (!plugins.missing.empty()) {
    return make_error(Errc::not_found, device.name + " names the plugin \"" +
                                           plugins.missing.front() +
                                           "\", which this colosla does not have");
  }
  std::vector<const DevicePlugin*> out;
  for (const DevicePlugin* p : plugins.found) {
    if (p->info().kind == kind) {
      out.push_back(p);
    }
  }
  if (out.empty()) {
    out = std::move(plugins.found);
  }
  if (out.empty()) {
    return make_error(Errc::not_found, device.name + " names no plugin");
  }
  return out;
}

// Asks the device once for each of its plugins and adds their readings up. One plugin: its
// answer as it is. Several: the first that does not answer, or cannot read its answer, speaks
// for the device; each state without a date of its own is dated at its plugin's answer.
Result<DeviceAnswer> ask_each(const Ask& ask, const std::vector<const DevicePlugin*>& plugins,
                              const DeviceView& view) {
  if (plugins.size() == 1) {
    return ask(*plugins.front(), view);
  }
  PollMeaning all;
  Timestamp at{};
  for (const DevicePlugin* p : plugins) {
    auto answer = ask(*p, view);
    if (!answer) {
      return answer.error();
    }
    if (!answer->meaning) {
      return DeviceAnswer{
          make_error(answer->meaning.error().code,
                     "plugin " + p->info().name + ": " + answer->meaning.error().msg),
          answer->at};
    }
    at = std::max(at, answer->at);
    for (auto& s : answer->meaning->states) {
      s.since = s.since.value_or(answer->at);
      all.states.push_back(std::move(s));
    }
    all.ports.insert(all.ports.end(), answer->meaning->ports.begin(), answer->meaning->ports.end());
  }
  return DeviceAnswer{std::move(all), at};
}

std::map<std::int64_t, std::string> port_names_of(const Store& store, const std::string& device) {
  auto index = store.port_index();
  if (index && index->count(device) != 0) {
    return index->at(device);
  }
  return {};
}

}  // namespace

// A device the poll rules read: which device it is (sysObjectID.0), then the scalars and the
// columns of the rules that match it, read by their state maps.
Result<DeviceAnswer> ask_poll_rules(const TrapRules& rules, const Fetch& fetch,
                                    const DeviceView& view) {
  auto id = fetch(view.device, PollRequest{{kSysObjectId}, {}});
  if (!id) {
    return id.error();
  }
  const auto v = std::find_if(id->varbinds.begin(), id->varbinds.end(),
                              [](const Varbind& b) { return b.oid == kSysObjectId; });
  if (v == id->varbinds.end() || v->type != VarType::oid) {
    return DeviceAnswer{
        make_error(Errc::invalid_input, v == id->varbinds.end() || v->type != VarType::octet_string
                                            ? "it has no sysObjectID.0, by which poll rules match"
                                            : "its sysObjectID.0 is not an OID"),
        id->at};
  }
  const auto polls = rules.polls_for(v->text);
  if (polls.empty()) {
    return DeviceAnswer{
        make_error(Errc::not_found,
                   "no poll rule in force matches its sysObjectID " + escaped(v->text)),
        id->at};
  }
  auto answer = fetch(view.device, request_of(polls));
  if (!answer) {
    return answer.error();
  }
  return DeviceAnswer{read_polls(polls, *answer, view), answer->at};
}

Result<PollReport> poll_device(Store& store, const Registry& registry, const Device& device,
                               const Ask& ask, const PollOrigin& origin, const Clock& clock) {
  PollReport report;
  report.device = device.name;
  auto plugins = plugins_of(
      registry, device, origin.source == Source::netconf ? PluginKind::netconf : PluginKind::snmp);
  if (!plugins) {
    return plugins.error();
  }
  auto latest = store.latest_states_of(device.name);
  if (!latest) {
    return latest.error();
  }
  std::map<EntityId, StateChange> current(latest->begin(), latest->end());

  const std::map<std::int64_t, std::string> names = port_names_of(store, device.name);
  const DeviceView view{device, names};
  auto answer = ask_each(ask, *plugins, view);
  const Timestamp now = clock.now();
  std::vector<Observation> changes;
  const auto record = [&](const EntityId& e, State s, Timestamp when, const std::string& evidence) {
    const auto it = current.find(e);
    if (it != current.end() && it->second.state == s) {
      return;
    }
    if (it != current.end()) {
      when = std::max(when, it->second.time);  // keep the entity's history in order
    }
    Observation o;
    o.time = std::min(when, now);
    o.entity = e;
    o.state = s;
    o.source = origin.source;
    o.received = now;
    o.origin = origin.origin;
    o.evidence = evidence;
    changes.push_back(std::move(o));
  };

  if (!answer) {
    report.problem = answer.error().msg;
    // Every entity of the device the store or the inventory knows becomes unknown.
    std::set<EntityId> entities;
    for (const auto& [e, _] : current) {
      entities.insert(e);
    }
    auto inv = store.load_inventory();
    const std::vector<Contract> none;
    for (const auto& c : inv && inv->has_value() ? (*inv)->contracts : none) {
      for (const auto& p : c.power_sources) {
        if (p.device == device.name) {
          entities.insert(device.role == Role::ups ? EntityId::ups(p.device)
                          : p.outlet               ? EntityId::outlet(p.device, *p.outlet)
                                                   : EntityId::inlet(p.device));
        }
      }
    }
    for (const auto& e : entities) {
      record(e, State::unknown, now, "no answer to a poll: " + answer.error().msg);
    }
  } else if (!answer->meaning) {
    report.problem = "the answer could not be read: " + answer->meaning.error().msg;
  } else {
    const PollMeaning& meaning = *answer->meaning;
    report.answered = true;
    report.states = meaning.states.size();
    report.ports = meaning.ports;
    const std::string what = origin.source == Source::netconf ? "netconf read " : "poll ";
    for (const auto& s : meaning.states) {
      record(s.entity, s.state, s.since.value_or(answer->at),
             what + origin.origin + ": " + s.detail);
    }
    if (!meaning.ports.empty()) {
      std::vector<PortName> ports;
      for (const auto& p : meaning.ports) {
        ports.push_back(PortName{p.if_index, p.name, p.alias});
      }
      if (auto r = store.save_port_index(device.name, ports, now); !r) {
        return r.error();
      }
    }
  }
  if (!changes.empty()) {
    auto n = store.add_observations(changes);
    if (!n) {
      return n.error();
    }
  }
  report.recorded = std::move(changes);
  return report;
}

Result<PollReport> poll_device(Store& store, const Registry& registry, const Device& device,
                               const Fetch& fetch, const Clock& clock, const TrapRules* rules) {
  const Ask ask = [&](const DevicePlugin& plugin, const DeviceView& view) -> Result<DeviceAnswer> {
    if (rules != nullptr && plugin.info().name == "rules") {
      return ask_poll_rules(*rules, fetch, view);
    }
    auto answer = fetch(device, plugin.poll_request(device));
    if (!answer) {
      return answer.error();
    }
    return DeviceAnswer{plugin.on_poll(*answer, view), answer->at};
  };
  return poll_device(
      store, registry, device, ask,
      PollOrigin{Source::poll, "snmp:" + device.address + ":" + std::to_string(device.snmp.port)},
      clock);
}

Result<NotificationReport> record_notification(Store& store, const Registry& registry,
                                               const Device& device, const NetconfNotification& n,
                                               const PollOrigin& origin, const Clock& clock) {
  auto plugins = plugins_of(registry, device, PluginKind::netconf);
  if (!plugins) {
    return plugins.error();
  }
  // The plugin whose record declares the notification (the first, if several do), else the
  // device's own, which says it does not read it.
  const auto readers = Registry::for_notification(*plugins, n.node.module, n.node.name);
  const DevicePlugin* plugin = readers.empty() ? plugins->front() : readers.front();
  const std::map<std::int64_t, std::string> names = port_names_of(store, device.name);
  auto meaning = plugin->on_notification(n, DeviceView{device, names});
  if (!meaning) {
    return make_error(meaning.error().code,
                      n.node.module + ":" + n.node.name + ": " + meaning.error().msg, device.name);
  }
  NotificationReport report;
  report.summary = meaning->summary;
  report.poll = meaning->poll || meaning->refresh;
  const Timestamp now = clock.now();
  std::vector<Observation> changes;
  auto done = store.write([&]() -> Result<void> {
    auto latest = store.latest_states_of(device.name);
    if (!latest) {
      return latest.error();
    }
    std::map<EntityId, StateChange> current(latest->begin(), latest->end());
    for (const auto& s : meaning->states) {
      const Timestamp when = std::min(s.since.value_or(n.event_time), now);
      const auto it = current.find(s.entity);
      if (it != current.end() && when < it->second.time) {
        ++report.superseded;
        continue;
      }
      if (it != current.end() && it->second.state == s.state) {
        continue;
      }
      Observation o;
      o.time = when;
      o.entity = s.entity;
      o.state = s.state;
      o.source = origin.source;
      o.received = now;
      o.origin = origin.origin;
      o.evidence = "notification " + n.node.module + ":" + n.node.name + " eventTime " +
                   format_time_utc(n.event_time) + ": " + s.detail;
      current[s.entity] = StateChange{o.time, o.state};
      changes.push_back(std::move(o));
    }
    if (changes.empty()) {
      return {};
    }
    auto stored = store.add_observations(changes);
    if (!stored) {
      return stored.error();
    }
    return {};
  });
  if (!done) {
    return done.error();
  }
  report.recorded = std::move(changes);
  return report;
}

// -- observation lines -----------------------------------------------------------------------

namespace {

using nlohmann::json;

Error bad(std::string msg) { return make_error(Errc::invalid_input, std::move(msg)); }

// A member that must be a string when present; a number is accepted for outlet names.
Result<std::optional<std::string>> member(const json& j, const char* name, bool number_ok = false) {
  const auto it = j.find(name);
  if (it == j.end()) {
    return std::optional<std::string>{};
  }
  if (it->is_string()) {
    return std::optional<std::string>{it->get<std::string>()};
  }
  if (number_ok && it->is_number_integer()) {
    return std::optional<std::string>{std::to_string(it->get<long long>())};
  }
  return bad("\"" + std::string(name) + "\" must be a string");
}

}  // namespace

ObservationParser::ObservationParser(const Inventory& inventory, Timestamp now) : now_(now) {
  for (const auto& d : inventory.devices) {
    devices_.emplace(d.name, &d);
  }
  for (const auto& c : inventory.contracts) {
    for (const auto& pt : c.probe_targets) {
      auto& services = targets_[pt.address];
      services.insert(services.end(), pt.services.begin(), pt.services.end());
    }
  }
}

Result<Observation> parse_observation(std::string_view line, const Inventory& inventory,
                                      Timestamp now) {
  return ObservationParser(inventory, now).parse(line);
}

Result<Observation> ObservationParser::parse(std::string_view line) const {
  json j;
  try {
    j = json::parse(line);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e400
    std::string what = e.what();
    if (const auto p = what.find("] "); p != std::string::npos) {
      what = what.substr(p + 2);
    }
    return bad("not JSON: " + what);
  }
  if (!j.is_object()) {
    return bad("a line must be one JSON object");
  }
  static constexpr std::array<std::string_view, 9> kKnown{
      "time", "device", "interface", "outlet", "state", "target", "service", "result", "evidence"};
  for (const auto& [key, _] : j.items()) {
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      return bad("unknown member \"" + key + "\"");
    }
  }
  auto time_text = member(j, "time");
  auto device = member(j, "device");
  auto interface = member(j, "interface");
  auto outlet = member(j, "outlet", true);
  auto state = member(j, "state");
  auto target = member(j, "target");
  auto service = member(j, "service");
  auto result = member(j, "result");
  for (auto* m : {&time_text, &device, &interface, &outlet, &state, &target, &service, &result}) {
    if (!*m) {
      return m->error();
    }
  }
  if (!time_text->has_value()) {
    return bad("\"time\" is missing");
  }
  auto t = parse_time(**time_text);
  if (!t) {
    return bad("\"time\": " + t.error().msg);
  }
  if (*t < Timestamp{}) {
    return bad("\"time\": " + **time_text + " is before 1970");
  }
  if (*t > now_ + std::chrono::days{1}) {
    return bad("\"time\": " + **time_text + " is more than a day after now (" +
               format_time_utc(now_) + ")");
  }

  Observation o;
  o.time = *t;
  o.source = Source::import;

  if (device->has_value() == target->has_value()) {
    return bad("a line names either a \"device\" (port or power) or a \"target\" (probe)");
  }
  if (target->has_value()) {
    for (const char* k : {"interface", "outlet", "state"}) {
      if (j.contains(k)) {
        return bad("a probe line has no \"" + std::string(k) + "\" (it has \"result\")");
      }
    }
    if (!service->has_value()) {
      return bad("\"service\" is missing");
    }
    if (!result->has_value()) {
      return bad("\"result\" is missing");
    }
    auto svc = parse_probe_service(**service);
    if (!svc) {
      return svc.error();
    }
    const auto watched = targets_.find(**target);
    if (watched == targets_.end()) {
      return make_error(Errc::not_found, "no contract has the probe target " + **target);
    }
    if (std::find(watched->second.begin(), watched->second.end(), *svc) == watched->second.end()) {
      return make_error(Errc::not_found, **target + " is not watched for " + **service);
    }
    o.entity = EntityId::probe(**target, **service);
    auto st = parse_state(EntityKind::probe, **result);
    if (!st) {
      return st.error();
    }
    o.state = *st;
    return o;
  }

  for (const char* k : {"service", "result"}) {
    if (j.contains(k)) {
      return bad("a device line has no \"" + std::string(k) + "\" (that is for a probe target)");
    }
  }
  const auto found = devices_.find(**device);
  if (found == devices_.end()) {
    return make_error(Errc::not_found, "no device " + **device + " in the inventory");
  }
  const Device* d = found->second;
  if (!state->has_value()) {
    return bad("\"state\" is missing");
  }
  switch (d->role) {
    case Role::network_switch:
      if (outlet->has_value()) {
        return bad(d->name + " is a switch: it has interfaces, not outlets");
      }
      if (!interface->has_value()) {
        return bad(d->name + " is a switch: \"interface\" is missing");
      }
      o.entity = EntityId::port(d->name, **interface);
      break;
    case Role::pdu:
      if (interface->has_value()) {
        return bad(d->name + " is a pdu: it has outlets, not interfaces");
      }
      o.entity =
          outlet->has_value() ? EntityId::outlet(d->name, **outlet) : EntityId::inlet(d->name);
      break;
    case Role::ups:
      if (interface->has_value() || outlet->has_value()) {
        return bad(d->name + " is a ups: a UPS line has only a \"state\" (its output source)");
      }
      o.entity = EntityId::ups(d->name);
      break;
  }
  auto st = parse_state(o.entity.kind, **state);
  if (!st) {
    return st.error();
  }
  o.state = *st;
  return o;
}

Result<ImportOutcome> import_observations(Store& store, std::istream& in, const std::string& name,
                                          bool skip_bad, Timestamp received) {
  auto inv = require_inventory(store);
  if (!inv) {
    return inv.error();
  }
  ImportOutcome out;
  const ObservationParser parser(*inv, received);
  // Lines go into the store in batches inside one transaction, so memory stays flat however
  // long the file; a bad line (without skip_bad) rolls the whole file back at the end, after
  // every bad line has been found and reported.
  constexpr std::size_t kBatch = 10'000;
  std::vector<Observation> batch;
  batch.reserve(kBatch);
  bool rejected = false;
  auto done = store.write([&]() -> Result<void> {
    std::string line;
    std::size_t number = 0;
    const auto flush = [&]() -> Result<void> {
      if (batch.empty()) {
        return {};
      }
      auto n = store.add_observations(batch);
      if (!n) {
        return n.error();
      }
      out.stored += *n;
      batch.clear();
      return {};
    };
    while (std::getline(in, line)) {
      ++number;
      if (!line.empty() && line.back() == '\r') {
        line.pop_back();
      }
      if (line.find_first_not_of(" \t") == std::string::npos) {
        continue;
      }
      ++out.lines;
      auto o = parser.parse(line);
      if (!o) {
        out.bad.push_back(LineError{number, o.error().msg});
        continue;
      }
      if (!out.bad.empty() && !skip_bad) {
        continue;  // the file will be rolled back: only look for more bad lines
      }
      o->received = received;
      o->origin = name + ":" + std::to_string(number);
      o->evidence = line;
      batch.push_back(std::move(*o));
      if (batch.size() == kBatch) {
        if (auto r = flush(); !r) {
          return r;
        }
      }
    }
    if (in.bad()) {
      return make_error(Errc::io, "read error", name);
    }
    if (!out.bad.empty() && !skip_bad) {
      rejected = true;
      return make_error(Errc::invalid_input, "bad lines");  // rolls everything back
    }
    return flush();
  });
  if (rejected) {
    out.stored = 0;
    return out;
  }
  if (!done) {
    return done.error();
  }
  return out;
}

}  // namespace colosla::core
