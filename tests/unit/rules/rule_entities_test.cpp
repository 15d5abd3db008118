// The entities a rule can name (yang/colosla-trap-rules.yang, revision 2026-12-08): ports by an
// ifIndex in an OID suffix or by name, outlets by suffix or name, a PDU's inlet and its phases;
// `otherwise` in state maps; poll rules that walk a column, one entity a row.
#include "colosla/rules/trap_rules.hpp"
#include "support_snmp.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::varbind;

namespace {

constexpr const char* kIfOperStatus = "1.3.6.1.2.1.2.2.1.8";
constexpr const char* kIfName = "1.3.6.1.2.1.31.1.1.1.1";

// One rule per entity form. OIDs under 1.3.6.1.4.1.99999 are this test's own.
const std::string kRules = R"({
  "colosla-trap-rules:trap-rules": {
    "mib": {"name": "TEST-MIB", "revision": "2026-12-08"},
    "rule": [
      {
        "name": "port-by-suffix", "object": "cieLinkDown",
        "match": {"trap-oid": "1.3.6.1.4.1.99999.0.1"},
        "entity": {"port": {"if-index-suffix": "1.3.6.1.2.1.2.2.1.8"}},
        "state-map": {"varbind": "1.3.6.1.2.1.2.2.1.8",
                      "value": [{"equals": "1", "state": "up"}], "otherwise": "down"}
      },
      {
        "name": "port-by-name", "object": "portDown",
        "match": {"trap-oid": "1.3.6.1.4.1.99999.0.2"},
        "entity": {"port": {"name-varbind": "1.3.6.1.2.1.31.1.1.1.1"}},
        "state": "down"
      },
      {
        "name": "outlet-by-suffix", "object": "outletChange",
        "match": {"trap-oid": "1.3.6.1.4.1.99999.0.3"},
        "entity": {"outlet": {"number-suffix": "1.3.6.1.4.1.99999.1.2", "suffix-position": 2}},
        "state-map": {"varbind": "1.3.6.1.4.1.99999.1.2",
                      "value": [{"equals": "1", "state": "on"}, {"equals": "0", "state": "off"}]}
      },
      {
        "name": "outlet-by-name", "object": "outletStatusEvent",
        "match": {"trap-oid": "1.3.6.1.4.1.99999.0.4"},
        "entity": {"outlet": {"name-varbind": "1.3.6.1.4.1.99999.1.3"}},
        "state": "off"
      },
      {
        "name": "phase-by-value", "object": "phaseLost",
        "match": {"trap-oid": "1.3.6.1.4.1.99999.0.5"},
        "entity": {"phase": {"number-varbind": "1.3.6.1.4.1.99999.1.4"}},
        "state": "off"
      },
      {
        "name": "phase-two", "object": "phaseTwoLost",
        "match": {"trap-oid": "1.3.6.1.4.1.99999.0.6"},
        "entity": {"phase": {"number": 2}},
        "state": "off"
      },
      {
        "name": "inlet", "object": "inputLost",
        "match": {"trap-oid": "1.3.6.1.4.1.99999.0.7"},
        "entity": {"inlet": {}},
        "state": "off"
      }
    ],
    "poll": [
      {
        "name": "outlets", "object": "outletState", "sys-object-id": "1.3.6.1.4.1.99999.9",
        "column": "1.3.6.1.4.1.99999.2.1",
        "entity": {"outlet": {"suffix-position": 2}},
        "state-map": {"value": [{"equals": "1", "state": "on"}, {"equals": "2", "state": "off"}]}
      },
      {
        "name": "phases", "object": "phaseVoltage", "sys-object-id": "1.3.6.1.4.1.99999.9",
        "column": "1.3.6.1.4.1.99999.2.2",
        "entity": {"phase": {}},
        "state-map": {"value": [{"equals": "0", "state": "off"}, {"equals": "-1", "state": "unknown"}],
                      "otherwise": "on"}
      },
      {
        "name": "named-outlets", "object": "outletStatus", "sys-object-id": "1.3.6.1.4.1.99999.8",
        "column": "1.3.6.1.4.1.99999.3.5",
        "entity": {"outlet": {"name-column": "1.3.6.1.4.1.99999.3.2"}},
        "state-map": {"value": [{"equals": "1", "state": "on"}, {"equals": "0", "state": "off"}]}
      },
      {
        "name": "ports", "object": "ifOperStatus", "sys-object-id": "1.3.6.1.4.1.99999.8",
        "column": "1.3.6.1.2.1.2.2.1.8",
        "entity": {"port": {}},
        "state-map": {"value": [{"equals": "1", "state": "up"}], "otherwise": "down"}
      },
      {
        "name": "input", "object": "inputState", "sys-object-id": "1.3.6.1.4.1.99999.8",
        "oid": "1.3.6.1.4.1.99999.3.1.0",
        "entity": {"inlet": {}},
        "state-map": {"value": [{"equals": "1", "state": "on"}, {"equals": "2", "state": "off"}]}
      }
    ]
  }
})";

