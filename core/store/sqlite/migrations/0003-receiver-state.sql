-- 2 -> 3: what the trap receiver and the poller keep.
CREATE TABLE port_index(
  device    TEXT NOT NULL,
  if_index  INTEGER NOT NULL,
  if_name   TEXT NOT NULL,
  if_alias  TEXT NOT NULL DEFAULT '',
  walked    INTEGER NOT NULL,
  PRIMARY KEY (device, if_index)
);
CREATE TABLE evidence(
  id       INTEGER PRIMARY KEY,
  received INTEGER NOT NULL,
  device   TEXT NOT NULL,
  origin   TEXT NOT NULL,
  trap_oid TEXT NOT NULL,
  reason   TEXT NOT NULL,
  text     TEXT NOT NULL
);
CREATE INDEX evidence_received ON evidence(received);
CREATE TABLE counter(
  name    TEXT PRIMARY KEY,
  value   INTEGER NOT NULL,
  updated INTEGER NOT NULL
);
