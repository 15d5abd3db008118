// The SQLite backend: the event log and the contracts' figures (EventLog, StatusCache).
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

Result<std::optional<std::pair<Timestamp, std::string>>> SqliteStore::contract_status(
    const std::string& contract) const {
  // Its own time, or the last evaluation's when that judged everything unchanged since.
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

Result<void> SqliteStore::save_contract_statuses(
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

Result<void> SqliteStore::update_contract_statuses(
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
      COLOSLA_TRY(s.bind(1, contract).bind(2, computed_at).bind(3, status).exec());
    }
    return impl_->mark_evaluated(computed_at);
  });
}

Result<void> SqliteStore::Impl::mark_evaluated(Timestamp at) {
  Stmt& s = prepared(
      "INSERT INTO evaluation(id, at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET at = "
      "excluded.at");
  if (!s.ok()) {
    return s.error();
  }
  return s.bind(1, at).exec();
}

Result<InputMarks> SqliteStore::input_marks() const {
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

Result<std::vector<std::pair<std::size_t, std::int64_t>>> SqliteStore::record_events(
    const std::vector<NewEvent>& events, Timestamp recorded, const EventBody& make_body) {
  std::vector<std::pair<std::size_t, std::int64_t>> fresh;
  auto r = write([&]() -> Result<void> {
    Stmt& add = impl_->prepared(
        "INSERT INTO sla_event(key, kind, contract, time, recorded, body, epoch) "
        "VALUES (?, ?, ?, ?, ?, '', ?) ON CONFLICT(key) DO NOTHING RETURNING id");
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
      if (const auto epoch = impl_->epoch()) {
        add.bind(6, *epoch);  // the leader that recorded it (fence_writes)
      } else {
        add.bind_null(6);
      }
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

Result<std::vector<std::pair<std::int64_t, std::string>>> SqliteStore::events_after(
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

Result<std::int64_t> SqliteStore::sink_cursor(const std::string& sink) const {
  Stmt s(impl_->db, "SELECT last_id FROM sink_cursor WHERE sink = ?");
  if (!s.ok()) {
    return s.error();
  }
  s.bind(1, sink);
  return s.step() == SQLITE_ROW ? s.i64(0) : std::int64_t{0};
}

Result<std::vector<std::pair<std::int64_t, std::string>>> SqliteStore::undelivered(
    const std::string& sink) const {
  auto cursor = sink_cursor(sink);
  if (!cursor) {
    return cursor.error();
  }
  return events_after(*cursor);
}

Result<void> SqliteStore::set_sink_cursor(const std::string& sink, std::int64_t last_id) {
  return write([&]() -> Result<void> {
    Stmt& s = impl_->prepared(
        "INSERT INTO sink_cursor(sink, last_id, epoch) VALUES (?, ?, ?) ON CONFLICT(sink) DO "
        "UPDATE SET last_id = excluded.last_id, epoch = excluded.epoch");
    if (!s.ok()) {
      return s.error();
    }
    s.bind(1, sink).bind(2, last_id);
    if (const auto epoch = impl_->epoch()) {
      s.bind(3, *epoch);  // delivered by this leader (fence_writes)
    } else {
      s.bind_null(3);
    }
    return s.exec();
  });
}

}  // namespace colosla::core::sqlite
