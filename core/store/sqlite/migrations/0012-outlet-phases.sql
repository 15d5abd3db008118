-- 11 -> 12: which input phase feeds each outlet of a PDU, as the inventory's device outlet list
-- gives it: a JSON object, outlet name to phase ({"1":1,"2":2}); empty when it gives none.
ALTER TABLE device ADD COLUMN outlet_phases TEXT NOT NULL DEFAULT '';
