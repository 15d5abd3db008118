#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "colosla/base/clock.hpp"
#include "colosla/model/model.hpp"

/// What a receiver keeps beside observations: the ifIndex names a walk found, traps kept as
/// evidence only, and its counters.
namespace colosla::core {

/// A port as a walk found it: what turns a trap's ifIndex into the port's name.
struct PortName {
  std::int64_t if_index = 0;
  std::string name;
  std::string alias;
};

/// A trap kept as evidence only: no plugin turned it into a state (not understood, or an
/// ifIndex whose name is not known yet).
struct TrapEvidence {
  Timestamp received;
  std::string device;
  std::string origin;  ///< "udp:192.0.2.10:49152"
  std::string trap_oid;
  std::string reason;  ///< "no plugin understands it", "ifIndex 7 not walked yet", …
  std::string text;    ///< the whole trap (to_text)
  /// The trap's identity (model.hpp), so that a shared store keeps one copy of a trap shipped by
  /// two receivers (colosla ship); none when it could not be computed.
  std::optional<TrapIdentity> trap;
  std::int64_t id = 0;  ///< its id in the store, when read back (evidence_after, sqlite.hpp)
};

struct CounterValue {
  std::string name;
  std::int64_t value = 0;
  Timestamp updated;
};

}  // namespace colosla::core
