-- 14 -> 15: the leader lease (docs/scale-out.md, "One leader"): one row a singleton (evaluate;
-- later month closing), held by one process until `expires` (Unix seconds), renewed by it; a
-- process that takes it after it expired or was released takes it with epoch + 1. A store told
-- to write as a leader (Leases::fence_writes) checks the row in every write transaction.
CREATE TABLE lease(
  name    TEXT PRIMARY KEY,
  holder  TEXT NOT NULL,
  epoch   INTEGER NOT NULL,
  expires INTEGER NOT NULL
) WITHOUT ROWID;
-- The epoch of the leader that recorded an event (NULL: recorded without a lease), and the
-- epoch of the leader that last moved a sink's cursor (the outbox's delivered-by epoch).
ALTER TABLE sla_event ADD COLUMN epoch INTEGER;
ALTER TABLE sink_cursor ADD COLUMN epoch INTEGER;
