-- 8 -> 9: how far each event sink has delivered (the last event-id it took).
CREATE TABLE sink_cursor(
  sink    TEXT PRIMARY KEY,
  last_id INTEGER NOT NULL
) WITHOUT ROWID;
