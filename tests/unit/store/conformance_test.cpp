// The store's contracts (store.hpp), checked against every backend through the interfaces only:
// no sqlite3.h, no SQL. A new backend is one line in backends(); the SQLite-only behaviour
// (schema upgrades, file modes, WAL) is checked in sqlite_test.cpp. PostgreSQL is among the
// backends when COLOSLA_TEST_POSTGRESQL holds the admin URI of a server of the tests' own (ctest's
// store.conformance-postgresql starts one): each case gets a fresh database in it.
#include <atomic>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <thread>

#include "backends.hpp"
#include "colosla/base/calendar.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/store/store.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::Subject;
using colosla::test::TempDir;

namespace {

Observation port_obs(const std::string& port, const std::string& time, State st,
                     const std::string& evidence = "linkUpDown") {
  Observation o;
  o.time = at(time);
  o.entity = EntityId::port("sw1", port);
  o.state = st;
  o.source = Source::trap;
  o.received = at(time) + std::chrono::seconds{1};
  o.origin = "udp:192.0.2.10:49152";
  o.evidence = evidence;
  return o;
}

std::map<std::string, std::string> by_item(const std::vector<std::pair<EntityId, StateChange>>& v) {
  std::map<std::string, std::string> out;
  for (const auto& [e, c] : v) {
    out[e.item] = std::string(to_string(c.state)) + "@" + format_time_utc(c.time);
  }
  return out;
}

std::string text_of(const History& h) {
  std::string out;
  for (const auto& [e, changes] : h) {
    out += e.item + ":";
    for (const auto& c : changes) {
      out += " " + format_time_utc(c.time) + "/" + std::string(to_string(c.state)) + "/" +
             std::to_string(c.seq);
    }
    out += "\n";
  }
  return out;
}

// An inventory whose every secret is a word that can be looked for.
constexpr const char* kSecretInventory = R"({"colosla-inventory:inventory":{"device":[
  {"name":"sw1","role":"switch","address":"192.0.2.10","plugin":"if-mib",
   "snmp":{"version":"v2c","community":"SECRET-community"}},
  {"name":"core1","role":"switch","address":"192.0.2.1","plugin":"ietf-interfaces",
   "netconf":{"username":"noc","password":"SECRET-netconfpass","known-hosts":"/etc/colosla/known_hosts"}}]}})";

ValidatedInventory validated(const std::string& name, const std::string& text) {
  InventoryValidator validator;
  auto v = validator.validate({{name, text}});
  INFO((v ? std::string() : v.error()[0].to_string()));
  REQUIRE(v.has_value());
  return std::move(*v);
}

ValidatedInventory example_inventory() {
  InventoryValidator validator;
  auto v = validator.validate_files({colosla::test::source_file("examples/inventory.json")});
  REQUIRE(v.has_value());
  return std::move(*v);
}

Record exclusion(const std::string& contract, const std::string& from, const std::string& to) {
  Record r;
  r.kind = RecordKind::exclusion;
  r.contract = contract;
  r.at = at(from);
  r.until = at(to);
  r.reason = ExclusionReason::approved_maintenance;
  r.approved_by = "carol";
  r.entered_by = "alice";
  r.entered_at = at("2026-11-20T09:00:00Z");
  r.note = "maintenance " + contract;
  return r;
}

NewEvent event(const std::string& key, std::int64_t cause = 0) {
  return NewEvent{key, "port-down", "C-001", at("2026-11-03T02:00:00Z"), cause};
}

}  // namespace

// -- Transactor ------------------------------------------------------------------------------

TEST_CASE("store: a write is either committed or not there", "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  auto store = subject.connect();
  SECTION("a failing step rolls everything back") {
    auto r = store->write([&]() -> Result<void> {
      REQUIRE(store->add_observations({port_obs("p1", "2026-11-03T02:00:00Z", State::down, "a")})
                  .has_value());
      return make_error(Errc::conflict, "no");
    });
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().msg == "no");
    CHECK(store->observation_count().value() == 0);
    CHECK(store->latest_states(0).value().changes.empty());
  }
  SECTION("an inner failure rolls back only the inner part") {
    auto r = store->write([&]() -> Result<void> {
      REQUIRE(
          store->add_observations({port_obs("p1", "2026-11-03T02:00:00Z", State::down, "outer")})
              .has_value());
      auto inner = store->write([&]() -> Result<void> {
        REQUIRE(
            store->add_observations({port_obs("p1", "2026-11-03T02:01:00Z", State::up, "inner")})
                .has_value());
        return make_error(Errc::conflict, "inner fails");
      });
      CHECK_FALSE(inner.has_value());
      return {};
    });
    REQUIRE(r.has_value());
    const auto got = store->observations(EntityId::port("sw1", "p1")).value();
    REQUIRE(got.size() == 1);
    CHECK(got[0].evidence == "outer");
  }
  SECTION("an exception rolls back and goes on") {
    CHECK_THROWS(store->write([&]() -> Result<void> {
      REQUIRE(store->add_observations({port_obs("p1", "2026-11-03T02:00:00Z", State::down, "a")})
                  .has_value());
      throw std::runtime_error("boom");
    }));
    CHECK(store->observation_count().value() == 0);
    CHECK(store->add_observations({port_obs("p1", "2026-11-03T02:00:00Z", State::down, "b")})
              .has_value());
  }
  SECTION("others see nothing of a write before it commits, then all of it") {
    auto other = subject.connect(Store::Mode::existing);
    REQUIRE(
        store
            ->write([&]() -> Result<void> {
              REQUIRE(store->add_observations({port_obs("p1", "2026-11-03T02:00:00Z", State::down)})
                          .has_value());
              REQUIRE(store->add_counters({{"traps", 1}}, at("2026-11-03T02:00:01Z")).has_value());
              CHECK(other->observation_count().value() == 0);
              CHECK(other->counters().value().empty());
              return {};
            })
            .has_value());
    CHECK(other->observation_count().value() == 1);
    CHECK(other->counters().value().size() == 1);
  }
  SECTION("a read sees one snapshot, whatever others commit meanwhile") {
    auto other = subject.connect(Store::Mode::existing);
    REQUIRE(
        store->add_observations({port_obs("p1", "2026-11-03T02:00:00Z", State::down)}).has_value());
    REQUIRE(store
                ->read([&]() -> Result<void> {
                  CHECK(store->observation_count().value() == 1);
                  REQUIRE(
                      other->add_observations({port_obs("p2", "2026-11-03T02:01:00Z", State::down)})
                          .has_value());
                  CHECK(store->observation_count().value() == 1);
                  CHECK(store->latest_states(0).value().changes.size() == 1);
                  return {};
                })
                .has_value());
    CHECK(store->observation_count().value() == 2);
  }
}