TrapRules loaded() {
  TrapRuleLoader loader;
  auto f = loader.load("test.json", kRules);
  if (!f) {
    for (const auto& d : f.error()) {
      UNSCOPED_INFO(d.to_string());
    }
  }
  REQUIRE(f.has_value());
  TrapRules rules;
  rules.add(std::move(*f));
  return rules;
}

Trap trap(const std::string& oid, std::vector<Varbind> vbs = {}) {
  Trap t;
  t.trap_oid = oid;
  t.varbinds = std::move(vbs);
  t.source_address = "192.0.2.30";
  t.community = "public";
  t.received = at("2026-12-08T10:00:00Z");
  return t;
}

struct Fixture {
  TrapRules rules = loaded();
  Device dev{"pdu1", Role::pdu, "192.0.2.30", "rules", "", {}, {}};
  std::map<std::int64_t, std::string> names{{7, "Ethernet1/7"}, {8, "Ethernet1/8"}};

  Result<TrapMeaning> meaning(const Trap& t) const {
    const TrapRule* r = rules.find(t);
    REQUIRE(r != nullptr);
    return apply(*r, t, DeviceView{dev, names});
  }
  Result<PollMeaning> poll(const std::string& sys_object_id, std::vector<Varbind> vbs) const {
    PollAnswer a;
    a.varbinds = std::move(vbs);
    a.at = at("2026-12-08T10:00:00Z");
    return read_polls(rules.polls_for(sys_object_id), a, DeviceView{dev, names});
  }
};

StateReport only(const Result<TrapMeaning>& m) {
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 1);
  return m->states.front();
}

}  // namespace

TEST_CASE("a port by the ifIndex in a varbind's OID, with otherwise", "[rules]") {
  const Fixture f;
  const auto down = f.meaning(
      trap("1.3.6.1.4.1.99999.0.1", {varbind("1.3.6.1.2.1.2.2.1.1.7", "INTEGER", "7"),
                                     varbind(std::string(kIfOperStatus) + ".7", "INTEGER", "2")}));
  CHECK(only(down).entity == EntityId::port("pdu1", "Ethernet1/7"));
  CHECK(only(down).state == State::down);
  CHECK(down->summary == "cieLinkDown Ethernet1/7");
  // A value the map does not list is `otherwise`: lowerLayerDown(7) is down.
  CHECK(only(f.meaning(trap("1.3.6.1.4.1.99999.0.1",
                            {varbind(std::string(kIfOperStatus) + ".8", "INTEGER", "7")})))
            .state == State::down);
  CHECK(only(f.meaning(trap("1.3.6.1.4.1.99999.0.1",
                            {varbind(std::string(kIfOperStatus) + ".8", "INTEGER", "1")})))
            .entity == EntityId::port("pdu1", "Ethernet1/8"));
  SECTION("an ifIndex the walk has not named: walk the device, no observation") {
    const auto m = f.meaning(trap("1.3.6.1.4.1.99999.0.1",
                                  {varbind(std::string(kIfOperStatus) + ".9", "INTEGER", "2")}));
    REQUIRE(m.has_value());
    CHECK(m->states.empty());
    CHECK(m->refresh);
  }
  SECTION("the column without an instance cannot be read") {
    const auto m =
        f.meaning(trap("1.3.6.1.4.1.99999.0.1", {varbind(kIfOperStatus, "INTEGER", "2")}));
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().msg ==
          "cieLinkDown: the varbind 1.3.6.1.2.1.2.2.1.8 has no ifIndex after 1.3.6.1.2.1.2.2.1.8");
  }
}

