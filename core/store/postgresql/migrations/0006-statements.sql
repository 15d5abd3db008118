-- 5 -> 6 (schema 17): closed statements (docs/statements.md): one row a contract's closed month, in one
-- chain per store (seq: the close order; each digest covers the previous one's). Appended only:
-- the trigger refuses an UPDATE or a DELETE (TRUNCATE too), and the chain of digests finds a
-- change made behind colosla's back (colosla statement verify). Times in Unix seconds (bigint),
-- as SQLite keeps them.
CREATE TABLE statement(
  seq             bigint PRIMARY KEY,
  number          text NOT NULL UNIQUE,
  contract        text NOT NULL,
  month           text NOT NULL,
  document        text NOT NULL,
  closed_by       text NOT NULL,
  closed_at       bigint NOT NULL,
  as_of           bigint NOT NULL,
  inputs          text NOT NULL,
  previous_digest text NOT NULL UNIQUE,
  digest          text NOT NULL UNIQUE,
  UNIQUE(contract, month)
);
CREATE FUNCTION statement_never_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a closed statement never changes (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER statement_never_changes BEFORE UPDATE OR DELETE ON statement
  FOR EACH ROW EXECUTE FUNCTION statement_never_changes();
CREATE TRIGGER statement_never_truncated BEFORE TRUNCATE ON statement
  FOR EACH STATEMENT EXECUTE FUNCTION statement_never_changes();
