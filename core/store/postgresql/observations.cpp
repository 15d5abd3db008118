// The PostgreSQL backend: observations, the history, latest states (ObservationLog).
//
// PostgreSQL keeps no copy of the history apart (SQLite's state_change): the covering index
// observation_history (entity, time, seq) INCLUDE (state) is that copy, kept by PostgreSQL
// itself, so the history and the latest states are read from it alone. Cursors follow the
// watermark of watermark.hpp.
#include <algorithm>
#include <limits>
#include <unordered_map>

#include "postgresql/batch_columns.hpp"
#include "postgresql/pg_store.hpp"
#include "postgresql/watermark.hpp"

namespace colosla::core::pg {

namespace {

Error unreadable(std::string_view what, std::int64_t seq) {
  return make_error(Errc::store, "the store holds an unreadable " + std::string(what),
                    "observation " + std::to_string(seq));
}

// The ids of the entities of `obs` (one per observation), each created when the store has none
// yet (inside the caller's write()): INSERT … ON CONFLICT DO NOTHING, then SELECT, for the ones
// this connection does not know yet. They are inserted in one order (sorted), so that two
// writers creating the same entities wait for each other rather than deadlock.
Result<std::vector<std::int64_t>> entity_ids(PgStore::Impl& impl,
                                             const std::vector<Observation>& obs) {
  std::vector<const EntityId*> missing;
  {
    EntityMap<bool> seen;
    for (const auto& o : obs) {
      if (impl.entity_ids.find(o.entity) == nullptr && seen.try_emplace(o.entity).second) {
        missing.push_back(&o.entity);
      }
    }
  }
  if (!missing.empty()) {
    std::sort(missing.begin(), missing.end(),
              [](const EntityId* a, const EntityId* b) { return *a < *b; });
    std::vector<std::string> kinds;
    std::vector<std::string> devices;
    std::vector<std::string> items;
    for (const EntityId* e : missing) {
      kinds.emplace_back(to_string(e->kind));
      devices.push_back(e->device);
      items.push_back(e->item);
    }
    Params p;
    p.add(text_array(kinds)).add(text_array(devices)).add(text_array(items));
    auto added = impl.exec(
        "INSERT INTO entity(kind, device, item) "
        "SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING",
        p);
    if (!added) {
      return added.error();
    }
    // Read committed: this statement sees an entity another writer committed meanwhile.
    auto ids = impl.exec(
        "SELECT u.n, e.id FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY "
        "AS u(kind, device, item, n) JOIN entity e "
        "ON e.kind = u.kind AND e.device = u.device AND e.item = u.item",
        p);
    if (!ids) {
      return ids.error();
    }
    if (static_cast<std::size_t>(ids->size()) != missing.size()) {
      return make_error(Errc::store, "an entity just stored cannot be read back (write again)");
    }
    for (int r = 0; r < ids->size(); ++r) {
      const EntityId& e = *missing.at(static_cast<std::size_t>(ids->integer(r, 0) - 1));
      *impl.entity_ids.try_emplace(e).first = ids->integer(r, 1);
    }
  }
  std::vector<std::int64_t> out;
  out.reserve(obs.size());
  for (const auto& o : obs) {
    out.push_back(*impl.entity_ids.find(o.entity));
  }
  return out;
}

constexpr const char* kObservationColumns =
    "SELECT o.seq, o.time, e.kind, e.device, e.item, o.state, o.source, o.received, o.origin, "
    "o.evidence, o.trap_digest, o.trap_bucket, o.trap_near, o.probe_round FROM observation o "
    "JOIN entity e ON e.id = o.entity ";

Result<std::vector<Observation>> read_observations(const Rows& rows) {
  std::vector<Observation> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int r = 0; r < rows.size(); ++r) {
    Observation o;
    o.seq = rows.integer(r, 0);
    o.time = rows.time(r, 1);
    auto kind = parse_entity_kind(rows.text(r, 2));
    auto state = parse_state_word(rows.text(r, 5));
    auto source = parse_source(rows.text(r, 6));
    if (!kind || !state || !source) {
      return unreadable("observation", o.seq);
    }
    o.entity = EntityId{*kind, rows.str(r, 3), rows.str(r, 4)};
    o.state = *state;
    o.source = *source;
    o.received = rows.time(r, 7);
    o.origin = rows.str(r, 8);
    o.evidence = rows.str(r, 9);
    if (TrapIdentity id; rows.bytes(r, 10, id.digest)) {
      id.bucket = rows.integer(r, 11);
      id.near = rows.integer(r, 12);
      o.trap = id;
    }
    if (!rows.null(r, 13)) {
      o.round = rows.integer(r, 13);
    }
    out.push_back(std::move(o));
  }
  return out;
}

// Rows of (kind, device, item, time, seq, state): each entity's last change.
Result<std::vector<std::pair<EntityId, StateChange>>> read_last_changes(const Rows& rows) {
  std::vector<std::pair<EntityId, StateChange>> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int r = 0; r < rows.size(); ++r) {
    auto kind = parse_entity_kind(rows.text(r, 0));
    auto state = parse_state_word(rows.text(r, 5));
    if (!kind || !state) {
      return unreadable("state", rows.integer(r, 4));
    }
    out.emplace_back(EntityId{*kind, rows.str(r, 1), rows.str(r, 2)},
                     StateChange{rows.time(r, 3), *state, rows.integer(r, 4)});
  }
  return out;
}

