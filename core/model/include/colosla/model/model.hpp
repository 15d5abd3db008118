#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "colosla/base/clock.hpp"
#include "colosla/base/result.hpp"

/// The unified model: entities whose state colosla follows, their states, and observations.
/// Plain value types; no Net-SNMP, libyang or SQLite type appears here.
namespace colosla::core {

/// What an entity is.
enum class EntityKind : std::uint8_t {
  port,    ///< A switch interface (a customer port or an uplink): device + interface name.
  outlet,  ///< A PDU outlet: device + outlet.
  inlet,   ///< A PDU's input power: device only (the whole inlet; when it is off, every outlet
           ///< of the PDU is), or device + phase ("L1".."L3": one phase of a three-phase inlet).
  ups,     ///< A UPS output: device only.
  probe,   ///< A probed service on a customer address: target address + service.
};

/// A thing whose state colosla follows over time.
/// For a probe, `device` holds the target address and `item` the service (icmp, www, …);
/// for an inlet or a UPS, `item` is empty.
struct EntityId {
  EntityKind kind = EntityKind::port;
  std::string device;
  std::string item;

  friend auto operator<=>(const EntityId&, const EntityId&) = default;
  friend bool operator==(const EntityId&, const EntityId&) = default;

  static EntityId port(std::string device, std::string interface) {
    return {EntityKind::port, std::move(device), std::move(interface)};
  }
  static EntityId outlet(std::string device, std::string outlet) {
    return {EntityKind::outlet, std::move(device), std::move(outlet)};
  }
  static EntityId inlet(std::string device) { return {EntityKind::inlet, std::move(device), {}}; }
  /// One phase (1..3) of a PDU's inlet: item "L1".."L3".
  static EntityId phase(std::string device, unsigned phase) {
    return {EntityKind::inlet, std::move(device), "L" + std::to_string(phase)};
  }
  static EntityId ups(std::string device) { return {EntityKind::ups, std::move(device), {}}; }
  static EntityId probe(std::string target, std::string service) {
    return {EntityKind::probe, std::move(target), std::move(service)};
  }
};

/// For hash maps keyed by entity (the trap path looks one up for every trap).
struct EntityIdHash {
  std::size_t operator()(const EntityId& e) const noexcept {
    const std::size_t h = std::hash<std::string_view>{}(e.device);
    return (h * 31 + std::hash<std::string_view>{}(e.item)) * 31 + static_cast<std::size_t>(e.kind);
  }
};

/// A value per entity, for the maps that hold every port of the data centre (the trap
/// daemon's known states, the store's entity ids): each device's name is kept once, not once per
/// port, which with 100,000 ports is a few MiB less than a map keyed by EntityId.
template <class V>
class EntityMap {
 public:
  /// The value of e (value-initialised if new), and whether it is new.
  std::pair<V*, bool> try_emplace(const EntityId& e) {
    auto [it, fresh] = by_device_[e.device].try_emplace(key(e));
    return {&it->second, fresh};
  }
  /// The value of e, or nullptr.
  [[nodiscard]] const V* find(const EntityId& e) const {
    const auto d = by_device_.find(e.device);
    if (d == by_device_.end()) {
      return nullptr;
    }
    const auto it = d->second.find(key(e));
    return it == d->second.end() ? nullptr : &it->second;
  }
  void clear() { by_device_.clear(); }

 private:
  // The kind as one leading character, then the item: short enough for the string's own buffer.
  static std::string key(const EntityId& e) {
    std::string k;
    k.reserve(e.item.size() + 1);
    k.push_back(static_cast<char>('0' + static_cast<int>(e.kind)));
    k += e.item;
    return k;
  }
  std::unordered_map<std::string, std::unordered_map<std::string, V>> by_device_;
};

/// "port sw1 ge-0/0/1", "outlet pdu1 4", "inlet pdu1", "ups ups1", "probe 203.0.113.5 icmp".
std::string describe(const EntityId& e);

/// The state of an entity at an instant. Which words apply depends on the kind:
/// port up/down, outlet and inlet on/off, UPS the upsOutputSource words, probe pass/fail;
/// every kind but probe may also be `unknown`.
enum class State : std::uint8_t {
  unknown,
  up,
  down,
  on,
  off,
  normal,   ///< UPS upsOutputSource(3)
  bypass,   ///< UPS (4)
  battery,  ///< UPS (5)
  booster,  ///< UPS (6)
  reducer,  ///< UPS (7)
  none,     ///< UPS (2): the UPS output is de-energized.
  other,    ///< UPS (1)
  pass,
  fail,
};

std::string_view to_string(State s);
/// Parses a state word that is valid for kind k.
/// Errors: invalid_input naming the words that are valid for that kind.
Result<State> parse_state(EntityKind k, std::string_view word);
/// Whether a power state supplies power: outlet/inlet `on`, and every UPS word but `none`.
/// `unknown` is not energized, but it is not a loss of power either; callers treat it apart.
bool energized(State s);

std::string_view to_string(EntityKind k);
Result<EntityKind> parse_entity_kind(std::string_view word);
/// Parses any state word, whatever the kind (for reading back what the store holds).
Result<State> parse_state_word(std::string_view word);

/// Where an observation came from.
enum class Source : std::uint8_t { import, trap, poll, netconf, probe };
std::string_view to_string(Source s);
Result<Source> parse_source(std::string_view word);

/// What a receiver keeps of a trap's identity (colosla/ingest/trap_key.hpp, trap_identity): the
/// SHA-256 digest of what the device said, and two buckets of the device's boot time, its own and
/// the adjacent one nearer to it. The trap's key is SHA-256(digest, bucket) and its neighbour
/// SHA-256(digest, near) (trap_key.hpp, TrapKey), computed where copies are compared (a shared
/// store), not on the receive path.
struct TrapIdentity {
  std::array<std::uint8_t, 32> digest{};
  std::int64_t bucket = 0;
  std::int64_t near = 0;
  friend bool operator==(const TrapIdentity&, const TrapIdentity&) = default;
};

/// A timestamped state of one entity. `evidence` keeps the raw material (a trap's varbinds as
/// text, a polled value, an imported line) so that a disputed minute can be traced to its
/// cause; `origin` says where that material came from (udp:192.0.2.10:161, file.jsonl:12).
struct Observation {
  Timestamp time;  ///< When the state began, as the device or the importer says.
  EntityId entity;
  State state = State::unknown;
  Source source = Source::import;
  Timestamp received;  ///< When colosla learned of it.
  std::string origin;
  std::string evidence;
  std::int64_t seq = 0;  ///< Arrival order in the store; breaks ties between equal times.
  /// A trap's identity, computed by the receiver; none for every other source. A shared store
  /// keeps one copy of a trap shipped by two receivers by it.
  std::optional<TrapIdentity> trap;
};

/// One state change of an entity as the SLA engine reads it: no evidence, just what it needs.
struct StateChange {
  Timestamp time;
  State state = State::unknown;
  std::int64_t seq = 0;  ///< the observation in the store, for tracing a number to its cause
  friend bool operator==(const StateChange&, const StateChange&) = default;
};

/// Every entity's state changes, each list in (time, seq) order.
using History = std::map<EntityId, std::vector<StateChange>>;

}  // namespace colosla::core
