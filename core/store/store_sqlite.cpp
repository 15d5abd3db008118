// The SQLite adapter: the only file that includes sqlite3.h.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "colosla/base/calendar.hpp"
#include "colosla/base/log.hpp"
#include "colosla/store/secrets.hpp"
#include "colosla/store/store.hpp"

#include <nlohmann/json.hpp>

namespace colosla::core {

namespace {

// Forward migrations: kMigrations[i] brings a store from schema version i to i + 1.
// Never edit a migration that has shipped; add the next one.
constexpr std::array<const char*, Store::kSchemaVersion> kMigrations{{
    // 0 -> 1: the foundation.
    R"sql(
CREATE TABLE inventory_version(
  version    INTEGER PRIMARY KEY,
  loaded_at  INTEGER NOT NULL,
  loaded_by  TEXT NOT NULL,
  files      TEXT NOT NULL,
  document   TEXT NOT NULL
);
CREATE TABLE device(
  name        TEXT PRIMARY KEY,
  role        TEXT NOT NULL CHECK (role IN ('switch', 'pdu', 'ups')),
  address     TEXT NOT NULL,
  plugin      TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  snmp_version TEXT NOT NULL,
  snmp_community TEXT NOT NULL,
  snmp_port   INTEGER NOT NULL,
  snmp_user   TEXT NOT NULL,
  snmp_auth_protocol TEXT NOT NULL,
  snmp_auth_password TEXT NOT NULL,
  snmp_priv_protocol TEXT NOT NULL,
  snmp_priv_password TEXT NOT NULL,
  netconf     INTEGER NOT NULL,
  netconf_transport TEXT NOT NULL,
  netconf_port INTEGER NOT NULL,
  netconf_username TEXT NOT NULL,
  netconf_password TEXT NOT NULL,
  netconf_private_key TEXT NOT NULL,
  netconf_certificate TEXT NOT NULL,
  netconf_ca_file TEXT NOT NULL,
  netconf_known_hosts TEXT NOT NULL
);
CREATE TABLE uplink(
  device    TEXT NOT NULL,
  interface TEXT NOT NULL,
  PRIMARY KEY (device, interface)
);
CREATE TABLE calendar_day(
  day  TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('holiday', 'working-day')),
  PRIMARY KEY (day, kind)
);
CREATE TABLE contract(
  id          TEXT PRIMARY KEY,
  customer    TEXT NOT NULL,
  service     TEXT NOT NULL,
  signed      TEXT NOT NULL,
  start       INTEGER NOT NULL,
  end         INTEGER NOT NULL,
  end_given   INTEGER NOT NULL,
  time_zone   TEXT NOT NULL,
  monthly_fee INTEGER NOT NULL CHECK (monthly_fee >= 0),
  installation_fee INTEGER NOT NULL CHECK (installation_fee >= 0),
  currency    TEXT NOT NULL,
  installation_auto_complete INTEGER NOT NULL,
  port_mode   TEXT NOT NULL CHECK (port_mode IN ('any', 'all')),
  max_outage_minutes INTEGER NOT NULL,
  availability_target_milli INTEGER NOT NULL,
  require_customer_report INTEGER NOT NULL,
  report_window_days INTEGER NOT NULL,
  probe_interval_seconds INTEGER NOT NULL,
  notify_within_minutes INTEGER NOT NULL,
  installation_business_days INTEGER NOT NULL,
  inventory_version INTEGER NOT NULL REFERENCES inventory_version(version),
  CHECK (end > start)
);
CREATE TABLE contract_port(
  contract  TEXT NOT NULL REFERENCES contract(id) ON DELETE CASCADE,
  device    TEXT NOT NULL,
  interface TEXT NOT NULL,
  PRIMARY KEY (contract, device, interface)
);
CREATE TABLE contract_power(
  contract TEXT NOT NULL REFERENCES contract(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  device   TEXT NOT NULL,
  outlet   TEXT,
  PRIMARY KEY (contract, position)
);
CREATE TABLE probe_target(
  contract TEXT NOT NULL REFERENCES contract(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  address  TEXT NOT NULL,
  services TEXT NOT NULL,
  www_path TEXT NOT NULL,
  PRIMARY KEY (contract, position)
);
CREATE TABLE contact(
  contract   TEXT NOT NULL REFERENCES contract(id) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  name       TEXT NOT NULL,
  authorized INTEGER NOT NULL,
  channel    TEXT NOT NULL,
  address    TEXT NOT NULL,
  PRIMARY KEY (contract, position)
);
CREATE TABLE entity(
  id     INTEGER PRIMARY KEY,
  kind   TEXT NOT NULL CHECK (kind IN ('port', 'outlet', 'inlet', 'ups', 'probe')),
  device TEXT NOT NULL,
  item   TEXT NOT NULL,
  UNIQUE (kind, device, item)
);
CREATE TABLE observation(
  seq      INTEGER PRIMARY KEY,
  time     INTEGER NOT NULL,
  entity   INTEGER NOT NULL REFERENCES entity(id),
  state    TEXT NOT NULL,
  source   TEXT NOT NULL,  -- import, trap, poll, netconf or probe (no CHECK: an IN list costs
                           -- half of a row's insert, and only colosla's own enum writes it)
  received INTEGER NOT NULL,
  origin   TEXT NOT NULL,
  evidence TEXT NOT NULL
);
-- Covering: the SLA engine reads every state change without touching the evidence.
CREATE INDEX observation_history ON observation(entity, time, seq, state);
-- For people reading the store with sqlite3.
CREATE VIEW observation_view AS
  SELECT o.seq, o.time, datetime(o.time, 'unixepoch') AS time_utc, e.kind, e.device, e.item, o.state,
         o.source, o.received, datetime(o.received, 'unixepoch') AS received_utc, o.origin, o.evidence
  FROM observation o JOIN entity e ON e.id = o.entity;
CREATE TABLE mapping_change(
  id         INTEGER PRIMARY KEY,
  contract   TEXT NOT NULL,
  device     TEXT NOT NULL,
  interface  TEXT NOT NULL,
  action     TEXT NOT NULL CHECK (action IN ('add', 'remove')),
  at         INTEGER NOT NULL,
  entered_by TEXT NOT NULL,
  entered_at INTEGER NOT NULL,
  note       TEXT NOT NULL
);
)sql",
    // 1 -> 2: the records of the SLA engine.
    R"sql(
CREATE TABLE record(
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('exclusion', 'customer-report', 'notification',
                                            'installation', 'contact-invalid')),
  retraction  INTEGER NOT NULL DEFAULT 0,
  supersedes  INTEGER REFERENCES record(id),
  contract    TEXT NOT NULL,
  at          INTEGER NOT NULL,
  until       INTEGER,
  guarantee   TEXT CHECK (guarantee IN ('network', 'power')),
  reason      TEXT,
  channel     TEXT,
  contact     TEXT NOT NULL DEFAULT '',
  approved_by TEXT NOT NULL DEFAULT '',
  entered_by  TEXT NOT NULL,
  entered_at  INTEGER NOT NULL,
  note        TEXT NOT NULL DEFAULT '',
  CHECK (until IS NULL OR until > at)
);
CREATE UNIQUE INDEX record_supersedes ON record(supersedes) WHERE supersedes IS NOT NULL;
CREATE INDEX record_contract ON record(kind, contract);
)sql",
    // 2 -> 3: what the trap receiver and the poller keep.
    R"sql(
CREATE TABLE port_index(
  device    TEXT NOT NULL,
  if_index  INTEGER NOT NULL,
  if_name   TEXT NOT NULL,
  if_alias  TEXT NOT NULL DEFAULT '',
  walked    INTEGER NOT NULL,
  PRIMARY KEY (device, if_index)
);
CREATE TABLE evidence(
  id       INTEGER PRIMARY KEY,
  received INTEGER NOT NULL,
  device   TEXT NOT NULL,
  origin   TEXT NOT NULL,
  trap_oid TEXT NOT NULL,
  reason   TEXT NOT NULL,
  text     TEXT NOT NULL
);
CREATE INDEX evidence_received ON evidence(received);
CREATE TABLE counter(
  name    TEXT PRIMARY KEY,
  value   INTEGER NOT NULL,
  updated INTEGER NOT NULL
);
)sql",
    // 3 -> 4: the state changes the SLA engine reads move from an index on observation, which
    // every stored trap updated in place (one page rewritten per flapping port per commit), to a
    // table of their own that observations are merged into in sorted runs.
    R"sql(
DROP INDEX observation_history;
CREATE TABLE state_change(
  entity INTEGER NOT NULL,
  time   INTEGER NOT NULL,
  seq    INTEGER NOT NULL,  -- observation.seq
  state  TEXT NOT NULL,
  PRIMARY KEY (entity, time, seq)
) WITHOUT ROWID;
INSERT INTO state_change SELECT entity, time, seq, state FROM observation ORDER BY entity, time, seq;
-- Observations up to this seq are in state_change; readers add the ones after it.
CREATE TABLE state_change_merged(
  one INTEGER PRIMARY KEY CHECK (one = 1),
  seq INTEGER NOT NULL
);
INSERT INTO state_change_merged VALUES (1, (SELECT coalesce(max(seq), 0) FROM observation));
)sql",
    // 4 -> 5: NETCONF over a Unix socket.
    R"sql(
ALTER TABLE device ADD COLUMN netconf_socket TEXT NOT NULL DEFAULT '';
)sql",
    // 5 -> 6: check_colosla reads one contract's records.
    R"sql(
CREATE INDEX record_by_contract ON record(contract);
)sql",
    // 6 -> 7: each contract's figures as `colosla evaluate` last computed them, for
    // check_colosla's fast path.
    R"sql(