// An entity's last observation (by time, then seq), from the index alone.
constexpr const char* kLastChange =
    "SELECT e.kind, e.device, e.item, l.time, l.seq, l.state FROM entity e CROSS JOIN LATERAL "
    "(SELECT o.time, o.seq, o.state FROM observation o WHERE o.entity = e.id "
    "ORDER BY o.time DESC, o.seq DESC LIMIT 1) l ";

State good_state(EntityKind k) {
  switch (k) {
    case EntityKind::probe:
      return State::pass;
    case EntityKind::port:
      return State::up;
    case EntityKind::ups:
      return State::normal;
    default:
      return State::on;
  }
}

}  // namespace

// -- observations ----------------------------------------------------------------------------

Result<std::size_t> PgStore::add_observations(const std::vector<Observation>& obs) {
  if (obs.empty()) {
    return std::size_t{0};
  }
  // Probe results keyed by round (probe_leases.cpp).
  if (std::any_of(obs.begin(), obs.end(),
                  [](const Observation& o) { return o.round.has_value(); })) {
    return add_round_observations(obs);
  }
  auto r = write([&]() -> Result<void> {
    auto ids = entity_ids(*impl_, obs);
    if (!ids) {
      return ids.error();
    }
    Params p;
    ObservationColumns(obs).bind(p, *ids);
    // The claim before the first seq is taken (watermark.hpp), then the whole batch in one
    // statement; the seqs follow the order of `obs`.
    COLOSLA_TRY(claim_ids(*impl_->conn, IdLog::observations));
    auto added = impl_->exec(
        "INSERT INTO observation(time, entity, state, source, received, origin, evidence, "
        "trap_digest, trap_bucket, trap_near) SELECT t, en, st, so, re, ori, ev, "
        "decode(NULLIF(d, ''), 'hex'), CASE WHEN d <> '' THEN b END, CASE WHEN d <> '' THEN nr END "
        "FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], "
        "$6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[]) "
        "AS u(t, en, st, so, re, ori, ev, d, b, nr)",
        p);
    if (!added) {
      return added.error();
    }
    if (added->affected() != static_cast<std::int64_t>(obs.size())) {
      return make_error(Errc::store, "the store took " + std::to_string(added->affected()) +
                                         " of " + std::to_string(obs.size()) + " observations");
    }
    return {};
  });
  if (!r) {
    return r.error();
  }
  return obs.size();
}

// -- shipped copies (colosla ship) -----------------------------------------------------------

Result<Shipment> PgStore::ship(const std::vector<Observation>& obs, const std::string& from) {
  Shipment out;
  if (obs.empty()) {
    return out;
  }
  auto r = write([&]() -> Result<void> {
    // One shipment at a time across the cluster (kShipmentLock).
    if (auto l = impl_->exec(kShipmentLock); !l) {
      return l.error();
    }
    auto ids = entity_ids(*impl_, obs);
    if (!ids) {
      return ids.error();
    }
    std::vector<std::int64_t> seqs;
    std::vector<std::string> rounds;
    for (const auto& o : obs) {
      seqs.push_back(o.seq);
      rounds.push_back(o.round ? std::to_string(*o.round) : std::string());
    }
    Params p;
    ObservationColumns(obs).bind(p, *ids);
    p.add(int_array(seqs)).add(from).add(text_array(rounds));
    COLOSLA_TRY(claim_ids(*impl_->conn, IdLog::observations));
    // In the local order (seq), each unless stored already. The unique indexes refuse a copy
    // with a stored key (observation_trap: the key and the entity), one shipped before
    // (observation_shipped: a batch shipped again) and a probe round stored before
    // (observation_round), also within the batch: ON CONFLICT DO NOTHING. The one test an index
    // cannot make is the neighbour's: a row whose key is this copy's neighbour and whose
    // neighbour is this copy's key (one index probe a copy).
    auto added = impl_->exec(
        "INSERT INTO observation(time, entity, state, source, received, origin, evidence, "
        "trap_digest, trap_bucket, trap_near, shipped_from, shipped_seq, probe_round) "
        "SELECT t, en, st, so, re, ori, ev, dg, CASE WHEN dg IS NOT NULL THEN b END, "
        "CASE WHEN dg IS NOT NULL THEN nr END, $12, sq, NULLIF(rd, '')::bigint "
        "FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], "
        "$6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::bigint[], "
        "$13::text[]) AS u(t, en, st, so, re, ori, ev, d, b, nr, sq, rd), "
        "LATERAL (SELECT decode(NULLIF(d, ''), 'hex') AS dg) g "
        "WHERE dg IS NULL OR NOT EXISTS (SELECT 1 FROM observation x "
        "WHERE x.trap_key = sha256(dg || int8send(nr)) AND x.entity = u.en "
        "AND x.trap_neighbour = sha256(dg || int8send(b))) "
        "ORDER BY sq ON CONFLICT DO NOTHING",
        p);
    if (!added) {
      return added.error();
    }
    out.stored = static_cast<std::size_t>(added->affected());
    out.duplicates = obs.size() - out.stored;
    return {};
  });
  if (!r) {
    return r.error();
  }
  return out;
}

