-- 5 -> 6: check_colosla reads one contract's records.
CREATE INDEX record_by_contract ON record(contract);
