#include "plugins/snmp/apc_pdu/plugin.hpp"

#include "colosla/plugin/registry.hpp"
#include "support_snmp.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::read_snmprec;
using colosla::test::read_trap;

namespace {
const Device kPdu{"pdu1", Role::pdu, "192.0.2.20", "apc-pdu", "", {}, {}};
const std::map<std::int64_t, std::string> kNoNames;
}  // namespace

TEST_CASE("apc-pdu: outlet traps", "[plugin][apc-pdu]") {
  const auto p = plugins::apc_pdu::make();
  const DeviceView view{kPdu, kNoNames};
  SECTION("rPDUOutletOff for outlet 4") {
    const auto m = p->on_trap(read_trap("apc-outlet-off.trap"), view);
    REQUIRE(m.has_value());
    REQUIRE(m->states.size() == 1);
    CHECK(m->states[0].entity == EntityId::outlet("pdu1", "4"));
    CHECK(m->states[0].state == State::off);
  }
  SECTION("outletOn for every outlet (index 0): poll") {
    const auto m = p->on_trap(read_trap("apc-all-outlets-on.trap"), view);
    REQUIRE(m.has_value());
    CHECK(m->states.empty());
    CHECK(m->poll);
  }
  SECTION("input power lost and restored") {
    Trap t;
    t.trap_oid = "1.3.6.1.4.1.318.0.218";
    CHECK(p->on_trap(t, view)->states.at(0) ==
          StateReport{EntityId::inlet("pdu1"), State::off, {}, ""});
    t.trap_oid = "1.3.6.1.4.1.318.0.219";
    CHECK(p->on_trap(t, view)->states.at(0).state == State::on);
  }
  SECTION("a phase lost on a PDU whose inventory gives no phases: the whole inlet") {
    Trap t;
    t.trap_oid = "1.3.6.1.4.1.318.0.218";
    t.varbinds.push_back(Varbind{"1.3.6.1.4.1.318.2.3.1.0", VarType::integer, "2", 2});
    const auto m = p->on_trap(t, view);
    REQUIRE(m.has_value());
    REQUIRE(m->states.size() == 1);
    CHECK(m->states[0].entity == EntityId::inlet("pdu1"));
    CHECK(m->states[0].state == State::off);
    CHECK(m->states[0].detail == "pduUPSInputVoltageLost phase 2");
  }
  SECTION("a condition trap asks for a poll") {
    CHECK(p->handles("1.3.6.1.4.1.318.0.750"));
    CHECK_FALSE(p->handles("1.3.6.1.4.1.318.0.7501"));
    Trap t;
    t.trap_oid = "1.3.6.1.4.1.318.0.750";
    CHECK(p->on_trap(t, view)->poll);
  }
  SECTION("outletOff as devices send it: the outlet in mtrapargsInteger.0") {
    const auto m = p->on_trap(read_trap("apc-outlet-off-mtrapargs.trap"), view);
    REQUIRE(m.has_value());
    REQUIRE(m->states.size() == 1);
    CHECK(m->states[0].entity == EntityId::outlet("pdu1", "2"));
    CHECK(m->states[0].state == State::off);
    CHECK(m->summary == "outlet 2 off");
  }
  SECTION("rPDUOutletOn with mtrapargsInteger.0 instead of rPDUOutletControlIndex") {
    const auto m = p->on_trap(read_trap("apc-rpdu-outlet-on-mtrapargs.trap"), view);
    REQUIRE(m.has_value());
    REQUIRE(m->states.size() == 1);
    CHECK(m->states[0].entity == EntityId::outlet("pdu1", "7"));
    CHECK(m->states[0].state == State::on);
  }
  SECTION("mtrapargsInteger.0 = 0: every outlet, poll") {
    const auto m = p->on_trap(read_trap("apc-all-outlets-off-mtrapargs.trap"), view);
    REQUIRE(m.has_value());
    CHECK(m->states.empty());
    CHECK(m->poll);
    CHECK(m->summary == "all outlets off");
  }
  SECTION("the index the MIB names wins over mtrapargsInteger.0") {
    Trap t = read_trap("apc-outlet-off.trap");  // rPDUOutletControlIndex.4 = 4
    t.varbinds.push_back(Varbind{"1.3.6.1.4.1.318.2.3.1.0", VarType::integer, "9", 9});
    CHECK(p->on_trap(t, view)->states.at(0).entity == EntityId::outlet("pdu1", "4"));
  }
  SECTION("malformed") {
    auto m = p->on_trap(read_trap("apc-outlet-no-index.trap"), view);
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().msg == "an outlet trap without an outlet index or mtrapargsInteger.0");
    m = p->on_trap(read_trap("apc-outlet-mtrapargs-string.trap"), view);
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().msg == "mtrapargsInteger.0 is STRING, not an INTEGER (outlet number)");
  }
  SECTION("a configuration change is not one of its traps") {
    CHECK_FALSE(p->handles("1.3.6.1.4.1.318.0.270"));  // rPDUDeviceConfigChange
    CHECK_FALSE(p->handles("1.3.6.1.4.1.318.0.43"));   // outletReboot
  }
}