CREATE TABLE contract_status(
  contract    TEXT PRIMARY KEY,
  computed_at INTEGER NOT NULL,  -- when (wall clock) colosla evaluate computed it
  status      TEXT NOT NULL      -- the figures as JSON (judge.hpp: ContractStatus)
) WITHOUT ROWID;
)sql",
    // 7 -> 8: the SLA events, each occurrence once (its key), in the order recorded (id: the
    // event-id every sink sends).
    R"sql(
CREATE TABLE sla_event(
  id       INTEGER PRIMARY KEY,
  key      TEXT NOT NULL UNIQUE,
  kind     TEXT NOT NULL,
  contract TEXT NOT NULL,
  time     INTEGER NOT NULL,
  recorded INTEGER NOT NULL,
  body     TEXT NOT NULL  -- the YANG notification, RFC 7951 JSON (events.hpp: to_json)
);
)sql",
    // 8 -> 9: how far each event sink has delivered (the last event-id it took).
    R"sql(
CREATE TABLE sink_cursor(
  sink    TEXT PRIMARY KEY,
  last_id INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 9 -> 10: the inventory's secrets sealed (secrets.hpp), in the device rows and in each
    // document (done by seal_clear_secrets, which needs the key); a keyed digest of each
    // document tells whether a file loaded again is the same.
    R"sql(
ALTER TABLE inventory_version ADD COLUMN digest TEXT NOT NULL DEFAULT '';
)sql",
    // 10 -> 11: when the last evaluation ran. Every contract's stored figures are what it would
    // have stored (one that judges again only the contracts that can have changed rewrites only
    // their rows): a figure's age is from the later of its row's computed_at and this.
    R"sql(
CREATE TABLE evaluation(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at INTEGER NOT NULL
);
)sql",
}};

Error sql_error(sqlite3* db, std::string_view what) {
  return make_error(Errc::store, sqlite3_errmsg(db), std::string(what));
}

/// A prepared statement with positional binding.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK) {
      err_ = sql_error(db, sql);
    }
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  [[nodiscard]] bool ok() const { return s_ != nullptr; }
  [[nodiscard]] const Error& error() const { return err_; }

  Stmt& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  /// Binds text that stays unchanged until the statement has been stepped (no copy).
  Stmt& bind_static(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  Stmt& bind(int i, bool v) { return bind(i, static_cast<std::int64_t>(v ? 1 : 0)); }
  Stmt& bind(int i, Timestamp t) {
    return bind(i, static_cast<std::int64_t>(t.time_since_epoch().count()));
  }
  Stmt& bind_null(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
  }

  /// SQLITE_ROW, SQLITE_DONE, or an error code.
  int step() { return sqlite3_step(s_); }
  /// Runs a statement that returns no rows and resets it for the next bindings.
  Result<void> exec() {
    const int rc = sqlite3_step(s_);
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    if (rc != SQLITE_DONE) {
      return sql_error(db_, sqlite3_sql(s_));
    }
    return {};
  }
  Error step_error() const { return sql_error(db_, sqlite3_sql(s_)); }
  /// Makes a statement that was stepped ready for new bindings.
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }

  [[nodiscard]] std::int64_t i64(int c) const { return sqlite3_column_int64(s_, c); }
  [[nodiscard]] bool boolean(int c) const { return sqlite3_column_int64(s_, c) != 0; }
  [[nodiscard]] Timestamp time(int c) const { return Timestamp{std::chrono::seconds{i64(c)}}; }
  [[nodiscard]] bool is_null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  [[nodiscard]] sqlite3_stmt* raw() const { return s_; }
  [[nodiscard]] std::string str(int c) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, c)))
             : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
  Error err_;
};

Result<void> exec_script(sqlite3* db, const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    Error e = make_error(Errc::store, msg ? msg : sqlite3_errmsg(db), "sqlite");
    sqlite3_free(msg);
    return e;
  }
  return {};
}

// Rolling back is what we do after a failure already being reported; if even the rollback
// fails, SQLite rolls the transaction back when the connection closes, so log and go on.
void rollback(sqlite3* db, const std::string& sql) {
  if (auto r = exec_script(db, sql.c_str()); !r) {
    log(LogLevel::warning, "core.store", "rollback failed: " + r.error().msg);
  }
}

Result<std::int64_t> scalar(sqlite3* db, const char* sql) {
  Stmt s(db, sql);
  if (!s.ok()) {
    return s.error();
  }
  if (s.step() != SQLITE_ROW) {
    return s.step_error();
  }
  return s.i64(0);
}

std::string join_lines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) {
    s += (s.empty() ? "" : "\n") + x;
  }
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) {
    if (!cur.empty()) {
      out.push_back(cur);
    }
  }
  return out;
}

// The store's path as a URI path (RFC 3986: '%', '?' and '#' escaped).
std::string uri_path(const std::string& path) {
  std::string out;
  for (const char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[c & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

// What changes when a writer touches the store: the database file's size and time, and whether
// its -wal file holds anything.
struct FileMark {
  off_t size = -1;
  std::int64_t mtime_ns = 0;
  off_t wal_size = 0;
  friend bool operator==(const FileMark&, const FileMark&) = default;
};
std::optional<FileMark> file_mark(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return FileMark{};
  }
  FileMark m{st.st_size,
             static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec, 0};
  if (::stat((path + "-wal").c_str(), &st) == 0) {
    m.wal_size = st.st_size;
  }
  return m;
}

// The secrets of a device: where each is, and the context it is sealed under (the same as its
// leaf in the document: see each_secret_leaf).
std::vector<std::pair<std::string*, std::string>> secrets_of(Device& d) {
  std::vector<std::pair<std::string*, std::string>> out{
      {&d.snmp.community, "device " + d.name + " snmp community"},
      {&d.snmp.auth_password, "device " + d.name + " snmp auth-password"},
      {&d.snmp.priv_password, "device " + d.name + " snmp priv-password"}};
  if (d.netconf) {
    out.emplace_back(&d.netconf->password, "device " + d.name + " netconf password");
  }
  return out;
}

// Calls fn(value, context) for each secret leaf of an RFC 7951 inventory document (a device's
// snmp community, auth-password, priv-password, netconf password).
template <class Fn>
Result<void> each_secret_leaf(nlohmann::ordered_json& doc, Fn fn) {
  const auto top = doc.find("colosla-inventory:inventory");
  if (top == doc.end() || !top->is_object()) {
    return {};
  }
  const auto devices = top->find("device");
  if (devices == top->end() || !devices->is_array()) {
    return {};
  }
  for (auto& d : *devices) {
    const std::string name = d.value("name", "");
    for (const char* block : {"snmp", "netconf"}) {
      const auto b = d.find(block);
      if (b == d.end() || !b->is_object()) {
        continue;
      }
      for (const char* leaf : {"community", "auth-password", "priv-password", "password"}) {
        const auto v = b->find(leaf);
        if (v != b->end() && v->is_string()) {
          if (auto r = fn(v->template get_ref<std::string&>(),
                          "device " + name + " " + block + " " + leaf);
              !r) {
            return r;
          }
        }
      }
    }
  }
  return {};
}

// The document with each secret leaf sealed (those sealed already stay as they are).
Result<std::string> seal_document(const std::string& document, const SecretKey& key) {
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(document);
  } catch (const nlohmann::json::exception& e) {
    return make_error(Errc::store,
                      std::string("an inventory document that is not JSON: ") + e.what());
  }
  (void)each_secret_leaf(doc, [&](std::string& v, const std::string& context) -> Result<void> {
    if (!is_sealed(v)) {
      v = key.seal(v, context);
    }
    return {};
  });
  return doc.dump();
}

}  // namespace

struct Store::Impl {
  sqlite3* db = nullptr;
  std::string path;
  std::string key_path;
  std::optional<SecretKey> key;       // read when first needed
  std::optional<FileMark> immutable;  // opened as an immutable file: the file as it was then

  // The key that seals the secrets; with `create`, made when there is none (a writer).
  Result<const SecretKey*> secret_key(bool create) {
    if (!key) {
      auto k = create ? SecretKey::read_or_create(key_path) : SecretKey::read(key_path);
      if (!k) {
        return k.error();
      }
      key = std::move(*k);
    }
    return &*key;
  }

  // What reads the key for read_devices: nothing when the secrets are withheld.
  std::function<Result<const SecretKey*>()> key_reader(Secrets secrets) {
    if (secrets == Secrets::withhold) {
      return {};
    }
    return [this] { return secret_key(false); };
  }

  // 9 -> 10: a store written by an older colosla keeps its secrets in clear: sealed here, in the
  // upgrade's transaction, with a digest of each document.
  Result<void> seal_clear_secrets() {
    auto versions = scalar(db, "SELECT count(*) FROM inventory_version");
    if (!versions) {
      return versions.error();
    }
    if (*versions == 0) {
      return {};  // nothing to seal: no key made needlessly
    }
    auto k = secret_key(true);
    if (!k) {
      return make_error(Errc::store,
                        "sealing the inventory's secrets needs the key: " + k.error().to_string());
    }
    const SecretKey& sk = **k;
    {
      std::vector<std::tuple<std::int64_t, std::string, std::string>> docs;
      Stmt s(db, "SELECT version, document FROM inventory_version");
      while (s.step() == SQLITE_ROW) {
        auto sealed = seal_document(s.str(1), sk);
        if (!sealed) {
          return sealed.error();
        }
        docs.emplace_back(s.i64(0), std::move(*sealed), sk.digest(s.str(1)));
      }
      Stmt up(db, "UPDATE inventory_version SET document = ?, digest = ? WHERE version = ?");
      for (const auto& [number, doc, digest] : docs) {
        if (auto r = up.bind(1, doc).bind(2, digest).bind(3, number).exec(); !r) {
          return r;
        }
      }
    }
    std::vector<std::array<std::string, 5>> rows;
    Stmt s(db,
           "SELECT name, snmp_community, snmp_auth_password, snmp_priv_password, netconf_password "
           "FROM device");
    while (s.step() == SQLITE_ROW) {
      const std::string name = s.str(0);
      const auto sealed = [&](int c, const char* what) {
        const std::string v = s.str(c);
        return is_sealed(v) ? v : sk.seal(v, "device " + name + " " + what);
      };
      rows.push_back({name, sealed(1, "snmp community"), sealed(2, "snmp auth-password"),
                      sealed(3, "snmp priv-password"), sealed(4, "netconf password")});
    }
    Stmt up(db,
            "UPDATE device SET snmp_community = ?, snmp_auth_password = ?, snmp_priv_password = ?, "
            "netconf_password = ? WHERE name = ?");
    for (const auto& r : rows) {
      if (auto e = up.bind(1, r[1]).bind(2, r[2]).bind(3, r[3]).bind(4, r[4]).bind(5, r[0]).exec();
          !e) {
        return e;
      }
    }
    return {};
  }
  int version = 0;
  int savepoints = 0;
  // Entity ids already known to exist in the store (ids are never reused or deleted).
  EntityMap<std::int64_t> entity_ids;
  // Statements of the write paths the trap daemon runs thousands of times a second, prepared
  // once (SQL text → statement).
  std::map<const char*, std::unique_ptr<Stmt>> cached;
  bool defer_merge = false;  // see Store::defer_history_merge

