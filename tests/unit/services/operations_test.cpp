#include "colosla/services/operations.hpp"

#include <sstream>

#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::TempDir;

namespace {

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store;
  ValidatedInventory inventory;

  Fixture() {
    auto s = Store::open(dir.file("s.db"), Store::Mode::create);
    REQUIRE(s.has_value());
    store = std::move(*s);
    InventoryValidator v;
    auto r = v.validate_files({colosla::test::source_file("examples/inventory.json")});
    REQUIRE(r.has_value());
    inventory = std::move(*r);
    REQUIRE(commit_inventory(*store, inventory, "test", at("2026-11-01T00:00:00Z")).has_value());
  }
};

Result<Observation> parse(const std::string& line, const Inventory& inv) {
  return parse_observation(line, inv, at("2026-12-01T00:00:00Z"));
}

}  // namespace

TEST_CASE("observation lines of SPEC §8", "[observe]") {
  Fixture f;
  const Inventory& inv = f.inventory.inventory;
  SECTION("port") {
    auto o = parse(
        R"({"time":"2026-11-03T02:00:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"down"})",
        inv);
    REQUIRE(o.has_value());
    CHECK(o->entity == EntityId::port("sw1", "ge-0/0/1"));
    CHECK(o->state == State::down);
    CHECK(o->time == at("2026-11-02T18:00:00Z"));
    CHECK(o->source == Source::import);
  }
  SECTION("outlet, inlet and UPS") {
    CHECK(
        parse(R"({"time":"2026-11-03T02:00:00Z","device":"pdu1","outlet":"4","state":"off"})", inv)
            ->entity == EntityId::outlet("pdu1", "4"));
    CHECK(parse(R"({"time":"2026-11-03T02:00:00Z","device":"pdu1","outlet":4,"state":"off"})", inv)
              ->entity == EntityId::outlet("pdu1", "4"));
    CHECK(parse(R"({"time":"2026-11-03T02:00:00Z","device":"pdu1","state":"off"})", inv)->entity ==
          EntityId::inlet("pdu1"));
    auto ups = parse(R"({"time":"2026-11-03T02:00:00Z","device":"ups1","state":"bypass"})", inv);
    CHECK(ups->entity == EntityId::ups("ups1"));
    CHECK(ups->state == State::bypass);
  }
  SECTION("probe") {
    auto o = parse(
        R"({"time":"2026-11-03T02:00:00Z","target":"203.0.113.5","service":"www","result":"pass"})",
        inv);
    REQUIRE(o.has_value());
    CHECK(o->entity == EntityId::probe("203.0.113.5", "www"));
    CHECK(o->state == State::pass);
  }
  SECTION("the first second of 1970, and up to a day after now, are accepted") {
    CHECK(parse(
        R"({"time":"1970-01-01T00:00:00Z","device":"sw1","interface":"ge-0/0/1","state":"up"})",
        inv));
    CHECK(parse(
        R"({"time":"2026-12-02T00:00:00Z","device":"sw1","interface":"ge-0/0/1","state":"up"})",
        inv));
  }
  SECTION("bad lines say why") {
    const std::vector<std::pair<std::string, std::string>> cases{
        {R"({"device":"sw1","interface":"ge-0/0/1","state":"down"})", "\"time\" is missing"},
        {R"({"time":"2026-11-03T02:00:00Z","device":"sw1","interface":"ge-0/0/1"})",
         "\"state\" is missing"},
        {R"({"time":"2026-11-03T02:00:00Z","device":"sw1","state":"down"})",
         "sw1 is a switch: \"interface\" is missing"},
        {R"({"time":"2026-11-03T02:00:00Z","device":"sw1","outlet":"1","interface":"x","state":"down"})",
         "sw1 is a switch: it has interfaces, not outlets"},
        {R"({"time":"2026-11-03T02:00:00Z","device":"ups1","outlet":"1","state":"none"})",
         "ups1 is a ups: a UPS line has only a \"state\" (its output source)"},
        {R"({"time":"2026-11-03T02:00:00Z","device":"ups1","state":"off"})",
         "unknown UPS output source \"off\" (expected one of normal, bypass, battery, booster, "
         "reducer, none, other, unknown)"},
        {R"({"time":"2026-11-03T02:00:00Z","device":"sw1","target":"203.0.113.5","state":"down"})",
         "a line names either a \"device\" (port or power) or a \"target\" (probe)"},
        {R"({"time":"2026-11-03T02:00:00Z","target":"203.0.113.5","service":"icmp","result":"down"})",
         "unknown probe result \"down\" (expected one of pass, fail)"},
        {R"({"time":"2026-11-03T02:00:00Z","target":"203.0.113.5","service":"icmp","state":"fail"})",
         "a probe line has no \"state\" (it has \"result\")"},
        {R"({"time":"2026-11-03T02:00:00Z","device":"sw1","interface":"ge-0/0/1","state":"down","when":1})",
         "unknown member \"when\""},
        {R"({"time":1793642400,"device":"sw1","interface":"ge-0/0/1","state":"down"})",
         "\"time\" must be a string"},
        {R"(["not", "an", "object"])", "a line must be one JSON object"},
        // A year gone wrong: 0000 and 9999 are RFC 3339 dates, and no observation of ours.
        {R"({"time":"0000-01-01T00:00:00Z","device":"sw1","interface":"ge-0/0/1","state":"down"})",
         "\"time\": 0000-01-01T00:00:00Z is before 1970"},
        {R"({"time":"1969-12-31T23:59:59Z","device":"sw1","interface":"ge-0/0/1","state":"down"})",
         "\"time\": 1969-12-31T23:59:59Z is before 1970"},
        {R"({"time":"9999-12-31T23:59:59Z","device":"sw1","interface":"ge-0/0/1","state":"down"})",
         "\"time\": 9999-12-31T23:59:59Z is more than a day after now (2026-12-01T00:00:00Z)"},
        {R"({"time":"2026-12-02T00:00:01Z","device":"sw1","interface":"ge-0/0/1","state":"down"})",
         "\"time\": 2026-12-02T00:00:01Z is more than a day after now (2026-12-01T00:00:00Z)"},
        // a number beyond a double: nlohmann/json's out_of_range, which once escaped parse()
        {R"({"time":"2026-11-03T02:00:00Z","device":"sw1","interface":"ge-0/0/1","state":"down","x":1e400})",
         "not JSON: number overflow parsing '1e400'"},
    };
    for (const auto& [line, why] : cases) {
      INFO(line);
      auto o = parse(line, inv);
      REQUIRE_FALSE(o.has_value());
      CHECK(o.error().msg == why);
    }
  }
}

