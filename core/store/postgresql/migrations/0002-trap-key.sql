-- 12 -> 13: what makes a shipped observation stored once (colosla ship, docs/scale-out.md).
-- A trap observation carries its trap's identity as the receiver computed it
-- (colosla/ingest/trap_key.hpp: the digest, the boot-time bucket and the adjacent one nearer to
-- it), and PostgreSQL makes its key and neighbour of it: SHA-256 of the digest and the bucket
-- as 8 bytes big-endian. A copy is not stored when a row of the same entity has its key, or has
-- its neighbour as key and its key as neighbour. Any shipped observation carries where it was
-- shipped from (a receiver's local store) and its seq there, so that a batch shipped twice (a
-- crash between PostgreSQL's commit and the local watermark) is stored once. NULL for what was
-- written here directly without an identity.
ALTER TABLE observation ADD COLUMN trap_digest bytea;
ALTER TABLE observation ADD COLUMN trap_bucket bigint;
ALTER TABLE observation ADD COLUMN trap_near bigint;
ALTER TABLE observation ADD COLUMN trap_key bytea
  GENERATED ALWAYS AS (sha256(trap_digest || int8send(trap_bucket))) STORED;
ALTER TABLE observation ADD COLUMN trap_neighbour bytea
  GENERATED ALWAYS AS (sha256(trap_digest || int8send(trap_near))) STORED;
ALTER TABLE observation ADD COLUMN shipped_from text;
ALTER TABLE observation ADD COLUMN shipped_seq bigint;
CREATE UNIQUE INDEX observation_trap ON observation(trap_key, entity) WHERE trap_key IS NOT NULL;
CREATE UNIQUE INDEX observation_shipped ON observation(shipped_from, shipped_seq)
  WHERE shipped_from IS NOT NULL;