  // The prepared statement for sql (a string literal), reset and ready for new bindings.
  Stmt& prepared(const char* sql) {
    auto& s = cached[sql];
    if (!s) {
      s = std::make_unique<Stmt>(db, sql);
    }
    return *s;
  }

  // Records that an evaluation stored its figures at `at` (inside the caller's write).
  Result<void> mark_evaluated(Timestamp at) {
    Stmt& s = prepared(
        "INSERT INTO evaluation(id, at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET at = "
        "excluded.at");
    if (!s.ok()) {
      return s.error();
    }
    return s.bind(1, at).exec();
  }

  // Moves the observations after the merge mark into state_change, in key order (inside the
  // caller's write transaction). Returns how many.
  Result<std::int64_t> merge() {
    Stmt& ins = prepared(
        "INSERT INTO state_change SELECT entity, time, seq, state FROM observation "
        "WHERE seq > (SELECT seq FROM state_change_merged) ORDER BY entity, time, seq");
    if (!ins.ok()) {
      return ins.error();
    }
    if (auto r = ins.exec(); !r) {
      return r.error();
    }
    const std::int64_t n = sqlite3_changes64(db);
    if (n > 0) {
      Stmt& mark =
          prepared("UPDATE state_change_merged SET seq = (SELECT max(seq) FROM observation)");
      if (!mark.ok()) {
        return mark.error();
      }
      if (auto r = mark.exec(); !r) {
        return r.error();
      }
    }
    return n;
  }

  // The id of entity e, created if the store has none yet (inside the caller's transaction).
  Result<std::int64_t> entity_id(const EntityId& e) {
    if (const std::int64_t* known = entity_ids.find(e)) {
      return *known;
    }
    Stmt& find = prepared("SELECT id FROM entity WHERE kind = ? AND device = ? AND item = ?");
    if (!find.ok()) {
      return find.error();
    }
    find.bind(1, to_string(e.kind)).bind(2, e.device).bind(3, e.item);
    const int rc = find.step();
    std::int64_t id = rc == SQLITE_ROW ? find.i64(0) : 0;
    find.reset();
    if (rc != SQLITE_ROW) {
      Stmt& add = prepared("INSERT INTO entity(kind, device, item) VALUES (?, ?, ?)");
      if (!add.ok()) {
        return add.error();
      }
      if (auto r = add.bind(1, to_string(e.kind)).bind(2, e.device).bind(3, e.item).exec(); !r) {
        return r.error();
      }
      id = sqlite3_last_insert_rowid(db);
    }
    *entity_ids.try_emplace(e).first = id;
    return id;
  }

  ~Impl() {
    cached.clear();  // finalized before the connection closes
    if (db != nullptr) {
      sqlite3_close_v2(db);
    }
  }

