-- 12 -> 13: a trap observation's identity (colosla/ingest/trap_key.hpp: TrapIdentity), computed
-- by the receiver when it commits the trap: the 32-byte SHA-256 digest of what the device said,
-- and the bucket of the device's boot time and the adjacent one nearer to it. A shipper's copies
-- to a shared PostgreSQL store are kept once there by the keys made of them, however many
-- receivers ship the trap. NULL for every other source.
ALTER TABLE observation ADD COLUMN trap_digest BLOB;
ALTER TABLE observation ADD COLUMN trap_bucket INTEGER;
ALTER TABLE observation ADD COLUMN trap_near INTEGER;