// -- InventoryStore --------------------------------------------------------------------------

TEST_CASE("store: the inventory is stored and read back whole", "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  auto store = subject.connect();
  CHECK_FALSE(store->load_inventory().value().has_value());
  CHECK_FALSE(store->inventory_record().value().has_value());
  CHECK_FALSE(store->load_contract("C-001").value().has_value());

  const ValidatedInventory v = example_inventory();
  REQUIRE(store->save_inventory(v, "alice", at("2026-11-23T10:00:00Z")).value() == 1);
  REQUIRE(store->save_inventory(v, "bob", at("2026-11-23T11:00:00Z")).value() == 2);

  const auto rec = store->inventory_record(Secrets::reveal).value();
  REQUIRE(rec.has_value());
  CHECK(rec->version == 2);
  CHECK(rec->loaded_by == "bob");
  CHECK(rec->loaded_at == at("2026-11-23T11:00:00Z"));
  CHECK(nlohmann::json::parse(rec->document) == nlohmann::json::parse(v.document));
  CHECK(store->version_holding(v.document).value() == std::optional<std::int64_t>{2});
  CHECK_FALSE(store->version_holding(kSecretInventory).value().has_value());

  const auto inv = store->load_inventory().value();
  REQUIRE(inv.has_value());
  const Inventory& want = v.inventory;
  REQUIRE(inv->devices.size() == want.devices.size());
  for (std::size_t i = 0; i < want.devices.size(); ++i) {
    CHECK(inv->devices[i].name == want.devices[i].name);
    CHECK(inv->devices[i].role == want.devices[i].role);
    CHECK(inv->devices[i].snmp.auth_protocol == want.devices[i].snmp.auth_protocol);
    CHECK(inv->devices[i].netconf.has_value() == want.devices[i].netconf.has_value());
  }
  CHECK(inv->uplinks == want.uplinks);
  CHECK(inv->calendar.holidays == want.calendar.holidays);
  CHECK(inv->calendar.working_days == want.calendar.working_days);
  REQUIRE(inv->contracts.size() == 1);
  const Contract& c = inv->contracts[0];
  const Contract& w = want.contracts[0];
  CHECK(c.id == w.id);
  CHECK(c.start == w.start);
  CHECK(c.end == w.end);
  CHECK(c.monthly_fee == 300'000);
  CHECK(c.ports == w.ports);
  CHECK(c.power_sources == w.power_sources);
  REQUIRE(c.probe_targets.size() == 1);
  CHECK(c.probe_targets[0].services == w.probe_targets[0].services);
  REQUIRE(c.contacts.size() == 1);
  CHECK(c.contacts[0].authorized);
  CHECK(c.sla.availability_target_milli == 99'900);
  CHECK(c.sla.max_outage_minutes == 44);

  const auto one = store->load_contract(w.id).value();
  REQUIRE(one.has_value());
  REQUIRE(one->contracts.size() == 1);
  CHECK(one->contracts[0].ports == w.ports);
  for (const auto& p : w.ports) {
    CHECK(one->find_device(p.device) != nullptr);
  }
  CHECK_FALSE(store->load_contract("C-999").value().has_value());
  CHECK(store->devices().value().size() == want.devices.size());
}

TEST_CASE("store: the inventory's secrets are withheld unless revealed", "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  const ValidatedInventory v = validated("secrets.json", kSecretInventory);
  {
    auto writer = subject.connect();
    REQUIRE(writer->save_inventory(v, "alice", at("2026-11-23T10:00:00Z")).value() == 1);
  }
  auto store = subject.connect(Store::Mode::read_only);
  const auto withheld = store->load_inventory().value();
  REQUIRE(withheld.has_value());
  CHECK(withheld->find_device("sw1")->snmp.community.empty());
  CHECK(withheld->find_device("core1")->netconf->password.empty());
  const auto devices = store->devices().value();
  for (const auto& d : devices) {
    CHECK(d.snmp.community.empty());
  }
  CHECK(store->inventory_record().value()->document.find("SECRET") == std::string::npos);

  const auto revealed = store->load_inventory(Secrets::reveal).value();
  REQUIRE(revealed.has_value());
  CHECK(revealed->find_device("sw1")->snmp.community == "SECRET-community");
  CHECK(revealed->find_device("core1")->netconf->password == "SECRET-netconfpass");
  CHECK(store->devices(Secrets::reveal).value()[0].snmp.community == "SECRET-community");
  CHECK(store->inventory_record(Secrets::reveal).value()->document.find("SECRET-netconfpass") !=
        std::string::npos);
  // The same document, secrets and all, is recognised without the store keeping them in clear.
  CHECK(store->version_holding(v.document).value() == std::optional<std::int64_t>{1});
}

// -- ObservationLog --------------------------------------------------------------------------

TEST_CASE("store: observations and the history are ordered by time, then seq",
          "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  auto store = subject.connect();
  std::vector<Observation> obs{
      port_obs("p1", "2026-11-03T02:30:00Z", State::up, "third"),
      port_obs("p1", "2026-11-03T02:00:00Z", State::down, "first"),
      port_obs("p1", "2026-11-03T02:00:00Z", State::up, "second"),
      port_obs("p2", "2026-11-03T02:10:00Z", State::down, "p2"),
  };
  obs[2].source = Source::poll;
  REQUIRE(store->add_observations(obs).value() == 4);
  Observation probe = port_obs("x", "2026-11-03T02:20:00Z", State::fail, "probe");
  probe.entity = EntityId::probe("203.0.113.5", "icmp");
  probe.source = Source::probe;
  REQUIRE(store->add_observations({probe}).value() == 1);
  CHECK(store->observation_count().value() == 5);

  const auto p1 = store->observations(EntityId::port("sw1", "p1")).value();
  REQUIRE(p1.size() == 3);
  CHECK(p1[0].evidence == "first");
  CHECK(p1[1].evidence == "second");
  CHECK(p1[1].source == Source::poll);
  CHECK(p1[2].evidence == "third");
  CHECK(p1[0].seq < p1[1].seq);
  CHECK(p1[2].seq < p1[0].seq);  // stored first
  CHECK(p1[2].received == at("2026-11-03T02:30:01Z"));
  CHECK(p1[2].origin == "udp:192.0.2.10:49152");
  CHECK(store->observations(EntityId::port("sw1", "nowhere")).value().empty());

  const auto between =
      store->observations_between(at("2026-11-03T02:00:00Z"), at("2026-11-03T02:30:00Z")).value();
  REQUIRE(between.size() == 4);  // [from, to)
  CHECK(between[0].evidence == "first");
  CHECK(between[2].evidence == "p2");
  CHECK(between[3].entity == EntityId::probe("203.0.113.5", "icmp"));

  const History all = store->history(at("2026-11-03T03:00:00Z")).value();
  REQUIRE(all.size() == 3);
  const auto& h1 = all.at(EntityId::port("sw1", "p1"));
  REQUIRE(h1.size() == 3);
  CHECK(h1[0].state == State::down);
  CHECK(h1[1].state == State::up);
  CHECK(h1[1].seq == p1[1].seq);
  CHECK(h1[2].time == at("2026-11-03T02:30:00Z"));

  const History early = store->history(at("2026-11-03T02:10:00Z")).value();  // until included
  CHECK(early.at(EntityId::port("sw1", "p1")).size() == 2);
  CHECK(early.at(EntityId::port("sw1", "p2")).size() == 1);
  // Every entity the store knows is in it; one observed only later has no change yet.
  CHECK(early.at(EntityId::probe("203.0.113.5", "icmp")).empty());

  // From the time of p1's last good observation at or before 02:10 (02:00 up: both changes of
  // 02:00), and nothing of a port never observed.
  const History some =
      store
          ->history_of({EntityId::port("sw1", "p1"), EntityId::port("sw1", "never")},
                       at("2026-11-03T02:10:00Z"), at("2026-11-03T03:00:00Z"))
          .value();
  REQUIRE(some.at(EntityId::port("sw1", "p1")).size() == 3);
  CHECK(some.at(EntityId::port("sw1", "p1"))[0].seq == p1[0].seq);
  REQUIRE(store->add_observations({port_obs("p1", "2026-11-03T02:05:00Z", State::down, "fourth")})
              .has_value());
  const History from_up = store
                              ->history_of({EntityId::port("sw1", "p1")},
                                           at("2026-11-03T02:10:00Z"), at("2026-11-03T02:20:00Z"))
                              .value();
  REQUIRE(from_up.at(EntityId::port("sw1", "p1")).size() == 3);  // 02:00 twice, 02:05
  CHECK(from_up.at(EntityId::port("sw1", "p1"))[2].state == State::down);
  CHECK(some.at(EntityId::port("sw1", "never")).empty());

  // Upkeep changes nothing a reader sees.
  const std::string before = text_of(store->history(at("2026-11-03T03:00:00Z")).value());
  REQUIRE(store->maintain().has_value());
  CHECK(text_of(store->history(at("2026-11-03T03:00:00Z")).value()) == before);

  CHECK(by_item(store->latest_states_of("sw1").value()) ==
        std::map<std::string, std::string>{{"p1", "up@2026-11-03T02:30:00Z"},
                                           {"p2", "down@2026-11-03T02:10:00Z"}});
}

TEST_CASE("store: latest_states follows the log by its watermark", "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  auto writer = subject.connect();
  auto reader = subject.connect(Store::Mode::existing);
  CHECK(reader->latest_states(0).value().changes.empty());
  CHECK(reader->latest_states(0).value().through == 0);

  REQUIRE(writer
              ->add_observations({port_obs("p1", "2026-11-03T02:00:00Z", State::down),
                                  port_obs("p2", "2026-11-03T02:00:00Z", State::down)})
              .has_value());
  const LatestStates first = reader->latest_states(0).value();
  CHECK(by_item(first.changes) ==
        std::map<std::string, std::string>{{"p1", "down@2026-11-03T02:00:00Z"},
                                           {"p2", "down@2026-11-03T02:00:00Z"}});
  CHECK(first.through >= 2);
  CHECK(first.through == reader->last_observation_seq().value());
  for (const auto& [e, c] : first.changes) {
    CHECK(c.seq <= first.through);
  }

  // Passed back: nothing new, and the watermark stays.
  const LatestStates none = reader->latest_states(first.through).value();
  CHECK(none.changes.empty());
  CHECK(none.through == first.through);

  // A write still open is not read, and the watermark does not pass it; once it commits, the
  // next read from the same watermark has it.
  std::int64_t during = 0;
  REQUIRE(writer
              ->write([&]() -> Result<void> {
                REQUIRE(
                    writer->add_observations({port_obs("p1", "2026-11-03T02:05:00Z", State::up)})
                        .has_value());
                const LatestStates mid = reader->latest_states(first.through).value();
                CHECK(mid.changes.empty());
                during = mid.through;
                return {};
              })
              .has_value());
  CHECK(during == first.through);
  const LatestStates second = reader->latest_states(during).value();
  CHECK(by_item(second.changes) ==
        std::map<std::string, std::string>{{"p1", "up@2026-11-03T02:05:00Z"}});
  CHECK(second.through > first.through);

  // An observation older in time than an entity's last change does not change its latest state.
  REQUIRE(
      writer->add_observations({port_obs("p2", "2026-11-03T01:00:00Z", State::up)}).has_value());
  const LatestStates third = reader->latest_states(second.through).value();
  CHECK(third.changes.empty());
  CHECK(third.through > second.through);

  if (subject.backend.concurrent_writers) {
    // Two writers commit out of order: the later seq first. The watermark stays below the
    // open one, and nothing is skipped when the earlier commits.
    auto other = subject.connect(Store::Mode::existing);
    LatestStates seen = reader->latest_states(third.through).value();
    REQUIRE(
        writer
            ->write([&]() -> Result<void> {
              REQUIRE(
                  writer->add_observations({port_obs("p3", "2026-11-03T03:00:00Z", State::down)})
                      .has_value());
              REQUIRE(other->add_observations({port_obs("p4", "2026-11-03T03:00:00Z", State::down)})
                          .has_value());
              seen = reader->latest_states(seen.through).value();
              std::set<std::string> items;
              for (const auto& [e, c] : seen.changes) {
                items.insert(e.item);
              }
              CHECK(items.count("p3") == 0);
              return {};
            })
            .has_value());
    std::set<std::string> items;
    for (const auto& [e, c] : seen.changes) {
      items.insert(e.item);
    }
    const auto rest = reader->latest_states(seen.through).value();
    for (const auto& [e, c] : rest.changes) {
      items.insert(e.item);
    }
    CHECK(items == std::set<std::string>{"p3", "p4"});
  }
}

TEST_CASE("store: inside read(), the watermark is that of its snapshot", "[store][conformance]") {
  // A reader that follows the log inside a read() (the evaluator does) is told a watermark its
  // snapshot holds every observation below: one committed by another writer after the snapshot
  // was taken is read next time, not passed.
  FOR_EACH_BACKEND(subject);
  auto writer = subject.connect();
  auto reader = subject.connect(Store::Mode::existing);
  REQUIRE(
      writer->add_observations({port_obs("p1", "2026-11-03T02:00:00Z", State::down)}).has_value());
  LatestStates inside;
  REQUIRE(reader
              ->read([&]() -> Result<void> {
                const LatestStates first = reader->latest_states(0).value();  // the snapshot
                CHECK(by_item(first.changes) ==
                      std::map<std::string, std::string>{{"p1", "down@2026-11-03T02:00:00Z"}});
                REQUIRE(
                    writer->add_observations({port_obs("p2", "2026-11-03T02:10:00Z", State::down)})
                        .has_value());
                inside = reader->latest_states(first.through).value();
                CHECK(inside.changes.empty());
                CHECK(reader->last_observation_seq().value() == inside.through);
                return {};
              })
              .has_value());
  const LatestStates next = reader->latest_states(inside.through).value();
  CHECK(by_item(next.changes) ==
        std::map<std::string, std::string>{{"p2", "down@2026-11-03T02:10:00Z"}});
}

TEST_CASE("store: readers following the logs under concurrent writers miss nothing",
          "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  if (!subject.backend.concurrent_writers) {
    SUCCEED("one writer at a time");
    return;
  }
  // Each writer stores observations of entities of its own (one observation each) and events of
  // keys of its own, in short transactions, while a reader follows both logs by their
  // watermarks: every one is read once, none skipped.
  constexpr int kWriters = 3;
  constexpr int kBatches = 30;
  constexpr int kPerBatch = 4;
  auto reader = subject.connect();
  std::vector<std::unique_ptr<Store>> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(subject.connect(Store::Mode::existing));
  }
  // The batches made first: Catch's assertions (in at()) are for the test's own thread.
  std::vector<std::vector<std::pair<std::vector<Observation>, std::vector<NewEvent>>>> batches(
      kWriters);
  for (int w = 0; w < kWriters; ++w) {
    for (int b = 0; b < kBatches; ++b) {
      auto& [obs, events] = batches[static_cast<std::size_t>(w)].emplace_back();
      for (int i = 0; i < kPerBatch; ++i) {
        const std::string name = std::to_string(w) + "-" + std::to_string(b * kPerBatch + i);
        obs.push_back(port_obs("w" + name, "2026-11-03T02:00:00Z", State::down));
        events.push_back(event("k" + name));
      }
    }
  }
  const Timestamp recorded = at("2026-11-03T02:00:00Z");
  std::atomic<int> running{kWriters};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      Store& store = *writers[static_cast<std::size_t>(w)];
      const EventBody body = [](std::size_t, std::int64_t id, const std::optional<EntityId>&) {
        return "event " + std::to_string(id);
      };
      for (const auto& [obs, events] : batches[static_cast<std::size_t>(w)]) {
        auto r = store.write([&]() -> Result<void> {
          COLOSLA_TRY(store.add_observations(obs));
          COLOSLA_TRY(store.record_events(events, recorded, body));
          return {};
        });
        if (!r) {
          failed = true;
          break;
        }
      }
      --running;
    });
  }
  std::multiset<std::string> items;
  std::set<std::int64_t> event_ids;
  std::size_t events_read = 0;
  std::int64_t through = 0;
  std::int64_t last_event = 0;
  const auto follow = [&] {
    const LatestStates l = reader->latest_states(through).value();
    for (const auto& [e, c] : l.changes) {
      items.insert(e.item);
    }
    through = l.through;
    const auto events = reader->events_after(last_event).value();
    for (const auto& [id, text] : events) {
      event_ids.insert(id);
      ++events_read;
      last_event = id;
    }
  };
  while (running > 0) {
    follow();
  }
  for (auto& t : threads) {
    t.join();
  }
  follow();
  REQUIRE_FALSE(failed);
  CHECK(items.size() == std::size_t{kWriters * kBatches * kPerBatch});
  CHECK(std::set<std::string>(items.begin(), items.end()).size() == items.size());
  CHECK(events_read == std::size_t{kWriters * kBatches * kPerBatch});
  CHECK(event_ids.size() == events_read);
}

