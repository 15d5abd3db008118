#pragma once

// The watermarks of the two logs whose ids readers follow (observation seq, event id), with
// several writers at once (store.hpp "Cursors", docs/store.md). Private to core/store.
//
// A writer claims, once per transaction and before it takes its first id from a log's
// sequence, the next value of that sequence: a transaction-level shared advisory lock whose
// key is that value (in the log's own key range). Every id the transaction takes is at or above
// its claim, and the claim is held until the transaction has committed or rolled back (and its
// rows are visible to any later snapshot: PostgreSQL releases locks after it marks the
// transaction finished). A reader reads the sequence's last value, then the claims held
// (pg_locks), in that order: the watermark is the lower of that last value and the lowest claim
// minus one. Shared locks never wait for each other, so writers run in parallel; the cost is
// one short statement per writing transaction and one scan of the lock table per reader.
#include <cstdint>

#include "colosla/base/result.hpp"
#include "postgresql/pq.hpp"

namespace colosla::core::pg {

/// The logs followed by a watermark.
enum class IdLog { observations, events };

/// Both logs' watermarks, read at one moment.
struct Watermarks {
  std::int64_t observation = 0;
  std::int64_t event = 0;
};

/// Claims the log's next id for the open transaction (a no-op when it claimed it already).
/// Call inside the writing transaction before any id of that log is taken.
Result<void> claim_ids(Connection& c, IdLog log);

/// Both watermarks now. A reader must read the rows up to them in a snapshot taken after this
/// returns (a later statement in READ COMMITTED, or a REPEATABLE READ transaction begun after).
Result<Watermarks> watermarks(Connection& c);

}  // namespace colosla::core::pg
