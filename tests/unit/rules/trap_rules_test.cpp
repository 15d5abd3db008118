#include "colosla/rules/trap_rules.hpp"

#include "colosla/ingest/trap_processor.hpp"
#include "support_snmp.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::source_file;
using colosla::test::varbind;

namespace {

// A rule file as an operator writes it: one rule of each entity and state form.
const std::string kRules = R"({
  "colosla-trap-rules:trap-rules": {
    "mib": {"name": "TEST-MIB", "revision": "2026-12-07"},
    "rule": [
      {
        "name": "on-battery",
        "object": "upsOnBattery",
        "match": {"trap-oid": "1.3.6.1.4.1.318.0.5"},
        "entity": {"ups": {}},
        "state": "battery"
      },
      {
        "name": "restored",
        "object": "powerRestored",
        "match": {"trap-oid": "1.3.6.1.4.1.318.0.9"},
        "entity": {"ups": {}},
        "state": "normal",
        "poll-to-confirm": true
      },
      {
        "name": "ups-mib-on-battery",
        "object": "upsTrapOnBattery",
        "match": {"trap-oid": "1.3.6.1.2.1.33.2.1"},
        "entity": {"ups": {}},
        "state": "battery"
      },
      {
        "name": "outlet-off",
        "object": "outletOff",
        "match": {
          "trap-oid": "1.3.6.1.4.1.318.0.42",
          "varbind": [{"oid": "1.3.6.1.4.1.318.2.3.3", "equals": "Outlet off"}]
        },
        "entity": {"outlet": {"number-varbind": "1.3.6.1.4.1.318.2.3.1"}},
        "state": "off"
      },
      {
        "name": "port-status",
        "object": "portStatus",
        "match": {"trap-oid": "1.3.6.1.4.1.9999.0.1"},
        "entity": {"port": {"if-index-varbind": "1.3.6.1.2.1.2.2.1.1"}},
        "state-map": {
          "varbind": "1.3.6.1.2.1.2.2.1.8",
          "value": [{"equals": "1", "state": "up"}, {"equals": "2", "state": "down"}]
        }
      }
    ]
  }
})";

Trap trap(const std::string& oid, std::vector<Varbind> vbs = {}) {
  Trap t;
  t.trap_oid = oid;
  t.varbinds = std::move(vbs);
  t.source_address = "192.0.2.30";
  t.community = "public";
  t.received = at("2026-12-07T10:00:00Z");
  return t;
}

TrapRules loaded(const std::string& text = kRules) {
  TrapRuleLoader loader;
  auto f = loader.load("test.json", text);
  REQUIRE(f.has_value());
  TrapRules rules;
  rules.add(std::move(*f));
  return rules;
}

// The one diagnostic a bad document gives, as "FILE:LINE: PATH: message".
std::string problem(const std::string& text) {
  TrapRuleLoader loader;
  auto f = loader.load("bad.json", text);
  REQUIRE_FALSE(f.has_value());
  REQUIRE(f.error().size() == 1);
  return f.error().front().to_string();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at_ = text.find(from);
  REQUIRE(at_ != std::string::npos);
  return text.replace(at_, from.size(), to);
}

}  // namespace

TEST_CASE("a rule file is read into rules", "[rules]") {
  TrapRuleLoader loader;
  auto f = loader.load("test.json", kRules);
  REQUIRE(f.has_value());
  CHECK(f->mib == "TEST-MIB");
  CHECK(f->revision == "2026-12-07");
  REQUIRE(f->rules.size() == 5);
  CHECK(f->rules[0].object == "upsOnBattery");
  CHECK(f->rules[0].state == State::battery);
  CHECK_FALSE(f->rules[0].poll);
  CHECK(f->rules[1].poll);
  CHECK(f->rules[3].entity.kind == RuleEntity::outlet);
  CHECK(f->rules[3].conditions.size() == 1);
  CHECK(f->rules[4].entity.kind == RuleEntity::port);
  CHECK_FALSE(f->rules[4].state.has_value());
  CHECK(f->rules[4].map.values.size() == 2);
  // The line of each rule's name (colosla rules test prints it).
  CHECK(f->rules[0].line == 6);
  CHECK(f->rules[1].line == 13);
}

