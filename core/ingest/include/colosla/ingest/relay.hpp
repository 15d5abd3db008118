#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/model/trap.hpp"

/// Relays: hosts that forward other devices' SNMPv2c/v3 notifications (snmptrapd's `forward`, a
/// Net-SNMP proxy, another NMS) and say which device sent each in snmpTrapAddress.0
/// (1.3.6.1.6.3.18.1.3.0, RFC 3584 §3.1). Only a relay the configuration trusts may speak for
/// another device.
namespace colosla::core {

/// snmpTrapAddress.0, numeric, as Varbind::oid holds it.
inline constexpr std::string_view kSnmpTrapAddress = "1.3.6.1.6.3.18.1.3.0";

/// An IPv4 or IPv6 address, or a network of them: "192.0.2.7", "192.0.2.0/24", "2001:db8::/32".
class AddressPrefix {
 public:
  /// nullopt when `text` is not an address, or its prefix length is not 0 to 32 (IPv4) or 0 to
  /// 128 (IPv6), or it has bits set beyond the prefix ("192.0.2.1/24": probably a typing error).
  static std::optional<AddressPrefix> parse(std::string_view text);
  /// Whether `address` (as Trap::source_address holds it: dotted IPv4 or textual IPv6) is in it.
  /// An IPv4-mapped IPv6 address (::ffff:192.0.2.7) counts as the IPv4 address.
  [[nodiscard]] bool contains(std::string_view address) const;
  /// The canonical text: "192.0.2.0/24", "2001:db8::/32", "192.0.2.7/32".
  [[nodiscard]] std::string text() const;

 private:
  bool v6_ = false;
  std::array<std::uint8_t, 16> bytes_{};
  int length_ = 0;
};

/// What a v2c/v3 notification's snmpTrapAddress.0 says, given the trusted relays.
struct RelayVerdict {
  enum class Kind : std::uint8_t {
    none,        ///< no snmpTrapAddress.0, a v1 trap (agent-addr rules), or it names the sender
    relayed,     ///< a trusted relay names the device: `device_address`
    untrusted,   ///< it names another address, but the sender is no trusted relay: ignored
    unreadable,  ///< from a trusted relay, but not an IpAddress of 4 octets: ignored
  };
  Kind kind = Kind::none;
  std::string device_address;  ///< what snmpTrapAddress.0 names (escaped for a log: no)
};

/// Reads snmpTrapAddress.0 of `t` against `relays`. Only the IpAddress type is read (SNMP's
/// IpAddress is IPv4 only, RFC 2578 §7.1.5): a device with an IPv6 address cannot be named by a
/// relay, and its relayed traps are the relay's.
RelayVerdict relay_verdict(const Trap& t, const std::vector<AddressPrefix>& relays);

}  // namespace colosla::core