TEST_CASE("an observation file is stored whole or not at all", "[observe]") {
  Fixture f;
  const std::string text =
      "{\"time\":\"2026-11-03T02:00:00Z\",\"device\":\"sw1\",\"interface\":\"ge-0/0/"
      "1\",\"state\":\"down\"}\n"
      "\n"
      "{\"time\":\"2026-11-03T02:00:00Z\",\"device\":\"sw1\",\"interface\":\"ge-0/0/"
      "1\",\"state\":\"sideways\"}\r\n"
      "{\"time\":\"2026-11-03T02:30:00Z\",\"device\":\"sw1\",\"interface\":\"ge-0/0/"
      "1\",\"state\":\"up\"}\n";
  SECTION("one bad line stores nothing") {
    std::istringstream in(text);
    auto out = import_observations(*f.store, in, "f.jsonl", false, at("2026-11-23T00:00:00Z"));
    REQUIRE(out.has_value());
    CHECK(out->lines == 3);
    CHECK(out->stored == 0);
    REQUIRE(out->bad.size() == 1);
    CHECK(out->bad[0].line == 3);
    CHECK(f.store->observation_count().value() == 0);
  }
  SECTION("--skip-bad stores the good lines with their origin and evidence") {
    std::istringstream in(text);
    auto out = import_observations(*f.store, in, "f.jsonl", true, at("2026-11-23T00:00:00Z"));
    REQUIRE(out.has_value());
    CHECK(out->stored == 2);
    const auto got = f.store->observations(EntityId::port("sw1", "ge-0/0/1")).value();
    REQUIRE(got.size() == 2);
    CHECK(got[1].origin == "f.jsonl:4");
    CHECK(got[1].received == at("2026-11-23T00:00:00Z"));
    CHECK(got[1].evidence.find("\"state\":\"up\"") != std::string::npos);
  }
  SECTION("without an inventory nothing can be imported") {
    TempDir dir;
    auto empty = Store::open(dir.file("e.db"), Store::Mode::create);
    REQUIRE(empty.has_value());
    std::istringstream in(text);
    auto out = import_observations(**empty, in, "f.jsonl", true, at("2026-11-23T00:00:00Z"));
    REQUIRE_FALSE(out.has_value());
    CHECK(out.error().code == Errc::not_found);
  }
}

