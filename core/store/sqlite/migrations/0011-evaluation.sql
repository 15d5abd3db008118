-- 10 -> 11: when the last evaluation ran. Every contract's stored figures are what it would have
-- stored (one that judges again only the contracts that can have changed rewrites only their
-- rows): a figure's age is from the later of its row's computed_at and this.
CREATE TABLE evaluation(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at INTEGER NOT NULL
);
