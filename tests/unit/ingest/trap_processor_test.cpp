#include "colosla/ingest/trap_processor.hpp"

#include "support_snmp.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::read_trap;

namespace {

struct Fixture {
  Inventory inv;
  Registry reg;
  FakeClock clock{at("2026-11-23T12:00:00Z")};
  std::unique_ptr<TrapProcessor> p;

  explicit Fixture(TrapProcessor::Options o = {}) {
    register_builtins(reg);
    Device sw{"sw1", Role::network_switch, "192.0.2.10", "if-mib", "", {}, {}};
    Device ups{"ups1", Role::ups, "192.0.2.30", "ups-mib", "", {}, {}};
    ups.snmp.community = "ups";
    Device pdu{"pdu1", Role::pdu, "192.0.2.30", "apc-pdu", "", {}, {}};  // same address as ups1
    pdu.snmp.community = "pdu";
    inv.devices = {sw, ups, pdu};
    p = std::make_unique<TrapProcessor>(inv, reg, clock, o);
    p->set_port_names("sw1", {{1, "Gi1/0/1"}, {2, "Gi1/0/2"}, {3, "Gi1/0/3"}});
  }

  Trap trap(const char* file, const std::string& from = "192.0.2.10",
            const std::string& community = "public") {
    Trap t = read_trap(file);
    t.source_address = from;
    t.source_port = 49152;
    t.community = community;
    t.received = clock.now();
    return t;
  }
};

}  // namespace

TEST_CASE("traps from unknown sources or with a wrong community are rejected", "[trapd]") {
  Fixture f;
  auto r = f.p->process(f.trap("linkdown-v2c.trap", "198.51.100.7"));
  CHECK(r.disposition == Disposition::unknown_source);
  CHECK(r.observations.empty());
  r = f.p->process(f.trap("linkdown-v2c.trap", "192.0.2.10", "private"));
  CHECK(r.disposition == Disposition::bad_community);
  // The log says the community was refused, never what it was (it may be a device's secret).
  CHECK(r.log == "rejected: the community is not one sw1 uses");
  CHECK(describe(f.trap("linkdown-v2c.trap", "192.0.2.10", "private"), r).find("private") ==
        std::string::npos);
  CHECK(describe(f.trap("linkdown-v2c.trap", "192.0.2.10", "private"), r)
            .find(" community refused ") != std::string::npos);
  const auto& c = f.p->counters();
  CHECK(c.received == 2);
  CHECK(c.accepted == 0);
  CHECK(c.rejected_unknown_source == 1);
  CHECK(c.rejected_bad_community == 1);

  SECTION("a community of the configuration is accepted from every device") {
    Fixture g(TrapProcessor::Options{{"noc-traps"}});
    CHECK(g.p->process(g.trap("linkdown-v2c.trap", "192.0.2.10", "noc-traps")).disposition ==
          Disposition::observation);
  }
  SECTION("a v1 trap relayed by another host is matched by its agent-addr") {
    Trap t = f.trap("linkup-v1.trap", "203.0.113.99");
    t.version = 1;
    t.agent_address = "192.0.2.10";
    const auto q = f.p->process(t);
    CHECK(q.disposition == Disposition::observation);
    REQUIRE(q.device != nullptr);
    CHECK(q.device->name == "sw1");
  }
  SECTION("two devices behind one address are told apart by community") {
    const auto q = f.p->process(f.trap("apc-outlet-off.trap", "192.0.2.30", "pdu"));
    REQUIRE(q.device != nullptr);
    CHECK(q.device->name == "pdu1");
    CHECK(q.disposition == Disposition::observation);
  }
}

TEST_CASE("a linkDown becomes an observation with its evidence", "[trapd]") {
  Fixture f;
  const auto r = f.p->process(f.trap("linkdown-v2c.trap"));
  REQUIRE(r.disposition == Disposition::observation);
  REQUIRE(r.observations.size() == 1);
  const Observation& o = r.observations[0];
  CHECK(o.entity == EntityId::port("sw1", "Gi1/0/3"));
  CHECK(o.state == State::down);
  CHECK(o.source == Source::trap);
  CHECK(o.time == at("2026-11-23T12:00:00Z"));
  CHECK(o.origin == "udp:192.0.2.10:49152");
  CHECK(o.evidence ==
        "v2c trap from 192.0.2.10:49152 community matched 1.3.6.1.6.3.1.1.5.3 "
        "[1.3.6.1.2.1.2.2.1.1.3 = "
        "INTEGER 3, 1.3.6.1.2.1.2.2.1.7.3 = INTEGER 1, 1.3.6.1.2.1.2.2.1.8.3 = INTEGER 2, "
        "1.3.6.1.2.1.31.1.1.1.1.3 = STRING Gi1/0/3] => linkDown ifIndex 3, ifOperStatus 2");
  CHECK(r.log == "linkDown Gi1/0/3");
  CHECK(f.p->counters().observations_stored == 1);
}