  Result<void> migrate() {
    auto v = scalar(db, "PRAGMA user_version");
    if (!v) {
      return v.error();
    }
    version = static_cast<int>(*v);
    const int initial = version;
    if (version > kSchemaVersion) {
      return make_error(Errc::store,
                        "the store has schema version " + std::to_string(version) +
                            ", written by a newer colosla; this one knows up to version " +
                            std::to_string(kSchemaVersion),
                        path);
    }
    if (version == 0) {
      // A file that has tables but no version is not ours: refuse rather than add to it.
      auto tables = scalar(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
      if (!tables) {
        return tables.error();
      }
      if (*tables != 0) {
        return make_error(Errc::store, "this SQLite database is not a colosla store", path);
      }
    }
    while (version < kSchemaVersion) {
      const int to = version + 1;
      if (auto r = exec_script(db, "BEGIN IMMEDIATE"); !r) {
        return r;
      }
      auto r = exec_script(db, kMigrations[static_cast<std::size_t>(version)]);
      if (r && to == 10) {
        r = seal_clear_secrets();
      }
      if (r) {
        r = exec_script(db, ("PRAGMA user_version = " + std::to_string(to)).c_str());
      }
      if (r) {
        r = exec_script(db, "COMMIT");
      }
      if (!r) {
        rollback(db, "ROLLBACK");
        return make_error(Errc::store,
                          "upgrading the store to schema version " + std::to_string(to) +
                              " failed: " + r.error().msg,
                          path);
      }
      // Creating a store is no news; upgrading one that existed is.
      log(initial == 0 ? LogLevel::debug : LogLevel::info, "core.store",
          path + ": schema upgraded to version " + std::to_string(to));
      version = to;
    }
    return {};
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

const std::string& Store::path() const { return impl_->path; }
void Store::set_busy_timeout(std::chrono::milliseconds wait) {
  sqlite3_busy_timeout(impl_->db, static_cast<int>(wait.count()));
}

void Store::set_autocheckpoint(int pages) { sqlite3_wal_autocheckpoint(impl_->db, pages); }

void Store::set_cache_size(int kib) {
  (void)exec_script(impl_->db, ("PRAGMA cache_size = -" + std::to_string(kib)).c_str());
}

Result<void> Store::checkpoint() {
  const int rc =
      sqlite3_wal_checkpoint_v2(impl_->db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    return sql_error(impl_->db, "checkpoint");
  }
  return {};
}

int Store::schema_version() const { return impl_->version; }

Result<std::unique_ptr<Store>> Store::open(const std::string& path, Mode mode,
                                           const std::string& key_path) {
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (!exists) {
    if (mode != Mode::create) {
      return make_error(Errc::not_found,
                        "no store here (load an inventory first: colosla inventory load FILE)",
                        path);
    }
    // Created 0600 before SQLite sees it: the store holds SNMP and NETCONF secrets. SQLite gives
    // its -wal and -shm files the same permissions.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
      return make_error(Errc::io, "cannot create the store: " + std::string(std::strerror(errno)),
                        path);
    }
    if (fd >= 0) {
      ::close(fd);
    }
  } else if (!S_ISREG(st.st_mode)) {
    return make_error(Errc::io, "is not a regular file", path);
  }

  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->key_path = key_path.empty() ? default_key_path(path) : key_path;
  // NOMUTEX: a Store is used by one thread at a time, so SQLite need not lock its connection
  // on every call.
  const int flags = (mode == Mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr) != SQLITE_OK) {
    return make_error(
        Errc::store,
        std::string("cannot open: ") + (impl->db ? sqlite3_errmsg(impl->db) : "out of memory"),
        path);
  }
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, 5000);
  if (auto r = exec_script(impl->db, "PRAGMA foreign_keys = ON"); !r) {
    return r.error();
  }
  if (mode != Mode::read_only) {
    // WAL lets check_colosla and reports read while the daemon writes; FULL makes each commit
    // durable, which an acknowledged INFORM promises.
    if (auto r = exec_script(impl->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL");
        !r) {
      return make_error(Errc::store, "cannot switch to WAL mode: " + r.error().msg, path);
    }

    if (auto r = impl->migrate(); !r) {
      return r.error();
    }
  } else {
    auto v = scalar(impl->db, "PRAGMA user_version");
    const int rc = v ? SQLITE_OK : sqlite3_extended_errcode(impl->db) & 0xff;
    if (!v && (rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN)) {
      // A reader of a WAL database shares the -shm file with the writers. One that may not
      // create it (a user who may only read the store) reads the store alone while no writer
      // has anything in the -wal file: as an immutable file, checked afterwards (read()).
      struct stat wal {};
      const bool wal_empty = ::stat((path + "-wal").c_str(), &wal) != 0 || wal.st_size == 0;
      if (!wal_empty) {
        return make_error(Errc::store,
                          "cannot read the store while it is written: " + v.error().msg +
                              " (a user who may read it needs " + "read access to " + path +
                              "-wal and " + path + "-shm as well)",
                          path);
      }
      sqlite3_close_v2(impl->db);
      impl->db = nullptr;
      if (sqlite3_open_v2(("file:" + uri_path(path) + "?immutable=1").c_str(), &impl->db,
                          SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                          nullptr) != SQLITE_OK) {
        return make_error(
            Errc::store,
            std::string("cannot open: ") + (impl->db ? sqlite3_errmsg(impl->db) : "out of memory"),
            path);
      }
      impl->immutable = file_mark(path);
      v = scalar(impl->db, "PRAGMA user_version");
    }
    if (!v) {
      return make_error(Errc::store, v.error().msg, path);
    }
    impl->version = static_cast<int>(*v);
    if (impl->version != kSchemaVersion) {
      return make_error(Errc::store,
                        "the store has schema version " + std::to_string(impl->version) +
                            " and this colosla reads version " + std::to_string(kSchemaVersion) +
                            " (any colosla write command upgrades it)",
                        path);
    }
  }
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Result<void> Store::read(const std::function<Result<void>()>& fn) const {
  sqlite3* db = impl_->db;
  if (sqlite3_get_autocommit(db) == 0) {
    return fn();  // already inside a transaction: it is the snapshot
  }
  if (auto r = exec_script(db, "BEGIN"); !r) {
    return r;
  }
  Result<void> result;
  try {
    result = fn();
  } catch (...) {
    rollback(db, "ROLLBACK");
    throw;
  }
  rollback(db, "ROLLBACK");  // nothing was written; ending the read transaction releases it
  if (result && impl_->immutable && file_mark(impl_->path) != impl_->immutable) {
    // Read without the writers' locks (see open): a writer began meanwhile, so what was read
    // may not be one snapshot.
    return make_error(Errc::store,
                      "the store was written while it was read without the -shm file; read again",
                      impl_->path);
  }
  return result;
}

Result<void> Store::write(const std::function<Result<void>()>& fn) {
  sqlite3* db = impl_->db;
  const bool outer = sqlite3_get_autocommit(db) != 0;
  const std::string sp = "colosla_sp" + std::to_string(impl_->savepoints);
  if (auto r = exec_script(db, outer ? "BEGIN IMMEDIATE" : ("SAVEPOINT " + sp).c_str()); !r) {
    return r;
  }
  ++impl_->savepoints;
  // Entity ids created inside a transaction that is rolled back do not exist: forget them all.
  const auto undo = [&] {
    rollback(db, outer ? "ROLLBACK" : "ROLLBACK TO " + sp + "; RELEASE " + sp);
    impl_->entity_ids.clear();
  };
  Result<void> result;
  try {
    result = fn();
  } catch (...) {
    --impl_->savepoints;
    undo();
    throw;
  }
  --impl_->savepoints;
  if (result) {
    if (auto r = exec_script(db, outer ? "COMMIT" : ("RELEASE " + sp).c_str()); !r) {
      undo();
      return r;
    }
    return {};
  }
  undo();
  return result;
}

// -- inventory -------------------------------------------------------------------------------

Result<std::int64_t> Store::save_inventory(const ValidatedInventory& v, const std::string& by,
                                           Timestamp at) {
  sqlite3* db = impl_->db;
  std::int64_t version = 0;
  auto key = impl_->secret_key(true);
  if (!key) {
    return key.error();
  }
  const SecretKey& sk = **key;
  auto document = seal_document(v.document, sk);
  if (!document) {
    return document.error();
  }
  auto r = write([&]() -> Result<void> {
    for (const char* sql : {"DELETE FROM contract", "DELETE FROM device", "DELETE FROM uplink",
                            "DELETE FROM calendar_day"}) {
      if (auto e = exec_script(db, sql); !e) {
        return e;
      }
    }
    {
      Stmt s(db,
             "INSERT INTO inventory_version(loaded_at, loaded_by, files, document, digest) "
             "VALUES (?, ?, ?, ?, ?)");
      if (auto e = s.bind(1, at)
                       .bind(2, by)
                       .bind(3, join_lines(v.files))
                       .bind(4, *document)
                       .bind(5, sk.digest(v.document))
                       .exec();
          !e) {
        return e;
      }
      version = sqlite3_last_insert_rowid(db);
    }
    const Inventory& inv = v.inventory;
    Stmt dev(db, "INSERT INTO device VALUES (?,?,?,?,?, ?,?,?,?,?,?,?,?, ?,?,?,?,?,?,?,?,?,?)");
    for (Device d : inv.devices) {
      for (auto& [value, context] : secrets_of(d)) {
        *value = sk.seal(*value, context);
      }
      const NetconfAccess nc = d.netconf.value_or(NetconfAccess{});
      dev.bind(1, d.name).bind(2, to_string(d.role)).bind(3, d.address).bind(4, d.plugin);
      dev.bind(5, d.description).bind(6, d.snmp.version).bind(7, d.snmp.community);
      dev.bind(8, static_cast<std::int64_t>(d.snmp.port)).bind(9, d.snmp.user);
      dev.bind(10, d.snmp.auth_protocol).bind(11, d.snmp.auth_password);
      dev.bind(12, d.snmp.priv_protocol).bind(13, d.snmp.priv_password);
      dev.bind(14, d.netconf.has_value()).bind(15, nc.transport);
      dev.bind(16, static_cast<std::int64_t>(nc.port)).bind(17, nc.username).bind(18, nc.password);
      dev.bind(19, nc.private_key).bind(20, nc.certificate).bind(21, nc.ca_file);
      dev.bind(22, nc.known_hosts).bind(23, nc.socket);
      if (auto e = dev.exec(); !e) {
        return e;
      }
    }
    Stmt up(db, "INSERT INTO uplink VALUES (?, ?)");
    for (const auto& u : inv.uplinks) {
      if (auto e = up.bind(1, u.device).bind(2, u.interface).exec(); !e) {
        return e;
      }
    }
    Stmt cal(db, "INSERT OR IGNORE INTO calendar_day VALUES (?, ?)");
    for (const auto& d : inv.calendar.holidays) {
      if (auto e = cal.bind(1, format_date(d)).bind(2, "holiday").exec(); !e) {
        return e;
      }
    }
    for (const auto& d : inv.calendar.working_days) {
      if (auto e = cal.bind(1, format_date(d)).bind(2, "working-day").exec(); !e) {
        return e;
      }
    }
    Stmt con(db, "INSERT INTO contract VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    Stmt port(db, "INSERT INTO contract_port VALUES (?, ?, ?)");
    Stmt power(db, "INSERT INTO contract_power VALUES (?, ?, ?, ?)");
    Stmt probe(db, "INSERT INTO probe_target VALUES (?, ?, ?, ?, ?)");
    Stmt contact(db, "INSERT INTO contact VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& c : inv.contracts) {
      con.bind(1, c.id).bind(2, c.customer).bind(3, to_string(c.service));
      con.bind(4, format_date(c.signed_on)).bind(5, c.start).bind(6, c.end).bind(7, c.end_given);
      con.bind(8, c.time_zone).bind(9, c.monthly_fee).bind(10, c.installation_fee);
      con.bind(11, c.currency).bind(12, c.installation_auto_complete);
      con.bind(13, to_string(c.port_mode));
      con.bind(14, static_cast<std::int64_t>(c.sla.max_outage_minutes));
      con.bind(15, static_cast<std::int64_t>(c.sla.availability_target_milli));
      con.bind(16, c.sla.require_customer_report);
      con.bind(17, static_cast<std::int64_t>(c.sla.report_window_days));
      con.bind(18, static_cast<std::int64_t>(c.sla.probe_interval_seconds));
      con.bind(19, static_cast<std::int64_t>(c.sla.notify_within_minutes));
      con.bind(20, static_cast<std::int64_t>(c.sla.installation_business_days));
      con.bind(21, version);
      if (auto e = con.exec(); !e) {
        return e;
      }
      for (const auto& p : c.ports) {
        if (auto e = port.bind(1, c.id).bind(2, p.device).bind(3, p.interface).exec(); !e) {
          return e;
        }
      }
      std::int64_t pos = 0;
      for (const auto& p : c.power_sources) {
        power.bind(1, c.id).bind(2, pos++).bind(3, p.device);
        if (p.outlet) {
          power.bind(4, *p.outlet);
        } else {
          power.bind_null(4);
        }
        if (auto e = power.exec(); !e) {
          return e;
        }
      }
      pos = 0;
      for (const auto& t : c.probe_targets) {
        std::string services;
        for (auto s : t.services) {
          services += (services.empty() ? "" : " ") + std::string(to_string(s));
        }
        if (auto e = probe.bind(1, c.id)
                         .bind(2, pos++)
                         .bind(3, t.address)
                         .bind(4, services)
                         .bind(5, t.www_path)
                         .exec();
            !e) {
          return e;
        }
      }
      pos = 0;
      for (const auto& k : c.contacts) {
        if (auto e = contact.bind(1, c.id)
                         .bind(2, pos++)
                         .bind(3, k.name)
                         .bind(4, k.authorized)
                         .bind(5, to_string(k.channel))
                         .bind(6, k.address)
                         .exec();
            !e) {
          return e;
        }
      }
    }
    return {};
  });
  if (!r) {
    return r.error();
  }
  return version;
}

Result<std::optional<InventoryRecord>> Store::inventory_record(Secrets secrets) const {
  Stmt s(impl_->db,
         "SELECT version, loaded_at, loaded_by, files, document FROM inventory_version "
         "ORDER BY version DESC LIMIT 1");
  if (!s.ok()) {
    return s.error();
  }
  const int rc = s.step();
  if (rc == SQLITE_DONE) {
    return std::optional<InventoryRecord>{};
  }
  if (rc != SQLITE_ROW) {
    return s.step_error();
  }
  InventoryRecord record{s.i64(0), s.time(1), s.str(2), split(s.str(3), '\n'), s.str(4)};
  const SecretKey* key = nullptr;
  if (secrets == Secrets::reveal) {
    auto k = impl_->secret_key(false);
    if (!k) {
      return k.error();
    }
    key = *k;
  }
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(record.document);
  } catch (const nlohmann::json::exception& e) {
    return make_error(
        Errc::store,
        std::string("the store holds an inventory document that is not JSON: ") + e.what());
  }
  auto opened =
      each_secret_leaf(doc, [&](std::string& v, const std::string& context) -> Result<void> {
        if (key == nullptr) {
          v = "(secret)";
          return {};
        }
        auto clear = key->open(v, context);
        if (!clear) {
          return clear.error();
        }
        v = std::move(*clear);
        return {};
      });
  if (!opened) {
    return opened.error();
  }
  record.document = doc.dump();
  return std::optional<InventoryRecord>{std::move(record)};
}

Result<std::optional<std::int64_t>> Store::version_holding(const std::string& document) const {
  Stmt s(impl_->db, "SELECT version, digest FROM inventory_version ORDER BY version DESC LIMIT 1");
  if (!s.ok()) {
    return s.error();
  }
  const int rc = s.step();
  if (rc == SQLITE_DONE) {
    return std::optional<std::int64_t>{};
  }
  if (rc != SQLITE_ROW) {
    return s.step_error();
  }
  auto key = impl_->secret_key(true);
  if (!key) {
    return key.error();
  }
  if (s.str(1) != (*key)->digest(document)) {
    return std::optional<std::int64_t>{};
  }
  return std::optional<std::int64_t>{s.i64(0)};
}

namespace {

// Gives the key that opens the secrets (read once, when the first sealed one is met), or is empty
// when the secrets are withheld.
using KeyReader = std::function<Result<const SecretKey*>()>;

// Every device, or (with `contract`) those of the contract's ports and power sources and those
// with uplinks; their secrets opened with the key, or left empty without one.
Result<std::vector<Device>> read_devices(sqlite3* db, const KeyReader& key,
                                         const std::string* contract = nullptr) {
  std::vector<Device> out;
  Stmt s(db, contract == nullptr ? "SELECT * FROM device ORDER BY rowid"
                                 : "SELECT * FROM device WHERE name IN (SELECT device FROM "
                                   "contract_port WHERE contract = ?1 "
                                   "UNION SELECT device FROM contract_power WHERE contract = ?1 "
                                   "UNION SELECT device FROM uplink) "
                                   "ORDER BY rowid");
  if (!s.ok()) {
    return s.error();
  }
  if (contract != nullptr) {
    s.bind(1, *contract);
  }
  while (s.step() == SQLITE_ROW) {
    Device d;
    d.name = s.str(0);
    auto role = parse_role(s.str(1));
    if (!role) {
      return make_error(Errc::store, "the store holds an unreadable device role");
    }
    d.role = *role;
    d.address = s.str(2);
    d.plugin = s.str(3);
    d.description = s.str(4);
    d.snmp = SnmpAccess{s.str(5),  s.str(6), static_cast<std::uint16_t>(s.i64(7)),
                        s.str(8),  s.str(9), s.str(10),
                        s.str(11), s.str(12)};
    if (s.boolean(13)) {
      d.netconf = NetconfAccess{s.str(14), static_cast<std::uint16_t>(s.i64(15)),
                                s.str(16), s.str(17),
                                s.str(18), s.str(19),
                                s.str(20), s.str(21),
                                s.str(22)};
    }
    for (auto& [value, context] : secrets_of(d)) {
      if (!key) {
        value->clear();
        continue;
      }
      if (!is_sealed(*value)) {
        continue;  // empty, or a store that was never upgraded by a writer
      }
      auto k = key();
      if (!k) {
        return k.error();
      }
      auto clear = (*k)->open(*value, context);
      if (!clear) {
        return clear.error();
      }
      *value = std::move(*clear);
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

Result<std::vector<Device>> Store::devices(Secrets secrets) const {
  return read_devices(impl_->db, impl_->key_reader(secrets));
}

Result<std::optional<Inventory>> Store::load_inventory(Secrets secrets) const {
  return load_inventory_of(nullptr, secrets);
}

Result<std::optional<Inventory>> Store::load_contract(const std::string& id) const {
  auto inv = load_inventory_of(&id, Secrets::withhold);
  if (inv && inv->has_value() && (*inv)->contracts.empty()) {
    return std::optional<Inventory>{};
  }
  return inv;
}

Result<std::optional<Inventory>> Store::load_inventory_of(const std::string* contract,
                                                          Secrets secrets) const {
  sqlite3* db = impl_->db;
  auto loaded = scalar(db, "SELECT EXISTS (SELECT 1 FROM inventory_version)");
  if (!loaded) {
    return loaded.error();
  }
  if (*loaded == 0) {
    return std::optional<Inventory>{};
  }
  Inventory inv;
  auto bad = [](const std::string& what) {
    return make_error(Errc::store, "the store holds an unreadable " + what);
  };
  {
    auto devices = read_devices(db, impl_->key_reader(secrets), contract);
    if (!devices) {
      return devices.error();
    }
    inv.devices = std::move(*devices);
  }
  {
    Stmt s(db, "SELECT device, interface FROM uplink ORDER BY device, interface");
    while (s.step() == SQLITE_ROW) {
      inv.uplinks.push_back(PortRef{s.str(0), s.str(1)});
    }
  }
  {
    Stmt s(db, "SELECT day, kind FROM calendar_day ORDER BY day");
    while (s.step() == SQLITE_ROW) {
      auto d = parse_date(s.str(0));
      if (!d) {
        return bad("calendar day");
      }
      (s.str(1) == "holiday" ? inv.calendar.holidays : inv.calendar.working_days).push_back(*d);
    }
  }
  {
    Stmt s(db, contract == nullptr ? "SELECT * FROM contract ORDER BY id"
                                   : "SELECT * FROM contract WHERE id = ?");
    if (contract != nullptr) {
      s.bind(1, *contract);
    }
    while (s.step() == SQLITE_ROW) {
      Contract c;
      c.id = s.str(0);
      c.customer = s.str(1);
      auto service = parse_service_type(s.str(2));
      auto signed_on = parse_date(s.str(3));
      auto mode = parse_port_mode(s.str(12));
      if (!service || !signed_on || !mode) {
        return bad("contract " + c.id);
      }
      c.service = *service;
      c.signed_on = *signed_on;
      c.start = s.time(4);
      c.end = s.time(5);
      c.end_given = s.boolean(6);
      c.time_zone = s.str(7);
      c.monthly_fee = s.i64(8);
      c.installation_fee = s.i64(9);
      c.currency = s.str(10);
      c.installation_auto_complete = s.boolean(11);
      c.port_mode = *mode;
      c.sla.max_outage_minutes = static_cast<std::uint32_t>(s.i64(13));
      c.sla.availability_target_milli = static_cast<std::uint32_t>(s.i64(14));
      c.sla.require_customer_report = s.boolean(15);
      c.sla.report_window_days = static_cast<std::uint32_t>(s.i64(16));
      c.sla.probe_interval_seconds = static_cast<std::uint32_t>(s.i64(17));
      c.sla.notify_within_minutes = static_cast<std::uint32_t>(s.i64(18));
      c.sla.installation_business_days = static_cast<std::uint32_t>(s.i64(19));
      inv.contracts.push_back(std::move(c));
    }
  }
  // Each child table in one pass, in contract order: a query per table, not per contract.
  std::map<std::string, Contract*, std::less<>> by_id;
  for (auto& c : inv.contracts) {
    by_id.emplace(c.id, &c);
  }
  // With one contract, only its rows: "ORDER BY contract" becomes "WHERE contract = ? ORDER BY
  // contract" (the primary keys lead with the contract).
  const auto each_row = [&](const char* sql, const auto& take) -> Result<void> {
    std::string text = sql;
    if (contract != nullptr) {
      text.replace(text.find(" ORDER BY"), 0, " WHERE contract = ?");
    }
    Stmt s(db, text.c_str());
    if (!s.ok()) {
      return s.error();
    }
    if (contract != nullptr) {
      s.bind(1, *contract);
    }
    int rc = 0;
    while ((rc = s.step()) == SQLITE_ROW) {
      const auto it = by_id.find(s.str(0));
      if (it != by_id.end()) {
        if (auto r = take(*it->second, s); !r) {
          return r;
        }
      }
    }
    if (rc != SQLITE_DONE) {
      return s.step_error();
    }
    return {};
  };
  using Row = const Stmt&;
  Result<void> r =
      each_row("SELECT contract, device, interface FROM contract_port ORDER BY contract, rowid",
               [](Contract& c, Row s) -> Result<void> {
                 c.ports.push_back(PortRef{s.str(1), s.str(2)});
                 return {};
               });
  if (r) {
    r = each_row("SELECT contract, device, outlet FROM contract_power ORDER BY contract, position",
                 [](Contract& c, Row s) -> Result<void> {
                   PowerSourceRef p{s.str(1), std::nullopt};
                   if (!s.is_null(2)) {
                     p.outlet = s.str(2);
                   }
                   c.power_sources.push_back(std::move(p));
                   return {};
                 });
  }
  if (r) {
    r = each_row(
        "SELECT contract, address, services, www_path FROM probe_target ORDER BY contract, "
        "position",
        [&](Contract& c, Row s) -> Result<void> {
          ProbeTarget t{s.str(1), {}, s.str(3)};
          for (const auto& w : split(s.str(2), ' ')) {
            auto svc = parse_probe_service(w);
            if (!svc) {
              return bad("probe service of " + c.id);
            }
            t.services.push_back(*svc);
          }
          c.probe_targets.push_back(std::move(t));
          return {};
        });
  }
  if (r) {
    r = each_row(
        "SELECT contract, name, authorized, channel, address FROM contact ORDER BY contract, "
        "position",
        [&](Contract& c, Row s) -> Result<void> {
          auto ch = parse_channel(s.str(3));
          if (!ch) {
            return bad("contact channel of " + c.id);
          }
          c.contacts.push_back(Contact{s.str(1), s.boolean(2), *ch, s.str(4)});
          return {};
        });
  }
  if (!r) {
    return r.error();
  }
  return std::optional<Inventory>{std::move(inv)};
}

// -- observations ----------------------------------------------------------------------------

Result<std::size_t> Store::add_observations(const std::vector<Observation>& obs) {
  std::size_t n = 0;
  auto r = write([&]() -> Result<void> {
    Stmt& s = impl_->prepared(
        "INSERT INTO observation(time, entity, state, source, received, origin, evidence) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!s.ok()) {
      return s.error();
    }
    for (const auto& o : obs) {
      auto id = impl_->entity_id(o.entity);
      if (!id) {
        return id.error();
      }
      s.bind(1, o.time)
          .bind(2, *id)
          .bind_static(3, to_string(o.state))
          .bind_static(4, to_string(o.source));
      s.bind(5, o.received).bind_static(6, o.origin).bind_static(7, o.evidence);
      if (auto e = s.exec(); !e) {
        return e;
      }
      ++n;
    }
    if (!impl_->defer_merge) {
      if (auto m = impl_->merge(); !m) {
        return m.error();
      }
    }
    return {};
  });
  if (!r) {
    return r.error();
  }
  return n;
}

void Store::defer_history_merge(bool defer) { impl_->defer_merge = defer; }

Result<std::int64_t> Store::merge_history() {
  std::int64_t n = 0;
  auto r = write([&]() -> Result<void> {
    auto m = impl_->merge();
    if (!m) {
      return m.error();
    }
    n = *m;
    return {};
  });
  if (!r) {
    return r.error();
  }
  return n;
}

namespace {

Result<std::vector<Observation>> read_observations(Stmt& s) {
  std::vector<Observation> out;
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    Observation o;
    o.seq = s.i64(0);
    o.time = s.time(1);
    auto kind = parse_entity_kind(s.str(2));
    auto state = parse_state_word(s.str(5));
    auto source = parse_source(s.str(6));
    if (!kind || !state || !source) {
      return make_error(Errc::store, "the store holds an unreadable observation",
                        "observation " + std::to_string(o.seq));
    }
    o.entity.kind = *kind;
    o.entity.device = s.str(3);
    o.entity.item = s.str(4);
    o.state = *state;
    o.source = *source;
    o.received = s.time(7);
    o.origin = s.str(8);
    o.evidence = s.str(9);
    out.push_back(std::move(o));
  }
  if (rc != SQLITE_DONE) {
    return s.step_error();
  }
  return out;
}

constexpr const char* kObservationColumns =
    "SELECT o.seq, o.time, e.kind, e.device, e.item, o.state, o.source, o.received, o.origin, "
    "o.evidence FROM observation o JOIN entity e ON e.id = o.entity ";

}  // namespace

Result<std::vector<Observation>> Store::observations(const EntityId& e) const {
  // One statement, so one snapshot: the seqs in the merged history and those after its mark.
  Stmt s(impl_->db,
         (std::string(kObservationColumns) +
          "WHERE o.seq IN (SELECT seq FROM state_change WHERE entity = (SELECT id FROM entity "
          "WHERE kind = ?1 AND device = ?2 AND item = ?3) UNION ALL SELECT seq FROM observation "
          "WHERE seq > (SELECT seq FROM state_change_merged) AND entity = (SELECT id FROM entity "
          "WHERE kind = ?1 AND device = ?2 AND item = ?3)) ORDER BY o.time, o.seq")
             .c_str());
  if (!s.ok()) {
    return s.error();
  }
  s.bind(1, to_string(e.kind)).bind(2, e.device).bind(3, e.item);
  return read_observations(s);
}

Result<std::vector<Observation>> Store::observations_between(Timestamp from, Timestamp to) const {
  Stmt s(impl_->db, (std::string(kObservationColumns) +
                     "WHERE o.time >= ? AND o.time < ? ORDER BY o.time, o.seq")
                        .c_str());
  if (!s.ok()) {
    return s.error();
  }
  s.bind(1, from).bind(2, to);
  return read_observations(s);
}

Result<std::int64_t> Store::observation_count() const {
  return scalar(impl_->db, "SELECT count(*) FROM observation");
}

namespace {

// A state word as SQLite holds it, without copying it.
Result<State> state_column(const Stmt& s, int c) {
  const auto* word = reinterpret_cast<const char*>(sqlite3_column_text(s.raw(), c));
  return parse_state_word(word != nullptr ? word : "");
}

bool before(const StateChange& a, const StateChange& b) {
  return a.time != b.time ? a.time < b.time : a.seq < b.seq;
}

Error unreadable_state(std::int64_t seq) {
  return make_error(Errc::store, "the store holds an unreadable state",
                    "observation " + std::to_string(seq));
}

Error unknown_entity(std::int64_t seq) {
  return make_error(Errc::store, "an observation names an entity the store does not have",
                    "observation " + std::to_string(seq));
}

// Entities by id, from rows of (id, kind, device, item).
Result<std::unordered_map<std::int64_t, EntityId>> read_entities(Stmt& s) {
  std::unordered_map<std::int64_t, EntityId> out;
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    auto kind = parse_entity_kind(s.str(1));
    if (!kind) {
      return make_error(Errc::store, "the store holds an entity of unknown kind " + s.str(1));
    }
    out.emplace(s.i64(0), EntityId{*kind, s.str(2), s.str(3)});
  }
  if (rc != SQLITE_DONE) {
    return s.step_error();
  }
  return out;
}

// Rows of (entity, time, seq, state) of the observations not merged into state_change yet
// (a handful, or up to a second of a trap storm), `until` included.
constexpr const char* kUnmerged =
    "SELECT entity, time, seq, state FROM observation "
    "WHERE seq > (SELECT seq FROM state_change_merged) AND time <= ?";

// The observations not merged into state_change yet, up to `until`: each appended to the list
// `list_of` gives for its entity (nullptr: not wanted), then each touched list put back in order.
Result<void> add_unmerged(
    sqlite3* db, Timestamp until,
    const std::function<Result<std::vector<StateChange>*>(std::int64_t entity, std::int64_t seq)>&
        list_of) {
  Stmt t(db, kUnmerged);
  if (!t.ok()) {
    return t.error();
  }
  t.bind(1, until);
  std::unordered_map<std::vector<StateChange>*, std::size_t> merged_size;
  int rc = 0;
  while ((rc = t.step()) == SQLITE_ROW) {
    auto l = list_of(t.i64(0), t.i64(2));
    if (!l) {
      return l.error();
    }
    if (*l == nullptr) {
      continue;
    }
    auto state = state_column(t, 3);
    if (!state) {
      return unreadable_state(t.i64(2));
    }
    merged_size.emplace(*l, (*l)->size());
    (*l)->push_back(StateChange{t.time(1), *state, t.i64(2)});
  }
  if (rc != SQLITE_DONE) {
    return t.step_error();
  }
  for (auto& [changes, n] : merged_size) {
    const auto mid = changes->begin() + static_cast<std::ptrdiff_t>(n);
    std::sort(mid, changes->end(), before);
    std::inplace_merge(changes->begin(), mid, changes->end(), before);
  }
  return {};
}

// The last change of each entity in `ids` whose last change is after `after_seq`, from the
// merged history and the observations after its mark (inside a read transaction).
Result<std::vector<std::pair<EntityId, StateChange>>> last_changes(
    sqlite3* db, const std::unordered_map<std::int64_t, EntityId>& ids, std::int64_t after_seq) {
  std::unordered_map<std::int64_t, StateChange> last;
  {
    Stmt s(db, kUnmerged);
    if (!s.ok()) {
      return s.error();
    }
    s.bind(1, std::numeric_limits<std::int64_t>::max());
    int rc = 0;
    while ((rc = s.step()) == SQLITE_ROW) {
      if (ids.count(s.i64(0)) == 0) {
        continue;
      }
      auto state = state_column(s, 3);
      if (!state) {
        return unreadable_state(s.i64(2));
      }
      const StateChange c{s.time(1), *state, s.i64(2)};
      auto [it, added] = last.emplace(s.i64(0), c);
      if (!added && before(it->second, c)) {
        it->second = c;
      }
    }
    if (rc != SQLITE_DONE) {
      return s.step_error();
    }
  }
  Stmt s(db,
         "SELECT time, seq, state FROM state_change WHERE entity = ? ORDER BY time DESC, seq DESC "
         "LIMIT 1");
  if (!s.ok()) {
    return s.error();
  }
  std::vector<std::pair<EntityId, StateChange>> out;
  for (const auto& [id, entity] : ids) {
    s.bind(1, id);
    const int rc = s.step();
    std::optional<StateChange> best;
    if (rc == SQLITE_ROW) {
      auto state = state_column(s, 2);
      if (!state) {
        return unreadable_state(s.i64(1));
      }
      best = StateChange{s.time(0), *state, s.i64(1)};
    } else if (rc != SQLITE_DONE) {
      return s.step_error();
    }
    s.reset();
    if (const auto it = last.find(id); it != last.end() && (!best || before(*best, it->second))) {
      best = it->second;
    }
    if (best && best->seq > after_seq) {
      out.emplace_back(entity, *best);
    }
  }
  return out;
}

}  // namespace

Result<History> Store::history(Timestamp until) const {
  // The entities first (a few thousand rows), then every change by entity from state_change:
  // integers and one short text per row, already in order; then the few observations not
  // merged yet, merged in here. One read transaction, so that a merge in between is not seen
  // half.
  History out;
  auto r = read([&]() -> Result<void> {
    std::unordered_map<std::int64_t, std::vector<StateChange>*> by_id;
    {
      Stmt s(impl_->db, "SELECT id, kind, device, item FROM entity");
      if (!s.ok()) {
        return s.error();
      }
      auto entities = read_entities(s);
      if (!entities) {
        return entities.error();
      }
      for (auto& [id, e] : *entities) {
        by_id.emplace(id, &out[std::move(e)]);
      }
    }
    const auto list = [&](std::int64_t id, std::int64_t seq) -> Result<std::vector<StateChange>*> {
      const auto it = by_id.find(id);
      if (it == by_id.end()) {
        return unknown_entity(seq);
      }
      return it->second;
    };
    Stmt s(impl_->db,
           "SELECT entity, time, seq, state FROM state_change WHERE time <= ? ORDER BY entity, "
           "time, seq");
    if (!s.ok()) {
      return s.error();
    }
    s.bind(1, until);
    std::int64_t current_id = -1;
    std::vector<StateChange>* current = nullptr;
    int rc = 0;
    while ((rc = s.step()) == SQLITE_ROW) {
      const std::int64_t id = s.i64(0);
      if (id != current_id) {
        auto l = list(id, s.i64(2));
        if (!l) {
          return l.error();
        }
        current_id = id;
        current = *l;
      }
      auto state = state_column(s, 3);
      if (!state) {
        return unreadable_state(s.i64(2));
      }
      current->push_back(StateChange{s.time(1), *state, s.i64(2)});
    }
    if (rc != SQLITE_DONE) {
      return s.step_error();
    }
    // The unmerged observations: appended, then each touched list put back in order.
    return add_unmerged(impl_->db, until, list);
  });
  if (!r) {
    return r.error();
  }
  return out;
}

Result<History> Store::history_of(const std::vector<EntityId>& entities, Timestamp from,
                                  Timestamp until) const {
  History out;
  auto r = read([&]() -> Result<void> {
    Stmt find(impl_->db, "SELECT id FROM entity WHERE kind = ? AND device = ? AND item = ?");
    // The last observation in the entity's good state (up, on, normal, pass) at or before
    // `from`: an outage or an emergency running then began after it.
    Stmt last_good(impl_->db,
                   "SELECT coalesce(max(time), -9223372036854775807) FROM state_change "
                   "WHERE entity = ? AND time <= ? AND state = ?");
    Stmt changes_from(
        impl_->db,
        "SELECT time, seq, state FROM state_change WHERE entity = ?1 AND time >= ?2 AND time <= ?3 "
        "ORDER BY time, seq");
    for (Stmt* st : {&find, &last_good, &changes_from}) {
      if (!st->ok()) {
        return st->error();
      }
    }
    std::unordered_map<std::int64_t, std::vector<StateChange>*> by_id;
    for (const auto& e : entities) {
      if (out.count(e) != 0) {
        continue;
      }
      find.bind(1, to_string(e.kind)).bind(2, e.device).bind(3, e.item);
      int rc = find.step();
      const std::int64_t id = rc == SQLITE_ROW ? find.i64(0) : 0;
      find.reset();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return find.step_error();
      }
      std::vector<StateChange>& changes = out[e];
      if (id == 0) {
        continue;  // never observed
      }
      by_id.emplace(id, &changes);
      std::int64_t start = std::numeric_limits<std::int64_t>::min();
      const State good = e.kind == EntityKind::probe  ? State::pass
                         : e.kind == EntityKind::port ? State::up
                         : e.kind == EntityKind::ups  ? State::normal
                                                      : State::on;
      last_good.bind(1, id).bind(2, std::min(from, until)).bind_static(3, to_string(good));
      if (last_good.step() == SQLITE_ROW) {
        start = last_good.i64(0);
      }
      last_good.reset();
      changes_from.bind(1, id).bind(2, start).bind(3, until);
      while ((rc = changes_from.step()) == SQLITE_ROW) {
        auto state = state_column(changes_from, 2);
        if (!state) {
          return unreadable_state(changes_from.i64(1));
        }
        changes.push_back(StateChange{changes_from.time(0), *state, changes_from.i64(1)});
      }
      changes_from.reset();
      if (rc != SQLITE_DONE) {
        return changes_from.step_error();
      }
    }
    return add_unmerged(
        impl_->db, until,
        [&](std::int64_t entity, std::int64_t) -> Result<std::vector<StateChange>*> {
          const auto it = by_id.find(entity);
          return it == by_id.end() ? nullptr : it->second;
        });
  });
  if (!r) {
    return r.error();
  }
  return out;
}

Result<std::optional<std::pair<Timestamp, std::string>>> Store::contract_status(
    const std::string& contract) const {
  Stmt s(impl_->db,
         "SELECT max(s.computed_at, coalesce((SELECT at FROM evaluation), 0)), s.status "
         "FROM contract_status s WHERE s.contract = ?");
  if (!s.ok()) {
    return s.error();
  }
  s.bind(1, contract);
  if (s.step() != SQLITE_ROW) {
    return std::optional<std::pair<Timestamp, std::string>>{};
  }
  return std::optional<std::pair<Timestamp, std::string>>{std::pair{s.time(0), s.str(1)}};
}

Result<void> Store::save_contract_statuses(
    const std::vector<std::pair<std::string, std::string>>& statuses, Timestamp computed_at) {
  return write([&]() -> Result<void> {
    if (auto r = exec_script(impl_->db, "DELETE FROM contract_status"); !r) {
      return r;
    }
    Stmt& s = impl_->prepared(
        "INSERT INTO contract_status(contract, computed_at, status) VALUES (?, ?, ?)");
    if (!s.ok()) {
      return s.error();
    }
    for (const auto& [contract, status] : statuses) {
      if (auto r = s.bind(1, contract).bind(2, computed_at).bind(3, status).exec(); !r) {
        return r;
      }
    }
    return impl_->mark_evaluated(computed_at);
  });
}

Result<void> Store::update_contract_statuses(
    const std::vector<std::pair<std::string, std::string>>& changed, Timestamp computed_at) {
  return write([&]() -> Result<void> {
    Stmt& s = impl_->prepared(
        "INSERT INTO contract_status(contract, computed_at, status) VALUES (?, ?, ?) "
        "ON CONFLICT(contract) DO UPDATE SET computed_at = excluded.computed_at, "
        "status = excluded.status");
    if (!s.ok()) {
      return s.error();
    }
    for (const auto& [contract, status] : changed) {
      if (auto r = s.bind(1, contract).bind(2, computed_at).bind(3, status).exec(); !r) {
        return r;
      }
    }
    return impl_->mark_evaluated(computed_at);
  });
}

Result<Store::InputMarks> Store::input_marks() const {
  Stmt s(impl_->db,
         "SELECT (SELECT coalesce(max(version), 0) FROM inventory_version), "
         "(SELECT coalesce(max(seq), 0) FROM observation), "
         "(SELECT coalesce(max(id), 0) FROM record), "
         "(SELECT coalesce(max(id), 0) FROM mapping_change)");
  if (!s.ok()) {
    return s.error();
  }
  if (s.step() != SQLITE_ROW) {
    return s.step_error();
  }
  return InputMarks{s.i64(0), s.i64(1), s.i64(2), s.i64(3)};
}

Result<std::vector<std::pair<std::size_t, std::int64_t>>> Store::record_events(
    const std::vector<NewEvent>& events, Timestamp recorded, const EventBody& make_body) {
  std::vector<std::pair<std::size_t, std::int64_t>> fresh;
  auto r = write([&]() -> Result<void> {
    Stmt& add = impl_->prepared(
        "INSERT INTO sla_event(key, kind, contract, time, recorded, body) VALUES (?, ?, ?, ?, ?, "
        "'') "
        "ON CONFLICT(key) DO NOTHING RETURNING id");
    Stmt& body = impl_->prepared("UPDATE sla_event SET body = ? WHERE id = ?");
    // The entity of the observation behind an event (an outage's port or power source).
    Stmt& cause = impl_->prepared(
        "SELECT e.kind, e.device, e.item FROM observation o JOIN entity e ON e.id = o.entity WHERE "
        "o.seq = ?");
    if (!add.ok() || !body.ok() || !cause.ok()) {
      return !add.ok() ? add.error() : !body.ok() ? body.error() : cause.error();
    }
    for (std::size_t i = 0; i < events.size(); ++i) {
      const NewEvent& e = events[i];
      add.bind(1, e.key).bind(2, e.kind).bind(3, e.contract).bind(4, e.time).bind(5, recorded);
      const int rc = add.step();
      const std::int64_t id = rc == SQLITE_ROW ? add.i64(0) : 0;
      if (rc == SQLITE_ROW) {
        add.step();  // to its end, so that the statement is done
      }
      add.reset();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return sql_error(impl_->db, "recording an event");
      }
      if (id == 0) {
        continue;  // this occurrence was recorded before
      }
      std::optional<EntityId> entity;
      if (e.cause_observation != 0) {
        cause.bind(1, e.cause_observation);
        if (cause.step() == SQLITE_ROW) {
          if (auto kind = parse_entity_kind(cause.str(0))) {
            entity = EntityId{*kind, cause.str(1), cause.str(2)};
          }
        }
        cause.reset();
      }
      if (auto b = body.bind(1, make_body(i, id, entity)).bind(2, id).exec(); !b) {
        return b;
      }
      fresh.emplace_back(i, id);
    }
    return {};
  });
  if (!r) {
    return r.error();
  }
  return fresh;
}

Result<std::vector<std::pair<std::int64_t, std::string>>> Store::events_after(
    std::int64_t after_id) const {
  Stmt s(impl_->db, "SELECT id, body FROM sla_event WHERE id > ? ORDER BY id");
  if (!s.ok()) {
    return s.error();
  }
  s.bind(1, after_id);
  std::vector<std::pair<std::int64_t, std::string>> out;
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.emplace_back(s.i64(0), s.str(1));
  }
  if (rc != SQLITE_DONE) {
    return s.step_error();
  }
  return out;
}

Result<std::int64_t> Store::sink_cursor(const std::string& sink) const {
  Stmt s(impl_->db, "SELECT last_id FROM sink_cursor WHERE sink = ?");
  if (!s.ok()) {
    return s.error();
  }
  s.bind(1, sink);
  return s.step() == SQLITE_ROW ? s.i64(0) : std::int64_t{0};
}

Result<std::vector<std::pair<std::int64_t, std::string>>> Store::undelivered(
    const std::string& sink) const {
  auto cursor = sink_cursor(sink);
  if (!cursor) {
    return cursor.error();
  }
  return events_after(*cursor);
}

Result<void> Store::set_sink_cursor(const std::string& sink, std::int64_t last_id) {
  return write([&]() -> Result<void> {
    Stmt& s = impl_->prepared(
        "INSERT INTO sink_cursor(sink, last_id) VALUES (?, ?) ON CONFLICT(sink) DO UPDATE SET "
        "last_id = excluded.last_id");
    if (!s.ok()) {
      return s.error();
    }
    return s.bind(1, sink).bind(2, last_id).exec();
  });
}

// -- records ---------------------------------------------------------------------------------

Result<std::vector<Record>> Store::records() const { return records_where(nullptr); }

Result<std::vector<Record>> Store::records_of(const std::string& contract) const {
  return records_where(&contract);
}

Result<std::vector<Record>> Store::records_where(const std::string* contract) const {
  // One contract's: its own and those for every contract (a correction or a withdrawal carries
  // its target's contract), through the index on contract.
  Stmt s(impl_->db,
         contract == nullptr
             ? "SELECT id, kind, retraction, supersedes, contract, at, until, guarantee, reason, "
               "channel, "
               "contact, approved_by, entered_by, entered_at, note FROM record ORDER BY id"
             : "SELECT id, kind, retraction, supersedes, contract, at, until, guarantee, reason, "
               "channel, "
               "contact, approved_by, entered_by, entered_at, note FROM record "
               "WHERE contract IN (?1, '') ORDER BY id");
  if (!s.ok()) {
    return s.error();
  }
  if (contract != nullptr) {
    s.bind(1, *contract);
  }
  std::vector<Record> out;
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    Record r;
    r.id = s.i64(0);
    auto kind = parse_record_kind(s.str(1));
    if (!kind) {
      return make_error(Errc::store, "the store holds a record of unknown kind", record_name(r.id));
    }
    r.kind = *kind;
    r.retraction = s.boolean(2);
    r.supersedes = s.is_null(3) ? 0 : s.i64(3);
    r.contract = s.str(4);
    r.at = s.time(5);
    if (!s.is_null(6)) {
      r.until = s.time(6);
    }
    if (!s.is_null(7)) {
      r.guarantee = parse_guarantee(s.str(7)).value();
    }
    if (!s.is_null(8)) {
      auto reason = parse_exclusion_reason(s.str(8));
      if (!reason) {
        return make_error(Errc::store, reason.error().msg, record_name(r.id));
      }
      r.reason = *reason;
    }
    if (!s.is_null(9)) {
      auto channel = parse_channel(s.str(9));
      if (!channel) {
        return make_error(Errc::store, channel.error().msg, record_name(r.id));
      }
      r.channel = *channel;
    }
    r.contact = s.str(10);
    r.approved_by = s.str(11);
    r.entered_by = s.str(12);
    r.entered_at = s.time(13);
    r.note = s.str(14);
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) {
    return s.step_error();
  }
  return out;
}

