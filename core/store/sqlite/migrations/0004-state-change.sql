-- 3 -> 4: the state changes the SLA engine reads move from an index on observation, which
-- every stored trap updated in place (one page rewritten per flapping port per commit), to a
-- table of their own that observations are merged into in sorted runs.
DROP INDEX observation_history;
CREATE TABLE state_change(
  entity INTEGER NOT NULL,
  time   INTEGER NOT NULL,
  seq    INTEGER NOT NULL,  -- observation.seq
  state  TEXT NOT NULL,
  PRIMARY KEY (entity, time, seq)
) WITHOUT ROWID;
INSERT INTO state_change SELECT entity, time, seq, state FROM observation ORDER BY entity, time, seq;
-- Observations up to this seq are in state_change; readers add the ones after it.
CREATE TABLE state_change_merged(
  one INTEGER PRIMARY KEY CHECK (one = 1),
  seq INTEGER NOT NULL
);
INSERT INTO state_change_merged VALUES (1, (SELECT coalesce(max(seq), 0) FROM observation));