TEST_CASE("store: a PostgreSQL store follows its logs again after the server dropped it",
          "[store]") {
  if (colosla::test::postgresql_admin_uri().empty()) {
    SUCCEED("no PostgreSQL for the tests (ctest's store.conformance-postgresql starts one)");
    return;
  }
  const std::string location = colosla::test::postgresql_fresh_database();
  TempDir dir;
  auto s = Store::open(location, Store::Mode::create, dir.file("store.key"));
  REQUIRE(s.has_value());
  Store& store = **s;
  REQUIRE(
      store.add_observations({port_obs("p1", "2026-11-03T02:00:00Z", State::down)}).has_value());
  const auto drop = [&] {
    colosla::test::postgresql_admin_exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
        colosla::test::postgresql_dbname(location) + "' AND pid <> pg_backend_pid()");
  };
  // The call that meets the dropped connection fails; the next connects again.
  drop();
  CHECK_FALSE(store.latest_states(0).has_value());
  const auto latest = store.latest_states(0);
  REQUIRE(latest.has_value());
  CHECK(latest->changes.size() == 1);
  drop();
  CHECK_FALSE(store.events_after(0).has_value());
  CHECK(store.events_after(0).has_value());
}

// -- RecordStore -----------------------------------------------------------------------------

TEST_CASE("store: records and mapping changes are kept as entered", "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  auto store = subject.connect();
  CHECK(store->records().value().empty());
  const std::int64_t a =
      store->add_record(exclusion("C-001", "2026-11-03T01:00:00Z", "2026-11-03T03:00:00Z")).value();
  const std::int64_t b =
      store->add_record(exclusion("C-002", "2026-11-04T01:00:00Z", "2026-11-04T03:00:00Z")).value();
  const std::int64_t everyone =
      store->add_record(exclusion("", "2026-11-05T01:00:00Z", "2026-11-05T02:00:00Z")).value();
  Record withdraw;
  withdraw.kind = RecordKind::exclusion;
  withdraw.retraction = true;
  withdraw.supersedes = a;
  withdraw.contract = "C-001";
  withdraw.at = at("2026-11-03T01:00:00Z");
  withdraw.entered_by = "bob";
  withdraw.entered_at = at("2026-11-21T09:00:00Z");
  withdraw.note = "entered by mistake";
  const std::int64_t w = store->add_record(withdraw).value();
  CHECK(a < b);
  CHECK(b < everyone);
  CHECK(everyone < w);
  // A record superseded already cannot be superseded again.
  CHECK_FALSE(store->add_record(withdraw).has_value());

  const auto all = store->records().value();
  REQUIRE(all.size() == 4);
  CHECK(all[0].id == a);
  CHECK(all[0].contract == "C-001");
  CHECK(all[0].until == std::optional<Timestamp>{at("2026-11-03T03:00:00Z")});
  CHECK(all[0].reason == std::optional<ExclusionReason>{ExclusionReason::approved_maintenance});
  CHECK(all[0].approved_by == "carol");
  CHECK(all[0].note == "maintenance C-001");
  CHECK(all[3].retraction);
  CHECK(all[3].supersedes == a);

  std::vector<std::int64_t> ids;
  const auto of_c001 = store->records_of("C-001").value();
  for (const auto& r : of_c001) {
    ids.push_back(r.id);
  }
  CHECK(ids == std::vector<std::int64_t>{a, everyone, w});
  CHECK(effective_records(store->records_of("C-001").value()).size() == 1);

  CHECK(store->mapping_changes().value().empty());
  MappingChange m;
  m.contract = "C-001";
  m.port = PortRef{"sw1", "ge-0/0/2"};
  m.action = MappingAction::add;
  m.at = at("2026-11-10T00:00:00Z");
  m.entered_by = "alice";
  m.entered_at = at("2026-11-09T12:00:00Z");
  m.note = "re-patched";
  const std::int64_t m1 = store->add_mapping_change(m).value();
  m.action = MappingAction::remove;
  m.at = at("2026-11-20T00:00:00Z");
  const std::int64_t m2 = store->add_mapping_change(m).value();
  CHECK(m1 < m2);
  const auto changes = store->mapping_changes().value();
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].id == m1);
  CHECK(changes[0].port == PortRef{"sw1", "ge-0/0/2"});
  CHECK(changes[0].action == MappingAction::add);
  CHECK(changes[0].note == "re-patched");
  CHECK(changes[1].action == MappingAction::remove);
  CHECK(changes[1].at == at("2026-11-20T00:00:00Z"));
}