Result<std::int64_t> Store::add_record(const Record& r) {
  Stmt s(impl_->db,
         "INSERT INTO record(kind, retraction, supersedes, contract, at, until, guarantee, reason, "
         "channel, contact, approved_by, entered_by, entered_at, note) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!s.ok()) {
    return s.error();
  }
  s.bind(1, to_string(r.kind)).bind(2, r.retraction);
  r.supersedes != 0 ? s.bind(3, r.supersedes) : s.bind_null(3);
  s.bind(4, r.contract).bind(5, r.at);
  r.until ? s.bind(6, *r.until) : s.bind_null(6);
  r.guarantee ? s.bind(7, to_string(*r.guarantee)) : s.bind_null(7);
  r.reason ? s.bind(8, to_string(*r.reason)) : s.bind_null(8);
  r.channel ? s.bind(9, to_string(*r.channel)) : s.bind_null(9);
  s.bind(10, r.contact).bind(11, r.approved_by).bind(12, r.entered_by).bind(13, r.entered_at);
  s.bind(14, r.note);
  if (auto e = s.exec(); !e) {
    return e.error();
  }
  return sqlite3_last_insert_rowid(impl_->db);
}

// -- what the receiver and the poller keep ---------------------------------------------------

Result<void> Store::save_port_index(const std::string& device, const std::vector<PortName>& ports,
                                    Timestamp walked) {
  return write([&]() -> Result<void> {
    Stmt del(impl_->db, "DELETE FROM port_index WHERE device = ?");
    if (auto r = del.bind(1, device).exec(); !r) {
      return r;
    }
    Stmt ins(impl_->db, "INSERT OR REPLACE INTO port_index VALUES (?, ?, ?, ?, ?)");
    for (const auto& p : ports) {
      if (auto r = ins.bind(1, device)
                       .bind(2, p.if_index)
                       .bind(3, p.name)
                       .bind(4, p.alias)
                       .bind(5, walked)
                       .exec();
          !r) {
        return r;
      }
    }
    return {};
  });
}

