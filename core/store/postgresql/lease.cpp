// The PostgreSQL backend: the leader leases and the fence of a leader's writes (Leases). Times
// are the database's (clock_timestamp(): the time of the statement's evaluation, not of its
// transaction's start, which a statement that waited for a lock would have stale), so that the
// nodes' clocks need not agree; `now` is not used.
#include "lease_fence.hpp"
#include "postgresql/pg_store.hpp"

namespace colosla::core::pg {

namespace {

// The columns every lease query returns, in this order.
constexpr const char* kColumns =
    "holder, epoch, floor(extract(epoch FROM expires))::bigint, "
    "floor(extract(epoch FROM expires - clock_timestamp()) * 1000)::bigint";

Lease lease_of(const Rows& rows, const std::string& name) {
  Lease l;
  l.name = name;
  l.holder = rows.str(0, 0);
  l.epoch = rows.integer(0, 1);
  l.expires = rows.time(0, 2);
  l.remaining = std::chrono::milliseconds{rows.integer(0, 3)};
  return l;
}

}  // namespace

Result<Lease> PgStore::acquire_lease(const std::string& name, const std::string& holder,
                                     std::chrono::seconds ttl, Timestamp now) {
  // Read first, without a lock: a lease someone else holds is left alone, and the caller does not
  // wait for its holder's transaction (the takeover below waits, as it must, for a fenced write).
  auto current = lease(name, now);
  if (!current) {
    return current.error();
  }
  if (*current && (*current)->held() && (*current)->holder != holder) {
    return **current;
  }
  // One statement: taken when new, expired or released (epoch + 1), renewed when this holder
  // holds it. ON CONFLICT locks the row and judges the WHERE on its latest version: of two
  // takers, the second sees the first's lease and takes nothing (no row returned).
  Params p;
  p.add(name).add(holder).add(static_cast<std::int64_t>(ttl.count()));
  auto rows = impl_->exec(
      std::string("INSERT INTO lease AS l(name, holder, epoch, expires) "
                  "VALUES ($1, $2, 1, clock_timestamp() + $3 * interval '1 second') "
                  "ON CONFLICT (name) DO UPDATE SET "
                  "epoch = CASE WHEN l.holder = excluded.holder AND l.expires > clock_timestamp() "
                  "THEN l.epoch ELSE l.epoch + 1 END, holder = excluded.holder, "
                  "expires = clock_timestamp() + $3 * interval '1 second' "
                  "WHERE l.expires <= clock_timestamp() OR l.holder = excluded.holder "
                  "RETURNING ") +
          kColumns,
      p);
  if (!rows) {
    return make_error(Errc::store, "taking the lease " + name + ": " + rows.error().msg,
                      impl_->shown);
  }
  if (!rows->empty()) {
    return lease_of(*rows, name);
  }
  auto held = lease(name, now);  // someone else took it first
  if (!held) {
    return held.error();
  }
  if (!*held) {
    return make_error(Errc::store, "the lease " + name + " vanished while it was taken",
                      impl_->shown);
  }
  return **held;
}

Result<bool> PgStore::release_lease(const std::string& name, const std::string& holder,
                                    std::int64_t epoch, Timestamp /*now*/) {
  Params p;
  p.add(name).add(holder).add(epoch);
  auto rows = impl_->exec(
      "UPDATE lease SET expires = to_timestamp(0) WHERE name = $1 AND holder = $2 AND epoch = $3 "
      "AND expires > clock_timestamp()",
      p);
  if (!rows) {
    return make_error(Errc::store, "releasing the lease " + name + ": " + rows.error().msg,
                      impl_->shown);
  }
  return rows->affected() > 0;
}

Result<std::optional<Lease>> PgStore::lease(const std::string& name, Timestamp /*now*/) const {
  Params p;
  p.add(name);
  auto rows = impl_->exec(std::string("SELECT ") + kColumns + " FROM lease WHERE name = $1", p);
  if (!rows) {
    return make_error(Errc::store, "reading the lease " + name + ": " + rows.error().msg,
                      impl_->shown);
  }
  if (rows->empty()) {
    return std::optional<Lease>{};
  }
  return std::optional<Lease>{lease_of(*rows, name)};
}

Result<void> PgStore::fence_writes(std::optional<LeaseFence> fence) {
  impl_->fence = std::move(fence);
  return impl_->limit_idle_transactions();
}

Result<void> PgStore::Impl::limit_idle_transactions() {
  // A leader's write transaction holds the lease row's lock, which a successor's takeover waits
  // for; a leader stopped inside one (SIGSTOP, a hung sink) is cut off by the server after the
  // lease's length, its transaction rolled back. (conn->exec: called from revive().)
  // Without a fence, the server's (or the role's) own setting again.
  const std::string sql =
      fence ? "SET idle_in_transaction_session_timeout = " +
                  std::to_string(std::max<std::int64_t>(1, fence->ttl.count()) * 1000)
            : std::string("RESET idle_in_transaction_session_timeout");
  if (auto r = conn->exec(sql); !r) {
    return make_error(Errc::store, r.error().msg, shown);
  }
  return {};
}

Result<void> PgStore::Impl::check_fence() {
  if (!fence) {
    return {};
  }
  // FOR SHARE: a takeover's UPDATE of the row waits until this transaction ends; a takeover
  // committed before is seen (READ COMMITTED re-reads a row it waited for).
  Params p;
  p.add(fence->name);
  auto rows =
      conn->exec(std::string("SELECT ") + kColumns + " FROM lease WHERE name = $1 FOR SHARE", p);
  if (!rows) {
    return make_error(Errc::store, "checking the lease " + fence->name + ": " + rows.error().msg,
                      shown);
  }
  std::optional<Lease> row;
  if (!rows->empty()) {
    row = lease_of(*rows, fence->name);
  }
  if (auto broken = fence_broken(*fence, row)) {
    return *broken;
  }
  return {};
}

}  // namespace colosla::core::pg
