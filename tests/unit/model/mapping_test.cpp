#include "colosla/model/mapping.hpp"

#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;

namespace {

const PortRef kP1{"sw1", "ge-0/0/1"};
const PortRef kP2{"sw1", "ge-0/0/2"};

Contract contract(const std::string& id, const std::string& start, const std::string& end,
                  std::vector<PortRef> ports) {
  Contract c;
  c.id = id;
  c.customer = id + " Ltd";
  c.start = at(start);
  c.end = at(end);
  c.time_zone = "Asia/Shanghai";
  c.ports = std::move(ports);
  return c;
}

Inventory inventory(std::vector<Contract> contracts) {
  Inventory inv;
  inv.devices.push_back(Device{"sw1", Role::network_switch, "192.0.2.10", "if-mib", "", {}, {}});
  inv.contracts = std::move(contracts);
  return inv;
}

MappingChange change(std::int64_t id, const std::string& contract, PortRef p, MappingAction a,
                     const std::string& when) {
  MappingChange c;
  c.id = id;
  c.contract = contract;
  c.port = std::move(p);
  c.action = a;
  c.at = at(when);
  c.entered_by = "test";
  return c;
}

constexpr auto kAdd = MappingAction::add;
constexpr auto kRemove = MappingAction::remove;

}  // namespace

TEST_CASE("the inventory's ports are mapped from the contract's start to its end", "[mapping]") {
  const auto inv = inventory(
      {contract("C-001", "2026-11-01T00:00:00+08:00", "2027-11-01T00:00:00+08:00", {kP1})});
  const auto r = resolve_mappings(inv, {});
  REQUIRE(r.has_value());
  REQUIRE(r->size() == 1);
  CHECK(r->front().span ==
        Window{at("2026-11-01T00:00:00+08:00"), at("2027-11-01T00:00:00+08:00")});
  CHECK(r->front().opened_by == 0);
  CHECK(r->front().closed_by == 0);
  CHECK(mapped_at(*r, at("2026-10-31T23:59:59+08:00")).empty());
  CHECK(mapped_at(*r, at("2026-11-01T00:00:00+08:00")).size() == 1);
  CHECK(mapped_at(*r, at("2027-10-31T23:59:59+08:00")).size() == 1);
  CHECK(mapped_at(*r, at("2027-11-01T00:00:00+08:00")).empty());  // half open
}

TEST_CASE("a re-patch moves a contract from one port to another", "[mapping]") {
  const auto inv = inventory(
      {contract("C-001", "2026-11-01T00:00:00+08:00", "2027-11-01T00:00:00+08:00", {kP1})});
  const std::vector<MappingChange> changes{
      change(1, "C-001", kP2, kAdd, "2026-11-10T00:00:00+08:00"),
      change(2, "C-001", kP1, kRemove, "2026-11-10T00:00:00+08:00"),
  };
  const auto r = resolve_mappings(inv, changes);
  REQUIRE(r.has_value());
  REQUIRE(r->size() == 2);
  // sorted by contract, port, start: ge-0/0/1 first
  CHECK((*r)[0].port == kP1);
  CHECK((*r)[0].span.end == at("2026-11-10T00:00:00+08:00"));
  CHECK((*r)[0].closed_by == 2);
  CHECK((*r)[1].port == kP2);
  CHECK((*r)[1].span.begin == at("2026-11-10T00:00:00+08:00"));
  CHECK((*r)[1].opened_by == 1);
  const auto before = mapped_at(*r, at("2026-11-09T23:59:59+08:00"));
  REQUIRE(before.size() == 1);
  CHECK(before[0].port == kP1);
  const auto after = mapped_at(*r, at("2026-11-10T00:00:00+08:00"));
  REQUIRE(after.size() == 1);
  CHECK(after[0].port == kP2);
}

TEST_CASE("a port moves to another contract once removed from the first", "[mapping]") {
  const auto inv =
      inventory({contract("C-001", "2026-11-01T00:00:00+08:00", "2027-11-01T00:00:00+08:00", {kP1}),
                 contract("C-002", "2026-12-01T00:00:00+08:00", "2027-12-01T00:00:00+08:00", {})});
  SECTION("in order") {
    const auto r =
        resolve_mappings(inv, {change(1, "C-001", kP1, kRemove, "2026-12-15T00:00:00+08:00"),
                               change(2, "C-002", kP1, kAdd, "2026-12-15T00:00:00+08:00")});
    REQUIRE(r.has_value());
    const auto now = mapped_at(*r, at("2026-12-20T00:00:00+08:00"));
    REQUIRE(now.size() == 1);
    CHECK(now[0].contract == "C-002");
  }
  SECTION("without the removal it is a conflict that names both contracts") {
    const auto r =
        resolve_mappings(inv, {change(2, "C-002", kP1, kAdd, "2026-12-15T00:00:00+08:00")});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == colosla::Errc::conflict);
    CHECK(r.error().where == "mapping record #2");
    CHECK(
        r.error().msg ==
        "port sw1 ge-0/0/1 cannot be mapped to C-002 from 2026-12-15T00:00:00+08:00: it is mapped "
        "to C-001 since 2026-11-01T00:00:00+08:00 (the inventory) until 2027-11-01T00:00:00+08:00; "
        "remove it there first");
  }
}

