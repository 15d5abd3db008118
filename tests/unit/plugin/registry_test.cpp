// Plugin records, the registry that checks them and dispatches traps by them, and restart traps,
// which the core reads once for a device whatever its plugins.
#include "colosla/plugin/registry.hpp"

#include "plugins/netconf/ietf_interfaces/plugin.hpp"
#include "plugins/snmp/apc_pdu/plugin.hpp"
#include "plugins/snmp/if_mib/plugin.hpp"
#include "plugins/snmp/ups_mib/plugin.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;

namespace {

// A plugin that is nothing but its record (what the registry reads).
class RecordOnly final : public DevicePlugin {
 public:
  explicit RecordOnly(PluginRecord r) : record_(std::move(r)) {}
  [[nodiscard]] const PluginRecord& info() const override { return record_; }

 private:
  PluginRecord record_;
};

// PluginFactory is a plain function pointer: the record under test goes through a global.
PluginRecord g_record;
std::unique_ptr<DevicePlugin> make_record_only() { return std::make_unique<RecordOnly>(g_record); }

PluginRecord snmp_record(std::string name, std::vector<std::string> trap_oids) {
  PluginRecord r;
  r.name = std::move(name);
  r.kind = PluginKind::snmp;
  r.trap_oids = std::move(trap_oids);
  return r;
}

// What adding the record does: "" when the registry takes it, else the ConfigError's message.
std::string add(Registry& reg, PluginRecord r) {
  g_record = std::move(r);
  try {
    reg.add(&make_record_only);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return {};
}

Device device(const std::string& plugins) {
  return Device{"dev1", Role::network_switch, "192.0.2.10", plugins, "", {}, {}};
}

}  // namespace

TEST_CASE("the built-in records declare what their plugins read", "[plugin][registry]") {
  Registry reg;
  register_builtins(reg);
  CHECK(reg.names() == std::vector<std::string>{"apc-pdu", "ietf-hardware", "ietf-interfaces",
                                                "if-mib", "openconfig-interfaces", "rules",
                                                "ups-mib"});
  for (const auto& [name, p] : reg.all()) {
    INFO(name);
    CHECK(record_problem(p->info()).empty());
    // No plugin declares a restart trap: the core reads those.
    CHECK_FALSE(p->handles("1.3.6.1.6.3.1.1.5.1"));
    CHECK_FALSE(p->handles("1.3.6.1.6.3.1.1.5.2"));
    CHECK((p->info().kind == PluginKind::snmp) == p->info().yang_modules.empty());
  }
  const PluginRecord& ietf = reg.find("ietf-interfaces")->info();
  CHECK(ietf.kind == PluginKind::netconf);
  CHECK(ietf.yang_modules == std::vector<YangModule>{{"ietf-interfaces", "2018-02-20"},
                                                     {"ietf-interfaces", "2014-05-08"},
                                                     {"interfaces-notifications", "2016-11-12"}});
  CHECK(ietf.module_names() ==
        std::vector<std::string>{"ietf-interfaces", "interfaces-notifications"});
  CHECK(to_string(ietf.yang_modules[0]) == "ietf-interfaces@2018-02-20");
  CHECK(reg.find("ietf-hardware")->info().reads_module("ietf-hardware-state"));
  // The polls are the record's.
  const auto& ifmib = reg.find("if-mib")->info();
  CHECK(ifmib.polls.get == std::vector<std::string>{"1.3.6.1.2.1.1.3.0"});
  CHECK(reg.find("if-mib")->poll_request(device("if-mib")).walk == ifmib.polls.walk);
  CHECK(reg.find("ups-mib")->info().polls.get ==
        std::vector<std::string>{"1.3.6.1.2.1.33.1.4.1.0"});
}

TEST_CASE("a trap goes to the device's plugins whose records declare its OID",
          "[plugin][registry]") {
  Registry reg;
  register_builtins(reg);
  REQUIRE(add(reg, snmp_record("vendor-x", {"1.3.6.1.4.1.99.0.*", "1.3.6.1.2.1.33.2.1"})).empty());
  const auto names = []<typename T>(const std::vector<T>& ps) {
    std::vector<std::string> out;
    for (const auto& p : ps) {
      if constexpr (std::is_same_v<T, Registry::TrapReader>) {
        out.push_back(p.plugin->info().name);
      } else {
        out.push_back(p->info().name);
      }
    }
    return out;
  };
  using V = std::vector<std::string>;
  const auto mine = reg.plugins_of(device("if-mib ups-mib vendor-x")).found;
  CHECK(names(mine) == V{"if-mib", "ups-mib", "vendor-x"});
  CHECK(names(reg.for_trap(mine, "1.3.6.1.6.3.1.1.5.3")) == V{"if-mib"});  // linkDown
  // upsTrapOnBattery: both records declare it, each is given it, in the device's order.
  CHECK(names(reg.for_trap(mine, "1.3.6.1.2.1.33.2.1")) == V{"ups-mib", "vendor-x"});
  // ".*": every OID below it, not the prefix itself, not a sibling that shares its digits.
  CHECK(names(reg.for_trap(mine, "1.3.6.1.4.1.99.0.7")) == V{"vendor-x"});
  CHECK(reg.for_trap(mine, "1.3.6.1.4.1.99.0").empty());
  CHECK(reg.for_trap(mine, "1.3.6.1.4.1.99.01.7").empty());
  // A plugin that declares the OID but that the device does not name is not given it.
  CHECK(reg.for_trap(mine, "1.3.6.1.4.1.318.0.268").empty());  // apc-pdu's rPDUOutletOn
  CHECK(reg.for_trap(mine, "1.3.6.1.6.3.1.1.5.1").empty());    // coldStart: the core's
  // A name the registry does not have is reported, not dropped silently.
  const auto some = reg.plugins_of(device("if-mib no-such"));
  CHECK(names(some.found) == V{"if-mib"});
  CHECK(some.missing == V{"no-such"});
  CHECK(plugin_names(device("if-mib ups-mib")) == V{"if-mib", "ups-mib"});
  CHECK(plugin_names(device("if-mib")) == V{"if-mib"});
}

TEST_CASE("a trap in its SNMPv1 form E.0.N goes to the records that declare E.N (RFC 3584)",
          "[plugin][registry][rfc3584]") {
  Registry reg;
  register_builtins(reg);
  REQUIRE(add(reg, snmp_record("vendor-v1", {"1.3.6.1.2.1.33.2.0.1"})).empty());
  REQUIRE(add(reg, snmp_record("vendor-any", {"1.3.6.1.2.1.33.2.*"})).empty());
  const auto of = [&](const char* plugins, std::string_view oid) {
    std::vector<std::string> out;
    for (const auto& r : reg.for_trap(reg.plugins_of(device(plugins)).found, oid)) {
      out.push_back(r.plugin->info().name + " " + std::string(r.trap_oid));
    }
    return out;
  };
  using V = std::vector<std::string>;
  // upsTrapOnBattery { upsTraps 1 }: an SNMPv1 agent sends enterprise upsTraps, specific 1.
  CHECK(of("ups-mib", "1.3.6.1.2.1.33.2.0.1") == V{"ups-mib 1.3.6.1.2.1.33.2.1"});
  CHECK(of("ups-mib", "1.3.6.1.2.1.33.2.1") == V{"ups-mib 1.3.6.1.2.1.33.2.1"});
  // Each plugin gets the form its record declares; one under ".*" the OID as received.
  CHECK(of("ups-mib vendor-v1 vendor-any", "1.3.6.1.2.1.33.2.0.1") ==
        V{"ups-mib 1.3.6.1.2.1.33.2.1", "vendor-v1 1.3.6.1.2.1.33.2.0.1",
          "vendor-any 1.3.6.1.2.1.33.2.0.1"});
  // A record of E.0.N is not given E.N: a v2 notification E.N is another OID.
  CHECK(of("vendor-v1", "1.3.6.1.2.1.33.2.1").empty());
  CHECK(of("ups-mib", "1.3.6.1.2.1.33.2.0.2").empty());  // upsTrapTestCompleted: not declared
  CHECK(reg.find("ups-mib")->handles("1.3.6.1.2.1.33.2.0.3"));
  CHECK_FALSE(reg.find("ups-mib")->handles("1.3.6.1.2.1.33.2.0.2"));
  // APC's enterprise-specific traps are E.0.N already: nothing else matches them.
  CHECK(of("apc-pdu", "1.3.6.1.4.1.318.0.269") == V{"apc-pdu 1.3.6.1.4.1.318.0.269"});
  CHECK(of("apc-pdu", "1.3.6.1.4.1.318.0.0.269").empty());
}

TEST_CASE("a record that is not right is refused when the registry is built",
          "[plugin][registry]") {
  Registry reg;
  const auto netconf = [](std::vector<YangModule> modules) {
    PluginRecord r;
    r.name = "nc-x";
    r.kind = PluginKind::netconf;
    r.yang_modules = std::move(modules);
    return r;
  };
  CHECK(add(reg, netconf({{"ietf-interfaces", "2018-02-30"}})) ==
        "plugin nc-x: YANG module ietf-interfaces has the revision \"2018-02-30\", which is not a "
        "date YYYY-MM-DD");
  CHECK(add(reg, netconf({{"ietf-interfaces", "2018-2-20"}})) ==
        "plugin nc-x: YANG module ietf-interfaces has the revision \"2018-2-20\", which is not a "
        "date YYYY-MM-DD");
  CHECK(add(reg, netconf({{"ietf-interfaces", ""}})) ==
        "plugin nc-x: YANG module ietf-interfaces has no revision (give the one it was written "
        "for)");
  CHECK(add(reg, netconf({{"ietf-hardware", "2018-03-13"}, {"ietf-hardware", "2018-03-13"}})) ==
        "plugin nc-x: YANG module ietf-hardware@2018-03-13 is declared twice");
  CHECK(add(reg, snmp_record("snmp-x", {"1.3.6.1.2.1.33.2.1", "1.3.6.1.2.1.33.2.1"})) ==
        "plugin snmp-x: trap OID 1.3.6.1.2.1.33.2.1 is declared twice");
  CHECK(add(reg, snmp_record("snmp-x", {"1.3.6.1.4.1.318.0.*", "1.3.6.1.4.1.318.0.268"})) ==
        "plugin snmp-x: trap OID 1.3.6.1.4.1.318.0.268 overlaps 1.3.6.1.4.1.318.0.*");
  CHECK(add(reg, snmp_record("snmp-x", {"1.3.6.1.2.1.33.2.1", "1.3.6.1.2.1.33.2.0.1"})) ==
        "plugin snmp-x: trap OID 1.3.6.1.2.1.33.2.0.1 and 1.3.6.1.2.1.33.2.1 are one notification "
        "(RFC 3584: E.N arrives from SNMPv1 agents as E.0.N)");
  CHECK(add(reg, snmp_record("snmp-x", {"1.3.6.1.2.1.33.2.0.1", "1.3.6.1.2.1.33.2.1"})) ==
        "plugin snmp-x: trap OID 1.3.6.1.2.1.33.2.1 and 1.3.6.1.2.1.33.2.0.1 are one notification "
        "(RFC 3584: E.N arrives from SNMPv1 agents as E.0.N)");
  CHECK(add(reg, snmp_record("snmp-x", {"1.3.6.1.6.3.1.1.5.1"})) ==
        "plugin snmp-x: trap OID 1.3.6.1.6.3.1.1.5.1 is coldStart or warmStart, which the core "
        "handles for every SNMP plugin");
  CHECK(add(reg, snmp_record("snmp-x", {"linkDown"})) ==
        "plugin snmp-x: trap OID \"linkDown\" is not a numeric OID (or one ending in \".*\")");
  PluginRecord notif = netconf({{"ietf-hardware", "2018-03-13"}});
  notif.notifications = {"hardware-state-change"};
  CHECK(add(reg, notif) ==
        "plugin nc-x: notification \"hardware-state-change\" is not written module:name");
  PluginRecord old = snmp_record("snmp-x", {});
  old.api = kPluginApi - 1;
  CHECK(add(reg, old) == "plugin snmp-x was built for plugin API " +
                             std::to_string(kPluginApi - 1) + ", this colosla has " +
                             std::to_string(kPluginApi));
  // Nothing refused was added; a good record is, once.
  CHECK(reg.names().empty());
  CHECK(add(reg, netconf({{"ietf-interfaces", "2018-02-20"}, {"ietf-interfaces", "2014-05-08"}}))
            .empty());
  CHECK(add(reg, netconf({})) == "two plugins are called nc-x");
}

TEST_CASE("restart traps are read once, by the core, for the device", "[plugin][registry]") {
  const auto ifmib = plugins::if_mib::make();
  const auto ups = plugins::ups_mib::make();
  const auto pdu = plugins::apc_pdu::make();
  const auto ietf = plugins::ietf_interfaces::make();
  const std::string cold = "1.3.6.1.6.3.1.1.5.1";
  const std::string warm = "1.3.6.1.6.3.1.1.5.2";

  SECTION("coldStart on a switch: walk again, ifIndex may be renumbered") {
    const auto m = restart_meaning(cold, {ifmib.get()});
    REQUIRE(m.has_value());
    CHECK(m->refresh);
    CHECK(m->poll);
    CHECK(m->states.empty());
    CHECK(m->summary == "coldStart");
    CHECK(restart_meaning(warm, {ifmib.get()})->summary == "warmStart");
  }
  SECTION("a UPS or a PDU that restarted is polled") {
    for (const DevicePlugin* p : {ups.get(), pdu.get()}) {
      INFO(p->info().name);
      const auto m = restart_meaning(cold, {p});
      REQUIRE(m.has_value());
      CHECK(m->poll);
      CHECK_FALSE(m->refresh);
      CHECK(m->states.empty());
      CHECK(m->summary == "agent restarted");
    }
  }
  SECTION("one meaning for a device of several plugins") {
    const auto m = restart_meaning(warm, {ups.get(), ifmib.get()});
    REQUIRE(m.has_value());
    CHECK(m->poll);
    CHECK(m->refresh);
    CHECK(m->summary == "warmStart");
  }
  SECTION("not a restart trap, or no SNMP plugin: a trap like any other") {
    CHECK_FALSE(restart_meaning("1.3.6.1.6.3.1.1.5.3", {ifmib.get()}).has_value());
    CHECK_FALSE(restart_meaning(cold, {ietf.get()}).has_value());
    CHECK_FALSE(restart_meaning(cold, {}).has_value());
  }
}