// -- EventLog --------------------------------------------------------------------------------

TEST_CASE("store: each event is recorded once by its key", "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  auto store = subject.connect();
  REQUIRE(
      store->add_observations({port_obs("p1", "2026-11-03T02:00:00Z", State::down)}).has_value());
  const std::int64_t cause = store->observations(EntityId::port("sw1", "p1")).value()[0].seq;

  std::vector<std::optional<EntityId>> causes;
  const EventBody body = [&](std::size_t index, std::int64_t id,
                             const std::optional<EntityId>& entity) {
    causes.push_back(entity);
    return "{\"index\":" + std::to_string(index) + ",\"id\":" + std::to_string(id) + "}";
  };
  const auto first =
      store->record_events({event("a", cause), event("b")}, at("2026-11-03T02:01:00Z"), body)
          .value();
  REQUIRE(first.size() == 2);
  CHECK(first[0].first == 0);
  CHECK(first[1].first == 1);
  CHECK(first[0].second < first[1].second);
  REQUIRE(causes.size() == 2);
  CHECK(causes[0] == std::optional<EntityId>{EntityId::port("sw1", "p1")});
  CHECK_FALSE(causes[1].has_value());

  // Again, from another connection (a restart): only the new key is recorded.
  auto again = subject.connect(Store::Mode::existing);
  const auto second =
      again->record_events({event("b"), event("c"), event("a")}, at("2026-11-03T02:02:00Z"), body)
          .value();
  REQUIRE(second.size() == 1);
  CHECK(second[0].first == 1);
  CHECK(second[0].second > first[1].second);
  CHECK(causes.size() == 3);

  // All or nothing: a body that throws records none of them.
  CHECK_THROWS(store->record_events({event("d"), event("e")}, at("2026-11-03T02:03:00Z"),
                                    [](std::size_t, std::int64_t, const std::optional<EntityId>&)
                                        -> std::string { throw std::runtime_error("no body"); }));

  const auto all = store->events_after(0).value();
  REQUIRE(all.size() == 3);
  CHECK(all[0].first == first[0].second);
  CHECK(all[0].second == "{\"index\":0,\"id\":" + std::to_string(first[0].second) + "}");
  CHECK(all[2].first == second[0].second);
  const auto later = store->events_after(first[0].second).value();
  REQUIRE(later.size() == 2);
  CHECK(later[0].first == first[1].second);
}

