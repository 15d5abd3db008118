-- 13 -> 14: probers sharing the targets (docs/scale-out.md, "Probers"). A probe result carries
-- its round (Observation::round: its due time divided by its interval); a store keeps one result
-- of an entity per round, so that two probers that both probed a round store it once (NULL for
-- every other source). probe_lease holds who probes which target in which round, until when
-- (ProbeLeases in store.hpp): claimed with FOR UPDATE SKIP LOCKED; a turn whose result is stored
-- is held to the round's end.
ALTER TABLE observation ADD COLUMN probe_round bigint;
CREATE UNIQUE INDEX observation_round ON observation(entity, probe_round)
  WHERE probe_round IS NOT NULL;
CREATE TABLE probe_lease(
  target  text NOT NULL,     -- "ADDRESS SERVICE"
  round   bigint NOT NULL,
  holder  text NOT NULL,     -- the prober's name (colosla prober --name)
  expires bigint NOT NULL,   -- free to claim from then on
  PRIMARY KEY (target, round)
);
CREATE INDEX probe_lease_expires ON probe_lease(expires);
