// The shipped rack PDU rule files (rules/apc-powernet-pdu.json, rules/cyberpower-pdu.json) and
// the Eaton xupsOutputSource poll rules, read by the rules engine from the recorded traps and
// snmpsim recordings of tests/data. The APC traps must mean for a device whose plugin is "rules"
// what they mean for one whose plugin is apc-pdu (the C++ plugin beside the rule file).
#include <algorithm>

#include "colosla/rules/trap_rules.hpp"
#include "plugins/snmp/apc_pdu/plugin.hpp"
#include "support_snmp.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::read_snmprec;
using colosla::test::read_trap;
using colosla::test::source_file;
using colosla::test::varbind;

namespace {

const std::map<std::int64_t, std::string> kNoNames;

TrapRules shipped(const std::string& file) {
  TrapRuleLoader loader;
  auto all = loader.load_all({source_file("rules/" + file)});
  REQUIRE(all.has_value());
  return std::move(*all);
}

// What the rules say a trap means; an error when no rule reads it or the rule cannot.
Result<TrapMeaning> by_rules(const TrapRules& rules, const Trap& t, const DeviceView& d) {
  const TrapRule* rule = rules.find(t);
  if (rule == nullptr) {
    return make_error(Errc::invalid_input, "no rule reads " + t.trap_oid);
  }
  return apply(*rule, t, d);
}

// The entity and state of each observation, in order: what the SLA sees.
std::vector<std::pair<EntityId, State>> seen(const TrapMeaning& m) {
  std::vector<std::pair<EntityId, State>> out;
  for (const auto& s : m.states) {
    out.emplace_back(s.entity, s.state);
  }
  return out;
}

Trap input_voltage(const char* trap_oid, const std::string& phase) {
  Trap t;
  t.version = 2;
  t.trap_oid = trap_oid;
  t.varbinds = {varbind("1.3.6.1.4.1.318.2.3.11.0", "STRING", "ZA1234567890"),
                varbind("1.3.6.1.4.1.318.2.3.10.0", "STRING", "pdu1"),
                varbind("1.3.6.1.4.1.318.2.3.1.0", "INTEGER", phase),
                varbind("1.3.6.1.4.1.318.2.3.3.0", "STRING", "UPS Input Voltage phase event.")};
  return t;
}

}  // namespace

TEST_CASE("apc-powernet-pdu.json reads the APC outlet traps as the apc-pdu plugin does",
          "[rules][apc-pdu]") {
  const TrapRules rules = shipped("apc-powernet-pdu.json");
  REQUIRE(rules.files().front().mib == "PowerNet-MIB");
  const auto plugin = plugins::apc_pdu::make();
  const Device pdu{"pdu1", Role::pdu, "192.0.2.20", "rules", "", {}, {}};
  const DeviceView view{pdu, kNoNames};
  for (const char* name :
       {"apc-outlet-off.trap", "apc-rpdu-outlet-on-mtrapargs.trap", "apc-outlet-off-mtrapargs.trap",
        "apc-all-outlets-on.trap", "apc-all-outlets-off-mtrapargs.trap"}) {
    DYNAMIC_SECTION(name) {
      const Trap t = read_trap(name);
      const auto cpp = plugin->on_trap(t, view);
      const auto rule = by_rules(rules, t, view);
      REQUIRE(cpp.has_value());
      REQUIRE(rule.has_value());
      CHECK(seen(*rule) == seen(*cpp));
      CHECK(rule->poll == cpp->poll);
    }
  }
  SECTION("both forms: by the MIB's index, or by mtrapargsInteger.0") {
    CHECK(seen(*by_rules(rules, read_trap("apc-outlet-off.trap"), view)) ==
          std::vector<std::pair<EntityId, State>>{{EntityId::outlet("pdu1", "4"), State::off}});
    CHECK(seen(*by_rules(rules, read_trap("apc-outlet-off-mtrapargs.trap"), view)) ==
          std::vector<std::pair<EntityId, State>>{{EntityId::outlet("pdu1", "2"), State::off}});
    CHECK(seen(*by_rules(rules, read_trap("apc-rpdu-outlet-on-mtrapargs.trap"), view)) ==
          std::vector<std::pair<EntityId, State>>{{EntityId::outlet("pdu1", "7"), State::on}});
  }
  SECTION("outlet 0 is every outlet: no observation, a poll") {
    const auto m = by_rules(rules, read_trap("apc-all-outlets-off-mtrapargs.trap"), view);
    REQUIRE(m.has_value());
    CHECK(m->states.empty());
    CHECK(m->poll);
  }
  SECTION("traps the plugin finds malformed make no observation") {
    for (const char* name : {"apc-outlet-no-index.trap", "apc-outlet-mtrapargs-string.trap"}) {
      const auto m = by_rules(rules, read_trap(name), view);
      CHECK((!m.has_value() || m->states.empty()));
    }
  }
}

