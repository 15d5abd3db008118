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

/// The generic traps of SNMPv2-MIB that every device plugin reads (an agent restarted: poll it).
inline constexpr const char* kColdStart = "1.3.6.1.6.3.1.1.5.1";
inline constexpr const char* kWarmStart = "1.3.6.1.6.3.1.1.5.2";

/// Whether trap_oid is coldStart or warmStart.
inline bool is_restart_trap(std::string_view trap_oid) {
  return trap_oid == kColdStart || trap_oid == kWarmStart;
}

}  // namespace colosla::core