Result<std::map<std::string, std::map<std::int64_t, std::string>>> Store::port_index() const {
  Stmt s(impl_->db, "SELECT device, if_index, if_name FROM port_index");
  if (!s.ok()) {
    return s.error();
  }
  std::map<std::string, std::map<std::int64_t, std::string>> out;
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    out[s.str(0)][s.i64(1)] = s.str(2);
  }
  if (rc != SQLITE_DONE) {
    return s.step_error();
  }
  return out;
}

Result<std::size_t> Store::add_evidence(const std::vector<TrapEvidence>& items) {
  std::size_t n = 0;
  auto r = write([&]() -> Result<void> {
    Stmt& s = impl_->prepared(
        "INSERT INTO evidence(received, device, origin, trap_oid, reason, text) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    if (!s.ok()) {
      return s.error();
    }
    for (const auto& e : items) {
      if (auto x = s.bind(1, e.received)
                       .bind(2, e.device)
                       .bind(3, e.origin)
                       .bind(4, e.trap_oid)
                       .bind(5, e.reason)
                       .bind(6, e.text)
                       .exec();
          !x) {
        return x;
      }
      ++n;
    }
    return {};
  });
  if (!r) {
    return r.error();
  }
  return n;
}

Result<void> Store::add_counters(const std::map<std::string, std::int64_t>& deltas, Timestamp at) {
  return write([&]() -> Result<void> {
    Stmt s(impl_->db,
           "INSERT INTO counter(name, value, updated) VALUES (?, ?, ?) "
           "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value, updated = "
           "excluded.updated");
    for (const auto& [name, delta] : deltas) {
      if (delta == 0) {
        continue;
      }
      if (auto x = s.bind(1, name).bind(2, delta).bind(3, at).exec(); !x) {
        return x;
      }
    }
    return {};
  });
}