TEST_CASE("apc-powernet-pdu.json: a lost phase", "[rules][apc-pdu]") {
  const TrapRules rules = shipped("apc-powernet-pdu.json");
  const auto plugin = plugins::apc_pdu::make();
  Device three{"pdu3", Role::pdu, "192.0.2.21", "rules", "", {}, {}};
  three.outlet_phases = {{"1", 1}, {"2", 2}, {"3", 3}};
  const Device single{"pdu4", Role::pdu, "192.0.2.22", "rules", "", {}, {}};
  for (const Device* d : std::initializer_list<const Device*>{&three, &single}) {
    const DeviceView view{*d, kNoNames};
    DYNAMIC_SECTION(d->name) {
      for (const char* oid : {"1.3.6.1.4.1.318.0.218", "1.3.6.1.4.1.318.0.219"}) {
        const Trap t = input_voltage(oid, "2");
        const auto cpp = plugin->on_trap(t, view);
        const auto rule = by_rules(rules, t, view);
        REQUIRE(cpp.has_value());
        REQUIRE(rule.has_value());
        CHECK(seen(*rule) == seen(*cpp));
      }
    }
  }
  const DeviceView view{three, kNoNames};
  CHECK(seen(*by_rules(rules, input_voltage("1.3.6.1.4.1.318.0.218", "2"), view)) ==
        std::vector<std::pair<EntityId, State>>{{EntityId::phase("pdu3", 2), State::off}});
}

TEST_CASE("cyberpower-pdu.json: ePDUOutletOn and ePDUOutletOff", "[rules]") {
  const TrapRules rules = shipped("cyberpower-pdu.json");
  REQUIRE(rules.files().front().mib == "CPS-MIB");
  const Device pdu{"cpdu1", Role::pdu, "192.0.2.23", "rules", "", {}, {}};
  const DeviceView view{pdu, kNoNames};
  Trap t;
  t.version = 1;
  t.trap_oid = "1.3.6.1.4.1.3808.0.103";
  t.varbinds = {varbind("1.3.6.1.4.1.3808.1.1.3.1.6.0", "STRING", "2B1234567890"),
                varbind("1.3.6.1.4.1.3808.1.1.3.1.1.0", "STRING", "cpdu1"),
                varbind("1.3.6.1.4.1.3808.1.1.3.3.3.1.1.1.5", "INTEGER", "5"),
                varbind("1.3.6.1.4.1.3808.1.1.3.3.3.1.1.2.5", "STRING", "Outlet5"),
                varbind("1.3.6.1.4.1.3808.2.2.3.0", "STRING", "Outlet 5 turned off.")};
  CHECK(seen(*by_rules(rules, t, view)) ==
        std::vector<std::pair<EntityId, State>>{{EntityId::outlet("cpdu1", "5"), State::off}});
  t.trap_oid = "1.3.6.1.4.1.3808.0.102";
  CHECK(seen(*by_rules(rules, t, view)) ==
        std::vector<std::pair<EntityId, State>>{{EntityId::outlet("cpdu1", "5"), State::on}});
  // ePDUDeviceConfigChange: no rule, evidence only
  t.trap_oid = "1.3.6.1.4.1.3808.0.104";
  CHECK(rules.find(t) == nullptr);
}

