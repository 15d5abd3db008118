#include "colosla/store/sqlite.hpp"
#include "colosla/store/store.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "colosla/base/calendar.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::TempDir;

namespace {

// Reads one value with the SQLite library itself, apart from the store.
std::string query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  std::string out;
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != nullptr) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

void exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

std::unique_ptr<Store> open(const std::string& path, Store::Mode mode = Store::Mode::create) {
  auto s = Store::open(path, mode);
  INFO((s ? std::string() : s.error().to_string()));
  REQUIRE(s.has_value());
  return std::move(*s);
}

Observation port_obs(const std::string& time, State st, const std::string& evidence) {
  Observation o;
  o.time = at(time);
  o.entity = EntityId::port("sw1", "ge-0/0/1");
  o.state = st;
  o.source = Source::trap;
  o.received = at(time) + std::chrono::seconds{1};
  o.origin = "udp:192.0.2.10:49152";
  o.evidence = evidence;
  return o;
}

}  // namespace

TEST_CASE("a new store is created 0600, in WAL mode, at the current schema", "[store]") {
  TempDir dir;
  const std::string path = dir.file("colosla.db");
  const mode_t old_mask = umask(022);
  {
    auto store = open(path);
    CHECK(store->schema_version() == Store::kSchemaVersion);
  }
  umask(old_mask);
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(query(path, "PRAGMA journal_mode") == "wal");
  CHECK(query(path, "PRAGMA user_version") == std::to_string(Store::kSchemaVersion));
  CHECK(query(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'observation'") == "1");
}

TEST_CASE("opening a store that does not exist", "[store]") {
  TempDir dir;
  const std::string path = dir.file("missing.db");
  for (auto mode : {Store::Mode::existing, Store::Mode::read_only}) {
    auto s = Store::open(path, mode);
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().code == Errc::not_found);
    CHECK(s.error().where == path);
    struct stat st {};
    CHECK(stat(path.c_str(), &st) != 0);  // not created
  }
}

TEST_CASE("the schema is versioned and only upgraded forward", "[store]") {
  TempDir dir;
  SECTION("an empty file is upgraded from version 0") {
    const std::string path = dir.file("empty.db");
    std::ofstream(path).close();
    auto store = open(path, Store::Mode::existing);
    CHECK(store->schema_version() == Store::kSchemaVersion);
  }
  SECTION("a store from a newer colosla is refused and left alone") {
    const std::string path = dir.file("newer.db");
    open(path).reset();
    exec(path, "PRAGMA user_version = 99");
    auto s = Store::open(path, Store::Mode::existing);
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().msg.find("schema version 99") != std::string::npos);
    CHECK(query(path, "PRAGMA user_version") == "99");
  }
  SECTION("a SQLite database that is not a store is refused") {
    const std::string path = dir.file("other.db");
    exec(path, "CREATE TABLE accounts(x)");
    auto s = Store::open(path, Store::Mode::existing);
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().msg == "this SQLite database is not a colosla store");
    CHECK(query(path, "SELECT count(*) FROM sqlite_schema") == "1");
  }
  SECTION("read-only opening needs the current schema") {
    const std::string path = dir.file("old.db");
    std::ofstream(path).close();
    auto s = Store::open(path, Store::Mode::read_only);
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().msg.find("any colosla write command upgrades it") != std::string::npos);
  }
}

TEST_CASE("observations keep their source and evidence", "[store]") {
  TempDir dir;
  auto store = open(dir.file("s.db"));
  std::vector<Observation> obs{
      port_obs("2026-11-03T02:30:00Z", State::up, "1.3.6.1.6.3.1.1.5.4 ifIndex=3"),
      port_obs("2026-11-03T02:00:00Z", State::down, "1.3.6.1.6.3.1.1.5.3 ifIndex=3"),
      port_obs("2026-11-03T02:00:00Z", State::up, "poll ifOperStatus.3 = 1"),
  };
  obs[2].source = Source::poll;
  REQUIRE(store->add_observations(obs).value() == 3);
  Observation other = port_obs("2026-11-03T02:10:00Z", State::down, "x");
  other.entity = EntityId::probe("203.0.113.5", "icmp");
  other.state = State::fail;
  other.source = Source::probe;
  REQUIRE(store->add_observations({other}).value() == 1);

  const auto got = store->observations(EntityId::port("sw1", "ge-0/0/1")).value();
  REQUIRE(got.size() == 3);
  // ordered by time, then arrival: the two 02:00 ones in the order they were stored
  CHECK(got[0].evidence == "1.3.6.1.6.3.1.1.5.3 ifIndex=3");
  CHECK(got[0].source == Source::trap);
  CHECK(got[1].source == Source::poll);
  CHECK(got[1].seq > got[0].seq);
  CHECK(got[2].state == State::up);
  CHECK(got[2].time == at("2026-11-03T02:30:00Z"));
  CHECK(got[2].received == at("2026-11-03T02:30:01Z"));
  CHECK(got[2].origin == "udp:192.0.2.10:49152");

  const auto between =
      store->observations_between(at("2026-11-03T02:00:00Z"), at("2026-11-03T02:30:00Z")).value();
  REQUIRE(between.size() == 3);
  CHECK(between[2].entity == EntityId::probe("203.0.113.5", "icmp"));
  CHECK(store->observation_count().value() == 4);
}

