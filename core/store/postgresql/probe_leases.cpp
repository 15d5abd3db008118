// The PostgreSQL backend: probe leases and probe results keyed by round (ProbeLeases,
// docs/scale-out.md "Probers"). Several probers claim at once: each turn's lease row is locked
// by the claim that takes it (FOR UPDATE SKIP LOCKED), so two claims never take one turn and
// never wait for each other; rows are created and locked in one order (target, round), so that
// two claims creating the same rows wait for each other rather than deadlock.
#include <algorithm>
#include <map>

#include "postgresql/pg_store.hpp"
#include "postgresql/watermark.hpp"

namespace colosla::core::pg {

namespace {

// See the SQLite backend's kLeaseMemory.
constexpr std::chrono::hours kLeaseMemory{24};

std::int64_t seconds(Timestamp t) {
  return static_cast<std::int64_t>(t.time_since_epoch().count());
}

// The turns as two arrays ($1 targets, $2 rounds).
Params turn_arrays(const std::vector<ProbeTurn>& turns) {
  std::vector<std::string> targets;
  std::vector<std::int64_t> rounds;
  for (const auto& t : turns) {
    targets.push_back(t.target);
    rounds.push_back(t.round);
  }
  Params p;
  p.add(text_array(targets)).add(int_array(rounds));
  return p;
}

}  // namespace

Result<std::size_t> PgStore::add_round_observations(const std::vector<Observation>& obs) {
  std::size_t n = 0;
  auto r = write([&]() -> Result<void> {
    std::vector<Observation> plain;
    std::vector<const Observation*> rounds;
    for (const auto& o : obs) {
      if (o.round) {
        rounds.push_back(&o);
      } else {
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
    std::vector<std::string> kinds;
    std::vector<std::string> devices;
    std::vector<std::string> items;
    std::vector<std::int64_t> times;
    std::vector<std::int64_t> received;
    std::vector<std::int64_t> numbers;
    std::vector<std::string> states;
    std::vector<std::string> sources;
    std::vector<std::string> origins;
    std::vector<std::string> evidence;
    for (const Observation* o : rounds) {
      kinds.emplace_back(to_string(o->entity.kind));
      devices.push_back(o->entity.device);
      items.push_back(o->entity.item);
      times.push_back(seconds(o->time));
      received.push_back(seconds(o->received));
      numbers.push_back(*o->round);
      states.emplace_back(to_string(o->state));
      sources.emplace_back(to_string(o->source));
      origins.push_back(o->origin);
      evidence.push_back(o->evidence);
    }
    Params e;
    e.add(text_array(kinds)).add(text_array(devices)).add(text_array(items));
    // The entities first, in one order (see entity_ids in observations.cpp).
    if (auto added =
            impl_->exec("INSERT INTO entity(kind, device, item) SELECT DISTINCT * FROM "
                        "unnest($1::text[], $2::text[], $3::text[]) AS u(k, d, i) ORDER BY k, d, i "
                        "ON CONFLICT DO NOTHING",
                        e);
        !added) {
      return added.error();
    }
    Params p;
    p.add(text_array(kinds)).add(text_array(devices)).add(text_array(items));
    p.add(int_array(times)).add(int_array(received)).add(int_array(numbers));
    p.add(text_array(states)).add(text_array(sources)).add(text_array(origins));
    p.add(text_array(evidence));
    COLOSLA_TRY(claim_ids(*impl_->conn, IdLog::observations));
    // A second result of an entity's round (another prober's, or this batch's) is left out by
    // the unique index observation_round; the seqs follow the order of `obs`.
    auto added = impl_->exec(
        "INSERT INTO observation(time, entity, state, source, received, origin, evidence, "
        "probe_round) SELECT u.t, en.id, u.st, u.so, u.re, u.ori, u.ev, u.r FROM "
        "unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], "
        "$7::text[], $8::text[], $9::text[], $10::text[]) WITH ORDINALITY "
        "AS u(k, d, i, t, re, r, st, so, ori, ev, n) "
        "JOIN entity en ON en.kind = u.k AND en.device = u.d AND en.item = u.i ORDER BY u.n "
        "ON CONFLICT (entity, probe_round) WHERE probe_round IS NOT NULL DO NOTHING",
        p);
    if (!added) {
      return added.error();
    }
    n += static_cast<std::size_t>(added->affected());
    return {};
  });
  if (!r) {
    return r.error();
  }
  return n;
}

Result<std::vector<ProbeClaim>> PgStore::claim_probes(const std::string& holder,
                                                      const std::vector<ProbeTurn>& turns,
                                                      Timestamp now, std::chrono::seconds ttl,
                                                      std::size_t limit) {
  std::vector<ProbeClaim> out(turns.size());
  if (turns.empty()) {
    return out;
  }
  auto r = write([&]() -> Result<void> {
    // Old leases, those nobody else is touching (never waited for).
    Params old;
    old.add(now - kLeaseMemory);
    if (auto d = impl_->exec(
            "DELETE FROM probe_lease WHERE (target, round) IN (SELECT target, round FROM "
            "probe_lease WHERE expires < $1 FOR UPDATE SKIP LOCKED)",
            old);
        !d) {
      return d.error();
    }
    // A row for every turn (free from now), created in (target, round) order.
    Params blank = turn_arrays(turns);
    blank.add(now);
    if (auto b = impl_->exec(
            "INSERT INTO probe_lease(target, round, holder, expires) SELECT DISTINCT t, r, '', "
            "$3::bigint FROM unnest($1::text[], $2::bigint[]) AS u(t, r) ORDER BY t, r "
            "ON CONFLICT DO NOTHING",
            blank);
        !b) {
      return b.error();
    }
    // The free ones, in the order given, skipping those another claim holds locked.
    Params p = turn_arrays(turns);
    p.add(now).add(static_cast<std::int64_t>(std::min<std::size_t>(limit, turns.size())));
    p.add(holder).add(now + ttl);
    auto claimed = impl_->exec(
        "WITH free AS (SELECT l.target, l.round FROM probe_lease l JOIN unnest($1::text[], "
        "$2::bigint[]) WITH ORDINALITY AS u(t, r, n) ON l.target = u.t AND l.round = u.r "
        "WHERE l.expires <= $3 ORDER BY u.n LIMIT $4 FOR UPDATE OF l SKIP LOCKED) "
        "UPDATE probe_lease l SET holder = $5, expires = $6 FROM free "
        "WHERE l.target = free.target AND l.round = free.round RETURNING l.target, l.round",
        p);
    if (!claimed) {
      return claimed.error();
    }
    std::map<std::pair<std::string, std::int64_t>, bool> mine;
    for (int i = 0; i < claimed->size(); ++i) {
      mine[{claimed->str(i, 0), claimed->integer(i, 1)}] = true;
    }
    // The others' expiries, as committed (a row another claim is taking shows its old one).
    auto held = impl_->exec(
        "SELECT u.n, l.expires FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY "
        "AS u(t, r, n) JOIN probe_lease l ON l.target = u.t AND l.round = u.r",
        turn_arrays(turns));
    if (!held) {
      return held.error();
    }
    for (int i = 0; i < held->size(); ++i) {
      const auto k = static_cast<std::size_t>(held->integer(i, 0) - 1);
      out.at(k).until = std::max(now, held->time(i, 1));
    }
    for (std::size_t k = 0; k < turns.size(); ++k) {
      if (mine.count({turns[k].target, turns[k].round}) != 0) {
        out[k] = ProbeClaim{true, now + ttl};
        mine.erase({turns[k].target, turns[k].round});  // a turn given twice is claimed once
      } else if (out[k].until == Timestamp{}) {
        out[k].until = now;
      }
    }
    return {};
  });
  if (!r) {
    return r.error();
  }
  return out;
}

Result<void> PgStore::release_probes(const std::string& holder, const std::vector<ProbeTurn>& turns,
                                     bool probed, Timestamp now) {
  if (turns.empty()) {
    return {};
  }
  std::vector<std::int64_t> until;
  for (const auto& t : turns) {
    until.push_back(seconds(probed ? t.ends : now));
  }
  Params p = turn_arrays(turns);
  p.add(int_array(until)).add(holder);
  // Probed: held to the round's end. Not probed: free from now on.
  auto r = impl_->exec(probed ? "UPDATE probe_lease l SET expires = greatest(l.expires, u.x) "
                                "FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS u(t, r, x) "
                                "WHERE l.target = u.t AND l.round = u.r AND l.holder = $4"
                              : "UPDATE probe_lease l SET expires = least(l.expires, u.x) "
                                "FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS u(t, r, x) "
                                "WHERE l.target = u.t AND l.round = u.r AND l.holder = $4",
                       p);
  if (!r) {
    return r.error();
  }
  return {};
}

}  // namespace colosla::core::pg
