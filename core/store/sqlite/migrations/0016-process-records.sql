-- 15 -> 16: the process guarantees (Articles 5-9, docs/process.md). A contract's MRTG user,
-- password hash (crypt(3), never the password), language, staff and process times as one JSON
-- object; and the record kinds of authorizations, complaints and visits, with the record a
-- follow-up refers to and their own fields. SQLite cannot change a CHECK: the table is copied.
ALTER TABLE contract ADD COLUMN process TEXT NOT NULL DEFAULT '';

CREATE TABLE record_new(
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('exclusion', 'customer-report', 'notification',
                                            'installation', 'contact-invalid',
                                            'authorization', 'authorization-feedback',
                                            'authorization-done', 'authorization-report',
                                            'authorization-confirm', 'complaint',
                                            'complaint-report', 'visit', 'visit-enter',
                                            'visit-leave')),
  retraction  INTEGER NOT NULL DEFAULT 0,
  supersedes  INTEGER REFERENCES record_new(id),
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
  refers_to   INTEGER REFERENCES record_new(id),
  method      TEXT CHECK (method IN ('written', 'phone')),
  mrtg_user   TEXT NOT NULL DEFAULT '',
  accepted    INTEGER,
  about       TEXT CHECK (about IN ('network', 'customer-service', 'technical-support')),
  purpose     TEXT NOT NULL DEFAULT '',
  activity    TEXT NOT NULL DEFAULT '',
  needs       TEXT NOT NULL DEFAULT '',
  escort      TEXT NOT NULL DEFAULT '',
  badge       TEXT NOT NULL DEFAULT '',
  CHECK (until IS NULL OR until > at)
);
INSERT INTO record_new(id, kind, retraction, supersedes, contract, at, until, guarantee, reason,
                       channel, contact, approved_by, entered_by, entered_at, note)
  SELECT id, kind, retraction, supersedes, contract, at, until, guarantee, reason, channel,
         contact, approved_by, entered_by, entered_at, note FROM record;
DROP TABLE record;
ALTER TABLE record_new RENAME TO record;
CREATE UNIQUE INDEX record_supersedes ON record(supersedes) WHERE supersedes IS NOT NULL;
CREATE INDEX record_contract ON record(kind, contract);
CREATE INDEX record_by_contract ON record(contract);
CREATE INDEX record_refers_to ON record(refers_to) WHERE refers_to IS NOT NULL;