namespace {

Observation obs_of(const std::string& port, const std::string& time, State st) {
  Observation o = port_obs(time, st, "linkUpDown " + port);
  o.entity = EntityId::port("sw1", port);
  return o;
}

// What every reader of state changes sees, in one comparable text.
std::string readings(const Store& s) {
  std::ostringstream out;
  const History all = s.history(at("2026-11-03T03:00:00Z")).value();
  for (const auto& [e, changes] : all) {
    out << e.item << ":";
    for (const auto& c : changes) {
      out << " " << format_time_utc(c.time) << "/" << to_string(c.state) << "/" << c.seq;
    }
    out << "\n";
  }
  const History early = s.history(at("2026-11-03T02:20:00Z")).value();
  for (const auto& [e, c] : early) {
    out << e.item << " until 02:20: " << c.size() << "\n";
  }
  std::map<std::string, std::string> latest;
  const auto last = s.latest_states(0).value();
  for (const auto& [e, c] : last.changes) {
    latest[e.item] = format_time_utc(c.time) + "/" + std::string(to_string(c.state)) + "/" +
                     std::to_string(c.seq);
  }
  for (const auto& [item, c] : latest) {
    out << "latest " << item << " " << c << "\n";
  }
  out << "latest of sw1: " << s.latest_states_of("sw1").value().size() << "\n";
  const auto obs = s.observations(EntityId::port("sw1", "ge-0/0/1")).value();
  for (const auto& o : obs) {
    out << "obs " << o.seq << " " << o.evidence << "\n";
  }
  return out.str();
}

}  // namespace

TEST_CASE("observations not yet merged into the history are read all the same", "[store]") {
  TempDir dir;
  const std::string path = dir.file("s.db");
  auto direct = open(path);
  REQUIRE(direct
              ->add_observations({obs_of("ge-0/0/1", "2026-11-03T02:00:00Z", State::down),
                                  obs_of("ge-0/0/1", "2026-11-03T02:30:00Z", State::up),
                                  obs_of("ge-0/0/2", "2026-11-03T02:10:00Z", State::down)})
              .value() == 3);
  CHECK(query(path, "SELECT count(*) FROM state_change") == "3");  // merged as stored

  SqliteOptions options;
  options.defer_history_merge = true;
  auto opened = open_sqlite(path, Store::Mode::existing, {}, options);
  REQUIRE(opened.has_value());
  auto deferred = std::move(*opened);
  // A late trap dated between the two merged changes, a new change, a new port, and a
  // back-dated change of ge-0/0/2 that must not become its latest state.
  REQUIRE(deferred
              ->add_observations({obs_of("ge-0/0/1", "2026-11-03T02:15:00Z", State::up),
                                  obs_of("ge-0/0/1", "2026-11-03T02:45:00Z", State::down),
                                  obs_of("ge-0/0/3", "2026-11-03T02:20:00Z", State::down),
                                  obs_of("ge-0/0/2", "2026-11-03T01:00:00Z", State::up)})
              .value() == 4);
  CHECK(query(path, "SELECT count(*) FROM state_change") == "3");
  CHECK(query(path, "SELECT seq FROM state_change_merged") == "3");

  auto reader = open(path, Store::Mode::read_only);
  const std::string before = readings(*reader);
  CHECK(before ==
        "ge-0/0/1: 2026-11-03T02:00:00Z/down/1 2026-11-03T02:15:00Z/up/4 2026-11-03T02:30:00Z/up/2 "
        "2026-11-03T02:45:00Z/down/5\n"
        "ge-0/0/2: 2026-11-03T01:00:00Z/up/7 2026-11-03T02:10:00Z/down/3\n"
        "ge-0/0/3: 2026-11-03T02:20:00Z/down/6\n"
        "ge-0/0/1 until 02:20: 2\n"
        "ge-0/0/2 until 02:20: 2\n"
        "ge-0/0/3 until 02:20: 1\n"
        "latest ge-0/0/1 2026-11-03T02:45:00Z/down/5\n"
        "latest ge-0/0/2 2026-11-03T02:10:00Z/down/3\n"
        "latest ge-0/0/3 2026-11-03T02:20:00Z/down/6\n"
        "latest of sw1: 3\n"
        "obs 1 linkUpDown ge-0/0/1\n"
        "obs 4 linkUpDown ge-0/0/1\n"
        "obs 2 linkUpDown ge-0/0/1\n"
        "obs 5 linkUpDown ge-0/0/1\n");
  // After seq 3: ge-0/0/1 and ge-0/0/3 changed; ge-0/0/2's last change is still seq 3.
  std::set<std::string> changed;
  const auto after3 = reader->latest_states(3).value();
  CHECK(after3.through == 7);
  for (const auto& [e, c] : after3.changes) {
    changed.insert(e.item);
  }
  CHECK(changed == std::set<std::string>{"ge-0/0/1", "ge-0/0/3"});
  CHECK(reader->latest_states(7).value().changes.empty());

  CHECK(deferred->maintain().value() == 4);
  CHECK(deferred->maintain().value() == 0);
  CHECK(query(path, "SELECT count(*) FROM state_change") == "7");
  CHECK(query(path, "SELECT seq FROM state_change_merged") == "7");
  CHECK(readings(*reader) == before);
}

