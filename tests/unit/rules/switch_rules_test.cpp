// The shipped switch rule files (rules/cisco-if-extension.json, juniper-l2cp-features.json,
// huawei-*.json) read their vendors' traps as the devices send them. NX-OS's cieLinkDown and
// cieLinkUp were the if-mib plugin's (C++) until the rules said the same.
#include "colosla/rules/trap_rules.hpp"

#include "support_snmp.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::read_trap;
using colosla::test::source_file;
using colosla::test::varbind;

namespace {

const Device kSwitch{"sw1", Role::network_switch, "192.0.2.10", "if-mib", "", {}, {}};

TrapRules shipped() {
  TrapRuleLoader loader;
  auto all = loader.load_all({source_file("rules")});
  REQUIRE(all.has_value());
  return std::move(*all);
}

Trap trap(const std::string& oid, std::vector<Varbind> vbs) {
  Trap t;
  t.trap_oid = oid;
  t.varbinds = std::move(vbs);
  return t;
}

// cieLinkUp's varbinds for Ethernet1/5 with this ifOperStatus
Trap cie_link_up(const char* oper) {
  const std::string i = ".436224000";
  return trap("1.3.6.1.4.1.9.9.276.0.2",
              {varbind("1.3.6.1.2.1.2.2.1.1" + i, "INTEGER", "436224000"),
               varbind("1.3.6.1.2.1.2.2.1.7" + i, "INTEGER", "1"),
               varbind("1.3.6.1.2.1.2.2.1.8" + i, "INTEGER", oper),
               varbind("1.3.6.1.2.1.31.1.1.1.1" + i, "STRING", "Ethernet1/5"),
               varbind("1.3.6.1.2.1.2.2.1.3" + i, "INTEGER", "6")});
}

}  // namespace

TEST_CASE("rules: NX-OS cieLinkDown and cieLinkUp are read as linkDown and linkUp",
          "[rules][cisco]") {
  const TrapRules rules = shipped();
  const std::map<std::int64_t, std::string> names{{436224000, "Ethernet1/5"}};
  const DeviceView view{kSwitch, names};
  const auto meaning = [&](const Trap& t) {
    const TrapRule* r = rules.find(t);
    REQUIRE(r != nullptr);
    CHECK(rules.file_of(r)->mib == "CISCO-IF-EXTENSION-MIB");
    return apply(*r, t, view);
  };
  auto m = meaning(read_trap("cie-linkdown.trap"));
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 1);
  CHECK(m->states[0].entity == EntityId::port("sw1", "Ethernet1/5"));
  CHECK(m->states[0].state == State::down);
  CHECK(m->summary == "cieLinkDown Ethernet1/5");
  CHECK_FALSE(m->poll);
  m = meaning(read_trap("cie-linkup.trap"));
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 1);
  CHECK(m->states[0].entity == EntityId::port("sw1", "Ethernet1/5"));
  CHECK(m->states[0].state == State::up);
  CHECK(m->summary == "cieLinkUp Ethernet1/5");
  CHECK_FALSE(m->poll);

  SECTION("a cieLinkUp into lowerLayerDown leaves the port down") {
    m = meaning(cie_link_up("7"));
    REQUIRE(m.has_value());
    CHECK(m->states.at(0).state == State::down);
  }
  SECTION("a cieLinkUp that says down(2) is up, and asks for a poll") {
    m = meaning(cie_link_up("2"));
    REQUIRE(m.has_value());
    CHECK(rules.find(cie_link_up("2"))->name == "cie-link-up-said-down");
    CHECK(m->states.at(0).state == State::up);
    CHECK(m->poll);
  }
  SECTION("an ifIndex with no known name asks for a walk instead of guessing") {
    const DeviceView empty{kSwitch, {}};
    const Trap t = read_trap("cie-linkdown.trap");
    m = apply(*rules.find(t), t, empty);
    REQUIRE(m.has_value());
    CHECK(m->states.empty());
    CHECK(m->refresh);
  }
  SECTION("the SNMPv1 form (enterprise ciscoIfExtensionMIB, specific 1) is the same trap") {
    Trap t = read_trap("cie-linkdown.trap");
    t.trap_oid = "1.3.6.1.4.1.9.9.276.0.1";  // E.0.N: what a v1 trap (E, 6, N) arrives as
    REQUIRE(rules.find(t) != nullptr);
    CHECK(rules.find(t)->name == "cie-link-down");
  }
}

