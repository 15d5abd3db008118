#include "colosla/ingest/trap_processor.hpp"

#include <algorithm>
#include <optional>

#include "colosla/base/text.hpp"
#include "colosla/ingest/trap_key.hpp"

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
          {"trapd.rejected.overload", rejected_overload},
          {"trapd.ignored.not-notification", not_notifications},
          {"trapd.ignored.inform-retransmitted", inform_repeats},
          {"trapd.diagnostic.unreadable", diagnostic_unreadable},
          {"trapd.relay.trusted", relay_trusted},
          {"trapd.relay.untrusted", relay_untrusted},
          {"trapd.relay.unreadable", relay_unreadable}};
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
  d.relay_trusted = relay_trusted - b.relay_trusted;
  d.relay_untrusted = relay_untrusted - b.relay_untrusted;
  d.relay_unreadable = relay_unreadable - b.relay_unreadable;
  d.rejected_overload = rejected_overload - b.rejected_overload;
  d.diagnostic_unreadable = diagnostic_unreadable - b.diagnostic_unreadable;
  return d;
}

std::int64_t TrapCounters::received_unaccounted() const {
  return received - (accepted + rejected_unknown_source + rejected_bad_community + rejected_usm +
                     rejected_malformed + rejected_overload + v3_discovery + not_notifications +
                     inform_repeats);
}

std::int64_t TrapCounters::accepted_unaccounted() const {
  return accepted - (observations_stored + evidence_stored + duplicates + rate_limited);
}

void TrapCounters::take_receiver(const ReceiveCounters& rx) {
  received = rx.datagrams;
  rejected_usm = rx.usm;
  rejected_malformed = rx.malformed;
  rejected_overload = rx.overload;
  v3_discovery = rx.discovery;
  not_notifications = rx.not_notifications;
  inform_repeats = rx.inform_repeats;
}

TrapProcessor::TrapProcessor(const Inventory& inventory, const Registry& registry,
                             const Clock& clock, Options options)
    : inventory_(inventory), registry_(registry), clock_(clock), options_(std::move(options)) {
  for (const auto& d : inventory_.devices) {
    by_address_.emplace(d.address, &d);
    plugins_.emplace(&d, registry_.plugins_of(d));
  }
  recent_swept_ = clock_.now();
}

void TrapProcessor::set_port_names(const std::string& device,
                                   std::map<std::int64_t, std::string> names) {
  port_names_[device] = std::move(names);
}

void TrapProcessor::set_known_state(const EntityId& e, State s, Timestamp time) {
  // The store confirming what a trap recorded (the daemon re-reads the states after every poll)
  // keeps that trap's identity, so that its repeat is still a duplicate. What the store has from
  // no later than this processor's own record of the entity is older news: under a flood the
  // daemon's commits of a port's traps come back after newer traps of that port were processed,
  // and taking them would make the next change look like a repeat.
  const auto [k, fresh] = known_.try_emplace(e);
  if (!fresh && k->at != Timestamp{} && time <= k->at) {
    return;
  }
  if (fresh || k->state != s) {
    *k = Known{s, 0, {}};
  }
}

const Device* TrapProcessor::match(const Trap& t, const std::string* named) const {
  // A v1 trap's agent-addr names the agent that raised it, also when a relay forwarded it: it
  // wins when it names a device. A trusted relay's snmpTrapAddress.0 (`named`) names the device
  // alone: when no device has that address the trap is from an unknown source, never the
  // relay's. Otherwise the sender's address. Several devices behind one address (a proxy, a
  // simulator) are told apart by community or v3 user.
  const auto at = [&](const std::string& address) -> const Device* {
    const auto [first, last] = by_address_.equal_range(address);
    if (first == last) {
      return nullptr;
    }
    if (std::next(first) != last) {
      for (auto it = first; it != last; ++it) {
        const Device* d = it->second;
        if ((t.version == 3 && d->snmp.version == "v3" && d->snmp.user == t.user) ||
            (t.version != 3 && d->snmp.version != "v3" && d->snmp.community == t.community)) {
          return d;
        }
      }
    }
    return first->second;
  };
  if (named != nullptr) {
    return at(*named);
  }
  if (t.version == 1 && !t.agent_address.empty() && t.agent_address != "0.0.0.0") {
    if (const Device* d = at(t.agent_address)) {
      return d;
    }
  }
  return at(t.source_address);
}

