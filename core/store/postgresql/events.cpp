// The PostgreSQL backend: the event log and the sinks' cursors (EventLog).
//
// Each occurrence once by its key across writers and restarts: the key is unique, and a batch
// is inserted in one statement with ON CONFLICT DO NOTHING, so that of two writers recording the
// same key the second waits for the first to commit and then skips it. Readers follow the event
// ids by the watermark of watermark.hpp.
#include <algorithm>
#include <map>
#include <optional>

#include "postgresql/pg_store.hpp"
#include "postgresql/watermark.hpp"

namespace colosla::core::pg {

Result<std::vector<std::pair<std::size_t, std::int64_t>>> PgStore::record_events(
    const std::vector<NewEvent>& events, Timestamp recorded, const EventBody& make_body) {
  std::vector<std::pair<std::size_t, std::int64_t>> fresh;
  if (events.empty()) {
    return fresh;
  }
  auto r = write([&]() -> Result<void> {
    std::vector<std::string> keys;
    std::vector<std::string> kinds;
    std::vector<std::string> contracts;
    std::vector<std::int64_t> times;
    for (const auto& e : events) {
      keys.push_back(e.key);
      kinds.push_back(e.kind);
      contracts.push_back(e.contract);
      times.push_back(static_cast<std::int64_t>(e.time.time_since_epoch().count()));
    }
    COLOSLA_TRY(claim_ids(*impl_->conn, IdLog::events));
    // Ids taken in the order of `events` (the subquery, scanned in order), rows inserted in the
    // order of their keys: two writers recording overlapping keys wait for each other in one
    // order, never in a cycle (a deadlock). A key seen before (or twice in the batch) is skipped,
    // the first of a batch kept.
    Params p;
    p.add(text_array(keys)).add(text_array(kinds)).add(text_array(contracts));
    p.add(int_array(times)).add(recorded);
    if (const auto epoch = impl_->epoch()) {
      p.add(*epoch);  // the leader that records them (fence_writes)
    } else {
      p.null();
    }
    auto added = impl_->exec(
        "INSERT INTO sla_event(id, key, kind, contract, time, recorded, body, epoch) "
        "SELECT x.id, x.key, x.kind, x.contract, x.time, $5, '', $6::bigint FROM "
        "(SELECT nextval('sla_event_id_seq') AS id, u.* FROM unnest($1::text[], $2::text[], "
        "$3::text[], $4::bigint[]) WITH ORDINALITY AS u(key, kind, contract, time, n) OFFSET 0) x "
        "ORDER BY x.key, x.n ON CONFLICT (key) DO NOTHING RETURNING id, key",
        p);
    if (!added) {
      return added.error();
    }
    std::map<std::string, std::int64_t> id_of;
    for (int i = 0; i < added->size(); ++i) {
      id_of.emplace(added->str(i, 1), added->integer(i, 0));
    }
    // The new ones by index (a key twice in the batch: its first index).
    std::vector<std::int64_t> causes;
    for (std::size_t i = 0; i < events.size(); ++i) {
      const auto it = id_of.find(events[i].key);
      if (it != id_of.end()) {
        fresh.emplace_back(i, it->second);
        id_of.erase(it);
        if (events[i].cause_observation != 0) {
          causes.push_back(events[i].cause_observation);
        }
      }
    }
    if (fresh.empty()) {
      return {};
    }
    // The entities of the cause observations, in one statement.
    std::map<std::int64_t, EntityId> cause_of;
    if (!causes.empty()) {
      Params c;
      c.add(int_array(causes));
      auto rows = impl_->exec(
          "SELECT o.seq, e.kind, e.device, e.item FROM observation o "
          "JOIN entity e ON e.id = o.entity WHERE o.seq = ANY($1::bigint[])",
          c);
      if (!rows) {
        return rows.error();
      }
      for (int i = 0; i < rows->size(); ++i) {
        if (auto kind = parse_entity_kind(rows->text(i, 1))) {
          cause_of.emplace(rows->integer(i, 0), EntityId{*kind, rows->str(i, 2), rows->str(i, 3)});
        }
      }
    }
    std::vector<std::int64_t> ids;
    std::vector<std::string> bodies;
    for (const auto& [index, id] : fresh) {
      std::optional<EntityId> entity;
      if (const auto it = cause_of.find(events[index].cause_observation); it != cause_of.end()) {
        entity = it->second;
      }
      ids.push_back(id);
      bodies.push_back(make_body(index, id, entity));
    }
    Params b;
    b.add(int_array(ids)).add(text_array(bodies));
    auto set = impl_->exec(
        "UPDATE sla_event SET body = u.body FROM unnest($1::bigint[], $2::text[]) AS u(id, body) "
        "WHERE sla_event.id = u.id",
        b);
    if (!set) {
      return set.error();
    }
    return {};
  });
  if (!r) {
    return r.error();
  }
  return fresh;
}

Result<std::vector<std::pair<std::int64_t, std::string>>> PgStore::events_after(
    std::int64_t after_id) const {
  // The watermark first, then the events up to it in a later snapshot (watermark.hpp).
  auto marks = impl_->marks();
  if (!marks) {
    return marks.error();
  }
  std::vector<std::pair<std::int64_t, std::string>> out;
  if (marks->event <= after_id) {
    return out;
  }
  Params p;
  p.add(after_id).add(marks->event);
  auto rows =
      impl_->exec("SELECT id, body FROM sla_event WHERE id > $1 AND id <= $2 ORDER BY id", p);
  if (!rows) {
    return rows.error();
  }
  out.reserve(static_cast<std::size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    out.emplace_back(rows->integer(i, 0), rows->str(i, 1));
  }
  return out;
}

Result<std::int64_t> PgStore::sink_cursor(const std::string& sink) const {
  Params p;
  p.add(sink);
  auto rows = impl_->exec("SELECT last_id FROM sink_cursor WHERE sink = $1", p);
  if (!rows) {
    return rows.error();
  }
  return rows->empty() ? std::int64_t{0} : rows->integer(0, 0);
}

Result<std::vector<std::pair<std::int64_t, std::string>>> PgStore::undelivered(
    const std::string& sink) const {
  auto cursor = sink_cursor(sink);
  if (!cursor) {
    return cursor.error();
  }
  return events_after(*cursor);
}

Result<void> PgStore::set_sink_cursor(const std::string& sink, std::int64_t last_id) {
  // Through write(): a leader's cursor moves only while its lease holds (fence_writes), and
  // records the epoch that delivered (the outbox's delivered-by epoch).
  return write([&]() -> Result<void> {
    Params p;
    p.add(sink).add(last_id);
    if (const auto epoch = impl_->epoch()) {
      p.add(*epoch);
    } else {
      p.null();
    }
    auto r = impl_->exec(
        "INSERT INTO sink_cursor(sink, last_id, epoch) VALUES ($1, $2, $3::bigint) "
        "ON CONFLICT (sink) DO UPDATE SET last_id = excluded.last_id, epoch = excluded.epoch",
        p);
    if (!r) {
      return r.error();
    }
    return {};
  });
}

}  // namespace colosla::core::pg
