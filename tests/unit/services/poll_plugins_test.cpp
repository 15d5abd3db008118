// A device read by several plugins: one poll asks the device for what each plugin's record
// says, and stores what all of them read.
#include "colosla/services/operations.hpp"
#include "support_snmp.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::read_snmprec;
using colosla::test::TempDir;

TEST_CASE("a device of two plugins is polled for both", "[poll][plugin]") {
  TempDir dir;
  auto s = Store::open(dir.file("s.db"), Store::Mode::create);
  REQUIRE(s.has_value());
  Store& store = **s;
  InventoryValidator v;
  auto inv = v.validate_files({colosla::test::source_file("examples/inventory.json")});
  REQUIRE(inv.has_value());
  REQUIRE(commit_inventory(store, *inv, "test", at("2026-11-01T00:00:00Z")).has_value());
  Registry registry;
  register_builtins(registry);
  Device combo = *inv->inventory.find_device("sw1");
  combo.plugin = "if-mib ups-mib";  // a switch with a UPS inside, say
  FakeClock clock(at("2026-11-23T12:00:00Z"));

  std::vector<PollRequest> asked;
  const Fetch fetch = [&](const Device&, const PollRequest& req) -> Result<PollAnswer> {
    asked.push_back(req);
    if (req.get == std::vector<std::string>{"1.3.6.1.2.1.33.1.4.1.0"}) {
      PollAnswer a;
      a.at = clock.now();
      a.varbinds.push_back(test::varbind("1.3.6.1.2.1.33.1.4.1.0", "INTEGER", "5"));
      return a;
    }
    return read_snmprec("switch.snmprec", clock.now());
  };
  auto r = poll_device(store, registry, combo, fetch, clock);
  REQUIRE(r.has_value());
  INFO(r->problem);
  CHECK(r->answered);
  // One request a plugin, each the plugin's record's polls, in the device's order.
  REQUIRE(asked.size() == 2);
  CHECK(asked[0].walk == registry.find("if-mib")->info().polls.walk);
  CHECK(asked[1].get == registry.find("ups-mib")->info().polls.get);
  CHECK(r->states == 5);  // four ports and the UPS
  CHECK(r->ports.size() == 4);
  const auto ups = std::find_if(r->recorded.begin(), r->recorded.end(), [](const Observation& o) {
    return o.entity == EntityId::ups("sw1");
  });
  REQUIRE(ups != r->recorded.end());
  CHECK(ups->state == State::battery);
  CHECK(ups->time == clock.now());

  SECTION("one plugin's answer it cannot read speaks for the device") {
    const Fetch half = [&](const Device& d, const PollRequest& req) -> Result<PollAnswer> {
      if (!req.get.empty() && req.get.front() == "1.3.6.1.2.1.33.1.4.1.0") {
        PollAnswer a;
        a.at = clock.now();
        return a;  // no upsOutputSource.0
      }
      return fetch(d, req);
    };
    auto q = poll_device(store, registry, combo, half, clock);
    REQUIRE(q.has_value());
    CHECK_FALSE(q->answered);
    CHECK(q->problem ==
          "the answer could not be read: plugin ups-mib: the agent has no upsOutputSource.0");
  }
}
