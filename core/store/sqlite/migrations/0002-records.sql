-- 1 -> 2: the records of the SLA engine.
CREATE TABLE record(
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('exclusion', 'customer-report', 'notification',
                                            'installation', 'contact-invalid')),
  retraction  INTEGER NOT NULL DEFAULT 0,
  supersedes  INTEGER REFERENCES record(id),
  contract    TEXT NOT NULL,
  at          INTEGER NOT NULL,
  until       INTEGER,
  guarantee   TEXT CHECK (guarantee IN ('network', 'power')),
  reason      TEXT,
  channel     TEXT,
  contact     TEXT NOT NULL DEFAULT '',
  approved_by TEXT NOT NULL DEFAULT '',
  entered_by  TEXT NOT NULL,
  entered_at  INTEGER NOT NULL,
  note        TEXT NOT NULL DEFAULT '',
  CHECK (until IS NULL OR until > at)
);
CREATE UNIQUE INDEX record_supersedes ON record(supersedes) WHERE supersedes IS NOT NULL;
CREATE INDEX record_contract ON record(kind, contract);
