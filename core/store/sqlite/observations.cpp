// The SQLite backend: observations, the history, latest states (ObservationLog).
#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>

#include "colosla/base/calendar.hpp"
#include "colosla/base/log.hpp"
#include "sqlite/sql.hpp"
#include "sqlite/sqlite_store.hpp"

namespace colosla::core::sqlite {

// -- observations ----------------------------------------------------------------------------

Result<std::size_t> SqliteStore::add_observations(const std::vector<Observation>& obs) {
  // Probe results keyed by round (probe_leases.cpp).
  if (std::any_of(obs.begin(), obs.end(),
                  [](const Observation& o) { return o.round.has_value(); })) {
    return add_round_observations(obs);
  }
  std::size_t n = 0;
  auto r = write([&]() -> Result<void> {
    Stmt& s = impl_->prepared(
        "INSERT INTO observation(time, entity, state, source, received, origin, evidence, "
        "trap_digest, trap_bucket, trap_near) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
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
      s.bind_trap(8, o.trap);
      if (auto e = s.exec(); !e) {
        return e;
      }
      ++n;
    }
    if (impl_->defer_merge) {
      impl_->merge_pending = true;
    } else if (auto m = impl_->merge(); !m) {
      return m.error();
    }
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
    o.trap = s.trap(10);
    if (!s.is_null(13)) {
      o.round = s.i64(13);
    }
    out.push_back(std::move(o));
  }
  if (rc != SQLITE_DONE) {
    return s.step_error();
  }
  return out;
}

constexpr const char* kObservationColumns =
    "SELECT o.seq, o.time, e.kind, e.device, e.item, o.state, o.source, o.received, o.origin, "
    "o.evidence, o.trap_digest, o.trap_bucket, o.trap_near, o.probe_round FROM observation o "
    "JOIN entity e ON e.id = o.entity ";

}  // namespace

Result<std::vector<Observation>> SqliteStore::observations(const EntityId& e) const {
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

Result<std::vector<Observation>> SqliteStore::observations_between(Timestamp from,
                                                                   Timestamp to) const {
  Stmt s(impl_->db, (std::string(kObservationColumns) +
                     "WHERE o.time >= ? AND o.time < ? ORDER BY o.time, o.seq")
                        .c_str());
  if (!s.ok()) {
    return s.error();
  }
  s.bind(1, from).bind(2, to);
  return read_observations(s);
}

Result<std::int64_t> SqliteStore::observation_count() const {
  return scalar(impl_->db, "SELECT count(*) FROM observation");
}

Result<std::int64_t> SqliteStore::forget_shipped(Shipped what, std::int64_t through,
                                                 Timestamp before, std::int64_t limit) {
  std::int64_t n = 0;
  auto r = write([&]() -> Result<void> {
    // Observations below the history's merge mark (state_change holds their changes); both
    // below the highest seq or id (SQLite gives a new row the highest + 1: the last must stay).
    Stmt& s = impl_->prepared(
        what == Shipped::observations
            ? "DELETE FROM observation WHERE seq IN (SELECT seq FROM observation "
              "WHERE seq <= ?1 AND seq <= (SELECT seq FROM state_change_merged) "
              "AND seq < (SELECT max(seq) FROM observation) AND received < ?2 ORDER BY seq "
              "LIMIT ?3)"
            : "DELETE FROM evidence WHERE id IN (SELECT id FROM evidence WHERE id <= ?1 "
              "AND id < (SELECT max(id) FROM evidence) AND received < ?2 ORDER BY id LIMIT ?3)");
    if (!s.ok()) {
      return s.error();
    }
    s.bind(1, through).bind(2, before).bind(3, limit);
    COLOSLA_TRY(s.exec());
    n = sqlite3_changes64(impl_->db);
    return {};
  });
  if (!r) {
    return r.error();
  }
  return n;
}

Result<std::vector<Observation>> SqliteStore::observations_after(std::int64_t after,
                                                                 std::size_t limit) const {
  // One writer at a time: every seq below the highest is committed (the watermark is the last).
  Stmt s(impl_->db,
         (std::string(kObservationColumns) + "WHERE o.seq > ? ORDER BY o.seq LIMIT ?").c_str());
  if (!s.ok()) {
    return s.error();
  }
  s.bind(1, after).bind(2, static_cast<std::int64_t>(limit));
  return read_observations(s);
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

Result<History> SqliteStore::history(Timestamp until) const {
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

Result<History> SqliteStore::history_of(const std::vector<EntityId>& entities, Timestamp from,
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

Result<LatestStates> SqliteStore::latest_states(std::int64_t after) const {
  // One snapshot: the watermark, the entities with an observation after `after` (all of them
  // for 0), then the last change of each. SQLite has one writer at a time, so every seq at or
  // below the highest one in the snapshot is committed: that is the watermark.
  LatestStates out;
  auto r = read([&]() -> Result<void> {
    auto through = scalar(impl_->db, "SELECT coalesce(max(seq), 0) FROM observation");
    if (!through) {
      return through.error();
    }
    out.through = std::max(*through, after);
    Stmt s(impl_->db, after == 0 ? "SELECT id, kind, device, item FROM entity"
                                 : "SELECT id, kind, device, item FROM entity "
                                   "WHERE id IN (SELECT entity FROM observation WHERE seq > ?)");
    if (!s.ok()) {
      return s.error();
    }
    if (after != 0) {
      s.bind(1, after);
    }
    auto ids = read_entities(s);
    if (!ids) {
      return ids.error();
    }
    auto last = last_changes(impl_->db, *ids, after);
    if (!last) {
      return last.error();
    }
    out.changes = std::move(*last);
    return {};
  });
  if (!r) {
    return r.error();
  }
  return out;
}

Result<std::vector<std::pair<EntityId, StateChange>>> SqliteStore::latest_states_of(
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

Result<std::int64_t> SqliteStore::last_observation_seq() const {
  return scalar(impl_->db, "SELECT coalesce(max(seq), 0) FROM observation");
}

}  // namespace colosla::core::sqlite
