#pragma once

#include <memory>
#include <string>

#include "colosla/base/store_location.hpp"  // is_postgresql_location
#include "colosla/store/store.hpp"

/// The PostgreSQL backend: one database, reached by a libpq URI ("postgresql://host/db",
/// "postgres://…") or a service ("service=colosla"); the password comes from libpq's ~/.pgpass or
/// service file (or the URI an operator wrote in a config file), never from a command line. Its
/// schema is versioned in the table colosla_schema, with the same numbers as the SQLite
/// backend's (Store::kSchemaVersion), and created or upgraded in one transaction under an
/// advisory lock. Store::open uses it for every such location. This header does not include
/// libpq-fe.h.
namespace colosla::core {

/// Opens (and, if allowed, creates and upgrades) the store in the PostgreSQL database at
/// `location`; otherwise as Store::open. The database itself must exist (an operator creates it);
/// Mode::create creates colosla's schema in it when there is none. `key_path` is the file of the
/// key that seals the inventory's secrets; a PostgreSQL store has no default beside it (empty:
/// an error when a secret is sealed or revealed). Errors: not_found when the database holds no
/// colosla store and mode is not create; store when the server cannot be reached or refuses,
/// the database holds tables that are not colosla's, or the store was written by a newer
/// colosla. Messages, and the store's path(), name the location without its password.
Result<std::unique_ptr<Store>> open_postgresql(const std::string& location, Store::Mode mode,
                                               const std::string& key_path = {});

/// What one shipment did (ship_observations).
struct Shipment {
  std::size_t stored = 0;      ///< copies stored
  std::size_t duplicates = 0;  ///< copies the store held already (not stored again)
};

/// Stores copies of another store's observations in the PostgreSQL store `pg` (colosla ship),
/// all in one transaction, each unless the store holds it already: a trap observation (its
/// trap_key set) when a row of the same entity has its trap_key, or has its trap_neighbour as key
/// and its trap_key as neighbour (colosla/ingest/trap_key.hpp); any observation when a row came
/// from the same `from` with the same seq (a batch shipped again after a crash between the commit
/// here and the shipper's own watermark). `from` names the store the copies come from, stable
/// over its life; each observation's `seq` is its seq there. Shipments are serialized by an
/// advisory lock (one at a time across the cluster), so that two receivers' copies of one trap
/// are never both stored. Errors: invalid when `pg` is not a PostgreSQL store; store otherwise.
Result<Shipment> ship_observations(Store& pg, const std::vector<Observation>& obs,
                                   const std::string& from);

}  // namespace colosla::core