TEST_CASE("loading the same inventory again writes nothing", "[inventory][store]") {
  Fixture f;
  auto again = commit_inventory(*f.store, f.inventory, "bob", at("2026-11-02T00:00:00Z"));
  REQUIRE(again.has_value());
  CHECK_FALSE(again->changed);
  CHECK(again->version == 1);
  CHECK(f.store->inventory_record().value()->loaded_by == "test");
}

TEST_CASE("mapping changes are checked before they are recorded", "[mapping][store]") {
  Fixture f;
  MappingChange c;
  c.contract = "C-001";
  c.port = {"sw1", "ge-0/0/2"};
  c.action = MappingAction::add;
  c.at = at("2026-11-10T00:00:00+08:00");
  c.entered_by = "bob";
  c.entered_at = at("2026-11-09T10:00:00Z");
  auto r = record_mapping_change(*f.store, c);
  REQUIRE(r.has_value());
  CHECK(r->id == 1);

  SECTION("a duplicate is refused, names no phantom record, and leaves nothing behind") {
    auto again = record_mapping_change(*f.store, c);
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().where.empty());
    CHECK(again.error().msg.find("already mapped to C-001") != std::string::npos);
    CHECK(f.store->mapping_changes().value().size() == 1);
  }
  SECTION("an earlier removal that breaks a later record is refused") {
    MappingChange rm = c;
    rm.action = MappingAction::remove;
    rm.port = {"sw1", "ge-0/0/1"};
    rm.at = at("2026-11-20T00:00:00+08:00");
    REQUIRE(record_mapping_change(*f.store, rm).has_value());
    rm.at = at("2026-11-15T00:00:00+08:00");
    auto early = record_mapping_change(*f.store, rm);
    REQUIRE_FALSE(early.has_value());
    CHECK(early.error().where == "mapping record #2");
    CHECK(early.error().msg.find("it would contradict a later record") == 0);
  }
  SECTION("unknown contract, unknown device, a PDU") {
    MappingChange bad = c;
    bad.contract = "C-404";
    CHECK(record_mapping_change(*f.store, bad).error().msg == "no contract C-404 in the inventory");
    bad = c;
    bad.port.device = "sw404";
    CHECK(record_mapping_change(*f.store, bad).error().msg == "no device sw404 in the inventory");
    bad = c;
    bad.port.device = "ups1";
    CHECK(record_mapping_change(*f.store, bad).error().code == Errc::invalid_input);
  }
  SECTION("a new inventory that contradicts a record is refused whole") {
    MappingChange rm = c;
    rm.action = MappingAction::remove;
    rm.port = {"sw1", "ge-0/0/1"};
    rm.at = at("2026-11-20T00:00:00+08:00");
    REQUIRE(record_mapping_change(*f.store, rm).has_value());
    InventoryValidator v;
    std::string doc = f.inventory.document;
    const std::string port = R"("port": [)";
    const auto p = doc.find(port);
    REQUIRE(p != std::string::npos);
    const auto close = doc.find(']', p);
    doc.replace(p, close - p + 1, R"("port": [])");
    auto next = v.validate({{"next.json", doc}});
    REQUIRE(next.has_value());
    REQUIRE(next->inventory.contracts[0].ports.empty());
    auto loaded = commit_inventory(*f.store, *next, "carol", at("2026-11-23T00:00:00Z"));
    REQUIRE_FALSE(loaded.has_value());
    CHECK(loaded.error().where == "mapping record #2");
    const auto rec = f.store->inventory_record().value();
    CHECK(rec->version == 1);
    CHECK(rec->loaded_by == "test");
    CHECK(f.store->load_inventory().value()->contracts[0].ports.size() == 1);
  }
  SECTION("the resulting ranges") {
    const auto ranges = current_mappings(*f.store).value();
    CHECK(mapped_at(ranges, at("2026-11-12T00:00:00+08:00")).size() == 2);
  }
}