TEST_CASE("apc-pdu: polls of rPDU and rPDU2", "[plugin][apc-pdu]") {
  const auto p = plugins::apc_pdu::make();
  const DeviceView view{kPdu, kNoNames};
  const Timestamp now = at("2026-11-23T12:00:00Z");
  SECTION("rPDU: on(1), off(2)") {
    const auto m = p->on_poll(read_snmprec("pdu.snmprec", now), view);
    REQUIRE(m.has_value());
    REQUIRE(m->states.size() == 4);
    CHECK(m->states[0] == StateReport{EntityId::outlet("pdu1", "1"), State::on, {}, ""});
    CHECK(m->states[3].entity == EntityId::outlet("pdu1", "4"));
    CHECK(m->states[3].state == State::off);
  }
  SECTION("rPDU2: off(1), on(2), outlets by their number, the inlet by the phase voltage") {
    const auto m = p->on_poll(read_snmprec("pdu2.snmprec", now), view);
    REQUIRE(m.has_value());
    REQUIRE(m->states.size() == 4);
    CHECK(m->states[0].entity == EntityId::outlet("pdu1", "1"));
    CHECK(m->states[0].state == State::on);
    CHECK(m->states[1].entity == EntityId::outlet("pdu1", "2"));
    CHECK(m->states[1].state == State::off);
    CHECK(m->states[2].entity == EntityId::outlet("pdu1", "8"));  // row 3 is outlet number 8
    CHECK(m->states[3] == StateReport{EntityId::inlet("pdu1"), State::on, {}, ""});
  }
  SECTION("no voltage on any phase: the inlet is off; −1 says nothing") {
    auto a = read_snmprec("pdu2.snmprec", now);
    for (auto& v : a.varbinds) {
      if (v.oid == "1.3.6.1.4.1.318.1.1.26.6.3.1.6.1") {
        v.number = 0;
      }
    }
    CHECK(p->on_poll(a, view)->states.back() ==
          StateReport{EntityId::inlet("pdu1"), State::off, {}, ""});
    for (auto& v : a.varbinds) {
      if (v.oid == "1.3.6.1.4.1.318.1.1.26.6.3.1.6.1") {
        v.number = -1;
      }
    }
    CHECK(p->on_poll(a, view)->states.size() == 3);
  }
  SECTION("an unknown state value is an error") {
    PollAnswer a{{test::varbind("1.3.6.1.4.1.318.1.1.12.3.5.1.1.4.1", "INTEGER", "3")}, now};
    const auto e = p->on_poll(a, view);
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().msg.find("is not on(1) or off(2)") != std::string::npos);
  }
}

TEST_CASE("the registry of built-in plugins", "[plugin][registry]") {
  Registry r;
  register_builtins(r);
  CHECK(r.names() == std::vector<std::string>{"apc-pdu", "ietf-hardware", "ietf-interfaces",
                                              "if-mib", "openconfig-interfaces", "rules",
                                              "ups-mib"});
  CHECK(r.find("if-mib") != nullptr);
  CHECK(r.find("cisco-foo") == nullptr);
  CHECK_THROWS_AS(r.add(&plugins::apc_pdu::make), ConfigError);
}

TEST_CASE("apc-pdu: a phase lost on a three-phase PDU is that phase only", "[plugin][apc-pdu]") {
  const auto p = plugins::apc_pdu::make();
  Device pdu = kPdu;
  pdu.outlet_phases = {{"1", 1}, {"2", 2}, {"3", 3}};
  const DeviceView view{pdu, kNoNames};
  Trap t;
  t.trap_oid = "1.3.6.1.4.1.318.0.218";  // pduUPSInputVoltageLost
  t.varbinds.push_back(Varbind{"1.3.6.1.4.1.318.2.3.1.0", VarType::integer, "2", 2});
  auto m = p->on_trap(t, view);
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 1);
  CHECK(m->states[0].entity == EntityId::phase("pdu1", 2));
  CHECK(m->states[0].entity == EntityId{EntityKind::inlet, "pdu1", "L2"});
  CHECK(m->states[0].state == State::off);
  CHECK(m->summary == "input power lost on phase 2");
  t.trap_oid = "1.3.6.1.4.1.318.0.219";  // pduUPSInputVoltageRestored
  m = p->on_trap(t, view);
  REQUIRE(m.has_value());
  CHECK(m->states.at(0).entity == EntityId::phase("pdu1", 2));
  CHECK(m->states.at(0).state == State::on);
  SECTION("no phase number, or one out of 1..3: the whole inlet") {
    for (std::int64_t n : {0, 4}) {
      t.varbinds.back() =
          Varbind{"1.3.6.1.4.1.318.2.3.1.0", VarType::integer, std::to_string(n), n};
      CHECK(p->on_trap(t, view)->states.at(0).entity == EntityId::inlet("pdu1"));
    }
    t.varbinds.clear();
    CHECK(p->on_trap(t, view)->states.at(0).entity == EntityId::inlet("pdu1"));
  }
}