Result<std::vector<CounterValue>> Store::counters() const {
  Stmt s(impl_->db, "SELECT name, value, updated FROM counter ORDER BY name");
  if (!s.ok()) {
    return s.error();
  }
  std::vector<CounterValue> out;
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back(CounterValue{s.str(0), s.i64(1), s.time(2)});
  }
  if (rc != SQLITE_DONE) {
    return s.step_error();
  }
  return out;
}

Result<std::vector<std::pair<EntityId, StateChange>>> Store::latest_states(
    std::int64_t after_seq) const {
  // The entities with an observation after `after_seq` (all of them for 0), then the last
  // change of each.
  std::vector<std::pair<EntityId, StateChange>> out;
  auto r = read([&]() -> Result<void> {
    Stmt s(impl_->db, after_seq == 0
                          ? "SELECT id, kind, device, item FROM entity"
                          : "SELECT id, kind, device, item FROM entity "
                            "WHERE id IN (SELECT entity FROM observation WHERE seq > ?)");
    if (!s.ok()) {
      return s.error();
    }
    if (after_seq != 0) {
      s.bind(1, after_seq);
    }
    auto ids = read_entities(s);
    if (!ids) {
      return ids.error();
    }
    auto last = last_changes(impl_->db, *ids, after_seq);
    if (!last) {
      return last.error();
    }
    out = std::move(*last);
    return {};
  });
  if (!r) {
    return r.error();
  }
  return out;
}

