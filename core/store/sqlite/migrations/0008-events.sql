-- 7 -> 8: the SLA events, each occurrence once (its key), in the order recorded (id: the
-- event-id every sink sends).
CREATE TABLE sla_event(
  id       INTEGER PRIMARY KEY,
  key      TEXT NOT NULL UNIQUE,
  kind     TEXT NOT NULL,
  contract TEXT NOT NULL,
  time     INTEGER NOT NULL,
  recorded INTEGER NOT NULL,
  body     TEXT NOT NULL  -- the YANG notification, RFC 7951 JSON (events.hpp: to_json)
);
