#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "colosla/model/model.hpp"
#include "colosla/model/trap.hpp"

/// The identity of a notification, from what the device said rather than from the packet that
/// carried it: the same trap received by two receivers (the device's two trap destinations, or
/// one of them through a relay) has one key, so that a shared store keeps it once (issue 18,
/// docs/scale-out.md). Pure: no I/O, no clock, no global state.
namespace colosla::core {

/// The width of the boot-time bucket. The bucket is taken from the device's boot time as the
/// receiver sees it, `received - sysUpTime`: the same at every receiver up to the difference of
/// their receive times (network delay, the receivers' clock skew, and up to 1 s from
/// Timestamp's whole seconds), not a fresh edge for every trap as a bucket of the receive time
/// would be. See TrapKey for the tolerance it gives.
inline constexpr std::chrono::seconds kTrapKeyBucket{10};
/// The width for a trap without sysUpTime.0 (Trap::uptime 0): its "boot time" is then its receive
/// time, and two traps with the same content are two notifications once 2 s lie between them
/// (copies from two receivers are then merged only within 1 s: W/2 below).
inline constexpr std::chrono::seconds kTrapKeyBucketWithoutUptime{2};

/// Two digests of one notification, each 64 lower-case hex digits (SHA-256).
///
/// The trap's identity (TrapIdentity, model.hpp) is the SHA-256 `digest` of the device, the trap
/// OID, sysUpTime.0 (or a v1 trap's time-stamp), the varbinds (type, OID, value, in the order
/// sent) and, for SNMPv3, the contextEngineID and a trap's msgAuthoritativeEngineBoots; with the
/// bucket `floor(boot / kTrapKeyBucket)` of the device's boot time `boot = received - sysUpTime`
/// and the adjacent bucket `near` nearer to `boot` (the previous one when `boot` lies in the
/// first half of its bucket, else the next one). `key` = SHA-256(digest, bucket) and `neighbour`
/// = SHA-256(digest, near), each bucket as 8 bytes big-endian: what PostgreSQL computes as
/// sha256(trap_digest || int8send(bucket)). A receiver stores the identity (one SHA-256 a
/// trap); the keys are computed where copies meet.
///
/// A store keeps one of two copies when their keys are equal, or when each one's `neighbour` is
/// the other's `key` (it keeps both digests of a stored trap; the second test is then one
/// look-up of the new copy's `neighbour`). Two copies whose boot times differ by d
/// (W = kTrapKeyBucket, or kTrapKeyBucketWithoutUptime):
/// - d < W/2: always kept once (the same bucket, or adjacent buckets with both boot times within
///   W/2 of the edge between them). Comparing `key` alone would keep both in a fraction of about
///   d/W of the cases: a duplicate.
/// - d >= W: always kept apart, as two notifications. A device that restarts and sends the same
///   trap (same OID, same varbinds) at the same sysUpTime again has a boot time later by the
///   whole first uptime plus its restart, at least W for any real device: it is never merged
///   with the first (an SNMPv3 trap carries its engine boots besides).
/// - W/2 <= d < W: either.
///
/// Left out, because they differ by path or by destination: the version (a v1 trap and its RFC
/// 3584 §3.1 SNMPv2 translation have the same key), inform or trap, the source address and
/// port, the community or v3 user, the request id, the v1 agent-addr, and the varbinds a relay
/// or a v1-to-v2 proxy appends: snmpTrapAddress.0, snmpTrapCommunity.0 (RFC 3584,
/// 1.3.6.1.6.3.18.1.3.0 and .4.0) and snmpTrapEnterprise.0 (1.3.6.1.6.3.1.1.4.3.0). Also
/// left out: an inform's engine boots (its authoritative engine is the receiver), and
/// sysUpTime.0 or snmpTrapOID.0 should they still be among the varbinds.
///
/// An inform retransmitted to one receiver carries the same sysUpTime and varbinds: one key while
/// its retransmissions stay within W/2 of the first copy (the receiver answers repeats itself;
/// this covers the repeat that arrives after a receiver's restart).
struct TrapKey {
  std::string key;
  std::string neighbour;
  std::int64_t bucket = 0;  ///< floor(boot / W), boot in Unix seconds
};

/// The identity of `trap`, matched to the inventory device named `device`. An empty `device` (a
/// trap no device claimed) stands for the v1 agent-addr, or else the source address: copies of
/// such a trap through a relay then differ (a duplicate, never a loss). nullopt only if OpenSSL's
/// SHA-256 failed (never seen): the trap is then stored without one, a possible duplicate.
std::optional<TrapIdentity> trap_identity(const Trap& trap, std::string_view device);
/// The key and neighbour of an identity.
TrapKey trap_key(const TrapIdentity& id);
/// trap_key(trap_identity(trap, device)) (empty strings in the case above).
TrapKey trap_key(const Trap& trap, std::string_view device);

}  // namespace colosla::core
