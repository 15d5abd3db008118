#include "colosla/ingest/relay.hpp"

#include <catch2/catch.hpp>

#include "colosla/ingest/trap_processor.hpp"
#include "support_snmp.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::read_trap;

TEST_CASE("address prefixes: IPv4 and IPv6, a host or a network", "[trapd][relay]") {
  const auto host = AddressPrefix::parse("127.0.0.1");
  REQUIRE(host);
  CHECK(host->contains("127.0.0.1"));
  CHECK_FALSE(host->contains("127.0.0.2"));
  CHECK(host->contains("::ffff:127.0.0.1"));  // an IPv4-mapped sender is the IPv4 one
  const auto net = AddressPrefix::parse("198.51.100.0/25");
  REQUIRE(net);
  CHECK(net->contains("198.51.100.127"));
  CHECK_FALSE(net->contains("198.51.100.128"));
  CHECK_FALSE(net->contains("2001:db8::1"));
  const auto v6 = AddressPrefix::parse("2001:db8:1::/48");
  REQUIRE(v6);
  CHECK(v6->contains("2001:db8:1:2::7"));
  CHECK_FALSE(v6->contains("2001:db8:2::7"));
  CHECK_FALSE(v6->contains("192.0.2.1"));
  CHECK(AddressPrefix::parse("0.0.0.0/0")->contains("203.0.113.9"));
  CHECK(AddressPrefix::parse("::1")->text() == "::1/128");
  for (const char* bad : {"", "relay", "192.0.2.1/24", "192.0.2.0/33", "192.0.2.0/", "192.0.2.0/x",
                          "2001:db8::/129", "::ffff:192.0.2.0/120", "192.0.2.0/-1", "1.2.3"}) {
    INFO(bad);
    CHECK_FALSE(AddressPrefix::parse(bad));
  }
}

namespace {

Varbind trap_address(const std::string& address, VarType type = VarType::ip_address) {
  return Varbind{std::string(kSnmpTrapAddress), type, address, 0};
}

struct Relays {
  Inventory inv;
  Registry reg;
  FakeClock clock{at("2026-11-23T12:00:00Z")};
  std::unique_ptr<TrapProcessor> p;

  Relays() {
    register_builtins(reg);
    Device sw{"sw1", Role::network_switch, "192.0.2.10", "if-mib", "", {}, {}};
    sw.snmp.community = "public";
    Device sw2{"sw2", Role::network_switch, "192.0.2.11", "if-mib", "", {}, {}};
    sw2.snmp.community = "public";
    // A relay that is itself in the inventory, with a community of its own.
    Device relay{"nms1", Role::network_switch, "198.51.100.5", "if-mib", "", {}, {}};
    relay.snmp.community = "nms-forward";
    inv.devices = {sw, sw2, relay};
    TrapProcessor::Options o;
    o.relays = {*AddressPrefix::parse("127.0.0.1"), *AddressPrefix::parse("198.51.100.0/24")};
    p = std::make_unique<TrapProcessor>(inv, reg, clock, o);
    p->set_port_names("sw1", {{3, "Gi1/0/3"}});
  }

  // linkDown of port 3, sent by `from` (a v2c trap), with snmpTrapAddress.0 when `named` is set.
  Trap trap(const std::string& from, std::optional<Varbind> named,
            const std::string& community = "public") {
    Trap t = read_trap("linkdown-v2c.trap");
    t.source_address = from;
    t.source_port = 40000;
    t.community = community;
    t.received = clock.now();
    if (named) {
      t.varbinds.push_back(*named);
    }
    return t;
  }
};

}  // namespace

TEST_CASE("a trusted relay names the device in snmpTrapAddress.0", "[trapd][relay]") {
  Relays f;
  const auto r = f.p->process(f.trap("127.0.0.1", trap_address("192.0.2.10")));
  CHECK(r.relay.kind == RelayVerdict::Kind::relayed);
  REQUIRE(r.device != nullptr);
  CHECK(r.device->name == "sw1");
  REQUIRE(r.disposition == Disposition::observation);
  REQUIRE(r.observations.size() == 1);
  CHECK(r.observations[0].entity.device == "sw1");
  // The evidence says both: the relay it came from, and whom the relay spoke for.
  CHECK(r.observations[0].origin == "udp:127.0.0.1:40000 relay for 192.0.2.10");
  CHECK(f.p->counters().relay_trusted == 1);
  CHECK(f.p->counters().relay_untrusted == 0);

  SECTION("a relay in a trusted network; a device named by a relay it is not behind") {
    const auto q = f.p->process(f.trap("198.51.100.77", trap_address("192.0.2.11")));
    REQUIRE(q.device != nullptr);
    CHECK(q.device->name == "sw2");
  }
  SECTION("an address no device has is an unknown source, never the relay's own trap") {
    const auto q = f.p->process(f.trap("198.51.100.5", trap_address("192.0.2.99")));
    CHECK(q.disposition == Disposition::unknown_source);
    CHECK(q.device == nullptr);
    CHECK(q.log ==
          "rejected: the relay 198.51.100.5 speaks for 192.0.2.99, which no device of the "
          "inventory has");
  }
  SECTION("the community: the device's, the configuration's, or the relay's own") {
    CHECK(f.p->process(f.trap("198.51.100.5", trap_address("192.0.2.11"), "nms-forward"))
              .disposition == Disposition::observation);
    // A relay's own community is accepted from that relay only.
    const auto other = f.p->process(f.trap("127.0.0.1", trap_address("192.0.2.11"), "nms-forward"));
    CHECK(other.disposition == Disposition::bad_community);
    const auto wrong = f.p->process(f.trap("198.51.100.5", trap_address("192.0.2.11"), "guess"));
    CHECK(wrong.disposition == Disposition::bad_community);
    CHECK(wrong.log == "rejected: the community is not one sw2 uses");
  }
  SECTION("a v3 trap from a relay is named the same way") {
    Trap t = f.trap("127.0.0.1", trap_address("192.0.2.11"), "");
    t.version = 3;
    t.user = "relay-user";
    const auto q = f.p->process(t);
    REQUIRE(q.device != nullptr);
    CHECK(q.device->name == "sw2");
  }
}