DeviceView TrapProcessor::view_of(const Device& d) const {
  static const std::map<std::int64_t, std::string> kNone;
  const auto names = port_names_.find(d.name);
  return DeviceView{d, names == port_names_.end() ? kNone : names->second};
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

bool TrapProcessor::relay_community_ok(const Trap& t) const {
  // A relay that authenticates with its own community: the one of an inventory device at its
  // address (a relay that is itself monitored). Its other communities go in `communities`.
  const auto [first, last] = by_address_.equal_range(t.source_address);
  return std::any_of(first, last, [&](const auto& kv) {
    return kv.second->snmp.version != "v3" && kv.second->snmp.community == t.community;
  });
}

bool TrapProcessor::take_token(const std::string& device) {
  const Timestamp now = clock_.now();
  auto [it, fresh] = buckets_.try_emplace(device, Bucket{options_.rate_burst, now});
  Bucket& b = it->second;
  if (!fresh && now > b.last) {
    b.tokens =
        std::min(options_.rate_burst,
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
  if (now - recent_swept_ < options_.duplicate_window && recent_.size() < kMaxRecent) {
    return;
  }
  std::erase_if(recent_,
                [&](const auto& kv) { return now - kv.second >= options_.duplicate_window; });
  if (recent_.size() >= kMaxRecent) {
    recent_.clear();  // a flood of distinct traps within the window: start again
  }
  recent_swept_ = now;
}

namespace {

// The identity of a trap for duplicate detection: a 64-bit hash of its parts, without building
// a string.
struct TrapHash {
  std::uint64_t h = 0x9e3779b97f4a7c15ULL;
  void add(std::string_view s) {
    h = (h ^ std::hash<std::string_view>{}(s)) * 0x100000001b3ULL + 0x9e37;
  }
};

}  // namespace

Processed TrapProcessor::process(const Trap& t) {
  Processed out;
  ++counters_.received;
  // Which device: a trusted relay may name it; from anyone else snmpTrapAddress.0 is ignored,
  // so that a device cannot speak for another.
  out.relay = relay_verdict(t, options_.relays);
  const bool relayed = out.relay.kind == RelayVerdict::Kind::relayed;
  counters_.relay_trusted += relayed ? 1 : 0;
  counters_.relay_untrusted += out.relay.kind == RelayVerdict::Kind::untrusted ? 1 : 0;
  counters_.relay_unreadable += out.relay.kind == RelayVerdict::Kind::unreadable ? 1 : 0;
  const Device* d = match(t, relayed ? &out.relay.device_address : nullptr);
  if (d == nullptr) {
    out.disposition = Disposition::unknown_source;
    ++counters_.rejected_unknown_source;
    out.log = relayed ? "rejected: the relay " + t.source_address + " speaks for " +
                            out.relay.device_address + ", which no device of the inventory has"
                      : "rejected: no device of the inventory has the address " + t.source_address;
    return out;
  }
  out.device = d;
  const bool checked = options_.check_community && t.version != 3;
  if (!community_ok(*d, t) && !(relayed && checked && relay_community_ok(t))) {
    out.disposition = Disposition::bad_community;
    out.community = CommunityCheck::refused;
    ++counters_.rejected_bad_community;
    out.log = "rejected: the community is not one " + d->name + " uses";
    return out;
  }
  out.community = checked ? CommunityCheck::matched : CommunityCheck::not_checked;
  ++counters_.accepted;

  // The core reads restart traps itself, once for the device; the registry gives every other
  // trap to the device's plugins whose records declare its OID.
  const Registry::DevicePlugins& mine = plugins_.at(d);
  TrapMeaning meaning;
  std::optional<TrapMeaning> restart = restart_meaning(t.trap_oid, mine.found);
  std::vector<Registry::TrapReader> readers;
  if (!restart) {
    readers = registry_.for_trap(mine.found, t.trap_oid);
  }
  // An SNMPv1 agent's E.0.N for a notification its MIB defines as E.N (RFC 3584): the plugin,
  // the evidence, the observation and the duplicate key see the OID as the record declares it,
  // so that the v1 and v2 forms of one notification are one trap.
  std::optional<Trap> renamed;
  if (!readers.empty() && readers.front().trap_oid != t.trap_oid) {
    renamed = t;
    renamed->trap_oid = readers.front().trap_oid;
    out.trap_oid = renamed->trap_oid;
  }
  const Trap& as_declared = renamed ? *renamed : t;

  // What is stored with it: where it came from, and the trap as text (built only for a trap that
  // is stored, not for a duplicate).
  const auto origin = [&] {
    std::string o = "udp:" + t.source_address + ":" + std::to_string(t.source_port);
    if (relayed) {
      o += " relay for " + out.relay.device_address;  // both: the relay, and whom it spoke for
    }
    return o;
  };
  const auto keep_evidence = [&](Disposition disp, std::string reason) {
    out.disposition = disp;
    out.evidence =
        TrapEvidence{t.received,           d->name,           origin(),
                     as_declared.trap_oid, std::move(reason), to_text(as_declared, out.community)};
  };

  if (restart) {
    meaning = std::move(*restart);
  } else if (readers.empty()) {
    const TrapRule* rule = options_.rules != nullptr ? options_.rules->find(t) : nullptr;
    if (rule == nullptr) {
      meaning.summary = !mine.missing.empty()
                            ? "no plugin \"" + mine.missing.front() + "\" in this colosla"
                            : "plugin " + d->plugin + " does not translate " + t.trap_oid;
    } else {
      auto m = apply(*rule, t, view_of(*d));
      if (!m) {
        // It may quote what the device sent. Counted as the plugins' verdicts are: evidence-stored,
        // and unreadable beside the identities.
        const std::string why = escaped(m.error().msg);
        ++counters_.diagnostic_unreadable;
        keep_evidence(Disposition::malformed, "malformed: " + why + " (rule " + rule->name + ")");
        ++counters_.evidence_stored;
        out.log = "malformed: " + why + " (rule " + rule->name + "; kept as evidence)";
        return out;
      }
      meaning = std::move(*m);
      meaning.summary = escaped(meaning.summary) + " (rule " + rule->name + ")";
    }
  } else {
    const DeviceView view = view_of(*d);
    for (const Registry::TrapReader& reader : readers) {
      const DevicePlugin* plugin = reader.plugin;
      // Another plugin of the device may declare the other form: each reads its own.
      std::optional<Trap> own;
      if (reader.trap_oid != as_declared.trap_oid) {
        own = t;
        own->trap_oid = reader.trap_oid;
      }
      auto m = plugin->on_trap(own ? *own : as_declared, view);
      if (!m) {
        // The plugin's message may quote what the device sent. Accepted and stored as evidence,
        // which is where it is counted; unreadable is a diagnostic beside the identities, so that a
        // plugin's verdict is not counted twice.
        const std::string why = escaped(m.error().msg);
        ++counters_.diagnostic_unreadable;
        keep_evidence(Disposition::malformed, "malformed: " + why);
        ++counters_.evidence_stored;
        out.log = "malformed: " + why + " (kept as evidence)";
        return out;
      }
      if (plugin == readers.front().plugin) {
        meaning = std::move(*m);
        meaning.summary = escaped(meaning.summary);
        continue;
      }
      // Several plugins of one device may read the same trap: what they say adds up.
      meaning.states.insert(meaning.states.end(), std::make_move_iterator(m->states.begin()),
                            std::make_move_iterator(m->states.end()));
      meaning.poll = meaning.poll || m->poll;
      meaning.refresh = meaning.refresh || m->refresh;
      if (!m->summary.empty()) {
        meaning.summary += (meaning.summary.empty() ? "" : "; ") + escaped(m->summary);
      }
    }
  }
  out.poll = meaning.poll;
  out.refresh = meaning.refresh;

  const Timestamp now = clock_.now();
  TrapHash key;
  key.add(d->name);
  key.add(as_declared.trap_oid);
  for (const auto& v : t.varbinds) {
    key.add(v.oid);
    key.add(v.text);
  }
  // A state change always goes through. A trap that changes nothing is a duplicate when the same
  // trap recorded the state less than a window ago (the window runs from when it was recorded,
  // not from its last repeat: a condition a device keeps announcing is recorded once a window),
  // and is subject to the device's rate otherwise.
  bool changes = false;
  bool repeat = !meaning.states.empty();
  slots_.clear();
  for (const auto& s : meaning.states) {
    const auto [slot, fresh] = known_.try_emplace(s.entity);
    Known& k = *slot;
    changes = changes || fresh || k.state != s.state;
    repeat = repeat && !fresh && k.trap == key.h && now - k.at < options_.duplicate_window;
    slots_.push_back(&k);
  }
  if (!changes) {
    if (!repeat) {
      forget_old(now);
      auto [seen, first] = recent_.try_emplace(key.h, now);
      repeat = !first && now - seen->second < options_.duplicate_window;
      if (!repeat) {
        seen->second = now;
      }
    }
    // A trap may be dropped here; an inform is answered, and what is answered is stored: as
    // evidence, since it changes nothing.
    if (repeat && t.inform) {
      keep_evidence(Disposition::evidence, "a repeat that changes nothing (an inform: kept)");
      ++counters_.evidence_stored;
      out.log = "a repeat that changes nothing (an inform: kept as evidence)";
      return out;
    }
    if (repeat) {
      out.disposition = Disposition::duplicate;  // the log says "duplicate"
      ++counters_.duplicates;
      return out;
    }
    if (!take_token(d->name)) {
      if (t.inform) {
        keep_evidence(Disposition::evidence,
                      "over the device's rate, changing nothing (an inform: kept)");
        ++counters_.evidence_stored;
        out.log = "over the device's rate, changing nothing (an inform: kept as evidence)";
        return out;
      }
      out.disposition = Disposition::rate_limited;
      ++counters_.rate_limited;
      return out;
    }
  }
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    *slots_[i] = Known{meaning.states[i].state, key.h, now};
  }

  if (meaning.states.empty()) {
    keep_evidence(Disposition::evidence,
                  meaning.summary.empty() ? "no state in it" : meaning.summary);
    ++counters_.evidence_stored;
    out.log = (meaning.summary.empty() ? std::string("no state in it") : meaning.summary) +
              " (kept as evidence)";
    return out;
  }
  out.disposition = Disposition::observation;
  std::string text = to_text(as_declared, out.community);
  std::string from = origin();
  const std::size_t n = meaning.states.size();
  // The trap's identity, so that a shared store keeps one copy of it shipped by two receivers
  // (one SHA-256 a trap stored as an observation; trap_key.hpp).
  const std::optional<TrapIdentity> identity = trap_identity(t, d->name);
  out.observations.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    StateReport& s = meaning.states[i];
    Observation& o = out.observations[i];
    o.time = t.received;
    o.entity = std::move(s.entity);
    o.state = s.state;
    o.source = Source::trap;
    o.received = t.received;
    // The last one takes the strings themselves (to_text left room for the detail).
    o.origin = i + 1 == n ? std::move(from) : from;
    o.evidence = i + 1 == n ? std::move(text) : text;
    o.trap = identity;
    if (!s.detail.empty()) {
      o.evidence += " => ";
      append_escaped(o.evidence, s.detail);
    }
  }
  ++counters_.observations_stored;  // a trap, however many observations it makes
  out.log = std::move(meaning.summary);
  return out;
}

std::string describe(const Trap& trap, const Processed& p) {
  std::string s = p.device != nullptr ? p.device->name + ": " : std::string();
  if (!p.trap_oid.empty() && p.trap_oid != trap.trap_oid) {
    Trap declared = trap;
    declared.trap_oid = p.trap_oid;
    s += to_text(declared, p.community);
  } else {
    s += to_text(trap, p.community);
  }
  s += " => ";
  s += p.log.empty() ? std::string(to_string(p.disposition)) : p.log;
  return s;
}

}  // namespace colosla::core