TEST_CASE("a port by its name: only a name the device's walk gave", "[rules]") {
  const Fixture f;
  const auto named = [&](const std::string& name) {
    return f.meaning(
        trap("1.3.6.1.4.1.99999.0.2", {varbind(std::string(kIfName) + ".7", "STRING", name)}));
  };
  CHECK(only(named("Ethernet1/7")).entity == EntityId::port("pdu1", "Ethernet1/7"));
  const auto unknown = named("Ethernet9/9");
  REQUIRE(unknown.has_value());
  CHECK(unknown->states.empty());
  CHECK(unknown->refresh);
  CHECK(unknown->summary ==
        "portDown Ethernet9/9 (not a name the device's walk gave: walking the device again)");
  // Not a name: empty, or with a control character (refused, escaped in the message).
  CHECK_FALSE(named("").has_value());
  const auto bad = named("Eth\n1");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().msg.find("Eth\\n1") != std::string::npos);
}

TEST_CASE("an outlet by an OID suffix, or by name", "[rules]") {
  const Fixture f;
  // outletChange's state varbind is indexed pdu.outlet: outlet 12 of unit 1.
  const auto m = f.meaning(
      trap("1.3.6.1.4.1.99999.0.3", {varbind("1.3.6.1.4.1.99999.1.2.1.12", "INTEGER", "0")}));
  CHECK(only(m).entity == EntityId::outlet("pdu1", "12"));
  CHECK(only(m).state == State::off);
  CHECK(m->summary == "outletChange outlet 12");
  CHECK(only(f.meaning(trap("1.3.6.1.4.1.99999.0.4",
                            {varbind("1.3.6.1.4.1.99999.1.3.1.1.1", "STRING", "AA1")})))
            .entity == EntityId::outlet("pdu1", "AA1"));
}

TEST_CASE("a phase of the inlet, or the whole inlet when the inventory gives no phases",
          "[rules]") {
  Fixture f;
  const auto lost = [&](const char* phase) {
    return f.meaning(
        trap("1.3.6.1.4.1.99999.0.5", {varbind("1.3.6.1.4.1.99999.1.4.0", "INTEGER", phase)}));
  };
  // No outlet on a phase: a lost phase is the PDU's whole inlet.
  CHECK(only(lost("2")).entity == EntityId::inlet("pdu1"));
  CHECK(lost("2")->summary ==
        "phaseLost phase 2 (the inventory puts no outlet on a phase: the whole inlet)");
  f.dev.outlet_phases = {{"1", 1}, {"2", 2}, {"3", 3}};
  CHECK(only(lost("2")).entity == EntityId::phase("pdu1", 2));
  CHECK(only(lost("2")).state == State::off);
  CHECK(only(f.meaning(trap("1.3.6.1.4.1.99999.0.6"))).entity == EntityId::phase("pdu1", 2));
  CHECK(only(f.meaning(trap("1.3.6.1.4.1.99999.0.7"))).entity == EntityId::inlet("pdu1"));
  const auto four = lost("4");
  REQUIRE_FALSE(four.has_value());
  CHECK(four.error().msg == "phaseLost: phase 4 is not 1, 2 or 3");
}

