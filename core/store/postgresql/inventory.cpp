// The PostgreSQL backend: the inventory (InventoryStore).
#include <map>
#include <optional>

#include "colosla/base/calendar.hpp"
#include "inventory_rows.hpp"
#include "postgresql/pg_store.hpp"
#include "sealing.hpp"

namespace colosla::core::pg {

namespace {

// A PostgreSQL array literal of text values or NULLs ({"a",NULL}).
std::string nullable_array(const std::vector<std::optional<std::string>>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    if (!values[i]) {
      out += "NULL";
      continue;
    }
    out += text_array({*values[i]}).substr(1);
    out.pop_back();
  }
  return out + "}";
}

}  // namespace

Result<std::int64_t> PgStore::save_inventory(const ValidatedInventory& v, const std::string& by,
                                             Timestamp at) {
  std::int64_t version = 0;
  auto key = impl_->secret_key(true);
  if (!key) {
    return key.error();
  }
  const SecretKey& sk = **key;
  auto document = seal_document(v.document, sk);
  if (!document) {
    return document.error();
  }
  Impl& db = *impl_;
  auto r = write([&]() -> Result<void> {
    if (auto e = db.exec("DELETE FROM contract; DELETE FROM device; DELETE FROM uplink; "
                         "DELETE FROM calendar_day");
        !e) {
      return e.error();
    }
    {
      auto row = db.exec(
          "INSERT INTO inventory_version(loaded_at, loaded_by, files, document, digest) "
          "VALUES ($1, $2, $3, $4, $5) RETURNING version",
          Params()
              .add(at)
              .add(by)
              .add(join_lines(v.files))
              .add(*document)
              .add(sk.digest(v.document)));
      if (!row) {
        return row.error();
      }
      version = row->integer(0, 0);
    }
    const Inventory& inv = v.inventory;
    int position = 0;
    for (Device d : inv.devices) {
      for (auto& [value, context] : secrets_of(d)) {
        *value = sk.seal(*value, context);
      }
      const NetconfAccess nc = d.netconf.value_or(NetconfAccess{});
      Params p;
      p.add(d.name).add(position++).add(to_string(d.role)).add(d.address).add(d.plugin);
      p.add(d.description).add(d.snmp.version).add(d.snmp.community);
      p.add(static_cast<int>(d.snmp.port)).add(d.snmp.user).add(d.snmp.auth_protocol);
      p.add(d.snmp.auth_password).add(d.snmp.priv_protocol).add(d.snmp.priv_password);
      p.add(d.netconf.has_value()).add(nc.transport).add(static_cast<int>(nc.port));
      p.add(nc.username).add(nc.password).add(nc.private_key).add(nc.certificate);
      p.add(nc.ca_file).add(nc.known_hosts).add(nc.socket).add(outlet_phases_text(d));
      if (auto e = db.exec(
              "INSERT INTO device(name, position, role, address, plugin, description, "
              "snmp_version, snmp_community, snmp_port, snmp_user, snmp_auth_protocol, "
              "snmp_auth_password, snmp_priv_protocol, snmp_priv_password, netconf, "
              "netconf_transport, netconf_port, netconf_username, netconf_password, "
              "netconf_private_key, netconf_certificate, netconf_ca_file, netconf_known_hosts, "
              "netconf_socket, outlet_phases) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
              "$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)",
              p);
          !e) {
        return e.error();
      }
    }
    {
      std::vector<std::string> devices;
      std::vector<std::string> interfaces;
      for (const auto& u : inv.uplinks) {
        devices.push_back(u.device);
        interfaces.push_back(u.interface);
      }
      if (auto e = db.exec("INSERT INTO uplink SELECT * FROM unnest($1::text[], $2::text[]) "
                           "ON CONFLICT DO NOTHING",
                           Params().add(text_array(devices)).add(text_array(interfaces)));
          !e) {
        return e.error();
      }
    }
    {
      std::vector<std::string> days;
      std::vector<std::string> kinds;
      for (const auto& d : inv.calendar.holidays) {
        days.push_back(format_date(d));
        kinds.emplace_back("holiday");
      }
      for (const auto& d : inv.calendar.working_days) {
        days.push_back(format_date(d));
        kinds.emplace_back("working-day");
      }
      if (auto e = db.exec("INSERT INTO calendar_day SELECT * FROM unnest($1::text[], $2::text[]) "
                           "ON CONFLICT DO NOTHING",
                           Params().add(text_array(days)).add(text_array(kinds)));
          !e) {
        return e.error();
      }
    }
    // The contracts one by one, their children a statement a table.
    std::vector<std::string> port_contract, port_device, port_interface;
    std::vector<std::int64_t> port_position;
    std::vector<std::string> power_contract, power_device;
    std::vector<std::optional<std::string>> power_outlet;
    std::vector<std::int64_t> power_position;
    std::vector<std::string> probe_contract, probe_address, probe_services, probe_path;
    std::vector<std::int64_t> probe_position;
    std::vector<std::string> contact_contract, contact_name, contact_authorized, contact_channel,
        contact_address;
    std::vector<std::int64_t> contact_position;
    for (const auto& c : inv.contracts) {
      Params p;
      p.add(c.id).add(c.customer).add(to_string(c.service)).add(format_date(c.signed_on));
      p.add(c.start).add(c.end).add(c.end_given).add(c.time_zone).add(c.monthly_fee);
      p.add(c.installation_fee).add(c.currency).add(c.installation_auto_complete);
      p.add(to_string(c.port_mode));
      p.add(static_cast<std::int64_t>(c.sla.max_outage_minutes));
      p.add(static_cast<std::int64_t>(c.sla.availability_target_milli));
      p.add(c.sla.require_customer_report);
      p.add(static_cast<std::int64_t>(c.sla.report_window_days));
      p.add(static_cast<std::int64_t>(c.sla.probe_interval_seconds));
      p.add(static_cast<std::int64_t>(c.sla.notify_within_minutes));
      p.add(static_cast<std::int64_t>(c.sla.installation_business_days));
      p.add(version);
      if (auto e = db.exec(
              "INSERT INTO contract(id, customer, service, signed, start, \"end\", end_given, "
              "time_zone, monthly_fee, installation_fee, currency, installation_auto_complete, "
              "port_mode, max_outage_minutes, availability_target_milli, "
              "require_customer_report, report_window_days, probe_interval_seconds, "
              "notify_within_minutes, installation_business_days, inventory_version) VALUES "
              "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
              "$19, $20, $21)",
              p);
          !e) {
        return e.error();
      }
      std::int64_t pos = 0;
      for (const auto& port : c.ports) {
        port_contract.push_back(c.id);
        port_position.push_back(pos++);
        port_device.push_back(port.device);
        port_interface.push_back(port.interface);
      }
      pos = 0;
      for (const auto& src : c.power_sources) {
        power_contract.push_back(c.id);
        power_position.push_back(pos++);
        power_device.push_back(src.device);
        power_outlet.push_back(src.outlet);
      }
      pos = 0;
      for (const auto& t : c.probe_targets) {
        probe_contract.push_back(c.id);
        probe_position.push_back(pos++);
        probe_address.push_back(t.address);
        probe_services.push_back(probe_services_text(t));
        probe_path.push_back(t.www_path);
      }
      pos = 0;
      for (const auto& k : c.contacts) {
        contact_contract.push_back(c.id);
        contact_position.push_back(pos++);
        contact_name.push_back(k.name);
        contact_authorized.emplace_back(k.authorized ? "true" : "false");
        contact_channel.emplace_back(to_string(k.channel));
        contact_address.push_back(k.address);
      }
    }
    if (auto e = db.exec("INSERT INTO contract_port(contract, position, device, interface) "
                         "SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[])",
                         Params()
                             .add(text_array(port_contract))
                             .add(int_array(port_position))
                             .add(text_array(port_device))
                             .add(text_array(port_interface)));
        !e) {
      return e.error();
    }
    if (auto e = db.exec("INSERT INTO contract_power(contract, position, device, outlet) "
                         "SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[])",
                         Params()
                             .add(text_array(power_contract))
                             .add(int_array(power_position))
                             .add(text_array(power_device))
                             .add(nullable_array(power_outlet)));
        !e) {
      return e.error();
    }
    if (auto e = db.exec(
            "INSERT INTO probe_target(contract, position, address, services, www_path) "
            "SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[])",
            Params()
                .add(text_array(probe_contract))
                .add(int_array(probe_position))
                .add(text_array(probe_address))
                .add(text_array(probe_services))
                .add(text_array(probe_path)));
        !e) {
      return e.error();
    }
    if (auto e =
            db.exec("INSERT INTO contact(contract, position, name, authorized, channel, address) "
                    "SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::boolean[], "
                    "$5::text[], $6::text[])",
                    Params()
                        .add(text_array(contact_contract))
                        .add(int_array(contact_position))
                        .add(text_array(contact_name))
                        .add(text_array(contact_authorized))
                        .add(text_array(contact_channel))
                        .add(text_array(contact_address)));
        !e) {
      return e.error();
    }
    return {};
  });
  if (!r) {
    return r.error();
  }
  return version;
}