TEST_CASE("file_of names the file a found rule is in", "[rules]") {
  TrapRuleLoader loader;
  auto f = loader.load("test.json", kRules);
  REQUIRE(f.has_value());
  TrapRules rules;
  rules.add(std::move(*f));
  const TrapRule* rule = rules.find(trap("1.3.6.1.4.1.318.0.9"));
  REQUIRE(rule != nullptr);
  REQUIRE(rules.file_of(rule) != nullptr);
  CHECK(rules.file_of(rule)->path == "test.json");
  const TrapRule elsewhere;
  CHECK(rules.file_of(&elsewhere) == nullptr);
}

TEST_CASE("a bad rule file says where, with file, line and path", "[rules]") {
  SECTION("an OID written with a leading dot: libyang's pattern, on its line") {
    CHECK(problem(replaced(kRules, R"("trap-oid": "1.3.6.1.4.1.318.0.9")",
                           R"("trap-oid": ".1.3.6.1.4.1.318.0.9")")) ==
          "bad.json:15: /colosla-trap-rules:trap-rules/rule[name='restored']/match/trap-oid: an "
          "OID is written in numbers without a leading dot, such as 1.3.6.1.4.1.318.0.5");
  }
  SECTION("a state that is not a UPS's: found after libyang, placed on its line") {
    CHECK(problem(replaced(kRules, R"("state": "normal")", R"("state": "up")")) ==
          "bad.json:17: /colosla-trap-rules:trap-rules/rule[name='restored']/state: \"up\" is not "
          "a state of a ups: unknown UPS output source \"up\" (expected one of normal, bypass, "
          "battery, booster, reducer, none, other, unknown)");
  }
  SECTION("a value of a state map that does not fit a port") {
    CHECK(problem(replaced(kRules, R"({"equals": "2", "state": "down"})",
                           R"({"equals": "2", "state": "off"})")) ==
          "bad.json:44: /colosla-trap-rules:trap-rules/rule[name='port-status']/state-map/"
          "value[equals='2']/state: \"off\" is not a state of a port: unknown port state \"off\" "
          "(expected one of up, down, unknown)");
  }
  SECTION("no state at all: the rule's instance, on its line") {
    CHECK(problem(replaced(kRules, R"(,
        "state": "battery"
      },
      {
        "name": "restored")",
                           R"(
      },
      {
        "name": "restored")")) ==
          "bad.json:6: /colosla-trap-rules:trap-rules/rule[name='on-battery']/yields: one of the "
          "members of \"yields\" is missing (it is mandatory)");
  }
  SECTION("an unknown member") {
    CHECK(problem(replaced(kRules, R"("poll-to-confirm": true)", R"("poll": true)")) ==
          "bad.json:18: /colosla-trap-rules:trap-rules/rule[name='restored']: unknown member "
          "\"poll\" in \"rule\"");
  }
  SECTION("a file that is not a rule file") {
    CHECK(problem(R"({"colosla-inventory:inventory": {}})").find("bad.json") == 0);
  }
}

TEST_CASE("load_all gives no rules when any file is bad", "[rules]") {
  TrapRuleLoader loader;
  const std::string good = source_file("rules/apc-powernet-ups.json");
  auto ok = loader.load_all({good});
  REQUIRE(ok.has_value());
  CHECK(ok->files().front().mib == "PowerNet-MIB");
  auto bad = loader.load_all({good, "/nonexistent/rules.json"});
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().front().unreadable);
}

