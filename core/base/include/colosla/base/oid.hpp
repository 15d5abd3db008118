#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// Numeric OIDs as text ("1.3.6.1.2.1.2.2.1.8.3"), compared sub-identifier by sub-identifier.
namespace colosla::core {

/// Whether oid is prefix itself or lies below it ("1.3.6.1.2.1.2.2.1.8.3" under
/// "1.3.6.1.2.1.2.2.1.8", but "1.3.6.1.2.1.2.2.1.80" is not).
bool oid_under(std::string_view oid, std::string_view prefix);

/// The instance part below prefix ("3" for ifOperStatus.3), or nullopt when oid is not under it.
std::optional<std::string_view> oid_instance(std::string_view oid, std::string_view prefix);

/// The instance as one non-negative integer (ifIndex), or nullopt.
std::optional<std::int64_t> oid_index(std::string_view oid, std::string_view prefix);

/// RFC 3584 §3.1 (2): the snmpTrapOID of an SNMPv1 enterprise-specific trap (generic-trap 6) of
/// enterprise E and specific-trap N is E.0.N ("1.3.6.1.4.1.318" 269 → "1.3.6.1.4.1.318.0.269").
std::string v1_trap_oid(std::string_view enterprise, std::uint32_t specific);

/// The other snmpTrapOID by which the notification `declared` may arrive, or nullopt. A MIB that
/// defines its notifications without a 0 arc (E.N: UPS-MIB's upsTrapOnBattery is
/// 1.3.6.1.2.1.33.2.1) has them sent by SNMPv1 agents as enterprise E, specific N, which RFC 3584
/// §3.1 translates to E.0.N (1.3.6.1.2.1.33.2.0.1); §3.2 makes the two the same notification.
/// nullopt when the next-to-last arc of declared is 0 already (E.0.N is its own v1 form), or
/// when it has fewer than two arcs.
std::optional<std::string> v1_form(std::string_view declared);

/// Whether a received snmpTrapOID is the notification declared: the same OID, or its SNMPv1
/// form (v1_form). Dispatch by plugin records and by rules matches with this.
bool same_notification(std::string_view declared, std::string_view received);

/// The generic traps of SNMPv2-MIB that every device plugin reads (an agent restarted: poll it).
inline constexpr const char* kColdStart = "1.3.6.1.6.3.1.1.5.1";
inline constexpr const char* kWarmStart = "1.3.6.1.6.3.1.1.5.2";

/// Whether trap_oid is coldStart or warmStart.
inline bool is_restart_trap(std::string_view trap_oid) {
  return trap_oid == kColdStart || trap_oid == kWarmStart;
}

}  // namespace colosla::core