TEST_CASE("store: events recorded by several writers are neither skipped nor doubled",
          "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  if (!subject_backend.concurrent_writers) {
    SUCCEED("one writer at a time");
    return;
  }
  auto writer = subject.connect();
  auto other = subject.connect(Store::Mode::existing);
  auto reader = subject.connect(Store::Mode::existing);
  const EventBody body = [](std::size_t, std::int64_t id, const std::optional<EntityId>&) {
    return "event " + std::to_string(id);
  };
  // Committed out of order: the later id first. A reader does not pass the open one.
  std::vector<std::pair<std::int64_t, std::string>> seen;
  REQUIRE(writer
              ->write([&]() -> Result<void> {
                REQUIRE(writer->record_events({event("a")}, at("2026-11-03T02:00:00Z"), body)
                            .value()
                            .size() == 1);
                REQUIRE(other->record_events({event("b")}, at("2026-11-03T02:00:00Z"), body)
                            .value()
                            .size() == 1);
                seen = reader->events_after(0).value();
                CHECK(seen.empty());
                return {};
              })
              .has_value());
  const auto all = reader->events_after(seen.empty() ? 0 : seen.back().first).value();
  REQUIRE(all.size() == 2);
  CHECK(all[0].first < all[1].first);

  // The same key by two writers at once: the second waits for the first and records nothing.
  Result<std::vector<std::pair<std::size_t, std::int64_t>>> theirs =
      std::vector<std::pair<std::size_t, std::int64_t>>{};
  std::thread racer;
  REQUIRE(writer
              ->write([&]() -> Result<void> {
                REQUIRE(writer->record_events({event("k")}, at("2026-11-03T02:01:00Z"), body)
                            .value()
                            .size() == 1);
                // (Made here: Catch's assertions, in at(), are for the test's own thread.)
                const std::vector<NewEvent> both{event("k"), event("l")};
                const Timestamp when = at("2026-11-03T02:01:00Z");
                racer = std::thread(
                    [&, both, when] { theirs = other->record_events(both, when, body); });
                return {};
              })
              .has_value());
  racer.join();
  REQUIRE(theirs.has_value());
  REQUIRE(theirs->size() == 1);
  CHECK(theirs->at(0).first == 1);  // "l" only
  CHECK(reader->events_after(all.back().first).value().size() == 2);
}