TEST_CASE("every shipped rule file is valid", "[rules]") {
  TrapRuleLoader loader;
  auto all = loader.load_all({source_file("rules")});
  REQUIRE(all.has_value());
  CHECK(all->size() > 0);
  for (const auto& f : all->files()) {
    CHECK_FALSE(f.mib.empty());
    CHECK_FALSE(f.revision.empty());
  }
}

TEST_CASE("a rule matches its trap OID, in both forms of RFC 3584", "[rules]") {
  const TrapRules rules = loaded();
  REQUIRE(rules.find(trap("1.3.6.1.4.1.318.0.5")) != nullptr);
  CHECK(rules.find(trap("1.3.6.1.4.1.318.0.5"))->name == "on-battery");
  // UPS-MIB's upsTrapOnBattery sent as SNMPv1 (enterprise upsTraps, specific 1) arrives as
  // 33.2.0.1: the rule written for 33.2.1 reads it.
  REQUIRE(rules.find(trap("1.3.6.1.2.1.33.2.0.1")) != nullptr);
  CHECK(rules.find(trap("1.3.6.1.2.1.33.2.0.1"))->name == "ups-mib-on-battery");
  CHECK(rules.find(trap("1.3.6.1.4.1.318.0.6")) == nullptr);
  CHECK(rules.find(trap("1.3.6.1.4.1.318.0.50")) == nullptr);
  // One way, as the plugins' dispatch: E.N is no form of a notification defined as E.0.N.
  CHECK(rules.find(trap("1.3.6.1.4.1.318.5")) == nullptr);
}

TEST_CASE("varbind conditions must hold", "[rules]") {
  const TrapRules rules = loaded();
  const auto outlet = varbind("1.3.6.1.4.1.318.2.3.1.0", "INTEGER", "4");
  CHECK(rules.find(trap("1.3.6.1.4.1.318.0.42", {outlet})) == nullptr);
  CHECK(rules.find(trap("1.3.6.1.4.1.318.0.42",
                        {outlet, varbind("1.3.6.1.4.1.318.2.3.3.0", "STRING", "Outlet on")})) ==
        nullptr);
  CHECK(rules.find(trap("1.3.6.1.4.1.318.0.42",
                        {outlet, varbind("1.3.6.1.4.1.318.2.3.3.0", "STRING", "Outlet off")})) !=
        nullptr);
}

TEST_CASE("a rule's observation: UPS, outlet by a varbind, port by ifIndex and a value map",
          "[rules]") {
  const TrapRules rules = loaded();
  Device ups{"ups1", Role::ups, "192.0.2.30", "ups-mib", "", {}, {}};
  const std::map<std::int64_t, std::string> names{{3, "ge-0/0/3"}};
  const DeviceView view{ups, names};
  const auto meaning = [&](const Trap& t) {
    const TrapRule* r = rules.find(t);
    REQUIRE(r != nullptr);
    return apply(*r, t, view);
  };

  auto m = meaning(trap("1.3.6.1.4.1.318.0.5"));
  REQUIRE(m.has_value());
  REQUIRE(m->states.size() == 1);
  CHECK(m->states[0] == StateReport{EntityId::ups("ups1"), State::battery, std::nullopt, ""});
  CHECK(m->summary == "upsOnBattery");
  CHECK_FALSE(m->poll);
  m = meaning(trap("1.3.6.1.4.1.318.0.9"));
  CHECK(m->states[0].state == State::normal);
  CHECK(m->poll);

  m = meaning(
      trap("1.3.6.1.4.1.318.0.42", {varbind("1.3.6.1.4.1.318.2.3.1.0", "INTEGER", "4"),
                                    varbind("1.3.6.1.4.1.318.2.3.3.0", "STRING", "Outlet off")}));
  REQUIRE(m->states.size() == 1);
  CHECK(m->states[0].entity == EntityId::outlet("ups1", "4"));
  CHECK(m->states[0].state == State::off);

  const auto port = [&](const char* index, const char* status) {
    return trap("1.3.6.1.4.1.9999.0.1",
                {varbind(std::string("1.3.6.1.2.1.2.2.1.1.") + index, "INTEGER", index),
                 varbind(std::string("1.3.6.1.2.1.2.2.1.8.") + index, "INTEGER", status)});
  };
  m = meaning(port("3", "2"));
  REQUIRE(m->states.size() == 1);
  CHECK(m->states[0].entity == EntityId::port("ups1", "ge-0/0/3"));
  CHECK(m->states[0].state == State::down);
  CHECK(meaning(port("3", "1"))->states[0].state == State::up);

  SECTION("a value the map does not list makes no observation, and says so") {
    m = meaning(port("3", "7"));
    REQUIRE(m.has_value());
    CHECK(m->states.empty());
    CHECK(m->summary ==
          "portStatus: 1.3.6.1.2.1.2.2.1.8.3 = 7 is not in rule port-status's state map");
  }
  SECTION("an ifIndex with no name yet: walk the device") {
    m = meaning(port("9", "2"));
    CHECK(m->states.empty());
    CHECK(m->refresh);
  }
  SECTION("an outlet varbind that is not a number is malformed") {
    m = meaning(
        trap("1.3.6.1.4.1.318.0.42", {varbind("1.3.6.1.4.1.318.2.3.1.0", "STRING", "four"),
                                      varbind("1.3.6.1.4.1.318.2.3.3.0", "STRING", "Outlet off")}));
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().code == Errc::invalid_input);
  }
  SECTION("a missing state varbind is malformed") {
    m = meaning(trap("1.3.6.1.4.1.9999.0.1", {varbind("1.3.6.1.2.1.2.2.1.1.3", "INTEGER", "3")}));
    REQUIRE_FALSE(m.has_value());
  }
}

