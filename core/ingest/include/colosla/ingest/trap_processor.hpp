#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "colosla/base/clock.hpp"
#include "colosla/ingest/relay.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/model/model.hpp"
#include "colosla/model/trap.hpp"
#include "colosla/plugin/registry.hpp"
#include "colosla/rules/trap_rules.hpp"
#include "colosla/snmp/trap_receiver.hpp"
#include "colosla/store/store.hpp"

/// What happens to a received trap, whoever received it (colosla-trapd, or snmptrapd through
/// colosla trap-handler): which inventory device sent it, whether it is let in, what its plugin
/// says it means, and whether it is a repeat. Pure: no socket, no store; the caller stores what
/// comes out and counts it.
namespace colosla::core {

enum class Disposition : std::uint8_t {
  observation,     ///< stored as observations (and their evidence)
  evidence,        ///< stored as evidence only: no state in it, or no plugin understands it
  duplicate,       ///< the same trap again within the window, changing nothing
  rate_limited,    ///< over the device's rate, changing nothing
  unknown_source,  ///< no inventory device has the sender's address
  bad_community,   ///< the community is not one the device (or the configuration) accepts
  /// the plugin could not read it (a varbind missing, of the wrong type, …): stored as evidence,
  /// counted as evidence-stored and diagnostic.unreadable
  malformed,
};
std::string_view to_string(Disposition d);

/// Every counter colosla-trapd keeps, by the names `colosla stats` prints. Each datagram received
/// is counted once among received's parts, and each accepted trap once among accepted's:
///
///   received = accepted + rejected.unknown-source + rejected.bad-community + rejected.usm
///              + rejected.malformed + rejected.overload + v3-discovery
///              + ignored.not-notification + ignored.inform-retransmitted
///   accepted = observations-stored + evidence-stored + duplicates + rate-limited
///
/// (received_unaccounted() and accepted_unaccounted() are what is left over: 0 when they hold.)
/// The other counters (informs-answered, polls-requested, diagnostic.unreadable) count
/// something else beside them and are in neither identity.
struct TrapCounters {
  std::int64_t received = 0;  ///< datagrams (colosla-trapd), traps handed in (trap-handler)
  /// its device is known and its community (v1/v2c) checks out; a v3 trap's USM checked it
  std::int64_t accepted = 0;
  std::int64_t rejected_unknown_source = 0;  ///< no inventory device has the sender's address
  std::int64_t rejected_bad_community = 0;   ///< a community the device does not accept
  std::int64_t rejected_usm = 0;  ///< SNMPv3 refused (the receiver: user, keys, level, time)
  std::int64_t rejected_malformed =
      0;  ///< datagrams that do not parse (BER, version, truncated); never a plugin's verdict
  std::int64_t rejected_overload =
      0;  ///< not taken for want of room (an inform when too many wait for their commit)
  std::int64_t duplicates = 0;    ///< accepted, the same trap again within the window: dropped
  std::int64_t rate_limited = 0;  ///< accepted, over the device's rate, changing nothing: dropped
  /// accepted traps stored as observations: one per trap, however many observations it makes
  /// (its evidence is in them)
  std::int64_t observations_stored = 0;
  /// accepted traps stored as evidence only: no state in it, no plugin reads it, a plugin
  /// calls it malformed, or an inform that is a repeat or over the rate (an answered inform is
  /// always stored)
  std::int64_t evidence_stored = 0;
  std::int64_t informs_answered = 0;
  std::int64_t polls_requested = 0;
  std::int64_t v3_discovery =
      0;  ///< SNMPv3 engine discovery and time synchronisation (RFC 3414 §4)
  std::int64_t not_notifications = 0;  ///< GET, SET, … sent to the trap port: ignored
  std::int64_t inform_repeats = 0;     ///< retransmissions of an inform already received: ignored
  /// Diagnostic, in no identity: accepted traps a plugin could not read (a varbind missing, of
  /// the wrong type, …), each also counted where it ended (evidence-stored).
  std::int64_t diagnostic_unreadable = 0;
  /// v2c/v3 traps a trusted relay said were another device's (snmpTrapAddress.0); annotations
  /// of received traps, not dispositions: they do not add up with the others.
  std::int64_t relay_trusted = 0;
  std::int64_t relay_untrusted = 0;   ///< snmpTrapAddress.0 from a sender that is no relay: ignored
  std::int64_t relay_unreadable = 0;  ///< from a relay, but not an IPv4 IpAddress: ignored

