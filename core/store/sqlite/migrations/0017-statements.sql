-- 16 -> 17: closed statements (docs/statements.md): one row a contract's closed month, in one
-- chain per store (seq: the close order; each digest covers the previous one's). Appended only:
-- the triggers refuse an UPDATE or a DELETE, and the chain of digests finds a change made
-- behind colosla's back (colosla statement verify). Times in Unix seconds.
CREATE TABLE statement(
  seq             INTEGER PRIMARY KEY,
  number          TEXT NOT NULL UNIQUE,
  contract        TEXT NOT NULL,
  month           TEXT NOT NULL,
  document        TEXT NOT NULL,
  closed_by       TEXT NOT NULL,
  closed_at       INTEGER NOT NULL,
  as_of           INTEGER NOT NULL,
  inputs          TEXT NOT NULL,
  previous_digest TEXT NOT NULL UNIQUE,
  digest          TEXT NOT NULL UNIQUE,
  UNIQUE(contract, month)
);
CREATE TRIGGER statement_never_updated BEFORE UPDATE ON statement
BEGIN
  SELECT RAISE(ABORT, 'a closed statement never changes');
END;
CREATE TRIGGER statement_never_deleted BEFORE DELETE ON statement
BEGIN
  SELECT RAISE(ABORT, 'a closed statement is never deleted');
END;