Result<std::optional<InventoryRecord>> PgStore::inventory_record(Secrets secrets) const {
  auto rows = impl_->exec(
      "SELECT version, loaded_at, loaded_by, files, document FROM inventory_version "
      "ORDER BY version DESC LIMIT 1");
  if (!rows) {
    return rows.error();
  }
  if (rows->empty()) {
    return std::optional<InventoryRecord>{};
  }
  InventoryRecord record{rows->integer(0, 0), rows->time(0, 1), rows->str(0, 2),
                         split(rows->str(0, 3), '\n'), rows->str(0, 4)};
  const SecretKey* key = nullptr;
  if (secrets == Secrets::reveal) {
    auto k = impl_->secret_key(false);
    if (!k) {
      return k.error();
    }
    key = *k;
  }
  auto document = reveal_document(record.document, key);
  if (!document) {
    return document.error();
  }
  record.document = std::move(*document);
  return std::optional<InventoryRecord>{std::move(record)};
}

Result<std::optional<std::int64_t>> PgStore::version_holding(const std::string& document) const {
  auto rows =
      impl_->exec("SELECT version, digest FROM inventory_version ORDER BY version DESC LIMIT 1");
  if (!rows) {
    return rows.error();
  }
  if (rows->empty()) {
    return std::optional<std::int64_t>{};
  }
  auto key = impl_->secret_key(true);
  if (!key) {
    return key.error();
  }
  if (rows->str(0, 1) != (*key)->digest(document)) {
    return std::optional<std::int64_t>{};
  }
  return std::optional<std::int64_t>{rows->integer(0, 0)};
}

