// The SQLite backend: port index, evidence, counters (ReceiverState).
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

// -- what the receiver and the poller keep ---------------------------------------------------

Result<void> SqliteStore::save_port_index(const std::string& device,
                                          const std::vector<PortName>& ports, Timestamp walked) {
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

Result<std::map<std::string, std::map<std::int64_t, std::string>>> SqliteStore::port_index() const {
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

Result<std::size_t> SqliteStore::add_evidence(const std::vector<TrapEvidence>& items) {
  std::size_t n = 0;
  auto r = write([&]() -> Result<void> {
    Stmt& s = impl_->prepared(
        "INSERT INTO evidence(received, device, origin, trap_oid, reason, text, trap_digest, "
        "trap_bucket, trap_near) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s.ok()) {
      return s.error();
    }
    for (const auto& e : items) {
      s.bind(1, e.received).bind(2, e.device).bind(3, e.origin).bind(4, e.trap_oid);
      s.bind(5, e.reason).bind(6, e.text).bind_trap(7, e.trap);
      if (auto x = s.exec(); !x) {
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

Result<std::vector<TrapEvidence>> SqliteStore::evidence_after(std::int64_t after,
                                                              std::size_t limit) const {
  Stmt s(impl_->db,
         "SELECT id, received, device, origin, trap_oid, reason, text, trap_digest, trap_bucket, "
         "trap_near FROM evidence WHERE id > ? ORDER BY id LIMIT ?");
  if (!s.ok()) {
    return s.error();
  }
  s.bind(1, after).bind(2, static_cast<std::int64_t>(limit));
  std::vector<TrapEvidence> out;
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    TrapEvidence e{s.time(1), s.str(2), s.str(3), s.str(4), s.str(5), s.str(6), std::nullopt, 0};
    e.id = s.i64(0);
    e.trap = s.trap(7);
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) {
    return s.step_error();
  }
  return out;
}

Result<void> SqliteStore::add_counters(const std::map<std::string, std::int64_t>& deltas,
                                       Timestamp at) {
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

Result<std::vector<CounterValue>> SqliteStore::counters() const {
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

}  // namespace colosla::core::sqlite
