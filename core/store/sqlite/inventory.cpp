// The SQLite backend: the inventory (InventoryStore).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>

#include "colosla/base/calendar.hpp"
#include "colosla/base/log.hpp"
#include "inventory_rows.hpp"
#include "sealing.hpp"
#include "sqlite/sql.hpp"
#include "sqlite/sqlite_store.hpp"

namespace colosla::core::sqlite {

// -- inventory -------------------------------------------------------------------------------

Result<std::int64_t> SqliteStore::save_inventory(const ValidatedInventory& v, const std::string& by,
                                                 Timestamp at) {
  sqlite3* db = impl_->db;
  std::int64_t version = 0;
  auto key = impl_->key.get(true);
  if (!key) {
    return key.error();
  }
  const SecretKey& sk = **key;
  auto document = seal_document(v.document, sk);
  if (!document) {
    return document.error();
  }
  auto r = write([&]() -> Result<void> {
    for (const char* sql : {"DELETE FROM contract", "DELETE FROM device", "DELETE FROM uplink",
                            "DELETE FROM calendar_day"}) {
      if (auto e = exec_script(db, sql); !e) {
        return e;
      }
    }
    {
      Stmt s(db,
             "INSERT INTO inventory_version(loaded_at, loaded_by, files, document, digest) "
             "VALUES (?, ?, ?, ?, ?)");
      if (auto e = s.bind(1, at)
                       .bind(2, by)
                       .bind(3, join_lines(v.files))
                       .bind(4, *document)
                       .bind(5, sk.digest(v.document))
                       .exec();
          !e) {
        return e;
      }
      version = sqlite3_last_insert_rowid(db);
    }
    const Inventory& inv = v.inventory;
    Stmt dev(db, "INSERT INTO device VALUES (?,?,?,?,?, ?,?,?,?,?,?,?,?, ?,?,?,?,?,?,?,?,?,?,?)");
    for (Device d : inv.devices) {
      for (auto& [value, context] : secrets_of(d)) {
        *value = sk.seal(*value, context);
      }
      const NetconfAccess nc = d.netconf.value_or(NetconfAccess{});
      dev.bind(1, d.name).bind(2, to_string(d.role)).bind(3, d.address).bind(4, d.plugin);
      dev.bind(5, d.description).bind(6, d.snmp.version).bind(7, d.snmp.community);
      dev.bind(8, static_cast<std::int64_t>(d.snmp.port)).bind(9, d.snmp.user);
      dev.bind(10, d.snmp.auth_protocol).bind(11, d.snmp.auth_password);
      dev.bind(12, d.snmp.priv_protocol).bind(13, d.snmp.priv_password);
      dev.bind(14, d.netconf.has_value()).bind(15, nc.transport);
      dev.bind(16, static_cast<std::int64_t>(nc.port)).bind(17, nc.username).bind(18, nc.password);
      dev.bind(19, nc.private_key).bind(20, nc.certificate).bind(21, nc.ca_file);
      dev.bind(22, nc.known_hosts).bind(23, nc.socket).bind(24, outlet_phases_text(d));
      if (auto e = dev.exec(); !e) {
        return e;
      }
    }
    Stmt up(db, "INSERT INTO uplink VALUES (?, ?)");
    for (const auto& u : inv.uplinks) {
      if (auto e = up.bind(1, u.device).bind(2, u.interface).exec(); !e) {
        return e;
      }
    }
    Stmt cal(db, "INSERT OR IGNORE INTO calendar_day VALUES (?, ?)");
    for (const auto& d : inv.calendar.holidays) {
      if (auto e = cal.bind(1, format_date(d)).bind(2, "holiday").exec(); !e) {
        return e;
      }
    }
    for (const auto& d : inv.calendar.working_days) {
      if (auto e = cal.bind(1, format_date(d)).bind(2, "working-day").exec(); !e) {
        return e;
      }
    }
    Stmt con(db, "INSERT INTO contract VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    Stmt port(db, "INSERT INTO contract_port VALUES (?, ?, ?)");
    Stmt power(db, "INSERT INTO contract_power VALUES (?, ?, ?, ?)");
    Stmt probe(db, "INSERT INTO probe_target VALUES (?, ?, ?, ?, ?)");
    Stmt contact(db, "INSERT INTO contact VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& c : inv.contracts) {
      con.bind(1, c.id).bind(2, c.customer).bind(3, to_string(c.service));
      con.bind(4, format_date(c.signed_on)).bind(5, c.start).bind(6, c.end).bind(7, c.end_given);
      con.bind(8, c.time_zone).bind(9, c.monthly_fee).bind(10, c.installation_fee);
      con.bind(11, c.currency).bind(12, c.installation_auto_complete);
      con.bind(13, to_string(c.port_mode));
      con.bind(14, static_cast<std::int64_t>(c.sla.max_outage_minutes));
      con.bind(15, static_cast<std::int64_t>(c.sla.availability_target_milli));
      con.bind(16, c.sla.require_customer_report);
      con.bind(17, static_cast<std::int64_t>(c.sla.report_window_days));
      con.bind(18, static_cast<std::int64_t>(c.sla.probe_interval_seconds));
      con.bind(19, static_cast<std::int64_t>(c.sla.notify_within_minutes));
      con.bind(20, static_cast<std::int64_t>(c.sla.installation_business_days));
      con.bind(21, version).bind(22, process_text(c));
      if (auto e = con.exec(); !e) {
        return e;
      }
      for (const auto& p : c.ports) {
        if (auto e = port.bind(1, c.id).bind(2, p.device).bind(3, p.interface).exec(); !e) {
          return e;
        }
      }
      std::int64_t pos = 0;
      for (const auto& p : c.power_sources) {
        power.bind(1, c.id).bind(2, pos++).bind(3, p.device);
        if (p.outlet) {
          power.bind(4, *p.outlet);
        } else {
          power.bind_null(4);
        }
        if (auto e = power.exec(); !e) {
          return e;
        }
      }
      pos = 0;
      for (const auto& t : c.probe_targets) {
        if (auto e = probe.bind(1, c.id)
                         .bind(2, pos++)
                         .bind(3, t.address)
                         .bind(4, probe_services_text(t))
                         .bind(5, t.www_path)
                         .exec();
            !e) {
          return e;
        }
      }
      pos = 0;
      for (const auto& k : c.contacts) {
        if (auto e = contact.bind(1, c.id)
                         .bind(2, pos++)
                         .bind(3, k.name)
                         .bind(4, k.authorized)
                         .bind(5, to_string(k.channel))
                         .bind(6, k.address)
                         .exec();
            !e) {
          return e;
        }
      }
    }
    return {};
  });
  if (!r) {
    return r.error();
  }
  return version;
}

Result<std::optional<InventoryRecord>> SqliteStore::inventory_record(Secrets secrets) const {
  Stmt s(impl_->db,
         "SELECT version, loaded_at, loaded_by, files, document FROM inventory_version "
         "ORDER BY version DESC LIMIT 1");
  if (!s.ok()) {
    return s.error();
  }
  const int rc = s.step();
  if (rc == SQLITE_DONE) {
    return std::optional<InventoryRecord>{};
  }
  if (rc != SQLITE_ROW) {
    return s.step_error();
  }
  InventoryRecord record{s.i64(0), s.time(1), s.str(2), split(s.str(3), '\n'), s.str(4)};
  auto key = impl_->key.get(secrets);
  if (!key) {
    return key.error();
  }
  auto document = reveal_document(record.document, *key);
  if (!document) {
    return document.error();
  }
  record.document = std::move(*document);
  return std::optional<InventoryRecord>{std::move(record)};
}

Result<std::optional<std::int64_t>> SqliteStore::version_holding(
    const std::string& document) const {
  Stmt s(impl_->db, "SELECT version, digest FROM inventory_version ORDER BY version DESC LIMIT 1");
  if (!s.ok()) {
    return s.error();
  }
  const int rc = s.step();
  if (rc == SQLITE_DONE) {
    return std::optional<std::int64_t>{};
  }
  if (rc != SQLITE_ROW) {
    return s.step_error();
  }
  auto key = impl_->key.get(true);
  if (!key) {
    return key.error();
  }
  if (s.str(1) != (*key)->digest(document)) {
    return std::optional<std::int64_t>{};
  }
  return std::optional<std::int64_t>{s.i64(0)};
}

namespace {

// Every device, or (with `contract`) those of the contract's ports and power sources and those
// with uplinks; their secrets opened with the key, or left empty without one.
Result<std::vector<Device>> read_devices(sqlite3* db, const KeyReader& key,
                                         const std::string* contract = nullptr) {
  std::vector<Device> out;
  Stmt s(db, contract == nullptr ? "SELECT * FROM device ORDER BY rowid"
                                 : "SELECT * FROM device WHERE name IN (SELECT device FROM "
                                   "contract_port WHERE contract = ?1 "
                                   "UNION SELECT device FROM contract_power WHERE contract = ?1 "
                                   "UNION SELECT device FROM uplink) "
                                   "ORDER BY rowid");
  if (!s.ok()) {
    return s.error();
  }
  if (contract != nullptr) {
    s.bind(1, *contract);
  }
  while (s.step() == SQLITE_ROW) {
    Device d;
    d.name = s.str(0);
    auto role = parse_role(s.str(1));
    if (!role) {
      return make_error(Errc::store, "the store holds an unreadable device role");
    }
    d.role = *role;
    d.address = s.str(2);
    d.plugin = s.str(3);
    d.description = s.str(4);
    d.snmp = SnmpAccess{s.str(5),  s.str(6), static_cast<std::uint16_t>(s.i64(7)),
                        s.str(8),  s.str(9), s.str(10),
                        s.str(11), s.str(12)};
    if (s.boolean(13)) {
      d.netconf = NetconfAccess{s.str(14), static_cast<std::uint16_t>(s.i64(15)),
                                s.str(16), s.str(17),
                                s.str(18), s.str(19),
                                s.str(20), s.str(21),
                                s.str(22)};
    }
    if (auto r = read_outlet_phases(d, s.str(23)); !r) {
      return r.error();
    }
    if (auto r = open_device_secrets(d, key); !r) {
      return r.error();
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

Result<std::vector<Device>> SqliteStore::devices(Secrets secrets) const {
  return read_devices(impl_->db, impl_->key.reader(secrets));
}

Result<std::optional<Inventory>> SqliteStore::load_inventory(Secrets secrets) const {
  return load_inventory_of(nullptr, secrets);
}

Result<std::optional<Inventory>> SqliteStore::load_contract(const std::string& id) const {
  auto inv = load_inventory_of(&id, Secrets::withhold);
  if (inv && inv->has_value() && (*inv)->contracts.empty()) {
    return std::optional<Inventory>{};
  }
  return inv;
}

Result<std::optional<Inventory>> SqliteStore::load_inventory_of(const std::string* contract,
                                                                Secrets secrets) const {
  sqlite3* db = impl_->db;
  auto loaded = scalar(db, "SELECT EXISTS (SELECT 1 FROM inventory_version)");
  if (!loaded) {
    return loaded.error();
  }
  if (*loaded == 0) {
    return std::optional<Inventory>{};
  }
  Inventory inv;
  auto bad = [](const std::string& what) {
    return make_error(Errc::store, "the store holds an unreadable " + what);
  };
  {
    auto devices = read_devices(db, impl_->key.reader(secrets), contract);
    if (!devices) {
      return devices.error();
    }
    inv.devices = std::move(*devices);
  }
  {
    Stmt s(db, "SELECT device, interface FROM uplink ORDER BY device, interface");
    while (s.step() == SQLITE_ROW) {
      inv.uplinks.push_back(PortRef{s.str(0), s.str(1)});
    }
  }
  {
    Stmt s(db, "SELECT day, kind FROM calendar_day ORDER BY day");
    while (s.step() == SQLITE_ROW) {
      auto d = parse_date(s.str(0));
      if (!d) {
        return bad("calendar day");
      }
      (s.str(1) == "holiday" ? inv.calendar.holidays : inv.calendar.working_days).push_back(*d);
    }
  }
  {
    Stmt s(db, contract == nullptr ? "SELECT * FROM contract ORDER BY id"
                                   : "SELECT * FROM contract WHERE id = ?");
    if (contract != nullptr) {
      s.bind(1, *contract);
    }
    while (s.step() == SQLITE_ROW) {
      Contract c;
      c.id = s.str(0);
      c.customer = s.str(1);
      auto service = parse_service_type(s.str(2));
      auto signed_on = parse_date(s.str(3));
      auto mode = parse_port_mode(s.str(12));
      if (!service || !signed_on || !mode) {
        return bad("contract " + c.id);
      }
      c.service = *service;
      c.signed_on = *signed_on;
      c.start = s.time(4);
      c.end = s.time(5);
      c.end_given = s.boolean(6);
      c.time_zone = s.str(7);
      c.monthly_fee = s.i64(8);
      c.installation_fee = s.i64(9);
      c.currency = s.str(10);
      c.installation_auto_complete = s.boolean(11);
      c.port_mode = *mode;
      c.sla.max_outage_minutes = static_cast<std::uint32_t>(s.i64(13));
      c.sla.availability_target_milli = static_cast<std::uint32_t>(s.i64(14));
      c.sla.require_customer_report = s.boolean(15);
      c.sla.report_window_days = static_cast<std::uint32_t>(s.i64(16));
      c.sla.probe_interval_seconds = static_cast<std::uint32_t>(s.i64(17));
      c.sla.notify_within_minutes = static_cast<std::uint32_t>(s.i64(18));
      c.sla.installation_business_days = static_cast<std::uint32_t>(s.i64(19));
      if (auto p = read_process(c, s.str(21)); !p) {
        return p.error();
      }
      inv.contracts.push_back(std::move(c));
    }
  }
  // Each child table in one pass, in contract order: a query per table, not per contract.
  std::map<std::string, Contract*, std::less<>> by_id;
  for (auto& c : inv.contracts) {
    by_id.emplace(c.id, &c);
  }
  // With one contract, only its rows: "ORDER BY contract" becomes "WHERE contract = ? ORDER BY
  // contract" (the primary keys lead with the contract).
  const auto each_row = [&](const char* sql, const auto& take) -> Result<void> {
    std::string text = sql;
    if (contract != nullptr) {
      text.replace(text.find(" ORDER BY"), 0, " WHERE contract = ?");
    }
    Stmt s(db, text.c_str());
    if (!s.ok()) {
      return s.error();
    }
    if (contract != nullptr) {
      s.bind(1, *contract);
    }
    int rc = 0;
    while ((rc = s.step()) == SQLITE_ROW) {
      const auto it = by_id.find(s.str(0));
      if (it != by_id.end()) {
        if (auto r = take(*it->second, s); !r) {
          return r;
        }
      }
    }
    if (rc != SQLITE_DONE) {
      return s.step_error();
    }
    return {};
  };
  using Row = const Stmt&;
  Result<void> r =
      each_row("SELECT contract, device, interface FROM contract_port ORDER BY contract, rowid",
               [](Contract& c, Row s) -> Result<void> {
                 c.ports.push_back(PortRef{s.str(1), s.str(2)});
                 return {};
               });
  if (r) {
    r = each_row("SELECT contract, device, outlet FROM contract_power ORDER BY contract, position",
                 [](Contract& c, Row s) -> Result<void> {
                   PowerSourceRef p{s.str(1), std::nullopt};
                   if (!s.is_null(2)) {
                     p.outlet = s.str(2);
                   }
                   c.power_sources.push_back(std::move(p));
                   return {};
                 });
  }
  if (r) {
    r = each_row(
        "SELECT contract, address, services, www_path FROM probe_target ORDER BY contract, "
        "position",
        [&](Contract& c, Row s) -> Result<void> {
          ProbeTarget t{s.str(1), {}, s.str(3)};
          auto services = read_probe_services(s.str(2));
          if (!services) {
            return bad("probe service of " + c.id);
          }
          t.services = std::move(*services);
          c.probe_targets.push_back(std::move(t));
          return {};
        });
  }
  if (r) {
    r = each_row(
        "SELECT contract, name, authorized, channel, address FROM contact ORDER BY contract, "
        "position",
        [&](Contract& c, Row s) -> Result<void> {
          auto ch = parse_channel(s.str(3));
          if (!ch) {
            return bad("contact channel of " + c.id);
          }
          c.contacts.push_back(Contact{s.str(1), s.boolean(2), *ch, s.str(4)});
          return {};
        });
  }
  if (!r) {
    return r.error();
  }
  return std::optional<Inventory>{std::move(inv)};
}

}  // namespace colosla::core::sqlite
