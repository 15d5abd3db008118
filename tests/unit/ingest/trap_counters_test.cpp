// colosla-trapd's counters add up, whatever path a datagram takes (docs/operations.md, "Counters"):
//   received = accepted + every rejected.* + v3-discovery + every ignored.*
//   accepted = observations-stored + evidence-stored + duplicates + rate-limited
// Datagrams go through the real receiver (Net-SNMP's parser, USM) and the processor, as in
// colosla-trapd; the receiver's counters are taken as the daemon takes them (take_receiver).
#include <fstream>
#include <iterator>
#include <memory>

#include "colosla/ingest/ingest.hpp"
#include "colosla/ingest/trap_processor.hpp"
#include "colosla/snmp/trap_receiver.hpp"
#include "support_snmp.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::read_trap;

namespace {

// One receiver for the whole binary (Net-SNMP's state is global). Its user trapuser has keys
// other than the seeds' sender used: their v3 traps are refused by USM.
TrapReceiver& receiver() {
  static const FakeClock clock{at("2026-11-23T12:00:00Z")};
  static TrapReceiver* const r = [] {
    const test::TempDir state;
    TrapReceiver::Options o;
    o.state_dir = state.file("");
    o.users = {"-e 0x8000000001020304 trapuser SHA otherauth99 AES otherpriv99"};
    return new TrapReceiver(o, clock);  // never destroyed, as Net-SNMP's own state
  }();
  return *r;
}

std::vector<unsigned char> seed(const std::string& name) {
  std::ifstream in(test::source_file("tests/fuzz/corpus/trap_decode/" + name), std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Fixture {
  Inventory inv;
  Registry reg;
  FakeClock clock{at("2026-11-23T12:00:00Z")};
  std::unique_ptr<TrapProcessor> p;
  ReceiveCounters rx;
  std::vector<std::uint64_t> informs;  // pending, released at the end
  Processed last;

  explicit Fixture(TrapProcessor::Options o = {}) {
    register_builtins(reg);
    Device sw{"sw1", Role::network_switch, "127.0.0.1", "if-mib", "", {}, {}};
    sw.snmp.community = "public";
    inv.devices = {sw};
    p = std::make_unique<TrapProcessor>(inv, reg, clock, std::move(o));
    p->set_port_names("sw1", {{1, "ge-0/0/1"}, {2, "ge-0/0/2"}, {3, "ge-0/0/3"}});
  }
  ~Fixture() {
    for (auto h : informs) {
      receiver().release(h);
    }
  }
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  // A datagram from `from`, received and processed as colosla-trapd does.
  void datagram(const std::vector<unsigned char>& bytes, const std::string& from = "127.0.0.1",
                std::uint16_t port = 49152) {
    for (ReceivedTrap& r : receiver().decode(bytes, from, port, rx)) {
      last = p->process(r.trap);
      if (r.inform != 0) {
        informs.push_back(r.inform);
      }
    }
  }
  // A trap as the receiver hands it on (processor paths that need no particular bytes).
  void trap(Trap t) {
    ++rx.datagrams;  // what the receiver would have counted for it
    last = p->process(t);
  }
  Trap recorded(const char* file, const std::string& community = "public") {
    Trap t = read_trap(file);
    t.source_address = "127.0.0.1";
    t.community = community;
    t.received = clock.now();
    return t;
  }

  // Everything, as colosla-trapd commits it; fails the test unless both identities hold.
  TrapCounters counted() {
    TrapCounters c = p->counters();
    c.take_receiver(rx);
    CHECK(c.received_unaccounted() == 0);
    CHECK(c.accepted_unaccounted() == 0);
    return c;
  }
};

// Names of the counters that are not 0, but for the sums themselves.
std::map<std::string, std::int64_t> moved(const TrapCounters& c) {
  std::map<std::string, std::int64_t> m;
  for (const auto& [name, n] : c.named()) {
    if (n != 0 && name != "trapd.received" && name != "trapd.accepted") {
      m.emplace(name, n);
    }
  }
  return m;
}

using Moved = std::map<std::string, std::int64_t>;

}  // namespace

TEST_CASE("counters: a datagram that does not parse is rejected.malformed only", "[trapd]") {
  Fixture f;
  const std::string text = "not an snmp packet";
  f.datagram({text.begin(), text.end()});
  f.datagram({0x30, 0x03, 'g', 'a', 'r'});
  const auto c = f.counted();
  CHECK(c.received == 2);
  CHECK(moved(c) == Moved{{"trapd.rejected.malformed", 2}});
}

TEST_CASE("counters: a wrong community and an unknown sender are rejected", "[trapd]") {
  Fixture f;
  auto wrong = seed("v2c-linkdown-v2c");  // community "public"
  Fixture g;
  g.inv.devices[0].snmp.community = "other";
  g.p = std::make_unique<TrapProcessor>(g.inv, g.reg, g.clock, TrapProcessor::Options{});
  g.datagram(wrong);
  CHECK(g.last.disposition == Disposition::bad_community);
  auto c = g.counted();
  CHECK(c.received == 1);
  CHECK(moved(c) == Moved{{"trapd.rejected.bad-community", 1}});

  f.datagram(seed("v2c-linkdown-v2c"), "192.0.2.99");
  CHECK(f.last.disposition == Disposition::unknown_source);
  c = f.counted();
  CHECK(c.received == 1);
  CHECK(moved(c) == Moved{{"trapd.rejected.unknown-source", 1}});
}

TEST_CASE("counters: SNMPv3 refusals and discovery", "[trapd]") {
  Fixture f;
  f.datagram(seed("v3-trap-linkdown-v2c"));  // keys other than the user's
  auto c = f.counted();
  CHECK(moved(c) == Moved{{"trapd.rejected.usm", 1}});
  f.datagram(seed("v3-discovery"));
  c = f.counted();
  CHECK(c.received == 2);
  CHECK(moved(c) == Moved{{"trapd.rejected.usm", 1}, {"trapd.v3-discovery", 1}});
}

TEST_CASE("counters: what is not a notification is ignored", "[trapd]") {
  Fixture f;
  // v2c GetRequest (community public, request-id 1) for 1.3.6.1.2.1.1.1 (NULL).
  f.datagram({0x30, 0x24, 0x02, 0x01, 0x01, 0x04, 0x06, 'p',  'u',  'b',  'l',  'i',  'c',
              0xa0, 0x17, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0c,
              0x30, 0x0a, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x05, 0x00});
  const auto c = f.counted();
  CHECK(c.received == 1);
  CHECK(moved(c) == Moved{{"trapd.ignored.not-notification", 1}});
}

TEST_CASE("counters: an observation and its duplicate", "[trapd]") {
  Fixture f;
  f.datagram(seed("v2c-linkdown-v2c"));
  REQUIRE(f.last.disposition == Disposition::observation);
  auto c = f.counted();
  CHECK(c.accepted == 1);
  CHECK(moved(c) == Moved{{"trapd.observations-stored", 1}});
  f.datagram(seed("v2c-linkdown-v2c"));
  CHECK(f.last.disposition == Disposition::duplicate);
  c = f.counted();
  CHECK(c.received == 2);
  CHECK(c.accepted == 2);
  CHECK(moved(c) == Moved{{"trapd.observations-stored", 1}, {"trapd.duplicates", 1}});

  // (A trap that makes several observations is one trap stored: trap_dispatch_test.)
}

TEST_CASE("counters: a trap no plugin reads, and one a plugin cannot read", "[trapd]") {
  Fixture f;
  Trap t = f.recorded("linkdown-v2c.trap");
  t.trap_oid = "1.3.6.1.4.1.9.9.41.2.0.1";  // a vendor syslog trap
  f.trap(t);
  REQUIRE(f.last.disposition == Disposition::evidence);
  auto c = f.counted();
  CHECK(c.accepted == 1);
  CHECK(moved(c) == Moved{{"trapd.evidence-stored", 1}});

  // A plugin's malformed verdict: stored as evidence (where it is counted), and a diagnostic
  // beside the identities; never rejected.malformed, which is for datagrams that do not parse.
  f.datagram(seed("v2c-linkdown-ifindex-string"));
  REQUIRE(f.last.disposition == Disposition::malformed);
  IngestBatch b;
  CHECK(b.add(f.last));
  CHECK(b.evidence.size() == 1);
  c = f.counted();
  CHECK(c.received == 2);
  CHECK(c.accepted == 2);
  CHECK(moved(c) == Moved{{"trapd.evidence-stored", 2}, {"trapd.diagnostic.unreadable", 1}});
}

TEST_CASE("counters: traps over the device's rate", "[trapd]") {
  Fixture f(TrapProcessor::Options{{}, std::chrono::seconds{5}, 1, 3});
  Trap first = f.recorded("linkdown-v2c.trap");
  f.trap(first);  // the state change: always through, and no token taken
  for (int i = 0; i < 6; ++i) {
    Trap t = f.recorded("linkdown-v2c.trap");  // changes nothing; each one its own trap
    t.varbinds.push_back(test::varbind("1.3.6.1.4.1.9.9.999." + std::to_string(i), "INTEGER", "1"));
    f.trap(t);
  }
  const auto c = f.counted();
  CHECK(c.received == 7);
  CHECK(c.accepted == 7);
  CHECK(moved(c) == Moved{{"trapd.observations-stored", 4}, {"trapd.rate-limited", 3}});
}

TEST_CASE("counters: an inform, its retransmissions, and its answer", "[trapd]") {
  Fixture f;
  const auto inform = seed("v2c-inform-linkdown-v2c");
  f.datagram(inform);
  REQUIRE(f.last.disposition == Disposition::observation);
  REQUIRE(f.informs.size() == 1);
  CHECK(answers_inform(f.last));
  f.datagram(inform);  // retransmitted while its commit is pending: folded into the first
  CHECK(f.informs.size() == 1);
  auto c = f.counted();
  CHECK(c.received == 2);
  CHECK(moved(c) ==
        Moved{{"trapd.observations-stored", 1}, {"trapd.ignored.inform-retransmitted", 1}});
  // Answered (no socket here: nothing is sent) and counted beside the identities, as the daemon
  // counts it with the commit; a late retransmission is answered again, not processed.
  receiver().acknowledge(f.informs.front());
  f.informs.clear();
  f.p->counters().informs_answered += 1;
  f.datagram(inform);
  c = f.counted();
  CHECK(c.received == 3);
  CHECK(c.accepted == 1);
  CHECK(moved(c) == Moved{{"trapd.observations-stored", 1},
                          {"trapd.ignored.inform-retransmitted", 2},
                          {"trapd.informs-answered", 1}});
}

TEST_CASE("counters: an inform that changes nothing is stored, never a duplicate", "[trapd]") {
  Fixture f;
  Trap t = f.recorded("linkdown-v2c.trap");
  t.inform = true;
  f.trap(t);
  f.trap(t);  // a repeat: a trap would be a duplicate
  CHECK(f.last.disposition == Disposition::evidence);
  const auto c = f.counted();
  CHECK(moved(c) == Moved{{"trapd.observations-stored", 1}, {"trapd.evidence-stored", 1}});
}

TEST_CASE("counters: trap-handler counts one trap as colosla-trapd would", "[trapd]") {
  // Without the receiver (snmptrapd received it): the processor's own count of received.
  Fixture f;
  Trap t = f.recorded("linkdown-v2c.trap");
  (void)f.p->process(t);
  t.source_address = "192.0.2.99";
  (void)f.p->process(t);
  const TrapCounters& c = f.p->counters();
  CHECK(c.received == 2);
  CHECK(c.received_unaccounted() == 0);
  CHECK(c.accepted_unaccounted() == 0);
}