TEST_CASE("a store of schema 3 gets its history table when upgraded", "[store]") {
  TempDir dir;
  const std::string path = dir.file("s.db");
  std::string before;
  {
    auto store = open(path);
    REQUIRE(store
                ->add_observations({obs_of("ge-0/0/1", "2026-11-03T02:00:00Z", State::down),
                                    obs_of("ge-0/0/2", "2026-11-03T02:10:00Z", State::down),
                                    obs_of("ge-0/0/1", "2026-11-03T02:30:00Z", State::up)})
                .has_value());
    before = readings(*store);
  }
  // Back to what schema 3 had: the history as an index on observation.
  exec(path,
       "DROP INDEX observation_round; ALTER TABLE observation DROP COLUMN probe_round; "
       "DROP TABLE probe_lease; "
       "ALTER TABLE device DROP COLUMN outlet_phases; "
       "ALTER TABLE observation DROP COLUMN trap_digest; "
       "ALTER TABLE observation DROP COLUMN trap_bucket; "
       "ALTER TABLE observation DROP COLUMN trap_near; "
       "ALTER TABLE evidence DROP COLUMN trap_digest; ALTER TABLE evidence DROP COLUMN "
       "trap_bucket; ALTER TABLE evidence DROP COLUMN trap_near; "
       "ALTER TABLE device DROP COLUMN netconf_socket; DROP INDEX record_by_contract; DROP TABLE "
       "contract_status; DROP TABLE sla_event; DROP TABLE sink_cursor; "
       "ALTER TABLE inventory_version DROP COLUMN digest; DROP TABLE evaluation; "
       "DROP TABLE state_change; DROP TABLE state_change_merged; "
       "CREATE INDEX observation_history ON observation(entity, time, seq, state); "
       "DROP TABLE lease; DROP TABLE statement; ALTER TABLE contract DROP COLUMN process; "
       "PRAGMA user_version = 3");
  auto store = open(path, Store::Mode::existing);
  CHECK(store->schema_version() == Store::kSchemaVersion);
  CHECK(query(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'observation_history'") ==
        "0");
  CHECK(query(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'record_by_contract'") == "1");
  CHECK(query(path, "SELECT count(*) FROM state_change") == "3");
  CHECK(query(path, "SELECT seq FROM state_change_merged") == "3");
  CHECK(readings(*store) == before);
}

// Transactions and the inventory's round trip: conformance_test.cpp, for every backend.

namespace {

// An inventory whose every secret is a word that can be looked for in the store's files.
constexpr const char* kSecretInventory = R"({"colosla-inventory:inventory":{"device":[
  {"name":"sw1","role":"switch","address":"192.0.2.10","plugin":"if-mib",
   "snmp":{"version":"v2c","community":"SECRET-community"}},
  {"name":"pdu1","role":"pdu","address":"192.0.2.20","plugin":"apc-pdu",
   "snmp":{"version":"v3","user":"noc","auth-protocol":"sha","auth-password":"SECRET-authpass",
           "priv-protocol":"aes","priv-password":"SECRET-privpass"}},
  {"name":"core1","role":"switch","address":"192.0.2.1","plugin":"ietf-interfaces",
   "netconf":{"username":"noc","password":"SECRET-netconfpass","known-hosts":"/etc/colosla/known_hosts"}}]}})";

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