TEST_CASE("the trap processor asks the rules for a trap no plugin of the device declares",
          "[rules][trapd]") {
  const TrapRules rules = loaded();
  Inventory inv;
  Device ups{"ups1", Role::ups, "192.0.2.30", "ups-mib", "", {}, {}};
  ups.snmp.community = "public";
  inv.devices = {ups};
  Registry reg;
  register_builtins(reg);
  FakeClock clock{at("2026-12-07T10:00:00Z")};
  TrapProcessor::Options o;
  o.rules = &rules;
  TrapProcessor p(inv, reg, clock, o);

  auto r = p.process(trap("1.3.6.1.4.1.318.0.5"));
  CHECK(r.disposition == Disposition::observation);
  REQUIRE(r.observations.size() == 1);
  CHECK(r.observations[0].entity == EntityId::ups("ups1"));
  CHECK(r.observations[0].state == State::battery);
  CHECK(r.observations[0].source == Source::trap);
  CHECK(r.log == "upsOnBattery (rule on-battery)");
  CHECK(r.observations[0].evidence.find("=> upsOnBattery") != std::string::npos);

  // ups-mib declares 33.2.1: the plugin reads it, not the rule.
  r = p.process(trap("1.3.6.1.2.1.33.2.1"));
  CHECK(r.log == "on battery");

  SECTION("without rules the same trap is evidence") {
    TrapProcessor bare(inv, reg, clock, {});
    CHECK(bare.process(trap("1.3.6.1.4.1.318.0.5")).disposition == Disposition::evidence);
  }
  SECTION("a trap a rule cannot read is malformed, kept as evidence") {
    r = p.process(trap("1.3.6.1.4.1.9999.0.1", {varbind("1.3.6.1.2.1.2.2.1.1.3", "INTEGER", "3")}));
    CHECK(r.disposition == Disposition::malformed);
    // Counted as a plugin's verdict is: where it ended, with the diagnostic beside (issue 17).
    CHECK(p.counters().rejected_malformed == 0);
    CHECK(p.counters().diagnostic_unreadable == 1);
    CHECK(p.counters().received_unaccounted() == 0);
    CHECK(p.counters().accepted_unaccounted() == 0);
  }
}
