// The PostgreSQL backend: port index, evidence, counters (ReceiverState).
#include <map>

#include "postgresql/batch_columns.hpp"
#include "postgresql/pg_store.hpp"

namespace colosla::core::pg {

Result<void> PgStore::save_port_index(const std::string& device, const std::vector<PortName>& ports,
                                      Timestamp walked) {
  // One row an ifIndex; a later one of the same ifIndex replaces an earlier (INSERT OR REPLACE).
  std::map<std::int64_t, const PortName*> by_index;
  for (const auto& p : ports) {
    by_index[p.if_index] = &p;
  }
  std::vector<std::int64_t> indexes;
  std::vector<std::string> names;
  std::vector<std::string> aliases;
  for (const auto& [index, p] : by_index) {
    indexes.push_back(index);
    names.push_back(p->name);
    aliases.push_back(p->alias);
  }
  return write([&]() -> Result<void> {
    if (auto r = impl_->exec("DELETE FROM port_index WHERE device = $1", Params().add(device));
        !r) {
      return r.error();
    }
    auto r = impl_->exec(
        "INSERT INTO port_index(device, if_index, if_name, if_alias, walked) "
        "SELECT $1, i, n, a, $5 FROM unnest($2::bigint[], $3::text[], $4::text[]) AS u(i, n, a)",
        Params()
            .add(device)
            .add(int_array(indexes))
            .add(text_array(names))
            .add(text_array(aliases))
            .add(walked));
    if (!r) {
      return r.error();
    }
    return {};
  });
}

Result<std::map<std::string, std::map<std::int64_t, std::string>>> PgStore::port_index() const {
  auto rows = impl_->exec("SELECT device, if_index, if_name FROM port_index");
  if (!rows) {
    return rows.error();
  }
  std::map<std::string, std::map<std::int64_t, std::string>> out;
  for (int i = 0; i < rows->size(); ++i) {
    out[rows->str(i, 0)][rows->integer(i, 1)] = rows->str(i, 2);
  }
  return out;
}

Result<std::size_t> PgStore::add_evidence(const std::vector<TrapEvidence>& items) {
  if (items.empty()) {
    return std::size_t{0};
  }
  Params p;
  EvidenceColumns(items).bind(p);
  // One statement: all or nothing by itself, ids in the order given.
  auto r = impl_->exec(
      "INSERT INTO evidence(received, device, origin, trap_oid, reason, text, trap_digest, "
      "trap_bucket, trap_near) SELECT r, d, o, t, w, x, decode(NULLIF(dg, ''), 'hex'), "
      "CASE WHEN dg <> '' THEN b END, CASE WHEN dg <> '' THEN nr END "
      "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
      "$7::text[], $8::bigint[], $9::bigint[]) WITH ORDINALITY AS u(r, d, o, t, w, x, dg, b, nr, "
      "n) "
      "ORDER BY n",
      p);
  if (!r) {
    return r.error();
  }
  return static_cast<std::size_t>(r->affected());
}

Result<Shipment> PgStore::ship_evidence(const std::vector<TrapEvidence>& items,
                                        const std::string& from) {
  Shipment out;
  if (items.empty()) {
    return out;
  }
  auto r = write([&]() -> Result<void> {
    // One shipment at a time across the cluster (kShipmentLock).
    if (auto l = impl_->exec(kShipmentLock); !l) {
      return l.error();
    }
    std::vector<std::int64_t> ids;
    for (const auto& e : items) {
      ids.push_back(e.id);
    }
    Params p;
    EvidenceColumns(items).bind(p);
    p.add(int_array(ids)).add(from);
    // As ship() for observations (observations.cpp), by device instead of entity.
    auto added = impl_->exec(
        "INSERT INTO evidence(received, device, origin, trap_oid, reason, text, trap_digest, "
        "trap_bucket, trap_near, shipped_from, shipped_id) "
        "SELECT r, d, o, t, w, x, dg, CASE WHEN dg IS NOT NULL THEN b END, "
        "CASE WHEN dg IS NOT NULL THEN nr END, $11, i "
        "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
        "$7::text[], $8::bigint[], $9::bigint[], $10::bigint[]) AS u(r, d, o, t, w, x, dh, b, nr, "
        "i), "
        "LATERAL (SELECT decode(NULLIF(dh, ''), 'hex') AS dg) g "
        "WHERE dg IS NULL OR NOT EXISTS (SELECT 1 FROM evidence x "
        "WHERE x.trap_key = sha256(dg || int8send(nr)) AND x.device = u.d "
        "AND x.trap_neighbour = sha256(dg || int8send(b))) "
        "ORDER BY i ON CONFLICT DO NOTHING",
        p);
    if (!added) {
      return added.error();
    }
    out.stored = static_cast<std::size_t>(added->affected());
    out.duplicates = items.size() - out.stored;
    return {};
  });
  if (!r) {
    return r.error();
  }
  return out;
}

Result<void> PgStore::add_counters(const std::map<std::string, std::int64_t>& deltas,
                                   Timestamp at) {
  std::vector<std::string> names;
  std::vector<std::int64_t> values;
  for (const auto& [name, delta] : deltas) {
    if (delta != 0) {
      names.push_back(name);
      values.push_back(delta);
    }
  }
  if (names.empty()) {
    return {};
  }
  // One statement (the names are distinct: a map's keys), atomic by itself; concurrent writers
  // add to the same row one after the other.
  auto r = impl_->exec(
      "INSERT INTO counter(name, value, updated) "
      "SELECT n, v, $3 FROM unnest($1::text[], $2::bigint[]) AS u(n, v) "
      "ON CONFLICT (name) DO UPDATE SET value = counter.value + excluded.value, "
      "updated = excluded.updated",
      Params().add(text_array(names)).add(int_array(values)).add(at));
  if (!r) {
    return r.error();
  }
  return {};
}

Result<std::vector<CounterValue>> PgStore::counters() const {
  auto rows = impl_->exec("SELECT name, value, updated FROM counter ORDER BY name COLLATE \"C\"");
  if (!rows) {
    return rows.error();
  }
  std::vector<CounterValue> out;
  out.reserve(static_cast<std::size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back(CounterValue{rows->str(i, 0), rows->integer(i, 1), rows->time(i, 2)});
  }
  return out;
}

}  // namespace colosla::core::pg