Result<std::vector<std::pair<EntityId, StateChange>>> Store::latest_states_of(
    const std::string& device) const {
  std::vector<std::pair<EntityId, StateChange>> out;
  auto r = read([&]() -> Result<void> {
    Stmt s(impl_->db,
           "SELECT id, kind, device, item FROM entity WHERE device = ? AND kind != 'probe'");
    if (!s.ok()) {
      return s.error();
    }
    s.bind(1, device);
    auto ids = read_entities(s);
    if (!ids) {
      return ids.error();
    }
    auto last = last_changes(impl_->db, *ids, 0);
    if (!last) {
      return last.error();
    }
    out = std::move(*last);
    return {};
  });
  if (!r) {
    return r.error();
  }
  return out;
}

Result<std::int64_t> Store::last_observation_seq() const {
  return scalar(impl_->db, "SELECT coalesce(max(seq), 0) FROM observation");
}

// -- port mapping ----------------------------------------------------------------------------

Result<std::vector<MappingChange>> Store::mapping_changes() const {
  Stmt s(impl_->db,
         "SELECT id, contract, device, interface, action, at, entered_by, entered_at, note "
         "FROM mapping_change ORDER BY id");
  if (!s.ok()) {
    return s.error();
  }
  std::vector<MappingChange> out;
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    MappingChange c;
    c.id = s.i64(0);
    c.contract = s.str(1);
    c.port = PortRef{s.str(2), s.str(3)};
    c.action = s.str(4) == "add" ? MappingAction::add : MappingAction::remove;
    c.at = s.time(5);
    c.entered_by = s.str(6);
    c.entered_at = s.time(7);
    c.note = s.str(8);
    out.push_back(std::move(c));
  }
  if (rc != SQLITE_DONE) {
    return s.step_error();
  }
  return out;
}

Result<std::int64_t> Store::add_mapping_change(const MappingChange& c) {
  Stmt s(impl_->db,
         "INSERT INTO mapping_change(contract, device, interface, action, at, entered_by, "
         "entered_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!s.ok()) {
    return s.error();
  }
  s.bind(1, c.contract).bind(2, c.port.device).bind(3, c.port.interface);
  s.bind(4, to_string(c.action)).bind(5, c.at).bind(6, c.entered_by).bind(7, c.entered_at);
  s.bind(8, c.note);
  if (auto e = s.exec(); !e) {
    return e.error();
  }
  return sqlite3_last_insert_rowid(impl_->db);
}

}  // namespace colosla::core