namespace {

// Every device, or (with `contract`) those of the contract's ports and power sources and those
// with uplinks, in the inventory's order; their secrets opened with the key, or left empty
// without one.
Result<std::vector<Device>> read_devices(PgStore::Impl& db, const KeyReader& key,
                                         const std::string* contract = nullptr) {
  static constexpr const char* kColumns =
      "SELECT name, role, address, plugin, description, snmp_version, snmp_community, "
      "snmp_port, snmp_user, snmp_auth_protocol, snmp_auth_password, snmp_priv_protocol, "
      "snmp_priv_password, netconf, netconf_transport, netconf_port, netconf_username, "
      "netconf_password, netconf_private_key, netconf_certificate, netconf_ca_file, "
      "netconf_known_hosts, netconf_socket, outlet_phases FROM device ";
  auto rows = contract == nullptr
                  ? db.exec(std::string(kColumns) + "ORDER BY position")
                  : db.exec(std::string(kColumns) +
                                "WHERE name IN (SELECT device FROM contract_port WHERE contract "
                                "= $1 UNION SELECT device FROM contract_power WHERE contract = "
                                "$1 UNION SELECT device FROM uplink) ORDER BY position",
                            Params().add(*contract));
  if (!rows) {
    return rows.error();
  }
  const Rows& s = *rows;
  std::vector<Device> out;
  out.reserve(static_cast<std::size_t>(s.size()));
  for (int i = 0; i < s.size(); ++i) {
    Device d;
    d.name = s.str(i, 0);
    auto role = parse_role(s.str(i, 1));
    if (!role) {
      return make_error(Errc::store, "the store holds an unreadable device role");
    }
    d.role = *role;
    d.address = s.str(i, 2);
    d.plugin = s.str(i, 3);
    d.description = s.str(i, 4);
    d.snmp = SnmpAccess{s.str(i, 5),  s.str(i, 6), static_cast<std::uint16_t>(s.integer(i, 7)),
                        s.str(i, 8),  s.str(i, 9), s.str(i, 10),
                        s.str(i, 11), s.str(i, 12)};
    if (s.boolean(i, 13)) {
      d.netconf = NetconfAccess{s.str(i, 14), static_cast<std::uint16_t>(s.integer(i, 15)),
                                s.str(i, 16), s.str(i, 17),
                                s.str(i, 18), s.str(i, 19),
                                s.str(i, 20), s.str(i, 21),
                                s.str(i, 22)};
    }
    if (auto r = read_outlet_phases(d, s.str(i, 23)); !r) {
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

Result<std::vector<Device>> PgStore::devices(Secrets secrets) const {
  return read_devices(*impl_, impl_->key_reader(secrets));
}

Result<std::optional<Inventory>> PgStore::load_inventory(Secrets secrets) const {
  return load_inventory_of(nullptr, secrets);
}

Result<std::optional<Inventory>> PgStore::load_contract(const std::string& id) const {
  auto inv = load_inventory_of(&id, Secrets::withhold);
  if (inv && inv->has_value() && (*inv)->contracts.empty()) {
    return std::optional<Inventory>{};
  }
  return inv;
}

Result<std::optional<Inventory>> PgStore::load_inventory_of(const std::string* contract,
                                                            Secrets secrets) const {
  Impl& db = *impl_;
  std::optional<Inventory> result;
  const auto bad = [](const std::string& what) {
    return make_error(Errc::store, "the store holds an unreadable " + what);
  };
  // One snapshot: a load committed meanwhile is not half read.
  auto r = read([&]() -> Result<void> {
    auto loaded = db.exec("SELECT EXISTS (SELECT 1 FROM inventory_version)");
    if (!loaded) {
      return loaded.error();
    }
    if (!loaded->boolean(0, 0)) {
      return {};
    }
    Inventory inv;
    auto devices = read_devices(db, db.key_reader(secrets), contract);
    if (!devices) {
      return devices.error();
    }
    inv.devices = std::move(*devices);
    auto uplinks = db.exec(
        "SELECT device, interface FROM uplink ORDER BY device COLLATE \"C\", interface COLLATE "
        "\"C\"");
    if (!uplinks) {
      return uplinks.error();
    }
    for (int i = 0; i < uplinks->size(); ++i) {
      inv.uplinks.push_back(PortRef{uplinks->str(i, 0), uplinks->str(i, 1)});
    }
    auto days = db.exec("SELECT day, kind FROM calendar_day ORDER BY day");
    if (!days) {
      return days.error();
    }
    for (int i = 0; i < days->size(); ++i) {
      auto d = parse_date(days->str(i, 0));
      if (!d) {
        return bad("calendar day");
      }
      (days->text(i, 1) == "holiday" ? inv.calendar.holidays : inv.calendar.working_days)
          .push_back(*d);
    }
    static constexpr const char* kContract =
        "SELECT id, customer, service, signed, start, \"end\", end_given, time_zone, "
        "monthly_fee, installation_fee, currency, installation_auto_complete, port_mode, "
        "max_outage_minutes, availability_target_milli, require_customer_report, "
        "report_window_days, probe_interval_seconds, notify_within_minutes, "
        "installation_business_days FROM contract ";
    auto rows = contract == nullptr
                    ? db.exec(std::string(kContract) + "ORDER BY id COLLATE \"C\"")
                    : db.exec(std::string(kContract) + "WHERE id = $1", Params().add(*contract));
    if (!rows) {
      return rows.error();
    }
    const Rows& s = *rows;
    for (int i = 0; i < s.size(); ++i) {
      Contract c;
      c.id = s.str(i, 0);
      c.customer = s.str(i, 1);
      auto service = parse_service_type(s.str(i, 2));
      auto signed_on = parse_date(s.str(i, 3));
      auto mode = parse_port_mode(s.str(i, 12));
      if (!service || !signed_on || !mode) {
        return bad("contract " + c.id);
      }
      c.service = *service;
      c.signed_on = *signed_on;
      c.start = s.time(i, 4);
      c.end = s.time(i, 5);
      c.end_given = s.boolean(i, 6);
      c.time_zone = s.str(i, 7);
      c.monthly_fee = s.integer(i, 8);
      c.installation_fee = s.integer(i, 9);
      c.currency = s.str(i, 10);
      c.installation_auto_complete = s.boolean(i, 11);
      c.port_mode = *mode;
      c.sla.max_outage_minutes = static_cast<std::uint32_t>(s.integer(i, 13));
      c.sla.availability_target_milli = static_cast<std::uint32_t>(s.integer(i, 14));
      c.sla.require_customer_report = s.boolean(i, 15);
      c.sla.report_window_days = static_cast<std::uint32_t>(s.integer(i, 16));
      c.sla.probe_interval_seconds = static_cast<std::uint32_t>(s.integer(i, 17));
      c.sla.notify_within_minutes = static_cast<std::uint32_t>(s.integer(i, 18));
      c.sla.installation_business_days = static_cast<std::uint32_t>(s.integer(i, 19));
      inv.contracts.push_back(std::move(c));
    }
    // Each child table in one pass, in contract order: a query per table, not per contract.
    std::map<std::string, Contract*, std::less<>> by_id;
    for (auto& c : inv.contracts) {
      by_id.emplace(c.id, &c);
    }
    // With one contract, only its rows (the primary keys lead with the contract).
    const auto each_row = [&](const char* columns, const char* table,
                              const auto& take) -> Result<void> {
      std::string sql = std::string("SELECT contract, ") + columns + " FROM " + table;
      auto got = contract == nullptr
                     ? db.exec(sql + " ORDER BY contract, position")
                     : db.exec(sql + " WHERE contract = $1 ORDER BY contract, position",
                               Params().add(*contract));
      if (!got) {
        return got.error();
      }
      for (int i = 0; i < got->size(); ++i) {
        const auto it = by_id.find(got->text(i, 0));
        if (it != by_id.end()) {
          if (auto e = take(*it->second, *got, i); !e) {
            return e;
          }
        }
      }
      return {};
    };
    Result<void> e = each_row("device, interface", "contract_port",
                              [](Contract& c, const Rows& g, int i) -> Result<void> {
                                c.ports.push_back(PortRef{g.str(i, 1), g.str(i, 2)});
                                return {};
                              });
    if (e) {
      e = each_row("device, outlet", "contract_power",
                   [](Contract& c, const Rows& g, int i) -> Result<void> {
                     c.power_sources.push_back(PowerSourceRef{g.str(i, 1), g.optional_str(i, 2)});
                     return {};
                   });
    }
    if (e) {
      e = each_row("address, services, www_path", "probe_target",
                   [&](Contract& c, const Rows& g, int i) -> Result<void> {
                     ProbeTarget t{g.str(i, 1), {}, g.str(i, 3)};
                     auto services = read_probe_services(g.str(i, 2));
                     if (!services) {
                       return bad("probe service of " + c.id);
                     }
                     t.services = std::move(*services);
                     c.probe_targets.push_back(std::move(t));
                     return {};
                   });
    }
    if (e) {
      e = each_row("name, authorized, channel, address", "contact",
                   [&](Contract& c, const Rows& g, int i) -> Result<void> {
                     auto ch = parse_channel(g.str(i, 3));
                     if (!ch) {
                       return bad("contact channel of " + c.id);
                     }
                     c.contacts.push_back(Contact{g.str(i, 1), g.boolean(i, 2), *ch, g.str(i, 4)});
                     return {};
                   });
    }
    if (!e) {
      return e;
    }
    result = std::move(inv);
    return {};
  });
  if (!r) {
    return r.error();
  }
  return result;
}

}  // namespace colosla::core::pg