TEST_CASE("rules: cieDelayedLinkUpDownNotif names the port by ifOperStatus's instance",
          "[rules][cisco]") {
  const TrapRules rules = shipped();
  const std::map<std::int64_t, std::string> names{{436224512, "Ethernet1/6"}};
  const DeviceView view{kSwitch, names};
  const std::string i = ".436224512";
  const Trap t = trap("1.3.6.1.4.1.9.9.276.0.3",
                      {varbind("1.3.6.1.2.1.2.2.1.7" + i, "INTEGER", "1"),
                       varbind("1.3.6.1.2.1.2.2.1.8" + i, "INTEGER", "2"),
                       varbind("1.3.6.1.2.1.31.1.1.1.1" + i, "STRING", "Ethernet1/6"),
                       varbind("1.3.6.1.2.1.2.2.1.3" + i, "INTEGER", "6"),
                       varbind("1.3.6.1.4.1.9.9.276.1.1.2.1.9" + i, "INTEGER", "7")});
  const auto m = apply(*rules.find(t), t, view);
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 1);
  CHECK(m->states[0].entity == EntityId::port("sw1", "Ethernet1/6"));
  CHECK(m->states[0].state == State::down);
}

TEST_CASE("rules: Juniper BPDU protection and Huawei port traps", "[rules][juniper][huawei]") {
  const TrapRules rules = shipped();
  const std::map<std::int64_t, std::string> names{
      {513, "ge-0/0/1"}, {6, "GigabitEthernet0/0/1"}, {8, "GigabitEthernet0/0/3"}};
  const DeviceView view{kSwitch, names};
  const auto meaning = [&](const Trap& t) {
    const TrapRule* r = rules.find(t);
    REQUIRE(r != nullptr);
    return apply(*r, t, view);
  };

  // jnxPortBpduErrorStatusChangeTrap: detected(1) is down; no-error(0) only asks for a poll.
  const std::string bpdu = "1.3.6.1.4.1.2636.3.53.1.1.2.1.1.2.513";
  auto m = meaning(trap("1.3.6.1.4.1.2636.3.53.1.2.0.3", {varbind(bpdu, "INTEGER", "1")}));
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 1);
  CHECK(m->states[0].entity == EntityId::port("sw1", "ge-0/0/1"));
  CHECK(m->states[0].state == State::down);
  m = meaning(trap("1.3.6.1.4.1.2636.3.53.1.2.0.3", {varbind(bpdu, "INTEGER", "0")}));
  REQUIRE(m.has_value());
  CHECK(m->states.empty());
  CHECK(m->poll);

  // hwPortPhysicalDown, in the v1 form E.0.N of its E.N.
  m = meaning(trap("1.3.6.1.4.1.2011.5.25.129.2.5.0.1",
                   {varbind("1.3.6.1.4.1.2011.5.25.129.1.1.10", "INTEGER", "4"),
                    varbind("1.3.6.1.2.1.47.1.1.1.1.7.10", "STRING", "GigabitEthernet0/0/1"),
                    varbind("1.3.6.1.2.1.2.2.1.8.6", "INTEGER", "2"),
                    varbind("1.3.6.1.2.1.2.2.1.7.6", "INTEGER", "1")}));
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 1);
  CHECK(m->states[0].entity == EntityId::port("sw1", "GigabitEthernet0/0/1"));
  CHECK(m->states[0].state == State::down);

  // hwIfFlowUp { sysUpTime, hwIFExtFlowStatus, ifName }: no ifIndex varbind.
  m = meaning(trap("1.3.6.1.4.1.2011.5.25.41.3.6",
                   {varbind("1.3.6.1.2.1.1.3.0", "Timeticks", "8660000"),
                    varbind("1.3.6.1.4.1.2011.5.25.41.1.1.1.1.8.8", "INTEGER", "1"),
                    varbind("1.3.6.1.2.1.31.1.1.1.1.8", "STRING", "GigabitEthernet0/0/3")}));
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 1);
  CHECK(m->states[0].entity == EntityId::port("sw1", "GigabitEthernet0/0/3"));
  CHECK(m->states[0].state == State::up);
}
