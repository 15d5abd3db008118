-- 12 -> 13: a trap observation's identity (colosla/ingest/trap_key.hpp), computed by the
-- receiver when it commits the trap, so that a shipper's copy of it to a shared PostgreSQL store
-- is kept once there however many receivers ship it; NULL for every other source.
ALTER TABLE observation ADD COLUMN trap_key TEXT;
ALTER TABLE observation ADD COLUMN trap_neighbour TEXT;
