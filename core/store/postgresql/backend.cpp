// The PostgreSQL backend: opening, transactions, the connection's caches.
#include "colosla/store/postgresql.hpp"

#include "postgresql/pg_store.hpp"

namespace colosla::core::pg {

namespace {

// The wake-ups (docs/scale-out.md): a transaction that claimed observation or event ids
// (watermark.hpp: the claim's setting is local to it, and to a savepoint rolled back) notifies
// its log's channel in its COMMIT's round trip, with the log's last id as the payload: at or
// above every id it took, so a listener whose own mark is at or above it has read the batch.
// PostgreSQL delivers a notification only if its transaction commits, and once to each session
// LISTENing when it does; identical ones of one transaction are sent once.
constexpr const char* kNotifyAndCommit =
    "SELECT pg_notify('colosla_observations', (SELECT last_value FROM observation_seq_seq)::text) "
    "WHERE current_setting('colosla.observation_claim', true) = 'held'; "
    "SELECT pg_notify('colosla_events', (SELECT last_value FROM sla_event_id_seq)::text) "
    "WHERE current_setting('colosla.event_claim', true) = 'held'; "
    "COMMIT";

}  // namespace

PgStore::Impl::~Impl() = default;

Result<Rows> PgStore::Impl::exec(std::string_view sql) {
  if (auto r = revive(); !r) {
    return r.error();
  }
  return conn->exec(sql);
}

Result<Rows> PgStore::Impl::exec(std::string_view sql, const Params& params) {
  if (auto r = revive(); !r) {
    return r.error();
  }
  return conn->exec(sql, params);
}

Result<void> PgStore::Impl::revive() {
  if (!conn->broken() || conn->in_transaction() || savepoints > 0) {
    return {};  // alive, or lost inside a transaction: that one fails whole first
  }
  // The server went away (a restart, a failover) since the last statement, which failed: connect
  // again, once per call, so that a store outlives the server's restart. A statement is never
  // sent twice: the one that failed may have been committed.
  PQreset(conn->raw());
  if (conn->broken()) {
    return make_error(Errc::store,
                      "the connection to PostgreSQL was lost and cannot be made again: " +
                          std::string(PQerrorMessage(conn->raw())),
                      shown);
  }
  entity_ids.clear();
  if (listening) {  // the LISTENs went with the old session
    listening = false;
    relisten = true;
  }
  if (read_only) {
    if (auto r = conn->exec("SET default_transaction_read_only = on"); !r) {
      return make_error(Errc::store, r.error().msg, shown);
    }
  }
  // A leader's session, as fence_writes set it (a new session has the server's setting).
  return fence ? limit_idle_transactions() : Result<void>{};
}

PgStore::PgStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PgStore::~PgStore() = default;

// Without its password: callers put it in messages.
const std::string& PgStore::path() const { return impl_->shown; }

int PgStore::schema_version() const { return impl_->version; }

// Nothing to merge or checkpoint: PostgreSQL does its own upkeep (autovacuum, checkpoints).
Result<std::int64_t> PgStore::maintain() { return std::int64_t{0}; }

Result<std::unique_ptr<Store>> PgStore::open(const std::string& location, Mode mode,
                                             const std::string& key_path) {
  // A password never comes with the location (a command line, $COLOSLA_DB): libpq reads it
  // from ~/.pgpass or the service file.
  if (has_password(location)) {
    return make_error(Errc::invalid_input,
                      "a PostgreSQL location must not hold a password: colosla takes it from "
                      "~/.pgpass or a service file (pg_service.conf), as libpq does",
                      without_password(location));
  }
  auto impl = std::make_unique<Impl>();
  impl->location = location;
  impl->shown = without_password(location);
  impl->key = StoreKey(key_path,
                       "a PostgreSQL store has no key file beside it: name the file of the key "
                       "that seals the inventory's secrets (--secrets-key FILE, "
                       "$COLOSLA_SECRETS_KEY, or secrets-key in colosla-trapd.conf)",
                       impl->shown);
  auto c = Connection::connect(location);
  if (!c) {
    // libpq's message says why (no such database, refused, authentication failed); the location
    // is shown without its password.
    const bool missing = c.error().msg.find("does not exist") != std::string::npos;
    return make_error(missing ? Errc::not_found : Errc::store,
                      "cannot connect to PostgreSQL: " + c.error().msg, impl->shown);
  }
  impl->conn = std::move(*c);
  impl->read_only = mode == Mode::read_only;
  if (mode == Mode::read_only) {
    if (auto r = impl->exec("SET default_transaction_read_only = on"); !r) {
      return make_error(Errc::store, r.error().msg, impl->shown);
    }
    auto v = impl->stored_version();
    if (!v) {
      return v.error();
    }
    if (*v == 0) {
      return make_error(Errc::not_found,
                        "no colosla store in this database (load an inventory first: colosla "
                        "inventory load FILE)",
                        impl->shown);
    }
    impl->version = *v;
    if (impl->version != kSchemaVersion) {
      return make_error(Errc::store,
                        "the store has schema version " + std::to_string(impl->version) +
                            " and this colosla reads version " + std::to_string(kSchemaVersion) +
                            " (any colosla write command upgrades it)",
                        impl->shown);
    }
  } else if (auto r = impl->migrate(mode == Mode::create); !r) {
    return r.error();
  }
  return std::unique_ptr<Store>(new PgStore(std::move(impl)));
}

Result<void> PgStore::read(const std::function<Result<void>()>& fn) const {
  Connection& c = *impl_->conn;
  if (c.in_transaction()) {
    return fn();  // already inside a transaction: it is the snapshot
  }
  if (auto r = impl_->revive(); !r) {
    return r;
  }
  // The watermarks of the logs, read before the snapshot is taken: every id at or below them is
  // in it (watermark.hpp). The methods that follow a log read them inside this read().
  auto marks = watermarks(c);
  if (!marks) {
    return make_error(Errc::store, marks.error().msg, impl_->shown);
  }
  struct Forget {
    std::optional<Watermarks>& marks;
    ~Forget() { marks.reset(); }
  } forget{impl_->snapshot_marks};
  impl_->snapshot_marks = *marks;
  if (auto r = c.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !r) {
    return make_error(Errc::store, r.error().msg, impl_->shown);
  }
  Result<void> result;
  try {
    result = fn();
  } catch (...) {
    (void)c.exec("ROLLBACK");
    throw;
  }
  // Nothing was written; ending the transaction releases its snapshot.
  if (auto r = c.exec("ROLLBACK"); !r && result) {
    return make_error(Errc::store, r.error().msg, impl_->shown);
  }
  return result;
}

Result<void> PgStore::write(const std::function<Result<void>()>& fn) {
  Connection& c = *impl_->conn;
  const bool outer = !c.in_transaction();
  if (auto r = outer ? impl_->revive() : Result<void>{}; !r) {
    return r;
  }
  const std::string sp = "colosla_sp" + std::to_string(impl_->savepoints);
  if (auto r = c.exec(outer ? "BEGIN" : "SAVEPOINT " + sp); !r) {
    return make_error(Errc::store, r.error().msg, impl_->shown);
  }
  ++impl_->savepoints;
  // Entity ids created inside a transaction that is rolled back do not exist: forget them all.
  const auto undo = [&] {
    (void)c.exec(outer ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT " + sp + "; RELEASE SAVEPOINT " + sp);
    impl_->entity_ids.clear();
  };
  Result<void> result;
  try {
    // A leader's transaction writes only while its lease holds (fence_writes): the lease row is
    // locked FOR SHARE first, so that a successor's takeover waits for this transaction to end.
    result = outer ? impl_->check_fence() : Result<void>{};
    if (result) {
      result = fn();
    }
  } catch (...) {
    --impl_->savepoints;
    undo();
    throw;
  }
  --impl_->savepoints;
  if (result) {
    // A COMMIT of a transaction in error is answered with ROLLBACK, not an error: a statement
    // failed whose error fn did not pass on.
    if (PQtransactionStatus(c.raw()) == PQTRANS_INERROR) {
      undo();
      return make_error(Errc::store, "a statement of the transaction failed; it was rolled back",
                        impl_->shown);
    }
    auto r = c.exec(outer ? kNotifyAndCommit : "RELEASE SAVEPOINT " + sp);
    if (!r) {
      undo();
      return make_error(Errc::store, r.error().msg, impl_->shown);
    }
    return {};
  }
  undo();
  return result;
}

}  // namespace colosla::core::pg

namespace colosla::core {

Result<std::unique_ptr<Store>> open_postgresql(const std::string& location, Store::Mode mode,
                                               const std::string& key_path) {
  return pg::PgStore::open(location, mode, key_path);
}

namespace {

// The PostgreSQL store a shipment goes to.
Result<pg::PgStore*> shipment_target(Store& pg) {
  auto* store = dynamic_cast<pg::PgStore*>(&pg);
  if (store == nullptr) {
    return make_error(Errc::invalid_input,
                      "colosla ships only to a PostgreSQL store, not to " + pg.path());
  }
  return store;
}

}  // namespace

Result<Shipment> ship_observations(Store& pg, const std::vector<Observation>& obs,
                                   const std::string& from) {
  auto store = shipment_target(pg);
  return store ? (*store)->ship(obs, from) : Result<Shipment>(store.error());
}

Result<Shipment> ship_evidence(Store& pg, const std::vector<TrapEvidence>& items,
                               const std::string& from) {
  auto store = shipment_target(pg);
  return store ? (*store)->ship_evidence(items, from) : Result<Shipment>(store.error());
}

}  // namespace colosla::core