Result<std::vector<Observation>> PgStore::observations(const EntityId& e) const {
  Params p;
  p.add(to_string(e.kind)).add(e.device).add(e.item);
  auto rows = impl_->exec(std::string(kObservationColumns) +
                              "WHERE e.kind = $1 AND e.device = $2 AND e.item = $3 "
                              "ORDER BY o.time, o.seq",
                          p);
  if (!rows) {
    return rows.error();
  }
  return read_observations(*rows);
}

Result<std::vector<Observation>> PgStore::observations_between(Timestamp from, Timestamp to) const {
  Params p;
  p.add(from).add(to);
  auto rows = impl_->exec(std::string(kObservationColumns) +
                              "WHERE o.time >= $1 AND o.time < $2 ORDER BY o.time, o.seq",
                          p);
  if (!rows) {
    return rows.error();
  }
  return read_observations(*rows);
}

Result<std::vector<Observation>> PgStore::observations_after(std::int64_t after,
                                                             std::size_t limit) const {
  auto marks = impl_->marks();  // the watermark first, then the rows in a later statement
  if (!marks) {
    return marks.error();
  }
  Params p;
  p.add(after).add(marks->observation).add(static_cast<std::int64_t>(limit));
  auto rows = impl_->exec(
      std::string(kObservationColumns) + "WHERE o.seq > $1 AND o.seq <= $2 ORDER BY o.seq LIMIT $3",
      p);
  if (!rows) {
    return rows.error();
  }
  return read_observations(*rows);
}

Result<std::int64_t> PgStore::observation_count() const {
  auto rows = impl_->exec("SELECT count(*) FROM observation");
  if (!rows) {
    return rows.error();
  }
  return rows->integer(0, 0);
}

// -- the history -----------------------------------------------------------------------------

Result<History> PgStore::history(Timestamp until) const {
  // The entities, then every change by entity in order (one snapshot: read()).
  History out;
  auto r = read([&]() -> Result<void> {
    auto entities = impl_->exec("SELECT id, kind, device, item FROM entity");
    if (!entities) {
      return entities.error();
    }
    std::unordered_map<std::int64_t, std::vector<StateChange>*> by_id;
    for (int i = 0; i < entities->size(); ++i) {
      auto kind = parse_entity_kind(entities->text(i, 1));
      if (!kind) {
        return make_error(Errc::store,
                          "the store holds an entity of unknown kind " + entities->str(i, 1));
      }
      by_id.emplace(entities->integer(i, 0),
                    &out[EntityId{*kind, entities->str(i, 2), entities->str(i, 3)}]);
    }
    // Through a cursor, a chunk at a time: a year of a big site's observations would otherwise
    // be in memory twice (libpq's result and the history).
    Params p;
    p.add(until);
    COLOSLA_TRY(
        impl_->exec("DECLARE colosla_history NO SCROLL CURSOR FOR SELECT entity, time, seq, state "
                    "FROM observation WHERE time <= $1 ORDER BY entity, time, seq",
                    p));
    const auto read_chunks = [&]() -> Result<void> {
      std::int64_t current_id = -1;
      std::vector<StateChange>* current = nullptr;
      for (;;) {
        auto changes = impl_->exec("FETCH 50000 FROM colosla_history");
        if (!changes) {
          return changes.error();
        }
        if (changes->empty()) {
          return {};
        }
        for (int i = 0; i < changes->size(); ++i) {
          const std::int64_t id = changes->integer(i, 0);
          if (id != current_id) {
            const auto it = by_id.find(id);
            if (it == by_id.end()) {
              return make_error(Errc::store,
                                "an observation names an entity the store does not have",
                                "observation " + std::to_string(changes->integer(i, 2)));
            }
            current_id = id;
            current = it->second;
          }
          auto state = parse_state_word(changes->text(i, 3));
          if (!state) {
            return unreadable("state", changes->integer(i, 2));
          }
          current->push_back(StateChange{changes->time(i, 1), *state, changes->integer(i, 2)});
        }
      }
    };
    auto chunks = read_chunks();
    // Closed also after an error, for a caller's transaction that goes on.
    auto closed = impl_->exec("CLOSE colosla_history");
    if (!chunks) {
      return chunks;
    }
    if (!closed) {
      return closed.error();
    }
    return {};
  });
  if (!r) {
    return r.error();
  }
  return out;
}

