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

}  // namespace colosla::core
