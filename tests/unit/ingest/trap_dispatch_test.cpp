// Which plugins a trap goes to: those of the device whose records declare its OID; restart
// traps are read once for the device, by the core.
#include "colosla/ingest/trap_processor.hpp"
#include "support_snmp.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::read_trap;

namespace {

// A plugin that declares one vendor trap and counts what it is given.
int g_calls = 0;

class Counting final : public DevicePlugin {
 public:
  explicit Counting(std::string name) {
    record_.name = std::move(name);
    record_.kind = PluginKind::snmp;
    record_.trap_oids = {"1.3.6.1.4.1.99.0.1"};
  }
  [[nodiscard]] const PluginRecord& info() const override { return record_; }
  [[nodiscard]] Result<TrapMeaning> on_trap(const Trap& /*t*/, const DeviceView& d) const override {
    ++g_calls;
    TrapMeaning m;
    m.states.push_back(StateReport{EntityId::port(d.device.name, record_.name), State::down,
                                   std::nullopt, record_.name + " says down"});
    m.summary = record_.name + " down";
    return m;
  }

 private:
  PluginRecord record_;
};

std::unique_ptr<DevicePlugin> make_a() { return std::make_unique<Counting>("count-a"); }
std::unique_ptr<DevicePlugin> make_b() { return std::make_unique<Counting>("count-b"); }

struct Fixture {
  Inventory inv;
  Registry reg;
  FakeClock clock{at("2026-11-23T12:00:00Z")};
  std::unique_ptr<TrapProcessor> p;

  Fixture() {
    register_builtins(reg);
    reg.add(&make_a);
    reg.add(&make_b);
    // One box that is a switch and a UPS at once (a UPS with a management switch, say).
    Device both{"combo1", Role::network_switch, "192.0.2.40", "if-mib ups-mib", "", {}, {}};
    Device counted{"vendor1", Role::network_switch, "192.0.2.50", "count-a count-b if-mib", "", {},
                   {}};
    Device sw{"sw1", Role::network_switch, "192.0.2.10", "if-mib", "", {}, {}};
    Device ups{"ups1", Role::ups, "192.0.2.30", "ups-mib", "", {}, {}};
    inv.devices = {both, counted, sw, ups};
    p = std::make_unique<TrapProcessor>(inv, reg, clock, TrapProcessor::Options{});
    p->set_port_names("combo1", {{3, "Gi1/0/3"}});
    p->set_port_names("sw1", {{3, "Gi1/0/3"}});
  }

  Trap trap(const std::string& oid, const std::string& from) {
    Trap t = read_trap("linkdown-v2c.trap");
    t.trap_oid = oid;
    t.source_address = from;
    t.source_port = 49152;
    t.community = "public";
    t.received = clock.now();
    return t;
  }
};

constexpr const char* kLinkDown = "1.3.6.1.6.3.1.1.5.3";
constexpr const char* kOnBattery = "1.3.6.1.2.1.33.2.1";
constexpr const char* kColdStart = "1.3.6.1.6.3.1.1.5.1";

}  // namespace

TEST_CASE("a device with two plugins gets what each declares", "[trapd][plugin]") {
  Fixture f;
  auto r = f.p->process(f.trap(kLinkDown, "192.0.2.40"));
  REQUIRE(r.disposition == Disposition::observation);
  REQUIRE(r.observations.size() == 1);
  CHECK(r.observations[0].entity == EntityId::port("combo1", "Gi1/0/3"));
  CHECK(r.log == "linkDown Gi1/0/3");

  r = f.p->process(f.trap(kOnBattery, "192.0.2.40"));
  REQUIRE(r.disposition == Disposition::observation);
  REQUIRE(r.observations.size() == 1);
  CHECK(r.observations[0].entity == EntityId::ups("combo1"));
  CHECK(r.observations[0].state == State::battery);
  CHECK(r.log == "on battery");

  // A trap neither declares: evidence, as for a device of one plugin.
  r = f.p->process(f.trap("1.3.6.1.4.1.318.0.268", "192.0.2.40"));
  CHECK(r.disposition == Disposition::evidence);
  CHECK(r.evidence.reason == "plugin if-mib ups-mib does not translate 1.3.6.1.4.1.318.0.268");
}

TEST_CASE("a trap goes only to the plugins that declare its OID", "[trapd][plugin]") {
  Fixture f;
  g_calls = 0;
  // Both counting plugins declare it: each is given it once, and what they say adds up.
  auto r = f.p->process(f.trap("1.3.6.1.4.1.99.0.1", "192.0.2.50"));
  CHECK(g_calls == 2);
  REQUIRE(r.disposition == Disposition::observation);
  REQUIRE(r.observations.size() == 2);
  // One trap stored as observations, however many it makes (the counters' identities).
  CHECK(f.p->counters().observations_stored == 1);
  CHECK(f.p->counters().accepted_unaccounted() == 0);
  CHECK(r.observations[0].entity == EntityId::port("vendor1", "count-a"));
  CHECK(r.observations[1].entity == EntityId::port("vendor1", "count-b"));
  CHECK(r.log == "count-a down; count-b down");
  // linkDown: if-mib's alone; the counting plugins are not asked.
  r = f.p->process(f.trap(kLinkDown, "192.0.2.50"));
  CHECK(g_calls == 2);
  REQUIRE(r.disposition == Disposition::observation);
  REQUIRE(r.observations.size() == 1);
  CHECK(r.observations[0].entity == EntityId::port("vendor1", "Gi1/0/3"));
  // The same vendor OID from a device that does not name them: no plugin understands it.
  r = f.p->process(f.trap("1.3.6.1.4.1.99.0.1", "192.0.2.10"));
  CHECK(g_calls == 2);
  CHECK(r.disposition == Disposition::evidence);
  CHECK(r.evidence.reason == "plugin if-mib does not translate 1.3.6.1.4.1.99.0.1");
}

