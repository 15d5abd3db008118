#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "colosla/base/clock.hpp"
#include "colosla/base/log.hpp"
#include "colosla/model/trap.hpp"

namespace colosla::core {

/// What the receiver counts before a trap reaches the TrapProcessor. Every datagram it counts
/// ends in exactly one of usm, discovery, malformed, not_notifications, inform_repeats and
/// overload, or is handed on as a notification (reports_sent counts answers, not datagrams).
struct ReceiveCounters {
  std::int64_t datagrams = 0;
  std::int64_t usm = 0;  ///< SNMPv3 refused: unknown user, wrong digest or key, below the user's
                         ///< security level, outside the time window (a replay)
  std::int64_t discovery =
      0;  ///< SNMPv3 engine ID discovery and time synchronisation, answered with a Report
  std::int64_t malformed =
      0;  ///< packets that do not parse (BER errors, unknown versions, truncated)
  std::int64_t reports_sent = 0;       ///< SNMPv3 Reports (engine discovery, time window, …)
  std::int64_t not_notifications = 0;  ///< GET, SET, … sent to the trap port
  std::int64_t inform_repeats = 0;     ///< retransmissions of an inform already received
  std::int64_t overload = 0;  ///< not taken for want of room: an inform when too many wait for
                              ///< their commit, or a datagram with no memory to decode it in
};

/// A notification, and for an inform the handle to acknowledge it with after its commit.
struct ReceivedTrap {
  Trap trap;
  std::uint64_t inform = 0;  ///< 0 for a trap
};

/// Throws ConfigError ("cannot listen on SPEC: why") when `spec` is not an endpoint a
/// TrapReceiver can listen on: udp:ADDR:PORT, udp:PORT, udp6:[ADDR]:PORT or udp6:PORT, a port 1 to
/// 65535, an address of the family. Binds nothing: what a configuration check can say at once.
void check_endpoint(const std::string& spec);

/// Receives SNMP notifications on its own UDP sockets in batches (recvmmsg) and decodes them with
/// Net-SNMP's parser: SNMPv1, v2c and v3 (USM authentication and privacy, engine discovery
/// answered with Reports). An inform is answered only when acknowledge() is called, after the
/// caller has committed what it said; its retransmissions are kept back meanwhile and answered
/// afterwards, so the caller sees each inform once. One per process (Net-SNMP keeps global state),
/// used from one thread.
class TrapReceiver {
 public:
  struct Options {
    /// "udp:ADDR:PORT", "udp:PORT" (every IPv4 address), "udp6:[ADDR]:PORT", "udp6:PORT".
    std::vector<std::string> listen;
    /// Net-SNMP's persistent state: the engine ID and boots an SNMPv3 receiver must keep.
    std::string state_dir;
    /// SNMPv3 users, as snmptrapd.conf's createUser: "[-e ENGINEID] USER (MD5|SHA|SHA-256|
    /// SHA-512) AUTHPASS [(DES|AES) PRIVPASS]". Traps need the sender's engine ID (-e), informs
    /// use ours. A user's keys set the least security level it is accepted at, as
    /// snmptrapd's `authUser … priv`: with a privacy key only authPriv, with an authentication
    /// key only authNoPriv or authPriv.
    std::vector<std::string> users;
    /// Bytes of socket receive buffer (SO_RCVBUFFORCE, else SO_RCVBUF up to the kernel's max).
    int receive_buffer = 32 << 20;
    /// Where a refused datagram is logged, a line a datagram within the limiter's rate (nullptr:
    /// log() directly). It must outlive the receiver.
    LogLimiter* log = nullptr;
  };

  /// Opens every endpoint and creates the users. Throws ConfigError naming what is wrong.
  TrapReceiver(Options options, const Clock& clock);
  ~TrapReceiver();
  TrapReceiver(const TrapReceiver&) = delete;
  TrapReceiver& operator=(const TrapReceiver&) = delete;

  /// The sockets to wait on.
  [[nodiscard]] const std::vector<int>& fds() const;
  /// "udp:127.0.0.1:162 (receive buffer 67108864 bytes)", one per socket.
  [[nodiscard]] const std::vector<std::string>& endpoints() const;
  /// Our SNMPv3 engine ID, in hex (what an inform sender discovers).
  [[nodiscard]] std::string engine_id() const;

  /// Reads the datagrams waiting on fd (up to 64), decodes them, answers SNMPv3 discovery, and
  /// returns the notifications among them: the receiver's own objects, valid until the next
  /// call (they are reused, with their buffers). *datagrams is how many it read (0: none waiting).
  std::span<ReceivedTrap> receive(int fd, ReceiveCounters& counters, std::size_t* datagrams);
  /// Decodes one datagram as receive() does, as if it came from `peer` (an IPv4 or IPv6 address
  /// and port), without a socket: nothing is sent (no Report, no answer). For the tests and the
  /// fuzzer. The traps are the receiver's own, valid until the next call.
  std::span<ReceivedTrap> decode(std::span<const unsigned char> datagram, const std::string& peer,
                                 std::uint16_t port, ReceiveCounters& counters);
  /// Sends an inform's response (after its commit). false when it could not be sent.
  bool acknowledge(std::uint64_t handle);
  /// Forgets an inform without answering it (its commit failed, or it was refused): the sender
  /// retransmits, or gives up.
  void release(std::uint64_t handle);
  /// Informs waiting for their commit.
  [[nodiscard]] std::size_t pending_informs() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace colosla::core
