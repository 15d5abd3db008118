-- 14 -> 15: the leader lease (docs/scale-out.md, "One leader"): one row a singleton (evaluate;
-- later month closing), held by one process until `expires`, by the database's clock (so that
-- the nodes' clocks need not agree), renewed by it; a process that takes it after it expired or
-- was released takes it with epoch + 1. A store told to write as a leader
-- (Leases::fence_writes) locks the row FOR SHARE in every write transaction and checks it, so
-- that a successor's takeover waits for that transaction to end.
CREATE TABLE lease(
  name    text PRIMARY KEY,
  holder  text NOT NULL,
  epoch   bigint NOT NULL,
  expires timestamptz NOT NULL
);
-- The epoch of the leader that recorded an event (NULL: recorded without a lease), and the
-- epoch of the leader that last moved a sink's cursor (the outbox's delivered-by epoch).
ALTER TABLE sla_event ADD COLUMN epoch bigint;
ALTER TABLE sink_cursor ADD COLUMN epoch bigint;