namespace {

// A NETCONF notification as the session hands it over.
NetconfNotification link_event(const std::string& name, const std::string& interface,
                               Timestamp when) {
  NetconfNotification n;
  n.node.module = "interfaces-notifications";
  n.node.name = name;
  if (!interface.empty()) {
    n.node.children.push_back(DataNode{"interfaces-notifications", "if-name", interface, {}});
  }
  n.event_time = when;
  return n;
}

// The port was up at `when`, as a NETCONF read saw it.
void store_up(Store& store, const EntityId& port, Timestamp when) {
  Observation o;
  o.time = when;
  o.entity = port;
  o.state = State::up;
  o.source = Source::netconf;
  o.received = when;
  REQUIRE(store.add_observations({o}).has_value());
}

}  // namespace

TEST_CASE(
    "NETCONF notifications are stored at their eventTime, and a replay never rewrites history",
    "[netconf][store]") {
  Fixture f;
  Registry registry;
  register_builtins(registry);
  const Device& core1 =
      *f.inventory.inventory.find_device("core1");  // ietf-interfaces over NETCONF
  const EntityId port = EntityId::port("core1", "xe-0/0/0");
  const PollOrigin origin{Source::netconf, "netconf:ssh:192.0.2.1:830"};
  FakeClock clock(at("2026-11-03T10:10:00Z"));
  store_up(*f.store, port, at("2026-11-03T10:00:00Z"));

  const auto notify = [&](const std::string& name, const std::string& interface, const char* when) {
    return record_notification(*f.store, registry, core1, link_event(name, interface, at(when)),
                               origin, clock);
  };
  auto down = notify("link-down", "xe-0/0/0", "2026-11-03T10:05:00Z");
  REQUIRE(down.has_value());
  REQUIRE(down->recorded.size() == 1);
  CHECK(down->recorded[0].time == at("2026-11-03T10:05:00Z"));
  CHECK(down->recorded[0].state == State::down);
  CHECK(down->recorded[0].source == Source::netconf);
  CHECK(down->recorded[0].origin == "netconf:ssh:192.0.2.1:830");
  CHECK(down->recorded[0].evidence ==
        "notification interfaces-notifications:link-down eventTime 2026-11-03T10:05:00Z: link-down "
        "xe-0/0/0");
  CHECK(down->summary == "link-down xe-0/0/0");

  SECTION("a replayed notification older than the latest state is left out") {
    auto old = notify("link-up", "xe-0/0/0", "2026-11-03T10:03:00Z");
    REQUIRE(old.has_value());
    CHECK(old->recorded.empty());
    CHECK(old->superseded == 1);
  }
  SECTION("the same state again changes nothing") {
    auto again = notify("link-down", "xe-0/0/0", "2026-11-03T10:06:00Z");
    REQUIRE(again.has_value());
    CHECK(again->recorded.empty());
    CHECK(again->superseded == 0);
  }
  SECTION("an eventTime ahead of colosla's clock is taken as now") {
    auto ahead = notify("link-up", "xe-0/0/0", "2026-11-03T10:20:00Z");
    REQUIRE(ahead.has_value());
    REQUIRE(ahead->recorded.size() == 1);
    CHECK(ahead->recorded[0].time == at("2026-11-03T10:10:00Z"));
  }
  SECTION("a notification the plugin cannot read stores nothing") {
    auto bad = notify("link-up", "", "2026-11-03T10:07:00Z");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == Errc::invalid_input);
    CHECK(bad.error().where == "core1");
  }
  auto history = f.store->observations(port);
  REQUIRE(history.has_value());
  const State last = history->back().state;
  CHECK((history->size() == 2 ? last == State::down : last == State::up));
  CHECK(history->at(1).time == at("2026-11-03T10:05:00Z"));
}