TEST_CASE("a poll rule on a column: one entity a row", "[rules][poll]") {
  Fixture f;
  f.dev.outlet_phases = {{"1", 1}};
  const auto m =
      f.poll("1.3.6.1.4.1.99999.9.1", {varbind("1.3.6.1.4.1.99999.2.1.1.1", "INTEGER", "1"),
                                       varbind("1.3.6.1.4.1.99999.2.1.1.2", "INTEGER", "2"),
                                       varbind("1.3.6.1.4.1.99999.2.2.1", "INTEGER", "231"),
                                       varbind("1.3.6.1.4.1.99999.2.2.2", "INTEGER", "0"),
                                       varbind("1.3.6.1.4.1.99999.2.2.3", "INTEGER", "-1")});
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 5);
  CHECK(m->states[0].entity == EntityId::outlet("pdu1", "1"));
  CHECK(m->states[0].state == State::on);
  CHECK(m->states[0].detail == "outletState.1.1 = 1 (poll rule outlets)");
  CHECK(m->states[1].entity == EntityId::outlet("pdu1", "2"));
  CHECK(m->states[1].state == State::off);
  CHECK(m->states[2].entity == EntityId::phase("pdu1", 1));
  CHECK(m->states[2].state == State::on);  // 231 V: otherwise
  CHECK(m->states[3].entity == EntityId::phase("pdu1", 2));
  CHECK(m->states[3].state == State::off);
  CHECK(m->states[4].state == State::unknown);
  CHECK(request_of(f.rules.polls_for("1.3.6.1.4.1.99999.9.1")).walk ==
        std::vector<std::string>{"1.3.6.1.4.1.99999.2.1", "1.3.6.1.4.1.99999.2.2"});

  SECTION("a column without rows is not this kind of device; no row at all cannot be read") {
    // A metered PDU: no switched outlets, its phases read.
    const auto metered =
        f.poll("1.3.6.1.4.1.99999.9.1", {varbind("1.3.6.1.4.1.99999.2.2.1", "INTEGER", "230")});
    REQUIRE(metered.has_value());
    CHECK(metered->states ==
          std::vector<StateReport>{{EntityId::phase("pdu1", 1), State::on, {}, ""}});
    const auto none = f.poll("1.3.6.1.4.1.99999.9.1", {});
    REQUIRE_FALSE(none.has_value());
    CHECK(none.error().msg == "the agent has no rows of outletState (1.3.6.1.4.1.99999.2.1)");
  }
  SECTION("a PDU whose inventory gives no phases: one inlet state, off when a phase is off") {
    f.dev.outlet_phases.clear();
    const auto three = [&](const char* l2) {
      return f.poll("1.3.6.1.4.1.99999.9.1",
                    {varbind("1.3.6.1.4.1.99999.2.1.1.1", "INTEGER", "1"),
                     varbind("1.3.6.1.4.1.99999.2.2.1", "INTEGER", "231"),
                     varbind("1.3.6.1.4.1.99999.2.2.2", "INTEGER", l2),
                     varbind("1.3.6.1.4.1.99999.2.2.3", "INTEGER", "229")});
    };
    const auto lost = three("0");
    REQUIRE(lost.has_value());
    REQUIRE(lost->states.size() == 2);
    CHECK(lost->states[1].entity == EntityId::inlet("pdu1"));
    CHECK(lost->states[1].state == State::off);
    CHECK(lost->states[1].detail ==
          "phaseVoltage.1 = 231 (poll rule phases); phaseVoltage.2 = 0 (poll rule phases); "
          "phaseVoltage.3 = 229 (poll rule phases)");
    CHECK(three("230")->states[1].state == State::on);
    CHECK(three("-1")->states[1].state == State::on);
  }
}

TEST_CASE("a poll rule: rows named by another column, ports by ifIndex, a scalar inlet",
          "[rules][poll]") {
  const Fixture f;
  const auto request = request_of(f.rules.polls_for("1.3.6.1.4.1.99999.8.3"));
  CHECK(request.get == std::vector<std::string>{"1.3.6.1.4.1.99999.3.1.0"});
  CHECK(request.walk == std::vector<std::string>{"1.3.6.1.4.1.99999.3.5", "1.3.6.1.4.1.99999.3.2",
                                                 "1.3.6.1.2.1.2.2.1.8"});
  const auto m = f.poll("1.3.6.1.4.1.99999.8.3",
                        {varbind("1.3.6.1.4.1.99999.3.1.0", "INTEGER", "2"),
                         varbind("1.3.6.1.4.1.99999.3.2.1.1.1", "STRING", "AA1"),
                         varbind("1.3.6.1.4.1.99999.3.2.1.1.2", "STRING", "AA2"),
                         varbind("1.3.6.1.4.1.99999.3.5.1.1.1", "INTEGER", "1"),
                         varbind("1.3.6.1.4.1.99999.3.5.1.1.2", "INTEGER", "0"),
                         varbind(std::string(kIfOperStatus) + ".7", "INTEGER", "1"),
                         varbind(std::string(kIfOperStatus) + ".8", "INTEGER", "2"),
                         varbind(std::string(kIfOperStatus) + ".99", "INTEGER", "2")});
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 5);  // ifIndex 99 has no name: not a port anyone maps
  CHECK(m->states[0].entity == EntityId::outlet("pdu1", "AA1"));
  CHECK(m->states[0].state == State::on);
  CHECK(m->states[1].entity == EntityId::outlet("pdu1", "AA2"));
  CHECK(m->states[1].state == State::off);
  CHECK(m->states[2].entity == EntityId::port("pdu1", "Ethernet1/7"));
  CHECK(m->states[3].state == State::down);
  CHECK(m->states[4].entity == EntityId::inlet("pdu1"));
  CHECK(m->states[4].state == State::off);
}

