-- 4 -> 5 (schema 16): the process guarantees (Articles 5-9, docs/process.md). A contract's MRTG
-- user, password hash (crypt(3), never the password), language, staff and process times as one
-- JSON object; and the record kinds of authorizations, complaints and visits, with the record a
-- follow-up refers to and their own fields.
ALTER TABLE contract ADD COLUMN process text NOT NULL DEFAULT '';

ALTER TABLE record DROP CONSTRAINT record_kind_check;
ALTER TABLE record ADD CONSTRAINT record_kind_check
  CHECK (kind IN ('exclusion', 'customer-report', 'notification', 'installation',
                  'contact-invalid', 'authorization', 'authorization-feedback',
                  'authorization-done', 'authorization-report', 'authorization-confirm',
                  'complaint', 'complaint-report', 'visit', 'visit-enter', 'visit-leave'));
ALTER TABLE record
  ADD COLUMN refers_to bigint REFERENCES record(id),
  ADD COLUMN method    text CHECK (method IN ('written', 'phone')),
  ADD COLUMN mrtg_user text NOT NULL DEFAULT '',
  ADD COLUMN accepted  boolean,
  ADD COLUMN about     text CHECK (about IN ('network', 'customer-service', 'technical-support')),
  ADD COLUMN purpose   text NOT NULL DEFAULT '',
  ADD COLUMN activity  text NOT NULL DEFAULT '',
  ADD COLUMN needs     text NOT NULL DEFAULT '',
  ADD COLUMN escort    text NOT NULL DEFAULT '',
  ADD COLUMN badge     text NOT NULL DEFAULT '';
CREATE INDEX record_refers_to ON record(refers_to) WHERE refers_to IS NOT NULL;