TEST_CASE("store: each named sink has its own cursor", "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  auto store = subject.connect();
  const EventBody body = [](std::size_t, std::int64_t id, const std::optional<EntityId>&) {
    return "event " + std::to_string(id);
  };
  const auto ids =
      store->record_events({event("a"), event("b"), event("c")}, at("2026-11-03T02:00:00Z"), body)
          .value();
  REQUIRE(ids.size() == 3);
  CHECK(store->sink_cursor("nagios").value() == 0);
  CHECK(store->undelivered("nagios").value().size() == 3);

  REQUIRE(store->set_sink_cursor("nagios", ids[1].second).has_value());
  CHECK(store->sink_cursor("nagios").value() == ids[1].second);
  const auto rest = store->undelivered("nagios").value();
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].first == ids[2].second);
  CHECK(rest[0].second == "event " + std::to_string(ids[2].second));
  // Another sink has delivered nothing.
  CHECK(store->undelivered("zabbix-main").value().size() == 3);
  CHECK(store->sink_cursor("zabbix-main").value() == 0);

  // Cursors are durable, and new events come after them.
  auto later = subject.connect(Store::Mode::existing);
  CHECK(later->sink_cursor("nagios").value() == ids[1].second);
  REQUIRE(later->record_events({event("d")}, at("2026-11-03T02:05:00Z"), body).has_value());
  CHECK(later->undelivered("nagios").value().size() == 2);
  REQUIRE(later->set_sink_cursor("nagios", later->undelivered("nagios").value().back().first)
              .has_value());
  CHECK(later->undelivered("nagios").value().empty());
  CHECK(later->undelivered("zabbix-main").value().size() == 4);
}

// -- StatusCache -----------------------------------------------------------------------------

TEST_CASE("store: the contracts' figures are replaced all at once", "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  auto store = subject.connect();
  CHECK_FALSE(store->contract_status("C-001").value().has_value());
  REQUIRE(store
              ->save_contract_statuses({{"C-001", R"({"a":1})"}, {"C-002", R"({"b":2})"}},
                                       at("2026-11-03T02:00:00Z"))
              .has_value());
  const auto one = store->contract_status("C-001").value();
  REQUIRE(one.has_value());
  CHECK(one->first == at("2026-11-03T02:00:00Z"));
  CHECK(one->second == R"({"a":1})");

  REQUIRE(store->save_contract_statuses({{"C-002", R"({"b":3})"}}, at("2026-11-03T02:01:00Z"))
              .has_value());
  CHECK_FALSE(store->contract_status("C-001").value().has_value());
  const auto two = subject.connect(Store::Mode::read_only)->contract_status("C-002").value();
  REQUIRE(two.has_value());
  CHECK(two->first == at("2026-11-03T02:01:00Z"));
  CHECK(two->second == R"({"b":3})");
}

