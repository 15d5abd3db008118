#include "postgresql/watermark.hpp"

#include "postgresql/pg_store.hpp"

namespace colosla::core::pg {

namespace {

// Advisory lock keys (bigint form, pg_locks.objsubid = 1): the log's range in the top 16 bits
// ("OB", "EV"), the claimed id in the low 48. colosla takes no other advisory lock in them.
constexpr const char* kObservationRange = "20290";  // 0x4F42
constexpr const char* kEventRange = "17750";        // 0x4556

std::string claim_sql(const char* range, const char* sequence, const char* setting) {
  // The next value nextval will give (the sequence caches none: CACHE 1), claimed at most once
  // per transaction: the setting is local to the transaction (and to a savepoint rolled back,
  // with the lock).
  return std::string("SELECT pg_advisory_xact_lock_shared((") + range +
         "::bigint << 48) | CASE WHEN is_called THEN last_value + 1 ELSE last_value END), "
         "set_config('" +
         setting + "', 'held', true) FROM " + sequence + " WHERE coalesce(current_setting('" +
         setting + "', true), '') <> 'held'";
}

}  // namespace

Result<void> claim_ids(Connection& c, IdLog log) {
  static const std::string observations =
      claim_sql(kObservationRange, "observation_seq_seq", "colosla.observation_claim");
  static const std::string events =
      claim_sql(kEventRange, "sla_event_id_seq", "colosla.event_claim");
  auto r = c.exec(log == IdLog::observations ? observations : events, Params{});
  if (!r) {
    return r.error();
  }
  return {};
}

Result<Watermarks> watermarks(Connection& c) {
  // The sequences first (s, one row), then the claims (a subquery that refers to s, so run after
  // it): an id at or below the sequence's last value was taken under a claim taken before it,
  // which is still in pg_locks unless its transaction has finished.
  static const std::string sql =
      std::string(
          "SELECT least(s.o, l.o - 1), least(s.e, l.e - 1) FROM "
          "(SELECT (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END "
          "FROM observation_seq_seq) AS o, "
          "(SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END "
          "FROM sla_event_id_seq) AS e OFFSET 0) s "
          "CROSS JOIN LATERAL (SELECT min(k & 281474976710655) FILTER (WHERE k >> 48 = ") +
      kObservationRange +
      ") AS o, min(k & 281474976710655) FILTER (WHERE k >> 48 = " + kEventRange +
      ") AS e FROM (SELECT (l.classid::bigint << 32) | l.objid::bigint AS k FROM pg_locks l "
      "WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND s.o IS NOT NULL "
      "AND s.e IS NOT NULL "
      "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())) c) l";
  auto r = c.exec(sql, Params{});
  if (!r) {
    return r.error();
  }
  if (r->size() != 1) {
    return make_error(Errc::store, "the watermark query returned no row");
  }
  return Watermarks{r->integer(0, 0), r->integer(0, 1)};
}

Result<Watermarks> PgStore::Impl::marks() {
  if (snapshot_marks) {
    return *snapshot_marks;  // read() read them before its snapshot
  }
  // Outside read(): a later statement of this connection has a later snapshot (autocommit, or
  // a write() in READ COMMITTED). Connected again first when the server dropped the connection,
  // as every statement is (revive).
  if (auto r = revive(); !r) {
    return r.error();
  }
  return watermarks(*conn);
}

}  // namespace colosla::core::pg