  /// name → value, for the store (trapd.received, …).
  [[nodiscard]] std::map<std::string, std::int64_t> named() const;
  /// this − before, field by field.
  [[nodiscard]] TrapCounters minus(const TrapCounters& before) const;
  /// received − (accepted + every rejected.* + v3-discovery + every ignored.*): 0 when the first
  /// identity holds.
  [[nodiscard]] std::int64_t received_unaccounted() const;
  /// accepted − (observations-stored + evidence-stored + duplicates + rate-limited): 0 when the
  /// second identity holds.
  [[nodiscard]] std::int64_t accepted_unaccounted() const;
  /// Takes what the receiver counted (colosla-trapd): received becomes its datagrams, and the
  /// refusals it made before any trap reached the processor are its own. Both sets of counters
  /// run from the same start.
  void take_receiver(const ReceiveCounters& rx);
};

struct Processed {
  Disposition disposition = Disposition::evidence;
  const Device* device = nullptr;
  CommunityCheck community = CommunityCheck::not_checked;  ///< v1/v2c: whether it matched
  std::vector<Observation> observations;
  TrapEvidence evidence;  ///< filled for Disposition::evidence
  bool poll = false;      ///< poll the device (state to confirm)
  bool refresh = false;   ///< walk the device again (restart, renumbered ifIndex)
  std::string log;        ///< what it meant, for the log: "linkDown ge-0/0/1", "rejected: …"
  /// What its snmpTrapAddress.0 said: `relayed` when the device is the one a trusted relay (the
  /// sender) named; `untrusted` or `unreadable` when the varbind was ignored (log it at debug).
  RelayVerdict relay;
  /// The snmpTrapOID as the plugin's record declares it, when the trap came in its other RFC 3584
  /// form (an SNMPv1 agent's E.0.N for a MIB's E.N); empty otherwise. The evidence and the
  /// observations give this form, and describe() too.
  std::string trap_oid;
};

/// The log line of a processed trap: "sw1: v2c trap from 192.0.2.10:41234 community matched
/// 1.3.6.1.6.3.1.1.5.3 [...] => linkDown ge-0/0/1".
std::string describe(const Trap& trap, const Processed& p);

class TrapProcessor {
 public:
  struct Options {
    /// Communities accepted from every device besides its own (`community = NAME`).
    std::vector<std::string> communities;
    /// A trap that changes nothing, seen again within this window, is a duplicate.
    std::chrono::seconds duplicate_window{5};
    /// Per device: a trap that changes nothing may pass this many times a second, with bursts
    /// of `rate_burst`; beyond that it is counted, not stored. State changes always pass.
    double rate_per_second = 50;
    double rate_burst = 200;
    /// false when the trap comes through snmptrapd, which has authorized it already (and does
    /// not pass a v2c trap's community on).
    bool check_community = true;
    /// The relays trusted to say, in a v2c/v3 trap's snmpTrapAddress.0, which device sent it
    /// (`trap-relay`). A relayed trap's community may be the named device's, one of
    /// `communities`, or that of an inventory device at the relay's own address.
    std::vector<AddressPrefix> relays{};
    /// Trap rules, asked for a trap none of the device's plugins declares (after the plugins:
    /// a C++ plugin that reads a trap wins over a rule for it). Not owned; may be null.
    const TrapRules* rules = nullptr;
  };

  /// Keeps references to the inventory, registry and clock; they must outlive it.
  TrapProcessor(const Inventory& inventory, const Registry& registry, const Clock& clock,
                Options options);

  /// Decides what a received trap is and what to store. An inform (trap.inform) that is let in is
  /// always stored, at least as evidence: it will be answered, and an answered inform is kept
  /// (a repeat or one over the device's rate is stored as evidence, not dropped).
  Processed process(const Trap& trap);

  /// A device's ifIndex → ifName map (after a walk).
  void set_port_names(const std::string& device, std::map<std::int64_t, std::string> names);
  /// The state the store holds for an entity since `time` (at start-up, and after polls stored
  /// elsewhere). Ignored when this processor recorded the entity's state at `time` or later: the
  /// store may give back, late, a trap this process committed and has since seen superseded.
  void set_known_state(const EntityId& e, State s, Timestamp time);

  TrapCounters& counters() { return counters_; }
  [[nodiscard]] const TrapCounters& counters() const { return counters_; }

 private:
  const Device* match(const Trap& t, const std::string* named) const;
  bool community_ok(const Device& d, const Trap& t) const;
  bool relay_community_ok(const Trap& t) const;
  DeviceView view_of(const Device& d) const;
  bool take_token(const std::string& device);
  void forget_old(Timestamp now);

  struct Bucket {
    double tokens = 0;
    Timestamp last;
  };

  const Inventory& inventory_;
  const Registry& registry_;
  const Clock& clock_;
  Options options_;
  std::unordered_multimap<std::string, const Device*> by_address_;
  std::unordered_map<const Device*, Registry::DevicePlugins> plugins_;  // each device's plugins
  std::map<std::string, std::map<std::int64_t, std::string>> port_names_;
  // What is known of each entity: its state, and the trap that recorded it (a 64-bit hash of
  // device, trap OID and varbinds) and when, so that a repeat of that trap is a duplicate without
  // a second lookup.
  struct Known {
    State state = State::unknown;
    std::uint64_t trap = 0;
    Timestamp at;
  };
  EntityMap<Known> known_;
  std::vector<Known*> slots_;  // the entries of the trap being processed (reused)
  // Other traps that changed nothing lately (their hash → when last recorded). Bounded: under a
  // flood of distinct traps the oldest are forgotten early, which can only let a repeat through
  // to the rate limit, never drop a state change.
  static constexpr std::size_t kMaxRecent = 200'000;
  std::unordered_map<std::uint64_t, Timestamp> recent_;
  Timestamp recent_swept_;
  std::unordered_map<std::string, Bucket> buckets_;
  TrapCounters counters_;
};

}  // namespace colosla::core
