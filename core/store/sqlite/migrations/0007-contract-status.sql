-- 6 -> 7: each contract's figures as `colosla evaluate` last computed them, for
-- check_colosla's fast path.
CREATE TABLE contract_status(
  contract    TEXT PRIMARY KEY,
  computed_at INTEGER NOT NULL,  -- when (wall clock) colosla evaluate computed it
  status      TEXT NOT NULL      -- the figures as JSON (judge.hpp: ContractStatus)
) WITHOUT ROWID;