ValidatedInventory secret_inventory() {
  InventoryValidator validator;
  auto v = validator.validate({{"secrets.json", kSecretInventory}});
  INFO((v ? std::string() : v.error()[0].to_string()));
  REQUIRE(v.has_value());
  return std::move(*v);
}

}  // namespace

TEST_CASE("the store keeps no secret of the inventory in clear", "[store][secrets]") {
  TempDir dir;
  const std::string path = dir.file("s.db");
  const ValidatedInventory v = secret_inventory();
  auto writer = open(path);  // open throughout: what it wrote is in its write-ahead log too
  REQUIRE(writer->save_inventory(v, "alice", at("2026-11-23T10:00:00Z")).has_value());
  SECTION("not in the database, its log or the document kept for the audit trail") {
    REQUIRE(std::filesystem::file_size(path + "-wal") > 0);
    for (const std::string& f : {path, path + "-wal"}) {
      INFO(f);
      CHECK(bytes_of(f).find("SECRET-") == std::string::npos);
    }
    CHECK(
        query(path, "SELECT count(*) FROM device WHERE snmp_community LIKE 'colosla-sealed:1:%'") ==
        "3");
  }
  SECTION("the key is a file of its own beside the store, readable by its owner only") {
    struct stat st {};
    REQUIRE(::stat(default_key_path(path).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(bytes_of(path).find(bytes_of(default_key_path(path)).substr(0, 64)) == std::string::npos);
  }
  SECTION("a reader gets the secrets only when it asks, with the key") {
    auto store = open(path, Store::Mode::read_only);
    const auto withheld = store->devices().value();
    REQUIRE(withheld.size() == 3);
    CHECK(withheld[0].snmp.community.empty());
    CHECK(withheld[1].snmp.auth_password.empty());
    CHECK(withheld[2].netconf->password.empty());
    const auto revealed = store->devices(Secrets::reveal).value();
    CHECK(revealed[0].snmp.community == "SECRET-community");
    CHECK(revealed[1].snmp.auth_password == "SECRET-authpass");
    CHECK(revealed[1].snmp.priv_password == "SECRET-privpass");
    CHECK(revealed[2].netconf->password == "SECRET-netconfpass");
    const auto doc = store->inventory_record().value()->document;
    CHECK(doc.find("SECRET-") == std::string::npos);
    CHECK(doc.find(R"x("community":"(secret)")x") != std::string::npos);
    CHECK(store->inventory_record(Secrets::reveal).value()->document.find("SECRET-netconfpass") !=
          std::string::npos);
  }
  SECTION("without the key, or with another one, nothing opens") {
    std::filesystem::rename(default_key_path(path), dir.file("elsewhere.key"));
    auto store = open(path, Store::Mode::read_only);
    CHECK(store->devices().has_value());  // withholding needs no key
    auto missing = store->devices(Secrets::reveal);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().code == Errc::not_found);
    REQUIRE(SecretKey::read_or_create(dir.file("other.key")).has_value());
    auto other = Store::open(path, Store::Mode::read_only, dir.file("other.key"))
                     .value()
                     ->devices(Secrets::reveal);
    REQUIRE_FALSE(other.has_value());
    CHECK(other.error().msg.find("does not open with the key") != std::string::npos);
  }
  SECTION("a key others may read is refused") {
    REQUIRE(::chmod(default_key_path(path).c_str(), 0640) == 0);
    auto key = SecretKey::read(default_key_path(path));
    REQUIRE_FALSE(key.has_value());
    CHECK(key.error().msg.find("may be read by other users") != std::string::npos);
  }
  SECTION("loading the same document again is recognised without a clear copy") {
    auto store = open(path, Store::Mode::existing);
    CHECK(store->version_holding(v.document).value() == std::optional<std::int64_t>{1});
    CHECK_FALSE(store->version_holding(v.document + " ").value().has_value());
  }
  SECTION("a sealed value moved to another device does not open") {
    exec(
        path,
        "UPDATE device SET snmp_community = (SELECT snmp_community FROM device WHERE name = 'sw1') "
        "WHERE name = 'core1'");
    auto store = open(path, Store::Mode::read_only);
    REQUIRE_FALSE(store->devices(Secrets::reveal).has_value());
  }
}

TEST_CASE("an older store's clear secrets are sealed by the upgrade", "[store][secrets]") {
  TempDir dir;
  const std::string path = dir.file("s.db");
  const ValidatedInventory v = secret_inventory();
  {
    auto store = open(path);
    REQUIRE(store->save_inventory(v, "alice", at("2026-11-23T10:00:00Z")).has_value());
  }
  // Schema 9 as colosla wrote it: the secrets in clear, in the rows and in the document.
  std::filesystem::remove(default_key_path(path));
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "UPDATE inventory_version SET document = ?", -1, &s, nullptr) ==
          SQLITE_OK);
  sqlite3_bind_text(s, 1, v.document.c_str(), -1, SQLITE_TRANSIENT);
  REQUIRE(sqlite3_step(s) == SQLITE_DONE);
  sqlite3_finalize(s);
  REQUIRE(
      sqlite3_exec(
          db,
          "UPDATE device SET snmp_community = 'public', snmp_auth_password = '', "
          "snmp_priv_password = '', netconf_password = ''; "
          "UPDATE device SET snmp_community = 'SECRET-community' WHERE name = 'sw1'; "
          "UPDATE device SET snmp_auth_password = 'SECRET-authpass', snmp_priv_password = "
          "'SECRET-privpass', snmp_community = 'public' WHERE name = 'pdu1'; "
          "UPDATE device SET netconf_password = 'SECRET-netconfpass', snmp_community = 'public' "
          "WHERE name = 'core1'; DROP INDEX observation_round; ALTER TABLE observation DROP "
          "COLUMN probe_round; DROP TABLE probe_lease; "
          "ALTER TABLE inventory_version DROP COLUMN digest; DROP TABLE "
          "evaluation; ALTER TABLE device DROP COLUMN outlet_phases; ALTER TABLE observation "
          "DROP COLUMN trap_digest; ALTER TABLE observation DROP COLUMN trap_bucket; ALTER TABLE "
          "observation DROP COLUMN trap_near; ALTER TABLE evidence DROP COLUMN trap_digest; "
          "ALTER TABLE evidence DROP COLUMN trap_bucket; ALTER TABLE evidence DROP COLUMN "
          "trap_near; DROP TABLE lease; DROP TABLE statement; ALTER TABLE contract DROP COLUMN "
          "process; ALTER TABLE sla_event DROP COLUMN epoch; ALTER TABLE "
          "sink_cursor DROP COLUMN epoch; PRAGMA user_version = 9",
          nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  REQUIRE(bytes_of(path).find("SECRET-") != std::string::npos);

  auto store = open(path, Store::Mode::existing);
  CHECK(store->schema_version() == Store::kSchemaVersion);
  CHECK(query(path,
              "SELECT count(*) FROM device WHERE instr(snmp_community || snmp_auth_password || "
              "snmp_priv_password || netconf_password, 'SECRET-') > 0") == "0");
  CHECK(
      query(path, "SELECT count(*) FROM inventory_version WHERE instr(document, 'SECRET-') > 0") ==
      "0");
  auto opened = store->devices(Secrets::reveal);
  INFO((opened ? std::string() : opened.error().to_string()));
  REQUIRE(opened.has_value());
  const auto& revealed = *opened;
  CHECK(revealed[0].snmp.community == "SECRET-community");
  CHECK(revealed[1].snmp.priv_password == "SECRET-privpass");
  CHECK(revealed[2].netconf->password == "SECRET-netconfpass");
  CHECK(store->version_holding(v.document).value() == std::optional<std::int64_t>{1});
}

TEST_CASE("the store keeps a PDU's outlet phases", "[store][inventory]") {
  TempDir dir;
  const std::string path = dir.file("s.db");
  InventoryValidator validator;
  auto v = validator.validate({{"phases.json", R"({"colosla-inventory:inventory":{"device":[
    {"name":"pdu3","role":"pdu","address":"192.0.2.23","plugin":"apc-pdu",
     "outlet":[{"name":"1","phase":1},{"name":"A\"2","phase":2}]},
    {"name":"pdu4","role":"pdu","address":"192.0.2.24","plugin":"apc-pdu"}]}})"}});
  INFO((v ? std::string() : v.error()[0].to_string()));
  REQUIRE(v.has_value());
  auto store = open(path);
  REQUIRE(store->save_inventory(*v, "alice", at("2026-12-07T10:00:00Z")).has_value());
  auto inv = store->load_inventory();
  REQUIRE(inv.has_value());
  REQUIRE(inv->has_value());
  const Device* pdu3 = (*inv)->find_device("pdu3");
  REQUIRE(pdu3 != nullptr);
  CHECK(pdu3->outlet_phases == decltype(pdu3->outlet_phases){{"1", 1}, {"A\"2", 2}});
  CHECK((*inv)->find_device("pdu4")->outlet_phases.empty());
}