TEST_CASE("changes apply in order of their time, not of their entry", "[mapping]") {
  const auto inv =
      inventory({contract("C-001", "2026-11-01T00:00:00+08:00", "2027-11-01T00:00:00+08:00", {})});
  // Entered: add at 20th (#1), then remove at 25th (#2), then the add at 5th and remove at 10th
  // that were forgotten (#3, #4).
  const std::vector<MappingChange> changes{
      change(1, "C-001", kP1, kAdd, "2026-11-20T00:00:00+08:00"),
      change(2, "C-001", kP1, kRemove, "2026-11-25T00:00:00+08:00"),
      change(3, "C-001", kP1, kAdd, "2026-11-05T00:00:00+08:00"),
      change(4, "C-001", kP1, kRemove, "2026-11-10T00:00:00+08:00"),
  };
  const auto r = resolve_mappings(inv, changes);
  REQUIRE(r.has_value());
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].span == Window{at("2026-11-05T00:00:00+08:00"), at("2026-11-10T00:00:00+08:00")});
  CHECK((*r)[1].span == Window{at("2026-11-20T00:00:00+08:00"), at("2026-11-25T00:00:00+08:00")});
  CHECK(mapped_at(*r, at("2026-11-15T00:00:00+08:00")).empty());
}

TEST_CASE("mapping changes that cannot hold are refused", "[mapping]") {
  const auto inv = inventory(
      {contract("C-001", "2026-11-01T00:00:00+08:00", "2027-11-01T00:00:00+08:00", {kP1})});
  SECTION("adding a port already mapped") {
    const auto r =
        resolve_mappings(inv, {change(5, "C-001", kP1, kAdd, "2026-11-05T00:00:00+08:00")});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().msg ==
          "port sw1 ge-0/0/1 is already mapped to C-001 since 2026-11-01T00:00:00+08:00 (the "
          "inventory)");
  }
  SECTION("removing a port that is not mapped") {
    const auto r =
        resolve_mappings(inv, {change(5, "C-001", kP2, kRemove, "2026-11-05T00:00:00+08:00")});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().msg == "port sw1 ge-0/0/2 is not mapped to C-001 at 2026-11-05T00:00:00+08:00");
  }
  SECTION("removing twice") {
    const auto r =
        resolve_mappings(inv, {change(5, "C-001", kP1, kRemove, "2026-11-05T00:00:00+08:00"),
                               change(6, "C-001", kP1, kRemove, "2026-11-06T00:00:00+08:00")});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().where == "mapping record #6");
  }
  SECTION("adding after the contract has ended") {
    const auto r =
        resolve_mappings(inv, {change(5, "C-001", kP2, kAdd, "2027-11-01T00:00:00+08:00")});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().msg.find("the contract ends 2027-11-01T00:00:00+08:00") != std::string::npos);
  }
}

TEST_CASE("mapping edges", "[mapping]") {
  const auto inv = inventory(
      {contract("C-001", "2026-11-01T00:00:00+08:00", "2027-11-01T00:00:00+08:00", {kP1})});
  SECTION("a port added before the contract starts counts from the start") {
    const auto r =
        resolve_mappings(inv, {change(1, "C-001", kP2, kAdd, "2026-10-20T00:00:00+08:00")});
    REQUIRE(r.has_value());
    CHECK((*r)[1].span.begin == at("2026-11-01T00:00:00+08:00"));
  }
  SECTION("a port removed at the contract's start was never mapped") {
    const auto r =
        resolve_mappings(inv, {change(1, "C-001", kP1, kRemove, "2026-11-01T00:00:00+08:00")});
    REQUIRE(r.has_value());
    CHECK(r->empty());
  }
  SECTION("a contract that ended frees its ports for the next one") {
    auto inv2 = inventory(
        {contract("C-001", "2026-11-01T00:00:00+08:00", "2027-11-01T00:00:00+08:00", {kP1}),
         contract("C-002", "2027-11-01T00:00:00+08:00", "2028-11-01T00:00:00+08:00", {kP1})});
    const auto r = resolve_mappings(inv2, {});
    REQUIRE(r.has_value());
    CHECK(r->size() == 2);
  }
  SECTION("two contracts of the inventory on one port at once: the error points at the entry") {
    auto inv2 = inventory(
        {contract("C-001", "2026-11-01T00:00:00+08:00", "2027-11-01T00:00:00+08:00", {kP1}),
         contract("C-002", "2027-03-01T00:00:00+08:00", "2028-03-01T00:00:00+08:00", {kP1})});
    const auto r = resolve_mappings(inv2, {});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().where ==
          "/colosla-inventory:inventory/contract[id='C-002']/port[device='sw1'][interface='ge-0/0/"
          "1']");
  }
  SECTION("records of a contract that left the inventory are ignored") {
    const auto r =
        resolve_mappings(inv, {change(1, "C-OLD", kP1, kAdd, "2026-11-05T00:00:00+08:00")});
    REQUIRE(r.has_value());
    CHECK(r->size() == 1);
  }
}