TEST_CASE("repeats are recorded once; state changes never dropped", "[trapd]") {
  Fixture f;
  REQUIRE(f.p->process(f.trap("linkdown-v2c.trap")).disposition == Disposition::observation);
  SECTION("the same trap again within the window is a duplicate; after it, it is stored") {
    f.clock.advance(std::chrono::seconds{4});
    CHECK(f.p->process(f.trap("linkdown-v2c.trap")).disposition == Disposition::duplicate);
    f.clock.advance(std::chrono::seconds{2});  // 6 s after the first
    CHECK(f.p->process(f.trap("linkdown-v2c.trap")).disposition == Disposition::observation);
    CHECK(f.p->counters().duplicates == 1);
  }
  SECTION("the store confirming the state the trap recorded keeps it a duplicate") {
    f.p->set_known_state(EntityId::port("sw1", "Gi1/0/3"), State::down,
                         f.clock.now());  // a poll read it back
    f.clock.advance(std::chrono::seconds{1});
    CHECK(f.p->process(f.trap("linkdown-v2c.trap")).disposition == Disposition::duplicate);
    f.p->set_known_state(EntityId::port("sw1", "Gi1/0/3"), State::up,
                         f.clock.now());  // a poll found it up, a second later
    CHECK(f.p->process(f.trap("linkdown-v2c.trap")).disposition == Disposition::observation);
  }
  SECTION("the store giving back, late, a state the processor has since seen change is ignored") {
    Trap up = f.trap("linkdown-v2c.trap");
    up.trap_oid = "1.3.6.1.6.3.1.1.5.4";
    up.varbinds[2].number = 1;
    up.varbinds[2].text = "1";
    // A port flapping under a flood: each time, the daemon's commit of the port's earlier
    // linkDown comes back from the store after the linkUp that followed it was processed.
    for (int round = 0; round < 2; ++round) {
      CHECK(f.p->process(up).disposition == Disposition::observation);
      f.p->set_known_state(EntityId::port("sw1", "Gi1/0/3"), State::down, f.clock.now());
      CHECK(f.p->process(f.trap("linkdown-v2c.trap")).disposition == Disposition::observation);
    }
    CHECK(f.p->counters().duplicates == 0);
  }
  SECTION("a flapping port: down, up, down within a second are three state changes") {
    Trap up = f.trap("linkdown-v2c.trap");
    up.trap_oid = "1.3.6.1.6.3.1.1.5.4";
    up.varbinds[2].number = 1;
    up.varbinds[2].text = "1";
    CHECK(f.p->process(up).disposition == Disposition::observation);
    CHECK(f.p->process(f.trap("linkdown-v2c.trap")).disposition == Disposition::observation);
    CHECK(f.p->counters().duplicates == 0);
  }
}

TEST_CASE("a trap storm is rate-limited per device without dropping state changes", "[trapd]") {
  Fixture f(TrapProcessor::Options{{}, std::chrono::seconds{5}, 10, 20});
  // 100 linkDowns of ports already down, each with a different extra varbind so that none is a
  // duplicate: a burst of 20 passes (the first one is the state change), the rest are limited.
  int stored = 0, limited = 0;
  for (int i = 0; i < 100; ++i) {
    Trap t = f.trap("linkdown-v2c.trap");
    t.varbinds.push_back(test::varbind("1.3.6.1.4.1.9.9.999." + std::to_string(i), "INTEGER", "1"));
    const auto d = f.p->process(t).disposition;
    stored += d == Disposition::observation;
    limited += d == Disposition::rate_limited;
  }
  CHECK(stored == 21);  // the change, then the burst of 20
  CHECK(limited == 79);
  // A state change in the middle of the storm still goes through.
  Trap up = f.trap("linkdown-v2c.trap");
  up.trap_oid = "1.3.6.1.6.3.1.1.5.4";
  CHECK(f.p->process(up).disposition == Disposition::observation);
  // Another device is not limited by sw1's storm.
  CHECK(f.p->process(f.trap("ups-on-battery.trap", "192.0.2.30", "ups")).disposition ==
        Disposition::observation);
  // After a second, 10 more may pass.
  f.clock.advance(std::chrono::seconds{1});
  Trap again = f.trap("linkdown-v2c.trap");
  again.varbinds.push_back(test::varbind("1.3.6.1.4.1.9.9.999.1000", "INTEGER", "1"));
  CHECK(f.p->process(again).disposition == Disposition::observation);
}