TEST_CASE("a restart trap is read once for the device, not once per plugin", "[trapd][plugin]") {
  Fixture f;
  g_calls = 0;
  auto r = f.p->process(f.trap(kColdStart, "192.0.2.50"));
  CHECK(g_calls == 0);  // no plugin is given it
  CHECK(r.disposition == Disposition::evidence);
  CHECK(r.observations.empty());
  CHECK(r.poll);
  CHECK(r.refresh);  // if-mib's record: walk again
  CHECK(r.evidence.reason == "coldStart");
  CHECK(r.log == "coldStart (kept as evidence)");
  CHECK(f.p->counters().evidence_stored == 1);

  SECTION("a device of several plugins: one evidence, poll and walk") {
    r = f.p->process(f.trap(kColdStart, "192.0.2.40"));
    CHECK(r.disposition == Disposition::evidence);
    CHECK(r.poll);
    CHECK(r.refresh);
    CHECK(r.evidence.reason == "coldStart");
    CHECK(f.p->counters().evidence_stored == 2);
  }
  SECTION("what each device of one plugin saw before: the same meaning and words") {
    r = f.p->process(f.trap("1.3.6.1.6.3.1.1.5.2", "192.0.2.10"));
    CHECK(r.disposition == Disposition::evidence);
    CHECK(r.poll);
    CHECK(r.refresh);
    CHECK(r.evidence.reason == "warmStart");
    r = f.p->process(f.trap(kColdStart, "192.0.2.30"));
    CHECK(r.disposition == Disposition::evidence);
    CHECK(r.poll);
    CHECK_FALSE(r.refresh);
    CHECK(r.evidence.reason == "agent restarted");
    CHECK(r.log == "agent restarted (kept as evidence)");
  }
}

TEST_CASE("an SNMPv1 upsTrapOnBattery (E.0.N) is the v2 upsTrapOnBattery (E.N), RFC 3584",
          "[trapd][plugin][rfc3584]") {
  Fixture f;
  // Enterprise upsTraps, specific 1, as the receiver translates it.
  Trap v1 = read_trap("ups-on-battery-v1.trap");
  v1.version = 1;
  v1.source_address = "192.0.2.30";
  v1.agent_address = "192.0.2.30";
  v1.source_port = 161;
  v1.community = "public";
  v1.received = f.clock.now();
  REQUIRE(v1.trap_oid == "1.3.6.1.2.1.33.2.0.1");
  auto r = f.p->process(v1);
  REQUIRE(r.disposition == Disposition::observation);
  REQUIRE(r.observations.size() == 1);
  CHECK(r.observations[0].entity == EntityId::ups("ups1"));
  CHECK(r.observations[0].state == State::battery);
  CHECK(r.log == "on battery");
  // The plugin, the evidence and the log see the OID as UPS-MIB defines it.
  CHECK(r.trap_oid == kOnBattery);
  CHECK(r.observations[0].evidence.find("v1 trap from 192.0.2.30:161") != std::string::npos);
  CHECK(r.observations[0].evidence.find(" 1.3.6.1.2.1.33.2.1 [") != std::string::npos);
  CHECK(r.observations[0].evidence.find("33.2.0.1") == std::string::npos);
  CHECK(describe(v1, r).find(" 1.3.6.1.2.1.33.2.1 [") != std::string::npos);

  // The same trap in its v2c form, with the same varbinds: one trap, so a duplicate.
  Trap v2 = read_trap("ups-on-battery.trap");
  v2.source_address = "192.0.2.30";
  v2.source_port = 161;
  v2.community = "public";
  v2.received = f.clock.now();
  r = f.p->process(v2);
  CHECK(r.disposition == Disposition::duplicate);
  CHECK(r.trap_oid.empty());  // received as declared

  // An alarm entry added (specific 3) in v1 form: upsAlarmOutputOff, as the v2 one.
  Trap alarm = read_trap("ups-alarm-output-off.trap");
  alarm.trap_oid = "1.3.6.1.2.1.33.2.0.3";
  alarm.version = 1;
  alarm.source_address = "192.0.2.30";
  alarm.community = "public";
  alarm.received = f.clock.now();
  r = f.p->process(alarm);
  REQUIRE(r.disposition == Disposition::observation);
  CHECK(r.observations.at(0).state == State::none);
  CHECK(r.trap_oid == "1.3.6.1.2.1.33.2.3");

  // upsTrapTestCompleted (specific 2) is not declared in either form: evidence, as received.
  Trap test = v1;
  test.trap_oid = "1.3.6.1.2.1.33.2.0.2";
  r = f.p->process(test);
  CHECK(r.disposition == Disposition::evidence);
  CHECK(r.evidence.trap_oid == "1.3.6.1.2.1.33.2.0.2");
  CHECK(r.evidence.reason == "plugin ups-mib does not translate 1.3.6.1.2.1.33.2.0.2");
}