TEST_CASE("store: some contracts' figures updated, every one marked computed",
          "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  auto store = subject.connect();
  REQUIRE(store
              ->save_contract_statuses({{"C-001", R"({"a":1})"}, {"C-002", R"({"b":2})"}},
                                       at("2026-11-03T02:00:00Z"))
              .has_value());
  REQUIRE(store
              ->update_contract_statuses({{"C-002", R"({"b":3})"}, {"C-003", R"({"c":1})"}},
                                         at("2026-11-03T02:01:00Z"))
              .has_value());
  const auto reader = subject.connect(Store::Mode::read_only);
  const auto one = reader->contract_status("C-001").value();
  REQUIRE(one.has_value());
  CHECK(one->first == at("2026-11-03T02:01:00Z"));  // left as it was, marked computed now
  CHECK(one->second == R"({"a":1})");
  CHECK(reader->contract_status("C-002").value()->second == R"({"b":3})");
  CHECK(reader->contract_status("C-003").value()->second == R"({"c":1})");
  // A full replacement afterwards still removes what it does not hold.
  REQUIRE(store->save_contract_statuses({{"C-003", R"({"c":2})"}}, at("2026-11-03T02:02:00Z"))
              .has_value());
  CHECK_FALSE(store->contract_status("C-001").value().has_value());
  CHECK(store->contract_status("C-003").value()->first == at("2026-11-03T02:02:00Z"));
}

TEST_CASE("store: the input marks grow with what is added", "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  auto store = subject.connect();
  const InputMarks none = store->input_marks().value();
  CHECK(none == InputMarks{});
  REQUIRE(
      store->add_observations({port_obs("p1", "2026-11-03T02:00:00Z", State::down)}).has_value());
  const InputMarks one = store->input_marks().value();
  CHECK(one.observation > 0);
  CHECK(one.inventory == 0);
  CHECK(one.record == 0);
  CHECK(one.mapping == 0);
  CHECK(store->input_marks().value() == one);  // reading changes nothing
}

// -- ReceiverState ---------------------------------------------------------------------------

TEST_CASE("store: the receiver's port index, evidence and counters", "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  auto store = subject.connect();
  CHECK(store->port_index().value().empty());
  REQUIRE(store
              ->save_port_index("sw1", {{1, "ge-0/0/1", "uplink"}, {2, "ge-0/0/2", ""}},
                                at("2026-11-03T02:00:00Z"))
              .has_value());
  REQUIRE(store->save_port_index("sw2", {{7, "eth7", ""}}, at("2026-11-03T02:00:00Z")).has_value());
  // A walk replaces the device's map, and only that device's.
  REQUIRE(
      store->save_port_index("sw1", {{3, "ge-0/0/3", ""}}, at("2026-11-03T03:00:00Z")).has_value());
  const auto index = store->port_index().value();
  CHECK(index == std::map<std::string, std::map<std::int64_t, std::string>>{
                     {"sw1", {{3, "ge-0/0/3"}}}, {"sw2", {{7, "eth7"}}}});

  const TrapEvidence e{
      at("2026-11-03T02:00:00Z"), "sw1",      "udp:192.0.2.10:49152", "1.3.6.1.4.1.9999.1",
      "no plugin understands it", "the trap", std::nullopt,           0};
  CHECK(store->add_evidence({e, e}).value() == 2);
  CHECK(store->add_evidence({}).value() == 0);

  CHECK(store->counters().value().empty());
  REQUIRE(store->add_counters({{"received", 5}, {"duplicates", 1}}, at("2026-11-03T02:00:00Z"))
              .has_value());
  REQUIRE(store->add_counters({{"received", 2}}, at("2026-11-03T02:00:10Z")).has_value());
  const auto counters = subject.connect(Store::Mode::existing)->counters().value();
  REQUIRE(counters.size() == 2);
  std::map<std::string, std::int64_t> by_name;
  for (const auto& c : counters) {
    by_name[c.name] = c.value;
    if (c.name == "received") {
      CHECK(c.updated == at("2026-11-03T02:00:10Z"));
    }
  }
  CHECK(by_name == std::map<std::string, std::int64_t>{{"duplicates", 1}, {"received", 7}});
}

// -- Store::open -----------------------------------------------------------------------------

TEST_CASE("store: a PostgreSQL store that cannot be reached is refused, naming where", "[store]") {
  // No server listens on this socket: refused at once, the location named.
  auto s = Store::open("postgresql://colosla@/colosla?host=/nonexistent-colosla&port=1",
                       Store::Mode::existing);
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().code == Errc::store);
  CHECK(s.error().msg.find("cannot connect to PostgreSQL") != std::string::npos);
  CHECK(s.error().to_string().find("/nonexistent-colosla") != std::string::npos);
}

TEST_CASE("store: a PostgreSQL location with a password is refused, without repeating it",
          "[store]") {
  // The password belongs in ~/.pgpass or a service file, not on a command line or in
  // $COLOSLA_DB: refused before connecting, in every form libpq reads.
  for (const char* location :
       {"postgresql://colosla:s3cret-pw@/colosla?host=/nonexistent-colosla&port=1",
        "postgresql:///colosla?host=/nonexistent-colosla&port=1&password=s3cret-pw",
        "service=colosla-test-none password=s3cret-pw"}) {
    INFO(location);
    auto e = Store::open(location, Store::Mode::existing);
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().code == Errc::invalid_input);
    CHECK(e.error().msg.find("must not hold a password") != std::string::npos);
    CHECK(e.error().to_string().find("s3cret-pw") == std::string::npos);
  }
}