TEST_CASE("a NETCONF device that cannot be reached becomes unknown, not down", "[netconf][store]") {
  Fixture f;
  Registry registry;
  register_builtins(registry);
  const Device& core1 = *f.inventory.inventory.find_device("core1");
  const EntityId port = EntityId::port("core1", "xe-0/0/0");
  FakeClock clock(at("2026-11-03T10:10:00Z"));
  store_up(*f.store, port, at("2026-11-03T10:00:00Z"));
  const PollOrigin origin{Source::netconf, "netconf:ssh:192.0.2.1:830"};

  const Ask unreachable = [](const DevicePlugin&, const DeviceView&) -> Result<DeviceAnswer> {
    return make_error(Errc::io, "cannot connect to 192.0.2.1:830: Connection refused");
  };
  auto r = poll_device(*f.store, registry, core1, unreachable, origin, clock);
  REQUIRE(r.has_value());
  CHECK_FALSE(r->answered);
  CHECK(r->problem == "cannot connect to 192.0.2.1:830: Connection refused");
  REQUIRE(r->recorded.size() == 1);
  CHECK(r->recorded[0].state == State::unknown);
  CHECK(r->recorded[0].time == at("2026-11-03T10:10:00Z"));
  CHECK(r->recorded[0].source == Source::netconf);

  // It answers again: the plugin reads its tree; the port is up again, dated by last-change but
  // never before the unknown.
  clock.advance(std::chrono::seconds{60});
  const Ask answers = [&](const DevicePlugin& plugin,
                          const DeviceView& view) -> Result<DeviceAnswer> {
    NetconfAnswer a;
    DataNode state{"ietf-interfaces", "interfaces-state", "", {}};
    DataNode entry{"ietf-interfaces", "interface", "", {}};
    entry.children.push_back(DataNode{"ietf-interfaces", "name", "xe-0/0/0", {}});
    entry.children.push_back(DataNode{"ietf-interfaces", "oper-status", "up", {}});
    entry.children.push_back(
        DataNode{"ietf-interfaces", "last-change", "2026-11-03T10:00:00Z", {}});
    state.children.push_back(entry);
    a.data.push_back(state);
    a.at = clock.now();
    return DeviceAnswer{plugin.on_netconf(a, view), a.at};
  };
  auto back = poll_device(*f.store, registry, core1, answers, origin, clock);
  REQUIRE(back.has_value());
  CHECK(back->answered);
  REQUIRE(back->recorded.size() == 1);
  CHECK(back->recorded[0].state == State::up);
  CHECK(back->recorded[0].time == at("2026-11-03T10:10:00Z"));
  CHECK(back->recorded[0].evidence.rfind("netconf read netconf:ssh:192.0.2.1:830: ", 0) == 0);
}
