#include "colosla/trap_processor.hpp"

#include <algorithm>

namespace colosla::core {

std::string_view to_string(Disposition d) {
  switch (d) {
    case Disposition::observation:
      return "observation";
    case Disposition::evidence:
      return "evidence";
    case Disposition::duplicate:
      return "duplicate";
    case Disposition::rate_limited:
      return "rate-limited";
    case Disposition::unknown_source:
      return "unknown source";
    case Disposition::bad_community:
      return "bad community";
    case Disposition::malformed:
      return "malformed";
  }
  return "?";
}

std::map<std::string, std::int64_t> TrapCounters::named() const {
  return {{"trapd.received", received},
          {"trapd.accepted", accepted},
          {"trapd.rejected.unknown-source", rejected_unknown_source},
          {"trapd.rejected.bad-community", rejected_bad_community},
          {"trapd.rejected.usm", rejected_usm},
          {"trapd.rejected.malformed", rejected_malformed},
          {"trapd.duplicates", duplicates},
          {"trapd.rate-limited", rate_limited},
          {"trapd.observations-stored", observations_stored},
          {"trapd.evidence-stored", evidence_stored},
          {"trapd.informs-answered", informs_answered},
          {"trapd.polls-requested", polls_requested},
          {"trapd.v3-discovery", v3_discovery},
          {"trapd.ignored.not-notification", not_notifications},
          {"trapd.informs-retransmitted", inform_repeats}};
}

TrapCounters TrapCounters::minus(const TrapCounters& b) const {
  TrapCounters d;
  d.received = received - b.received;
  d.accepted = accepted - b.accepted;
  d.rejected_unknown_source = rejected_unknown_source - b.rejected_unknown_source;
  d.rejected_bad_community = rejected_bad_community - b.rejected_bad_community;
  d.rejected_usm = rejected_usm - b.rejected_usm;
  d.rejected_malformed = rejected_malformed - b.rejected_malformed;
  d.duplicates = duplicates - b.duplicates;
  d.rate_limited = rate_limited - b.rate_limited;
  d.observations_stored = observations_stored - b.observations_stored;
  d.evidence_stored = evidence_stored - b.evidence_stored;
  d.informs_answered = informs_answered - b.informs_answered;
  d.polls_requested = polls_requested - b.polls_requested;
  d.v3_discovery = v3_discovery - b.v3_discovery;
  d.not_notifications = not_notifications - b.not_notifications;
  d.inform_repeats = inform_repeats - b.inform_repeats;
  return d;
}

TrapProcessor::TrapProcessor(const Inventory& inventory, const Registry& registry, const Clock& clock,
                             Options options)
    : inventory_(inventory), registry_(registry), clock_(clock), options_(std::move(options)) {
  for (const auto& d : inventory_.devices) {
    by_address_.emplace(d.address, &d);
  }
  recent_swept_ = clock_.now();
}

void TrapProcessor::set_port_names(const std::string& device, std::map<std::int64_t, std::string> names) {
  port_names_[device] = std::move(names);
}

void TrapProcessor::set_known_state(const EntityId& e, State s) { known_[e] = s; }

const Device* TrapProcessor::match(const Trap& t) const {
  // A v1 trap's agent-addr names the agent that raised it, also when a relay forwarded it: it
  // wins when it names a device. Otherwise the sender's address. Several devices behind one
  // address (a proxy, a simulator) are told apart by community or v3 user.
  std::vector<const Device*> found;
  const auto take = [&](const std::string& address) {
    const auto [a, b] = by_address_.equal_range(address);
    for (auto it = a; it != b; ++it) {
      found.push_back(it->second);
    }
  };
  if (t.version == 1 && !t.agent_address.empty() && t.agent_address != "0.0.0.0") {
    take(t.agent_address);
  }
  if (found.empty()) {
    take(t.source_address);
  }
  if (found.size() > 1) {
    for (const Device* d : found) {
      if ((t.version == 3 && d->snmp.version == "v3" && d->snmp.user == t.user) ||
          (t.version != 3 && d->snmp.version != "v3" && d->snmp.community == t.community)) {
        return d;
      }
    }
  }
  return found.empty() ? nullptr : found.front();
}

bool TrapProcessor::community_ok(const Device& d, const Trap& t) const {
  if (!options_.check_community || t.version == 3) {
    return true;  // USM has authenticated it already
  }
  if (t.community == d.snmp.community) {
    return true;
  }
  return std::find(options_.communities.begin(), options_.communities.end(), t.community) !=
         options_.communities.end();
}

bool TrapProcessor::take_token(const std::string& device) {
  const Timestamp now = clock_.now();
  auto [it, fresh] = buckets_.try_emplace(device, Bucket{options_.rate_burst, now});
  Bucket& b = it->second;
  if (!fresh && now > b.last) {
    b.tokens = std::min(options_.rate_burst,
                        b.tokens + options_.rate_per_second * static_cast<double>((now - b.last).count()));
    b.last = now;
  }
  if (b.tokens < 1) {
    return false;
  }
  b.tokens -= 1;
  return true;
}

void TrapProcessor::forget_old(Timestamp now) {
  if (now - recent_swept_ < options_.duplicate_window) {
    return;
  }
  std::erase_if(recent_, [&](const auto& kv) { return now - kv.second >= options_.duplicate_window; });
  recent_swept_ = now;
}

Processed TrapProcessor::process(const Trap& t) {
  Processed out;
  ++counters_.received;
  const std::string origin = "udp:" + t.source_address + ":" + std::to_string(t.source_port);
  const Device* d = match(t);
  if (d == nullptr) {
    out.disposition = Disposition::unknown_source;
    ++counters_.rejected_unknown_source;
    out.log = "rejected: no device of the inventory has the address " + t.source_address;
    return out;
  }
  out.device = d;
  if (!community_ok(*d, t)) {
    out.disposition = Disposition::bad_community;
    ++counters_.rejected_bad_community;
    out.log = "rejected: " + d->name + " does not use the community \"" + t.community + "\"";
    return out;
  }
  ++counters_.accepted;

  const std::string text = to_text(t);
  const auto keep_evidence = [&](Disposition disp, std::string reason) {
    out.disposition = disp;
    out.evidence = TrapEvidence{t.received, d->name, origin, t.trap_oid, std::move(reason), text};
  };

  const DevicePlugin* plugin = registry_.find(d->plugin);
  TrapMeaning meaning;
  if (plugin == nullptr || !plugin->handles(t.trap_oid)) {
    meaning.summary = plugin == nullptr ? "no plugin \"" + d->plugin + "\" in this colosla"
                                        : "plugin " + d->plugin + " does not translate " + t.trap_oid;
  } else {
    static const std::map<std::int64_t, std::string> kNone;
    const auto names = port_names_.find(d->name);
    const DeviceView view{*d, names == port_names_.end() ? kNone : names->second};
    auto m = plugin->on_trap(t, view);
    if (!m) {
      ++counters_.rejected_malformed;
      keep_evidence(Disposition::malformed, "malformed: " + m.error().msg);
      ++counters_.evidence_stored;
      out.log = "malformed: " + m.error().msg + " (kept as evidence)";
      return out;
    }
    meaning = std::move(*m);
  }
  out.poll = meaning.poll;
  out.refresh = meaning.refresh;

  // A state change always goes through; a trap that changes nothing may be a repeat, and is
  // subject to the device's rate.
  bool changes = false;
  for (const auto& s : meaning.states) {
    const auto k = known_.find(s.entity);
    changes = changes || k == known_.end() || k->second != s.state;
  }
  const Timestamp now = clock_.now();
  forget_old(now);
  std::string key = d->name;
  key += '\n';
  key += t.trap_oid;
  for (const auto& v : t.varbinds) {
    key += '\n';
    key += v.oid;
    key += '=';
    key += v.text;
  }
  // The window runs from the last time this trap was recorded, not from its last repeat: a
  // condition a device keeps announcing is recorded once a window.
  auto [seen, first] = recent_.try_emplace(std::move(key), now);
  const bool repeat = !first && now - seen->second < options_.duplicate_window;
  if (!repeat) {
    seen->second = now;
  }
  if (!changes) {
    if (repeat) {
      out.disposition = Disposition::duplicate;
      ++counters_.duplicates;
      out.log = "duplicate, not stored";
      return out;
    }
    if (!take_token(d->name)) {
      out.disposition = Disposition::rate_limited;
      ++counters_.rate_limited;
      out.log = "over the device's rate, not stored";
      return out;
    }
  }

  if (meaning.states.empty()) {
    keep_evidence(Disposition::evidence, meaning.summary.empty() ? "no state in it" : meaning.summary);
    ++counters_.evidence_stored;
    out.log = (meaning.summary.empty() ? std::string("no state in it") : meaning.summary) + " (kept as evidence)";
    return out;
  }
  out.disposition = Disposition::observation;
  for (const auto& s : meaning.states) {
    Observation o;
    o.time = t.received;
    o.entity = s.entity;
    o.state = s.state;
    o.source = Source::trap;
    o.received = t.received;
    o.origin = origin;
    o.evidence = s.detail.empty() ? text : text + " => " + s.detail;
    out.observations.push_back(std::move(o));
    known_[s.entity] = s.state;
  }
  counters_.observations_stored += static_cast<std::int64_t>(out.observations.size());
  out.log = meaning.summary;
  return out;
}

std::string describe(const Trap& trap, const Processed& p) {
  std::string s = p.device != nullptr ? p.device->name + ": " : std::string();
  s += to_text(trap);
  s += " => ";
  s += p.log.empty() ? std::string(to_string(p.disposition)) : p.log;
  return s;
}

}  // namespace colosla::core