TEST_CASE("store: a PostgreSQL store has no key file by default", "[store]") {
  CHECK(default_key_path("/var/lib/colosla/colosla.db") == "/var/lib/colosla/colosla.db.key");
  CHECK(default_key_path("postgresql://colosla@db.example/colosla").empty());
  CHECK(default_key_path("postgres://colosla@db.example/colosla").empty());
  CHECK(default_key_path("service=colosla").empty());
}

TEST_CASE("store: a PostgreSQL database without a store is not opened as one", "[store]") {
  if (colosla::test::postgresql_admin_uri().empty()) {
    SUCCEED("no PostgreSQL for the tests (ctest's store.conformance-postgresql starts one)");
    return;
  }
  const std::string location = colosla::test::postgresql_fresh_database();
  for (const auto mode : {Store::Mode::existing, Store::Mode::read_only}) {
    auto s = Store::open(location, mode);
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().code == Errc::not_found);
  }
  TempDir dir;
  auto created = Store::open(location, Store::Mode::create, dir.file("store.key"));
  INFO((created ? std::string() : created.error().to_string()));
  REQUIRE(created.has_value());
  CHECK((*created)->schema_version() == Store::kSchemaVersion);
  CHECK((*created)->path() == location);
  auto again = Store::open(location, Store::Mode::read_only);
  REQUIRE(again.has_value());
  CHECK((*again)->schema_version() == Store::kSchemaVersion);
  // Opened to read only: it reads, and writes nothing.
  CHECK((*again)->counters().has_value());
  CHECK_FALSE((*again)->add_counters({{"traps", 1}}, at("2026-11-03T02:00:00Z")).has_value());
  CHECK((*created)->counters().value().empty());

  // A database that holds tables of something else is refused, not added to.
  const std::string other = colosla::test::postgresql_fresh_database();
  colosla::test::postgresql_admin_exec(
      "CREATE TABLE hosts(id int)",
      other.substr(other.find("colosla_t_"), other.find('?') - other.find("colosla_t_")));
  auto foreign = Store::open(other, Store::Mode::create, dir.file("store.key"));
  REQUIRE_FALSE(foreign.has_value());
  CHECK(foreign.error().msg.find("not a colosla store") != std::string::npos);
}

TEST_CASE("store: a PostgreSQL store written by a newer colosla is refused", "[store]") {
  if (colosla::test::postgresql_admin_uri().empty()) {
    SUCCEED("no PostgreSQL for the tests (ctest's store.conformance-postgresql starts one)");
    return;
  }
  const std::string location = colosla::test::postgresql_fresh_database();
  TempDir dir;
  REQUIRE(Store::open(location, Store::Mode::create, dir.file("store.key")).has_value());
  colosla::test::postgresql_admin_exec(
      "UPDATE colosla_schema SET version = " + std::to_string(Store::kSchemaVersion + 1),
      colosla::test::postgresql_dbname(location));
  for (const auto mode : {Store::Mode::create, Store::Mode::existing, Store::Mode::read_only}) {
    auto s = Store::open(location, mode, dir.file("store.key"));
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().code == Errc::store);
    CHECK(s.error().msg.find("schema version " + std::to_string(Store::kSchemaVersion + 1)) !=
          std::string::npos);
  }
}

TEST_CASE("store: processes creating one PostgreSQL store at once create it once", "[store]") {
  if (colosla::test::postgresql_admin_uri().empty()) {
    SUCCEED("no PostgreSQL for the tests (ctest's store.conformance-postgresql starts one)");
    return;
  }
  const std::string location = colosla::test::postgresql_fresh_database();
  TempDir dir;
  // Each thread opens its own connection, as another process would; the advisory lock lets one
  // create the schema and the others find it made. Results checked on this thread (Catch's
  // assertions are not thread-safe).
  constexpr int kOpeners = 4;
  std::vector<std::string> errors(kOpeners);
  std::vector<int> versions(kOpeners, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] {
      auto s = Store::open(location, Store::Mode::create, dir.file("store.key"));
      if (s) {
        versions[static_cast<std::size_t>(i)] = (*s)->schema_version();
      } else {
        errors[static_cast<std::size_t>(i)] = s.error().to_string();
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (int i = 0; i < kOpeners; ++i) {
    INFO("opener " << i);
    CHECK(errors[static_cast<std::size_t>(i)] == "");
    CHECK(versions[static_cast<std::size_t>(i)] == Store::kSchemaVersion);
  }
}

TEST_CASE("store: a PostgreSQL store connects again after the server dropped its connection",
          "[store]") {
  if (colosla::test::postgresql_admin_uri().empty()) {
    SUCCEED("no PostgreSQL for the tests (ctest's store.conformance-postgresql starts one)");
    return;
  }
  const std::string location = colosla::test::postgresql_fresh_database();
  TempDir dir;
  auto s = Store::open(location, Store::Mode::create, dir.file("store.key"));
  REQUIRE(s.has_value());
  Store& store = **s;
  REQUIRE(store.add_counters({{"traps", 1}}, at("2026-11-03T02:00:00Z")).has_value());
  // As a restart or a failover would: every session of the database ended by the server.
  colosla::test::postgresql_admin_exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
      colosla::test::postgresql_dbname(location) + "' AND pid <> pg_backend_pid()");
  // The call that meets the dropped connection fails (its statement's fate is unknown to it); the
  // next connects again.
  CHECK_FALSE(store.counters().has_value());
  REQUIRE(store.add_counters({{"traps", 1}}, at("2026-11-03T02:00:01Z")).has_value());
  // The same for a method that reads only the logs' watermarks.
  colosla::test::postgresql_admin_exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
      colosla::test::postgresql_dbname(location) + "' AND pid <> pg_backend_pid()");
  CHECK_FALSE(store.last_observation_seq().has_value());
  CHECK(store.last_observation_seq().has_value());
  auto counters = store.counters();
  REQUIRE(counters.has_value());
  REQUIRE(counters->size() == 1);
  CHECK(counters->front().value == 2);
}
