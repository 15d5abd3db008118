-- 9 -> 10: the inventory's secrets sealed (secrets.hpp), in the device rows and in each
-- document (done by seal_clear_secrets, which needs the key); a keyed digest of each
-- document tells whether a file loaded again is the same.
ALTER TABLE inventory_version ADD COLUMN digest TEXT NOT NULL DEFAULT '';
