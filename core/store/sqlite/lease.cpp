// The SQLite backend: the leader leases and the fence of a leader's writes (Leases). One machine,
// one clock: times are the caller's (`now`, the fence's clock), in Unix seconds. SQLite has one
// writer at a time, so a takeover (a write) waits for a fenced write transaction to end.
#include "lease_fence.hpp"
#include "sqlite/sql.hpp"
#include "sqlite/sqlite_store.hpp"

namespace colosla::core::sqlite {

namespace {

Lease lease_of(Stmt& s, const std::string& name, Timestamp now) {
  Lease l;
  l.name = name;
  l.holder = s.str(0);
  l.epoch = s.i64(1);
  l.expires = s.time(2);
  l.remaining = std::chrono::duration_cast<std::chrono::milliseconds>(l.expires - now);
  return l;
}

}  // namespace

Result<Lease> SqliteStore::acquire_lease(const std::string& name, const std::string& holder,
                                         std::chrono::seconds ttl, Timestamp now) {
  // One statement: taken when new, expired or released (epoch + 1), renewed when this holder
  // holds it; else left as it is (no row returned).
  Stmt& take = impl_->prepared(
      "INSERT INTO lease(name, holder, epoch, expires) VALUES (?1, ?2, 1, ?3 + ?4) "
      "ON CONFLICT(name) DO UPDATE SET "
      "epoch = CASE WHEN lease.holder = excluded.holder AND lease.expires > ?3 THEN lease.epoch "
      "ELSE lease.epoch + 1 END, holder = excluded.holder, expires = excluded.expires "
      "WHERE lease.expires <= ?3 OR lease.holder = excluded.holder "
      "RETURNING holder, epoch, expires");
  if (!take.ok()) {
    return take.error();
  }
  take.bind(1, name).bind(2, holder).bind(3, now).bind(4, static_cast<std::int64_t>(ttl.count()));
  const int rc = take.step();
  std::optional<Lease> got;
  if (rc == SQLITE_ROW) {
    got = lease_of(take, name, now);
    take.step();  // to its end, so that the statement is done
  }
  take.reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return sql_error(impl_->db, "taking the lease " + name);
  }
  if (got) {
    return *got;
  }
  auto held = lease(name, now);  // someone else holds it
  if (!held) {
    return held.error();
  }
  if (!*held) {
    return make_error(Errc::store, "the lease vanished while it was taken", name);
  }
  return **held;
}

Result<bool> SqliteStore::release_lease(const std::string& name, const std::string& holder,
                                        std::int64_t epoch, Timestamp /*now*/) {
  Stmt& s = impl_->prepared(
      "UPDATE lease SET expires = 0 WHERE name = ? AND holder = ? AND epoch = ? AND expires > 0");
  if (!s.ok()) {
    return s.error();
  }
  if (auto r = s.bind(1, name).bind(2, holder).bind(3, epoch).exec(); !r) {
    return r.error();
  }
  return sqlite3_changes(impl_->db) > 0;
}

Result<std::optional<Lease>> SqliteStore::lease(const std::string& name, Timestamp now) const {
  Stmt& s = impl_->prepared("SELECT holder, epoch, expires FROM lease WHERE name = ?");
  if (!s.ok()) {
    return s.error();
  }
  s.bind(1, name);
  const int rc = s.step();
  std::optional<Lease> out;
  if (rc == SQLITE_ROW) {
    out = lease_of(s, name, now);
  }
  s.reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return sql_error(impl_->db, "reading the lease " + name);
  }
  return out;
}

Result<void> SqliteStore::fence_writes(std::optional<LeaseFence> fence) {
  impl_->fence = std::move(fence);
  return {};
}

Result<void> SqliteStore::Impl::check_fence() {
  if (!fence) {
    return {};
  }
  static const SystemClock system;
  const Timestamp now = (fence->clock != nullptr ? fence->clock : &system)->now();
  // Inside write()'s BEGIN IMMEDIATE: no other writer can take the lease until this commits.
  Stmt& s = prepared("SELECT holder, epoch, expires FROM lease WHERE name = ?");
  if (!s.ok()) {
    return s.error();
  }
  s.bind(1, fence->name);
  const int rc = s.step();
  std::optional<Lease> row;
  if (rc == SQLITE_ROW) {
    row = lease_of(s, fence->name, now);
  }
  s.reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return sql_error(db, "checking the lease " + fence->name);
  }
  if (auto broken = fence_broken(*fence, row)) {
    return *broken;
  }
  return {};
}

}  // namespace colosla::core::sqlite
