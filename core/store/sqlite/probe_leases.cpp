// The SQLite backend: probe leases and probe results keyed by round (ProbeLeases,
// docs/scale-out.md "Probers"). SQLite has one writer at a time, so a claim inside one write
// transaction (BEGIN IMMEDIATE) sees every other claim committed, and needs no row locks.
#include <algorithm>

#include "sqlite/sql.hpp"
#include "sqlite/sqlite_store.hpp"

namespace colosla::core::sqlite {

namespace {

// Leases that expired this long ago are forgotten: no prober asks for a round that ended a day
// before (the schedule skips the rounds it missed), and a finished turn is held to its round's end.
constexpr std::chrono::hours kLeaseMemory{24};

}  // namespace

Result<std::size_t> SqliteStore::add_round_observations(const std::vector<Observation>& obs) {
  std::size_t n = 0;
  auto r = write([&]() -> Result<void> {
    std::vector<Observation> plain;
    for (const auto& o : obs) {
      if (!o.round) {
        plain.push_back(o);
      }
    }
    if (!plain.empty()) {
      auto added = add_observations(plain);
      if (!added) {
        return added.error();
      }
      n += *added;
    }
    // The unique index observation_round (entity, probe_round) refuses a second result of a
    // round: it is left out, whoever probed it.
    Stmt& s = impl_->prepared(
        "INSERT INTO observation(time, entity, state, source, received, origin, evidence, "
        "probe_round) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    if (!s.ok()) {
      return s.error();
    }
    for (const auto& o : obs) {
      if (!o.round) {
        continue;
      }
      auto id = impl_->entity_id(o.entity);
      if (!id) {
        return id.error();
      }
      s.bind(1, o.time)
          .bind(2, *id)
          .bind_static(3, to_string(o.state))
          .bind_static(4, to_string(o.source));
      s.bind(5, o.received).bind_static(6, o.origin).bind_static(7, o.evidence).bind(8, *o.round);
      if (auto e = s.exec(); !e) {
        return e;
      }
      n += static_cast<std::size_t>(sqlite3_changes(impl_->db));
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

Result<std::vector<ProbeClaim>> SqliteStore::claim_probes(const std::string& holder,
                                                          const std::vector<ProbeTurn>& turns,
                                                          Timestamp now, std::chrono::seconds ttl,
                                                          std::size_t limit) {
  std::vector<ProbeClaim> out(turns.size());
  auto r = write([&]() -> Result<void> {
    Stmt forget(impl_->db, "DELETE FROM probe_lease WHERE expires < ?");
    if (auto e = forget.bind(1, now - kLeaseMemory).exec(); !e) {
      return e;
    }
    Stmt get(impl_->db, "SELECT expires FROM probe_lease WHERE target = ? AND round = ?");
    Stmt put(impl_->db,
             "INSERT INTO probe_lease(target, round, holder, expires) VALUES (?, ?, ?, ?) "
             "ON CONFLICT(target, round) DO UPDATE SET holder = excluded.holder, "
             "expires = excluded.expires");
    if (!get.ok() || !put.ok()) {
      return get.ok() ? put.error() : get.error();
    }
    std::size_t claimed = 0;
    for (std::size_t i = 0; i < turns.size(); ++i) {
      const ProbeTurn& t = turns[i];
      get.bind(1, t.target).bind(2, t.round);
      const int rc = get.step();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return get.step_error();
      }
      const bool held = rc == SQLITE_ROW && get.time(0) > now;
      const Timestamp expires = rc == SQLITE_ROW ? get.time(0) : now;
      get.reset();
      if (held) {
        out[i].until = expires;
        continue;
      }
      if (claimed == limit) {
        out[i].until = now;
        continue;
      }
      if (auto e = put.bind(1, t.target).bind(2, t.round).bind(3, holder).bind(4, now + ttl).exec();
          !e) {
        return e;
      }
      out[i] = ProbeClaim{true, now + ttl};
      ++claimed;
    }
    return {};
  });
  if (!r) {
    return r.error();
  }
  return out;
}

Result<void> SqliteStore::release_probes(const std::string& holder,
                                         const std::vector<ProbeTurn>& turns, bool probed,
                                         Timestamp now) {
  if (turns.empty()) {
    return {};
  }
  return write([&]() -> Result<void> {
    // Probed: held to the round's end. Not probed: free from now on.
    Stmt s(impl_->db, probed ? "UPDATE probe_lease SET expires = max(expires, ?) "
                               "WHERE target = ? AND round = ? AND holder = ?"
                             : "UPDATE probe_lease SET expires = min(expires, ?) "
                               "WHERE target = ? AND round = ? AND holder = ?");
    if (!s.ok()) {
      return s.error();
    }
    for (const auto& t : turns) {
      if (auto e = s.bind(1, probed ? t.ends : now)
                       .bind(2, t.target)
                       .bind(3, t.round)
                       .bind(4, holder)
                       .exec();
          !e) {
        return e;
      }
    }
    return {};
  });
}

}  // namespace colosla::core::sqlite