TEST_CASE("a poll rule's entity must fit how it reads", "[rules][poll]") {
  TrapRuleLoader loader;
  const auto problem = [&](const std::string& read, const std::string& entity) {
    const std::string text = R"({"colosla-trap-rules:trap-rules": {
  "mib": {"name": "TEST-MIB", "revision": "1"},
  "poll": [{"name": "p", "object": "x", "sys-object-id": "1.3.6.1.4.1.99",
    )" + read + R"(,
    "entity": )" + entity + R"(,
    "state-map": {"value": [{"equals": "1", "state": "on"}]}}]}})";
    auto f = loader.load("bad.json", text);
    REQUIRE_FALSE(f.has_value());
    REQUIRE(f.error().size() == 1);
    return f.error().front().to_string();
  };
  CHECK(problem(R"("oid": "1.3.6.1.4.1.99.1.0")", R"({"outlet": {}})") ==
        "bad.json:5: /colosla-trap-rules:trap-rules/poll[name='p']/entity: a scalar (oid) is one "
        "entity: a ups, an inlet or a phase with its number; outlets by row are read from a "
        "column");
  CHECK(problem(R"("column": "1.3.6.1.4.1.99.1")", R"({"inlet": {}})") ==
        "bad.json:5: /colosla-trap-rules:trap-rules/poll[name='p']/entity: a column's rows are "
        "outlets, phases or ports numbered by the row's index: inlet is read from a scalar (oid)");
  // A phase that is not 1..3: libyang's range.
  CHECK(problem(R"("oid": "1.3.6.1.4.1.99.1.0")", R"({"phase": {"number": 4}})")
            .find("poll[name='p']/entity/phase/number") != std::string::npos);
}

TEST_CASE("one trap in two forms: the first rule whose varbinds the trap carries", "[rules]") {
  TrapRuleLoader loader;
  auto f = loader.load("forms.json", R"({"colosla-trap-rules:trap-rules": {
    "mib": {"name": "TEST-MIB", "revision": "2026-12-08"},
    "rule": [
      {"name": "by-index", "object": "outletOff", "match": {"trap-oid": "1.3.6.1.4.1.99999.0.9"},
       "entity": {"outlet": {"number-varbind": "1.3.6.1.4.1.99999.1.5"}}, "state": "off"},
      {"name": "by-argument", "object": "outletOff", "match": {"trap-oid": "1.3.6.1.4.1.99999.0.9"},
       "entity": {"outlet": {"number-varbind": "1.3.6.1.4.1.99999.1.6.0"}}, "state": "off"}]}})");
  REQUIRE(f.has_value());
  TrapRules rules;
  rules.add(std::move(*f));
  const Device dev{"pdu1", Role::pdu, "192.0.2.30", "rules", "", {}, {}};
  const std::map<std::int64_t, std::string> names;
  const auto index = varbind("1.3.6.1.4.1.99999.1.5.4", "INTEGER", "4");
  const auto argument = varbind("1.3.6.1.4.1.99999.1.6.0", "INTEGER", "3");
  CHECK(rules.find(trap("1.3.6.1.4.1.99999.0.9", {index, argument}))->name == "by-index");
  const Trap by_argument = trap("1.3.6.1.4.1.99999.0.9", {argument});
  REQUIRE(rules.find(by_argument)->name == "by-argument");
  CHECK(only(apply(*rules.find(by_argument), by_argument, DeviceView{dev, names})).entity ==
        EntityId::outlet("pdu1", "3"));
  // Neither: the first rule whose match holds, which finds the trap malformed.
  const Trap neither = trap("1.3.6.1.4.1.99999.0.9");
  REQUIRE(rules.find(neither)->name == "by-index");
  CHECK_FALSE(apply(*rules.find(neither), neither, DeviceView{dev, names}).has_value());
}
