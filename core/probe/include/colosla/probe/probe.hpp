#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "colosla/base/clock.hpp"
#include "colosla/model/inventory.hpp"

/// Article 4's probes of a customer's equipment: ICMP echo (IPv4 and IPv6; an unprivileged ICMP
/// datagram socket where net.ipv4.ping_group_range allows, a raw socket with CAP_NET_RAW
/// otherwise), www (HTTP GET; a status below 500 passes), email (SMTP: the 220 greeting and a
/// clean QUIT), ftp (the 220 greeting and QUIT). Every step has a timeout.
namespace colosla::core {

struct ProbeOptions {
  std::chrono::milliseconds timeout{5000};  ///< for each attempt
  int retries = 1;                          ///< attempts after the first within one probe
  std::uint16_t www_port = 80;
  std::uint16_t smtp_port = 25;
  std::uint16_t ftp_port = 21;
};

struct ProbeResult {
  bool pass = false;
  std::string
      detail;    ///< "echo reply in 0.1 ms", "HTTP 200", "connection refused", for the evidence
  Timestamp at;  ///< when the probe ended
  /// False when this machine could not make the probe (no ICMP socket allowed, no file
  /// descriptor left): then it says nothing of the target, and is neither stored nor counted.
  bool made = true;
};

/// Whether an address lies in a range reserved for documentation (RFC 5737: 192.0.2.0/24,
/// 198.51.100.0/24, 203.0.113.0/24; RFC 3849: 2001:db8::/32), as in the example inventory.
/// Nothing real answers there, so colosla does not probe them.
bool documentation_address(const std::string& address);

/// One probe of one service of a target, retried within itself. Never fails: a target that cannot
/// be reached (no route, refused, no answer) is a failed probe, with the reason in `detail`; a
/// probe this machine cannot make is not made (`made` false, the reason in `detail`).
ProbeResult probe(const std::string& address, ProbeService service, const std::string& www_path,
                  const ProbeOptions& options, const Clock& clock);

}  // namespace colosla::core
