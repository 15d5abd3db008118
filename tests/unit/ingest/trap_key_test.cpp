#include "colosla/ingest/trap_key.hpp"

#include <catch2/catch.hpp>

#include "support_snmp.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::read_trap;
using colosla::test::varbind;
using std::chrono::seconds;

namespace {

// linkDown of sw1's port 3 as the device sent it, received at `received` with sysUpTime
// `uptime` (hundredths of a second).
Trap linkdown(Timestamp received, std::uint32_t uptime = 1234567) {
  Trap t = read_trap("linkdown-v2c.trap");
  t.source_address = "192.0.2.10";
  t.source_port = 49152;
  t.uptime = uptime;
  t.received = received;
  return t;
}

// Whether a store that holds `first` refuses `second` by TrapKey's rule: the same key, or
// each one's neighbour the other's key.
bool merged(const TrapKey& first, const TrapKey& second) {
  return second.key == first.key ||
         (second.neighbour == first.key && first.neighbour == second.key);
}

// Both orders of arrival, and the two never apart in one order only.
bool same_notification(const Trap& a, const Trap& b, std::string_view device_a = "sw1",
                       std::string_view device_b = "sw1") {
  const TrapKey ka = trap_key(a, device_a);
  const TrapKey kb = trap_key(b, device_b);
  CHECK(merged(ka, kb) == merged(kb, ka));
  return merged(ka, kb);
}

// A time at which linkdown()'s boot time lies `into` hundredths of a second into its bucket.
Timestamp phase(std::int64_t into, std::uint32_t uptime = 1234567) {
  constexpr std::int64_t kWidth = kTrapKeyBucket.count() * 100;
  const std::int64_t base = at("2026-11-23T12:00:00Z").time_since_epoch().count() * 100;
  // boot = received * 100 - uptime; received is whole seconds, so step by seconds until the
  // boot time's place in its bucket is `into` (into a multiple of 100 away from -uptime).
  for (std::int64_t s = 0; s < 2 * kWidth; ++s) {
    const std::int64_t boot = base + s * 100 - uptime;
    if (((boot % kWidth) + kWidth) % kWidth == into) {
      return Timestamp{seconds{base / 100 + s}};
    }
  }
  FAIL("no whole second puts the boot time " << into << " into its bucket");
  return {};
}

}  // namespace

