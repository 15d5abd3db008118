-- 0 -> 1: the foundation.
CREATE TABLE inventory_version(
  version    INTEGER PRIMARY KEY,
  loaded_at  INTEGER NOT NULL,
  loaded_by  TEXT NOT NULL,
  files      TEXT NOT NULL,
  document   TEXT NOT NULL
);
CREATE TABLE device(
  name        TEXT PRIMARY KEY,
  role        TEXT NOT NULL CHECK (role IN ('switch', 'pdu', 'ups')),
  address     TEXT NOT NULL,
  plugin      TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  snmp_version TEXT NOT NULL,
  snmp_community TEXT NOT NULL,
  snmp_port   INTEGER NOT NULL,
  snmp_user   TEXT NOT NULL,
  snmp_auth_protocol TEXT NOT NULL,
  snmp_auth_password TEXT NOT NULL,
  snmp_priv_protocol TEXT NOT NULL,
  snmp_priv_password TEXT NOT NULL,
  netconf     INTEGER NOT NULL,
  netconf_transport TEXT NOT NULL,
  netconf_port INTEGER NOT NULL,
  netconf_username TEXT NOT NULL,
  netconf_password TEXT NOT NULL,
  netconf_private_key TEXT NOT NULL,
  netconf_certificate TEXT NOT NULL,
  netconf_ca_file TEXT NOT NULL,
  netconf_known_hosts TEXT NOT NULL
);
CREATE TABLE uplink(
  device    TEXT NOT NULL,
  interface TEXT NOT NULL,
  PRIMARY KEY (device, interface)
);
CREATE TABLE calendar_day(
  day  TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('holiday', 'working-day')),
  PRIMARY KEY (day, kind)
);
CREATE TABLE contract(
  id          TEXT PRIMARY KEY,
  customer    TEXT NOT NULL,
  service     TEXT NOT NULL,
  signed      TEXT NOT NULL,
  start       INTEGER NOT NULL,
  end         INTEGER NOT NULL,
  end_given   INTEGER NOT NULL,
  time_zone   TEXT NOT NULL,
  monthly_fee INTEGER NOT NULL CHECK (monthly_fee >= 0),
  installation_fee INTEGER NOT NULL CHECK (installation_fee >= 0),
  currency    TEXT NOT NULL,
  installation_auto_complete INTEGER NOT NULL,
  port_mode   TEXT NOT NULL CHECK (port_mode IN ('any', 'all')),
  max_outage_minutes INTEGER NOT NULL,
  availability_target_milli INTEGER NOT NULL,
  require_customer_report INTEGER NOT NULL,
  report_window_days INTEGER NOT NULL,
  probe_interval_seconds INTEGER NOT NULL,
  notify_within_minutes INTEGER NOT NULL,
  installation_business_days INTEGER NOT NULL,
  inventory_version INTEGER NOT NULL REFERENCES inventory_version(version),
  CHECK (end > start)
);
CREATE TABLE contract_port(
  contract  TEXT NOT NULL REFERENCES contract(id) ON DELETE CASCADE,
  device    TEXT NOT NULL,
  interface TEXT NOT NULL,
  PRIMARY KEY (contract, device, interface)
);
CREATE TABLE contract_power(
  contract TEXT NOT NULL REFERENCES contract(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  device   TEXT NOT NULL,
  outlet   TEXT,
  PRIMARY KEY (contract, position)
);
CREATE TABLE probe_target(
  contract TEXT NOT NULL REFERENCES contract(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  address  TEXT NOT NULL,
  services TEXT NOT NULL,
  www_path TEXT NOT NULL,
  PRIMARY KEY (contract, position)
);
CREATE TABLE contact(
  contract   TEXT NOT NULL REFERENCES contract(id) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  name       TEXT NOT NULL,
  authorized INTEGER NOT NULL,
  channel    TEXT NOT NULL,
  address    TEXT NOT NULL,
  PRIMARY KEY (contract, position)
);
CREATE TABLE entity(
  id     INTEGER PRIMARY KEY,
  kind   TEXT NOT NULL CHECK (kind IN ('port', 'outlet', 'inlet', 'ups', 'probe')),
  device TEXT NOT NULL,
  item   TEXT NOT NULL,
  UNIQUE (kind, device, item)
);
CREATE TABLE observation(
  seq      INTEGER PRIMARY KEY,
  time     INTEGER NOT NULL,
  entity   INTEGER NOT NULL REFERENCES entity(id),
  state    TEXT NOT NULL,
  source   TEXT NOT NULL,  -- import, trap, poll, netconf or probe (no CHECK: an IN list costs
                           -- half of a row's insert, and only colosla's own enum writes it)
  received INTEGER NOT NULL,
  origin   TEXT NOT NULL,
  evidence TEXT NOT NULL
);
-- Covering: the SLA engine reads every state change without touching the evidence.
CREATE INDEX observation_history ON observation(entity, time, seq, state);
-- For people reading the store with sqlite3.
CREATE VIEW observation_view AS
  SELECT o.seq, o.time, datetime(o.time, 'unixepoch') AS time_utc, e.kind, e.device, e.item, o.state,
         o.source, o.received, datetime(o.received, 'unixepoch') AS received_utc, o.origin, o.evidence
  FROM observation o JOIN entity e ON e.id = o.entity;
CREATE TABLE mapping_change(
  id         INTEGER PRIMARY KEY,
  contract   TEXT NOT NULL,
  device     TEXT NOT NULL,
  interface  TEXT NOT NULL,
  action     TEXT NOT NULL CHECK (action IN ('add', 'remove')),
  at         INTEGER NOT NULL,
  entered_by TEXT NOT NULL,
  entered_at INTEGER NOT NULL,
  note       TEXT NOT NULL
);
