#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "colosla/base/clock.hpp"

/// A received SNMP notification as plain values: what the receiver hands on, and what the
/// store keeps as evidence. No Net-SNMP type appears here.
namespace colosla::core {

/// The SMI type of a varbind's value.
enum class VarType : std::uint8_t {
  integer,
  octet_string,
  oid,
  ip_address,
  counter32,
  gauge32,
  timeticks,
  counter64,
  opaque,
  null,
  no_such_object,
  no_such_instance,
  end_of_mib_view,
  other,
};
std::string_view to_string(VarType t);

struct Varbind {
  std::string oid;  ///< numeric, without a leading dot: "1.3.6.1.2.1.2.2.1.1.3"
  VarType type = VarType::null;
  std::string text;  ///< the value as text: digits, the string (hex if not printable), an OID
  std::int64_t number = 0;  ///< integer-like types (integer, counters, gauge, timeticks)
};

/// One trap or inform, in SNMPv2 form: a v1 trap's enterprise/generic/specific is translated to
/// its snmpTrapOID (RFC 3584 §3.1) and its agent-addr kept apart.
struct Trap {
  int version = 2;  ///< 1, 2 (v2c) or 3
  bool inform = false;
  std::string source_address;  ///< the sender's IP address
  std::uint16_t source_port = 0;
  std::string community;          ///< v1/v2c
  std::string user;               ///< v3 security name
  std::string trap_oid;           ///< snmpTrapOID.0 (numeric)
  std::uint32_t uptime = 0;       ///< sysUpTime.0 in hundredths of a second
  std::string agent_address;      ///< v1 agent-addr
  std::vector<Varbind> varbinds;  ///< without sysUpTime.0 and snmpTrapOID.0
  Timestamp received;
  /// v3: the scopedPDU's contextEngineID in lower-case hex (the originator's snmpEngineID, the
  /// same at every destination); empty for v1/v2c.
  std::string context_engine_id;
  /// A v3 trap's msgAuthoritativeEngineBoots (the sender's: RFC 3414 §1.5.1; it counts the
  /// sender's restarts); -1 when unknown, for v1/v2c, and for an inform, whose authoritative
  /// engine is the receiver.
  std::int64_t engine_boots = -1;
};

/// What became of a v1/v2c trap's community: the evidence and the log say whether it matched,
/// never what it was (it is the device's secret).
enum class CommunityCheck : std::uint8_t { not_checked, matched, refused };

/// "v2c trap from 192.0.2.10:49152 community matched 1.3.6.1.6.3.1.1.5.3 [1.3.6.1.2.1.2.2.1.1.3 =
/// INTEGER 3, …]": one line, the form kept as evidence and written to the log. Everything the
/// sender chose (the v3 user name, the varbinds' values) is escaped (text.hpp): no control
/// character or newline of a datagram reaches the line as itself.
std::string to_text(const Trap& t, CommunityCheck community = CommunityCheck::not_checked);

}  // namespace colosla::core