TEST_CASE("snmpTrapAddress.0 from anyone else is ignored, and counted", "[trapd][relay]") {
  Relays f;
  // sw2 may not speak for sw1: the trap is sw2's own.
  const auto r = f.p->process(f.trap("192.0.2.11", trap_address("192.0.2.10")));
  CHECK(r.relay.kind == RelayVerdict::Kind::untrusted);
  CHECK(r.relay.device_address == "192.0.2.10");
  REQUIRE(r.device != nullptr);
  CHECK(r.device->name == "sw2");
  REQUIRE(r.observations.size() == 1);
  CHECK(r.observations[0].entity.device == "sw2");
  CHECK(r.observations[0].origin == "udp:192.0.2.11:40000");
  // From a sender that is no device either: an unknown source, whatever the varbind says.
  const auto u = f.p->process(f.trap("127.0.0.2", trap_address("192.0.2.10")));
  CHECK(u.disposition == Disposition::unknown_source);
  CHECK(u.device == nullptr);
  CHECK(f.p->counters().relay_untrusted == 2);
  CHECK(f.p->counters().relay_trusted == 0);
  CHECK(f.p->counters().named().at("trapd.relay.untrusted") == 2);
}

TEST_CASE("without the varbind, or naming itself, or in a v1 trap: the rules of before",
          "[trapd][relay]") {
  Relays f;
  SECTION("a relay's trap without snmpTrapAddress.0 is the relay's") {
    const auto r = f.p->process(f.trap("198.51.100.5", std::nullopt, "nms-forward"));
    CHECK(r.relay.kind == RelayVerdict::Kind::none);
    REQUIRE(r.device != nullptr);
    CHECK(r.device->name == "nms1");
    CHECK(f.p->process(f.trap("127.0.0.1", std::nullopt)).disposition ==
          Disposition::unknown_source);
  }
  SECTION("a device naming itself is no relay, and not counted") {
    const auto r = f.p->process(f.trap("192.0.2.10", trap_address("192.0.2.10")));
    CHECK(r.relay.kind == RelayVerdict::Kind::none);
    CHECK(r.device->name == "sw1");
    CHECK(f.p->counters().relay_untrusted == 0);
  }
  SECTION("a v1 trap keeps its agent-addr rule; a varbind of that OID in it is no relay's") {
    Trap t = read_trap("linkup-v1.trap");
    t.version = 1;
    t.source_address = "203.0.113.99";
    t.community = "public";
    t.agent_address = "192.0.2.11";
    t.received = f.clock.now();
    t.varbinds.push_back(trap_address("192.0.2.10"));
    const auto r = f.p->process(t);
    CHECK(r.relay.kind == RelayVerdict::Kind::none);
    REQUIRE(r.device != nullptr);
    CHECK(r.device->name == "sw2");
  }
}

TEST_CASE("only an IPv4 IpAddress names a device (SMI IpAddress is IPv4)", "[trapd][relay]") {
  Relays f;
  // An IPv6 address as an OCTET STRING, or an IpAddress of 16 octets (the receiver prints it in
  // hex): from a trusted relay too, ignored, and counted; the trap is then the relay's.
  for (const auto& v : {trap_address("2001:db8::10", VarType::octet_string),
                        trap_address("20:01:0d:b8:00:00:00:00:00:00:00:00:00:00:00:10"),
                        trap_address("192.0.2.10", VarType::octet_string)}) {
    const auto r = f.p->process(f.trap("198.51.100.5", v, "nms-forward"));
    CHECK(r.relay.kind == RelayVerdict::Kind::unreadable);
    REQUIRE(r.device != nullptr);
    CHECK(r.device->name == "nms1");
  }
  CHECK(f.p->counters().relay_unreadable == 3);
  // A relay on IPv6 may name an IPv4 device.
  TrapProcessor::Options o;
  o.relays = {*AddressPrefix::parse("2001:db8:ff::/48")};
  TrapProcessor p6(f.inv, f.reg, f.clock, o);
  const auto r = p6.process(f.trap("2001:db8:ff::2", trap_address("192.0.2.11")));
  REQUIRE(r.device != nullptr);
  CHECK(r.device->name == "sw2");
}