Result<History> PgStore::history_of(const std::vector<EntityId>& entities, Timestamp from,
                                    Timestamp until) const {
  // One statement: each entity's start (its last observation in its good state at or before
  // `from`, or the beginning), then its changes from there to `until`, in order.
  History out;
  std::vector<std::vector<StateChange>*> lists;
  std::vector<std::string> kinds;
  std::vector<std::string> devices;
  std::vector<std::string> items;
  std::vector<std::string> goods;
  for (const auto& e : entities) {
    auto [it, fresh] = out.try_emplace(e);
    if (!fresh) {
      continue;
    }
    lists.push_back(&it->second);
    kinds.emplace_back(to_string(e.kind));
    devices.push_back(e.device);
    items.push_back(e.item);
    goods.emplace_back(to_string(good_state(e.kind)));
  }
  if (lists.empty()) {
    return out;
  }
  Params p;
  p.add(text_array(kinds)).add(text_array(devices)).add(text_array(items)).add(text_array(goods));
  p.add(std::min(from, until)).add(until);
  auto rows = impl_->exec(
      "WITH wanted AS (SELECT w.n, e.id, w.good FROM unnest($1::text[], $2::text[], $3::text[], "
      "$4::text[]) WITH ORDINALITY AS w(kind, device, item, good, n) JOIN entity e "
      "ON e.kind = w.kind AND e.device = w.device AND e.item = w.item), "
      "started AS (SELECT wanted.n, wanted.id, coalesce((SELECT o.time FROM observation o "
      "WHERE o.entity = wanted.id AND o.time <= $5 AND o.state = wanted.good "
      "ORDER BY o.time DESC LIMIT 1), -9223372036854775807) AS start FROM wanted) "
      "SELECT s.n, o.time, o.seq, o.state FROM started s JOIN observation o "
      "ON o.entity = s.id AND o.time >= s.start AND o.time <= $6 ORDER BY s.n, o.time, o.seq",
      p);
  if (!rows) {
    return rows.error();
  }
  for (int r = 0; r < rows->size(); ++r) {
    auto state = parse_state_word(rows->text(r, 3));
    if (!state) {
      return unreadable("state", rows->integer(r, 2));
    }
    lists.at(static_cast<std::size_t>(rows->integer(r, 0) - 1))
        ->push_back(StateChange{rows->time(r, 1), *state, rows->integer(r, 2)});
  }
  return out;
}

// -- latest states ---------------------------------------------------------------------------

Result<LatestStates> PgStore::latest_states(std::int64_t after) const {
  // The watermark first, then the changes in a snapshot taken after it (this statement's, or
  // the one read() took after reading the watermark): every seq at or below it is in that
  // snapshot or was rolled back.
  auto marks = impl_->marks();
  if (!marks) {
    return marks.error();
  }
  LatestStates out;
  out.through = std::max(marks->observation, after);
  if (out.through == after) {
    return out;
  }
  Params p;
  p.add(after).add(out.through);
  auto rows =
      impl_->exec(std::string(kLastChange) +
                      (after == 0 ? "WHERE l.seq <= $2 AND l.seq > $1 ORDER BY e.id"
                                  : "WHERE e.id IN (SELECT entity FROM observation WHERE seq > $1) "
                                    "AND l.seq > $1 AND l.seq <= $2 ORDER BY e.id"),
                  p);
  if (!rows) {
    return rows.error();
  }
  auto changes = read_last_changes(*rows);
  if (!changes) {
    return changes.error();
  }
  out.changes = std::move(*changes);
  return out;
}

Result<std::vector<std::pair<EntityId, StateChange>>> PgStore::latest_states_of(
    const std::string& device) const {
  Params p;
  p.add(device);
  auto rows = impl_->exec(
      std::string(kLastChange) + "WHERE e.device = $1 AND e.kind <> 'probe' ORDER BY e.id", p);
  if (!rows) {
    return rows.error();
  }
  return read_last_changes(*rows);
}

Result<std::int64_t> PgStore::last_observation_seq() const {
  auto marks = impl_->marks();
  if (!marks) {
    return marks.error();
  }
  return marks->observation;
}

}  // namespace colosla::core::pg
