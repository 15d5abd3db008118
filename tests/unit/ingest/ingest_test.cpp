#include "colosla/ingest/ingest.hpp"

#include "support.hpp"
#include "support_snmp.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::read_trap;
using colosla::test::TempDir;

namespace {

struct Fixture {
  Inventory inv;
  Registry reg;
  FakeClock clock{at("2026-11-23T12:00:00Z")};
  std::unique_ptr<TrapProcessor> p;
  TempDir dir;
  std::unique_ptr<Store> store;

  Fixture() {
    register_builtins(reg);
    inv.devices = {Device{"sw1", Role::network_switch, "192.0.2.10", "if-mib", "", {}, {}}};
    p = std::make_unique<TrapProcessor>(inv, reg, clock, TrapProcessor::Options{});
    auto opened = Store::open(dir.file("s.db"), Store::Mode::create);
    REQUIRE(opened.has_value());
    store = std::move(*opened);
  }

  Processed process(const char* file, const std::string& from = "192.0.2.10") {
    Trap t = read_trap(file);
    t.source_address = from;
    t.source_port = 49152;
    t.community = "public";
    t.received = clock.now();
    return p->process(t);
  }

  std::int64_t counter(const std::string& name) const {
    auto all = store->counters();
    REQUIRE(all.has_value());
    for (const auto& c : *all) {
      if (c.name == name) {
        return c.value;
      }
    }
    return 0;
  }
};

}  // namespace

TEST_CASE("a batch takes what a processed trap stores, and says which informs are answered",
          "[ingest]") {
  Fixture f;
  IngestBatch b;
  CHECK(b.empty());
  auto down = f.process("linkdown-v2c.trap");
  REQUIRE(down.disposition == Disposition::observation);
  CHECK(stores(down));
  CHECK(answers_inform(down));
  CHECK(b.add(down));
  CHECK(b.observations.size() == 1);

  auto unknown = f.process("linkdown-v2c.trap", "198.51.100.7");
  CHECK_FALSE(stores(unknown));
  CHECK_FALSE(answers_inform(unknown));
  CHECK_FALSE(b.add(unknown));

  auto malformed = f.process("linkdown-no-ifindex.trap");
  REQUIRE(malformed.disposition == Disposition::malformed);
  CHECK(answers_inform(malformed));
  CHECK(b.add(malformed));
  CHECK(b.evidence.size() == 1);
  CHECK(b.observations.size() == 1);
  CHECK_FALSE(b.empty());

  IngestBatch counted;
  counted.counters.received = 1;
  CHECK_FALSE(counted.empty());
  CHECK(any(counted.counters));
  CHECK_FALSE(any(TrapCounters{}));
}

TEST_CASE("write_batch stores observations, evidence and counters in one transaction", "[ingest]") {
  Fixture f;
  IngestBatch b;
  auto down = f.process("linkdown-v2c.trap");
  b.add(down);
  auto malformed = f.process("linkdown-no-ifindex.trap");
  b.add(malformed);
  b.counters = f.p->counters();
  b.at = f.clock.now();
  REQUIRE(write_batch(*f.store, b, true).has_value());
  auto stored = f.store->observations(EntityId::port("sw1", "Gi1/0/3"));
  REQUIRE(stored.has_value());
  CHECK(stored->size() == 1);
  CHECK(f.counter("trapd.received") == 2);
  CHECK(f.counter("trapd.observations-stored") == 1);
  // The trap its plugin cannot read is stored as evidence, counted there (and as unreadable),
  // no longer as rejected.malformed too.
  CHECK(f.counter("trapd.evidence-stored") == 1);
  CHECK(f.counter("trapd.diagnostic.unreadable") == 1);
  CHECK(f.counter("trapd.rejected.malformed") == 0);

  SECTION("counters add up; a batch with nothing in it writes nothing") {
    IngestBatch again;
    again.counters.received = 3;
    again.at = f.clock.now();
    REQUIRE(write_batch(*f.store, again).has_value());
    CHECK(f.counter("trapd.received") == 5);
    REQUIRE(write_batch(*f.store, IngestBatch{}).has_value());
    CHECK(f.counter("trapd.received") == 5);
  }
}

TEST_CASE("the processor learns the ports' names from the store", "[ingest]") {
  Fixture f;
  REQUIRE(f.store->save_port_index("sw1", {PortName{2, "Gi1/0/2", ""}}, f.clock.now()).has_value());
  load_port_names(*f.p, *f.store);
  auto up = f.process("linkup-v1.trap");  // ifIndex only
  REQUIRE(up.disposition == Disposition::observation);
  REQUIRE(up.observations.size() == 1);
  CHECK(up.observations[0].entity == EntityId::port("sw1", "Gi1/0/2"));
}