TEST_CASE("evidence only: not understood, no state, an ifIndex not walked yet", "[trapd]") {
  Fixture f;
  SECTION("a trap no plugin understands") {
    Trap t = f.trap("linkdown-v2c.trap");
    t.trap_oid = "1.3.6.1.4.1.9.9.41.2.0.1";  // a vendor syslog trap
    const auto r = f.p->process(t);
    CHECK(r.disposition == Disposition::evidence);
    CHECK(r.evidence.device == "sw1");
    CHECK(r.evidence.reason == "plugin if-mib does not translate 1.3.6.1.4.1.9.9.41.2.0.1");
    CHECK(f.p->counters().evidence_stored == 1);
  }
  SECTION("an ifIndex the processor has no name for: kept, and the device walked") {
    Trap t = f.trap("linkup-v1.trap");
    t.varbinds[0] = test::varbind("1.3.6.1.2.1.2.2.1.1.42", "INTEGER", "42");
    const auto r = f.p->process(t);
    CHECK(r.disposition == Disposition::evidence);
    CHECK(r.refresh);
    CHECK(r.evidence.reason == "linkUp ifIndex 42 (no name known for it yet: walking the device)");
  }
  SECTION("a malformed trap is counted, logged and kept, never a crash") {
    const auto r = f.p->process(f.trap("linkdown-ifindex-string.trap"));
    CHECK(r.disposition == Disposition::malformed);
    CHECK(r.evidence.reason ==
          "malformed: linkDown: 1.3.6.1.2.1.2.2.1.1.3 is STRING, not an INTEGER (ifIndex)");
    // Counted where it ends (evidence-stored), and as unreadable beside the identities; not
    // rejected.malformed as well (that is for datagrams that do not parse).
    CHECK(f.p->counters().evidence_stored == 1);
    CHECK(f.p->counters().diagnostic_unreadable == 1);
    CHECK(f.p->counters().rejected_malformed == 0);
    CHECK(f.p->counters().accepted_unaccounted() == 0);
  }
}

TEST_CASE("an inform that is let in is always stored: never a duplicate or over the rate",
          "[trapd]") {
  Fixture f(TrapProcessor::Options{{}, std::chrono::seconds{5}, 10, 20});
  // 100 informs that change nothing after the first (the first is the state change): a trap
  // storm like this would be limited after 20; an inform is answered, so each one is kept.
  int observations = 0, evidence = 0;
  for (int i = 0; i < 100; ++i) {
    Trap t = f.trap("linkdown-v2c.trap");
    t.inform = true;
    t.varbinds.push_back(test::varbind("1.3.6.1.4.1.9.9.999." + std::to_string(i), "INTEGER", "1"));
    const auto r = f.p->process(t);
    observations += r.disposition == Disposition::observation;
    evidence += r.disposition == Disposition::evidence;
    if (r.disposition == Disposition::evidence) {
      CHECK(r.evidence.reason == "over the device's rate, changing nothing (an inform: kept)");
      CHECK(r.evidence.text.find("v2c inform from 192.0.2.10:49152") == 0);
    }
  }
  CHECK(observations == 21);  // the change, then the burst of 20
  CHECK(evidence == 79);
  CHECK(f.p->counters().rate_limited == 0);
  // The same inform again at once: a repeat, kept as evidence all the same.
  Trap t = f.trap("linkdown-v2c.trap");
  t.inform = true;
  t.varbinds.push_back(test::varbind("1.3.6.1.4.1.9.9.999.99", "INTEGER", "1"));
  const auto r = f.p->process(t);
  CHECK(r.disposition == Disposition::evidence);
  CHECK(r.evidence.reason == "a repeat that changes nothing (an inform: kept)");
  CHECK(f.p->counters().duplicates == 0);
  // Stored, duplicate and rate-limited still add up to what was accepted.
  const auto& c = f.p->counters();
  CHECK(c.observations_stored + c.evidence_stored + c.duplicates + c.rate_limited == c.accepted);
}

TEST_CASE("what a sender chose reaches the evidence and the log escaped, on one line", "[trapd]") {
  Fixture f;
  Trap t = f.trap("linkdown-v2c.trap");
  t.trap_oid = "1.3.6.1.4.1.9.9.41.2.0.1";  // kept as evidence
  t.varbinds.push_back(test::varbind("1.3.6.1.4.1.9.9.41.1.2.3.1.5.1", "STRING", "x"));
  t.varbinds.back().text = "ok\ninfo trapd: sw1: forged line \x1b[31mred\\";
  const auto r = f.p->process(t);
  REQUIRE(r.disposition == Disposition::evidence);
  const std::string& text = r.evidence.text;
  CHECK(text.find('\n') == std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find("STRING ok\\ninfo trapd: sw1: forged line \\x1b[31mred\\\\]") !=
        std::string::npos);
  const std::string line = describe(t, r);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.find("public") == std::string::npos);
  SECTION("an SNMPv3 user name is the sender's choice too") {
    Trap v3 = f.trap("linkdown-v2c.trap");
    v3.version = 3;
    v3.user = "noc\r\nadmin";
    CHECK(to_text(v3).find("user noc\\r\\nadmin ") != std::string::npos);
  }
}