TEST_CASE("trap key: a fixed-length SHA-256 digest in hex", "[trapd][trap-key]") {
  const TrapKey k = trap_key(linkdown(at("2026-11-23T12:00:00Z")), "sw1");
  CHECK(k.key.size() == 64);
  CHECK(k.neighbour.size() == 64);
  CHECK(k.key.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(k.key != k.neighbour);
  CHECK(trap_key(linkdown(at("2026-11-23T12:00:00Z")), "sw1").key == k.key);  // deterministic
}

TEST_CASE("trap key: SHA-256 of the identity's digest and bucket, as PostgreSQL makes it",
          "[trapd][trap-key]") {
  // What PostgreSQL's generated columns compute from a shipped identity
  // (sha256(trap_digest || int8send(bucket))), here from Python's hashlib:
  // sha256(bytes([1]) * 32 + struct.pack('>q', 5)) and the same with -6.
  TrapIdentity id;
  id.digest.fill(1);
  id.bucket = 5;
  id.near = -6;
  const TrapKey k = trap_key(id);
  CHECK(k.key == "9f3480c4301191d0f57d7164c8634b6b9d035ffa1f9fd048814e47cd21163ed6");
  CHECK(k.neighbour == "80918cf0bae8859bd673ddfbf78ce4493a8de3614e19396ed25a5254196660ab");
  CHECK(k.bucket == 5);
  // A trap's identity: its key is that of its digest and bucket.
  const auto t = trap_identity(linkdown(at("2026-11-23T12:00:00Z")), "sw1");
  REQUIRE(t.has_value());
  CHECK(trap_key(*t).key == trap_key(linkdown(at("2026-11-23T12:00:00Z")), "sw1").key);
  CHECK((t->near == t->bucket - 1 || t->near == t->bucket + 1));
}

TEST_CASE("trap key: the same trap via two receivers is one notification", "[trapd][trap-key]") {
  SECTION("inside one bucket: the same key") {
    // The boot time 2.33 s into its bucket; the second receiver a second later.
    const Trap a = linkdown(phase(233));
    Trap b = a;
    b.source_port = 50000;
    b.received += seconds{1};
    CHECK(trap_key(a, "sw1").key == trap_key(b, "sw1").key);
  }
  SECTION("across a bucket's edge: each one's neighbour is the other's key") {
    // The boot time 0.67 s before an edge at the first receiver, 0.33 s after it at the second
    // (received a second later, from another source port).
    const Trap a = linkdown(phase(933));
    Trap b = a;
    b.source_port = 50000;
    b.received += seconds{1};
    const TrapKey ka = trap_key(a, "sw1");
    const TrapKey kb = trap_key(b, "sw1");
    CHECK(kb.bucket == ka.bucket + 1);
    CHECK(ka.key != kb.key);
    CHECK(ka.neighbour == kb.key);
    CHECK(kb.neighbour == ka.key);
  }
  SECTION("one copy through a relay, with what the relay appended") {
    const Trap a = linkdown(phase(933));
    Trap b = a;
    b.source_address = "198.51.100.7";  // the relay
    b.source_port = 162;
    b.community = "relay-community";
    b.received += seconds{1};
    b.varbinds.push_back(varbind("1.3.6.1.6.3.18.1.3.0", "IpAddress", "192.0.2.10"));
    b.varbinds.push_back(varbind("1.3.6.1.6.3.18.1.4.0", "STRING", "public"));
    CHECK(same_notification(a, b));
    b.received = a.received;
    CHECK(trap_key(a, "sw1").key == trap_key(b, "sw1").key);
  }
}

TEST_CASE("trap key: the tolerance holds at every place in the bucket", "[trapd][trap-key]") {
  // Boot times at every whole hundredth of a second of one bucket, against copies received
  // up to 4 s later (merged: d < W/2) and from 10 s later (apart: d >= W).
  constexpr std::int64_t kWidth = kTrapKeyBucket.count() * 100;
  const Timestamp t0 = at("2026-11-23T12:00:00Z");
  for (std::uint32_t u = 1234500; u < 1234500 + kWidth; ++u) {
    const Trap a = linkdown(t0, u);
    for (const int d : {0, 1, 2, 3, 4}) {
      Trap b = a;
      b.received += seconds{d};
      INFO("uptime " << u << ", " << d << " s later");
      REQUIRE(same_notification(a, b));
    }
    for (const int d : {10, 11, 19, 20, 60, 3600}) {
      Trap b = a;
      b.received += seconds{d};
      INFO("uptime " << u << ", " << d << " s later");
      REQUIRE_FALSE(same_notification(a, b));
    }
  }
}

TEST_CASE("trap key: what the device said tells notifications apart", "[trapd][trap-key]") {
  const Trap a = linkdown(phase(533));
  SECTION("a varbind's value") {
    Trap b = a;
    b.varbinds[2] = varbind("1.3.6.1.2.1.2.2.1.8.3", "INTEGER", "1");
    CHECK_FALSE(same_notification(a, b));
  }
  SECTION("a varbind's type, its value's text the same") {
    Trap b = a;
    b.varbinds[0] = varbind("1.3.6.1.2.1.2.2.1.1.3", "Gauge32", "3");
    CHECK_FALSE(same_notification(a, b));
  }
  SECTION("a string varbind") {
    Trap b = a;
    b.varbinds[3].text = "Gi1/0/4";
    CHECK_FALSE(same_notification(a, b));
  }
  SECTION("one more varbind") {
    Trap b = a;
    b.varbinds.push_back(varbind("1.3.6.1.2.1.2.2.1.2.3", "STRING", "uplink"));
    CHECK_FALSE(same_notification(a, b));
  }
  SECTION("the trap OID") {
    Trap b = a;
    b.trap_oid = "1.3.6.1.6.3.1.1.5.4";  // linkUp
    CHECK_FALSE(same_notification(a, b));
  }
  SECTION("the device") { CHECK_FALSE(same_notification(a, a, "sw1", "sw2")); }
  SECTION("sysUpTime, received as much later (a second trap of the same boot)") {
    Trap b = a;
    b.uptime += 100;
    b.received += seconds{1};
    CHECK_FALSE(same_notification(a, b));
  }
}

TEST_CASE("trap key: the same trap after a restart is another notification", "[trapd][trap-key]") {
  // A coldStart-like trap sent 5 s after boot; the device restarts (15 s) and sends the same
  // trap at the same uptime: received 20 s later, its boot time 20 s later.
  const Trap a = linkdown(phase(0, 500), 500);
  Trap b = a;
  b.received += seconds{20};
  CHECK_FALSE(same_notification(a, b));
  // Even at the tolerance's limit, W.
  b.received = a.received + kTrapKeyBucket;
  CHECK_FALSE(same_notification(a, b));
}

TEST_CASE("trap key: SNMPv3 engine ID and boots", "[trapd][trap-key]") {
  Trap a = linkdown(phase(533));
  a.version = 3;
  a.community.clear();
  a.user = "trapuser";
  a.context_engine_id = "8000000001020304";
  a.engine_boots = 7;
  SECTION("two receivers: the same key") {
    Trap b = a;
    b.source_port = 50000;
    b.received += seconds{1};
    CHECK(same_notification(a, b));
  }
  SECTION("another engine boots: another notification, even at the same boot time") {
    Trap b = a;
    b.engine_boots = 8;
    CHECK_FALSE(same_notification(a, b));
  }
  SECTION("another context engine ID") {
    Trap b = a;
    b.context_engine_id = "8000000001020305";
    CHECK_FALSE(same_notification(a, b));
  }
  SECTION("an inform: the boots are the receiver's, left out") {
    a.inform = true;
    Trap b = a;
    b.engine_boots = 3;  // the other receiver's
    b.received += seconds{1};
    CHECK(same_notification(a, b));
  }
}

TEST_CASE("trap key: an inform retransmitted to one receiver is one key", "[trapd][trap-key]") {
  Trap a = linkdown(phase(533));
  a.inform = true;
  Trap b = a;
  b.received += seconds{3};  // the sender's retries, after the receiver's restart
  CHECK(same_notification(a, b));
}

TEST_CASE("trap key: a v1 trap and its RFC 3584 translation have the same key",
          "[trapd][trap-key]") {
  // One device sends one form to both destinations, so equality is not needed for the two
  // receivers; it comes free (version, agent-addr and community are left out) and covers a
  // v1-to-v2c proxy between the device and one receiver.
  Trap v1 = read_trap("linkup-v1.trap");
  v1.version = 1;
  v1.agent_address = "192.0.2.10";
  v1.uptime = 4242;
  v1.received = phase(558, 4242);
  Trap v2 = v1;
  v2.version = 2;
  v2.agent_address.clear();
  v2.source_address = "198.51.100.7";
  v2.varbinds.push_back(varbind("1.3.6.1.6.3.18.1.3.0", "IpAddress", "192.0.2.10"));
  v2.varbinds.push_back(varbind("1.3.6.1.6.3.18.1.4.0", "STRING", "public"));
  v2.varbinds.push_back(varbind("1.3.6.1.6.3.1.1.4.3.0", "OID", "1.3.6.1.4.1.8072.3.2.10"));
  CHECK(trap_key(v1, "sw1").key == trap_key(v2, "sw1").key);
}

TEST_CASE("trap key: a trap no device claimed stands for its sender's address",
          "[trapd][trap-key]") {
  const Trap a = linkdown(phase(533));
  Trap b = a;
  b.source_address = "192.0.2.11";
  CHECK(trap_key(a, "").key == trap_key(a, "").key);
  CHECK_FALSE(same_notification(a, b, "", ""));
  CHECK_FALSE(same_notification(a, a, "", "192.0.2.10"));  // never a device's key
  Trap v1 = a;
  v1.version = 1;
  v1.agent_address = "192.0.2.12";
  CHECK(trap_key(v1, "").key != trap_key(a, "").key);  // the agent-addr, not the sender
}

TEST_CASE("trap key: without sysUpTime, the receive time in 2 s buckets", "[trapd][trap-key]") {
  // No device time: two copies a second apart are one notification, the same content 2 s or
  // more later another (one receiver's duplicate-window already folds the same trap within 5 s
  // into one, so the key merges nothing a single receiver would keep twice).
  const Timestamp t0 = at("2026-11-23T12:00:00Z");
  for (const int start : {0, 1, 2, 3}) {
    const Trap a = linkdown(t0 + seconds{start}, 0);
    for (const int d : {0, 1}) {
      Trap b = a;
      b.received += seconds{d};
      INFO(start << " s, " << d << " s later");
      CHECK(same_notification(a, b));
    }
    for (const int d : {2, 3, 7, 9, 60}) {
      Trap b = a;
      b.received += seconds{d};
      INFO(start << " s, " << d << " s later");
      CHECK_FALSE(same_notification(a, b));
    }
  }
}