namespace {

// What the poll rules of `rules` for the recording's sysObjectID.0 make of the recording.
Result<PollMeaning> polled(const TrapRules& rules, const PollAnswer& a, const DeviceView& view) {
  const auto id = std::find_if(a.varbinds.begin(), a.varbinds.end(),
                               [](const Varbind& v) { return v.oid == kSysObjectId; });
  REQUIRE(id != a.varbinds.end());
  const auto polls = rules.polls_for(id->text);
  REQUIRE_FALSE(polls.empty());
  return read_polls(polls, a, view);
}

std::vector<std::pair<EntityId, State>> sorted(const PollMeaning& m) {
  std::vector<std::pair<EntityId, State>> out;
  for (const auto& s : m.states) {
    out.emplace_back(s.entity, s.state);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("apc-powernet-pdu.json polls rPDU and rPDU2 as the apc-pdu plugin does",
          "[rules][apc-pdu]") {
  const TrapRules rules = shipped("apc-powernet-pdu.json");
  const auto plugin = plugins::apc_pdu::make();
  const Device pdu{"pdu1", Role::pdu, "192.0.2.20", "rules", "", {}, {}};
  const DeviceView view{pdu, kNoNames};
  const Timestamp now = test::at("2026-12-08T10:00:00Z");
  for (const char* name : {"pdu.snmprec", "pdu2.snmprec"}) {
    DYNAMIC_SECTION(name) {
      const PollAnswer a = read_snmprec(name, now);
      const auto cpp = plugin->on_poll(a, view);
      const auto rule = polled(rules, a, view);
      REQUIRE(cpp.has_value());
      REQUIRE(rule.has_value());
      CHECK(sorted(*rule) == sorted(*cpp));
    }
  }
  SECTION("the product OID picks the table: an rPDU2 is not read by the rPDU column") {
    const auto polls = rules.polls_for("1.3.6.1.4.1.318.1.3.4.6");
    REQUIRE(polls.size() == 2);
    CHECK(polls[0]->object == "rPDU2OutletSwitchedStatusState");
    CHECK(polls[1]->object == "rPDU2PhaseStatusVoltage");
    REQUIRE(rules.polls_for("1.3.6.1.4.1.318.1.3.4.5").size() == 1);
    CHECK(rules.polls_for("1.3.6.1.4.1.318.1.3.4.5").front()->object ==
          "rPDUOutletStatusOutletState");
    CHECK(rules.polls_for("1.3.6.1.4.1.318.1.3.27").empty());  // a Smart-UPS
  }
}

TEST_CASE("apc-powernet-pdu.json: the phases of a three-phase rPDU2", "[rules][apc-pdu]") {
  const TrapRules rules = shipped("apc-powernet-pdu.json");
  Device pdu{"pdu3", Role::pdu, "192.0.2.21", "rules", "", {}, {}};
  pdu.outlet_phases = {{"1", 1}, {"2", 2}, {"3", 3}, {"4", 1}, {"5", 2}, {"6", 3}};
  const DeviceView view{pdu, kNoNames};
  PollAnswer a = read_snmprec("apc-rpdu2-3ph.snmprec", test::at("2026-12-08T10:00:00Z"));
  auto m = polled(rules, a, view);
  REQUIRE(m.has_value());
  std::vector<std::pair<EntityId, State>> phases;
  for (const auto& s : m->states) {
    if (s.entity.kind == EntityKind::inlet) {
      phases.emplace_back(s.entity, s.state);
    }
  }
  CHECK(phases == std::vector<std::pair<EntityId, State>>{{EntityId::phase("pdu3", 1), State::on},
                                                          {EntityId::phase("pdu3", 2), State::off},
                                                          {EntityId::phase("pdu3", 3), State::on}});
  // −1: the model cannot measure the voltage; the phase is unknown, not on.
  for (auto& v : a.varbinds) {
    if (v.oid == "1.3.6.1.4.1.318.1.1.26.6.3.1.6.3") {
      v.text = "-1";
      v.number = -1;
    }
  }
  m = polled(rules, a, view);
  REQUIRE(m.has_value());
  CHECK(m->states.back() == StateReport{EntityId::phase("pdu3", 3), State::unknown, {}, ""});
}

TEST_CASE("cyberpower-pdu.json polls ePDUOutletStatusOutletState", "[rules]") {
  const TrapRules rules = shipped("cyberpower-pdu.json");
  const Device pdu{"cpdu1", Role::pdu, "192.0.2.23", "rules", "", {}, {}};
  const DeviceView view{pdu, kNoNames};
  const auto m =
      polled(rules, read_snmprec("cyberpower-pdu.snmprec", test::at("2026-12-08T10:00:00Z")), view);
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 8);
  CHECK(m->states[0] == StateReport{EntityId::outlet("cpdu1", "1"), State::on, {}, ""});
  CHECK(m->states[2] == StateReport{EntityId::outlet("cpdu1", "3"), State::off, {}, ""});
  CHECK(rules.polls_for("1.3.6.1.4.1.3808.1.1.6").front()->object ==
        "ePDU2OutletSwitchedStatusState");
  CHECK(rules.polls_for("1.3.6.1.4.1.3808.1.1.1").empty());  // a CyberPower UPS
}

TEST_CASE("eaton-xups.json polls xupsOutputSource on Eaton UPS agents, not on ePDUs", "[rules]") {
  const TrapRules rules = shipped("eaton-xups.json");
  const Device ups{"xups1", Role::ups, "192.0.2.24", "rules", "", {}, {}};
  const DeviceView view{ups, kNoNames};
  const auto m =
      polled(rules, read_snmprec("eaton-xups.snmprec", test::at("2026-12-08T10:00:00Z")), view);
  REQUIRE(m.has_value());
  CHECK(m->states == std::vector<StateReport>{{EntityId::ups("xups1"), State::normal, {}, ""}});
  for (const char* agent : {"1.3.6.1.4.1.534.1", "1.3.6.1.4.1.534.2.12"}) {
    REQUIRE(rules.polls_for(agent).size() == 1);
    CHECK(rules.polls_for(agent).front()->oid == "1.3.6.1.4.1.534.1.4.5.0");
  }
  CHECK(rules.polls_for("1.3.6.1.4.1.534.6.6.7").empty());  // an ePDU
  // xupsOutputSource's values (XUPS-MIB 201909270000Z)
  const std::vector<std::pair<std::string, State>> expected{
      {"1", State::other},   {"2", State::none},    {"3", State::normal},  {"4", State::bypass},
      {"5", State::battery}, {"6", State::booster}, {"7", State::reducer}, {"8", State::normal},
      {"9", State::normal},  {"10", State::normal}, {"11", State::bypass}, {"12", State::normal}};
  CHECK(rules.polls_for("1.3.6.1.4.1.534.1").front()->map.values == expected);
}
