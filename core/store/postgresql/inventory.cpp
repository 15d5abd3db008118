// The PostgreSQL backend: the inventory (InventoryStore).
#include <map>
#include <optional>
#include <set>

#include "colosla/base/calendar.hpp"
#include "inventory_rows.hpp"
#include "postgresql/pg_store.hpp"
#include "sealing.hpp"

namespace colosla::core::pg {

namespace {

// The rows of one table, inserted in one statement: each column sent as one array literal and
// unnest()ed, so that an inventory of 10,000 contracts is a few round trips, not one a row.
class Batch {
 public:
  using Value = std::optional<std::string>;  // NULL: nullopt
  /// columns: (name, PostgreSQL type) in the table's order of the values given to add().
  Batch(std::string table, std::vector<std::pair<std::string, std::string>> columns)
      : table_(std::move(table)), columns_(std::move(columns)), values_(columns_.size()) {}

  void add(std::vector<Value> row) {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      values_[i].push_back(std::move(row[i]));
    }
  }

  Result<void> insert(PgStore::Impl& db) const {
    if (values_.front().empty()) {
      return {};
    }
    std::string names;
    std::string arrays;
    Params p;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      names += (i > 0 ? ", " : "") + columns_[i].first;
      arrays += (i > 0 ? ", $" : "$") + std::to_string(i + 1) + "::" + columns_[i].second + "[]";
      p.add(array(values_[i]));
    }
    auto r = db.exec(
        "INSERT INTO " + table_ + "(" + names + ") SELECT * FROM unnest(" + arrays + ")", p);
    if (!r) {
      return r.error();
    }
    return {};
  }

 private:
  // An array literal of the values ({"a",NULL}), every element quoted: PostgreSQL reads a quoted
  // element as any type the array is cast to.
  static std::string array(const std::vector<Value>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) {
        out += ',';
      }
      if (!values[i]) {
        out += "NULL";
        continue;
      }
      out += '"';
      for (const char c : *values[i]) {
        if (c == '"' || c == '\\') {
          out += '\\';
        }
        out += c;
      }
      out += '"';
    }
    return out + "}";
  }

  std::string table_;
  std::vector<std::pair<std::string, std::string>> columns_;
  std::vector<std::vector<Value>> values_;
};

std::string num(std::int64_t v) { return std::to_string(v); }
std::string num(Timestamp t) { return std::to_string(t.time_since_epoch().count()); }
std::string flag(bool v) { return v ? "true" : "false"; }

}  // namespace

Result<std::int64_t> PgStore::save_inventory(const ValidatedInventory& v, const std::string& by,
                                             Timestamp at) {
  auto key = impl_->key.get(true);
  if (!key) {
    return key.error();
  }
  const SecretKey& sk = **key;
  auto document = seal_document(v.document, sk);
  if (!document) {
    return document.error();
  }
  const Inventory& inv = v.inventory;
  Batch devices("device", {{"name", "text"},
                           {"position", "integer"},
                           {"role", "text"},
                           {"address", "text"},
                           {"plugin", "text"},
                           {"description", "text"},
                           {"snmp_version", "text"},
                           {"snmp_community", "text"},
                           {"snmp_port", "integer"},
                           {"snmp_user", "text"},
                           {"snmp_auth_protocol", "text"},
                           {"snmp_auth_password", "text"},
                           {"snmp_priv_protocol", "text"},
                           {"snmp_priv_password", "text"},
                           {"netconf", "boolean"},
                           {"netconf_transport", "text"},
                           {"netconf_port", "integer"},
                           {"netconf_username", "text"},
                           {"netconf_password", "text"},
                           {"netconf_private_key", "text"},
                           {"netconf_certificate", "text"},
                           {"netconf_ca_file", "text"},
                           {"netconf_known_hosts", "text"},
                           {"netconf_socket", "text"},
                           {"outlet_phases", "text"}});
  std::int64_t position = 0;
  for (Device d : inv.devices) {
    for (auto& [value, context] : secrets_of(d)) {
      *value = sk.seal(*value, context);
    }
    const NetconfAccess nc = d.netconf.value_or(NetconfAccess{});
    devices.add({d.name,
                 num(position++),
                 std::string(to_string(d.role)),
                 d.address,
                 d.plugin,
                 d.description,
                 d.snmp.version,
                 d.snmp.community,
                 num(d.snmp.port),
                 d.snmp.user,
                 d.snmp.auth_protocol,
                 d.snmp.auth_password,
                 d.snmp.priv_protocol,
                 d.snmp.priv_password,
                 flag(d.netconf.has_value()),
                 nc.transport,
                 num(nc.port),
                 nc.username,
                 nc.password,
                 nc.private_key,
                 nc.certificate,
                 nc.ca_file,
                 nc.known_hosts,
                 nc.socket,
                 outlet_phases_text(d)});
  }
  Batch uplinks("uplink", {{"device", "text"}, {"interface", "text"}});
  std::set<std::pair<std::string, std::string>> seen_uplinks;  // the primary key, once
  for (const auto& u : inv.uplinks) {
    if (seen_uplinks.emplace(u.device, u.interface).second) {
      uplinks.add({u.device, u.interface});
    }
  }
  Batch days("calendar_day", {{"day", "text"}, {"kind", "text"}});
  std::set<std::pair<std::string, std::string>> seen_days;
  for (const auto& [list, kind] : {std::pair{&inv.calendar.holidays, "holiday"},
                                   std::pair{&inv.calendar.working_days, "working-day"}}) {
    for (const auto& d : *list) {
      if (seen_days.emplace(format_date(d), kind).second) {
        days.add({format_date(d), std::string(kind)});
      }
    }
  }
  // The contracts, and their children in the contracts' order (the version is set below, when
  // the inventory_version row has given it).
  Batch contracts("contract", {{"id", "text"},
                               {"customer", "text"},
                               {"service", "text"},
                               {"signed", "text"},
                               {"start", "bigint"},
                               {"\"end\"", "bigint"},
                               {"end_given", "boolean"},
                               {"time_zone", "text"},
                               {"monthly_fee", "bigint"},
                               {"installation_fee", "bigint"},
                               {"currency", "text"},
                               {"installation_auto_complete", "boolean"},
                               {"port_mode", "text"},
                               {"max_outage_minutes", "bigint"},
                               {"availability_target_milli", "bigint"},
                               {"require_customer_report", "boolean"},
                               {"report_window_days", "bigint"},
                               {"probe_interval_seconds", "bigint"},
                               {"notify_within_minutes", "bigint"},
                               {"installation_business_days", "bigint"},
                               {"inventory_version", "bigint"},
                               {"process", "text"}});
  Batch ports(
      "contract_port",
      {{"contract", "text"}, {"position", "integer"}, {"device", "text"}, {"interface", "text"}});
  Batch power(
      "contract_power",
      {{"contract", "text"}, {"position", "integer"}, {"device", "text"}, {"outlet", "text"}});
  Batch probes("probe_target", {{"contract", "text"},
                                {"position", "integer"},
                                {"address", "text"},
                                {"services", "text"},
                                {"www_path", "text"}});
  Batch contacts("contact", {{"contract", "text"},
                             {"position", "integer"},
                             {"name", "text"},
                             {"authorized", "boolean"},
                             {"channel", "text"},
                             {"address", "text"}});
  std::int64_t version = 0;
  Impl& db = *impl_;
  auto r = write([&]() -> Result<void> {
    if (auto e = db.exec("DELETE FROM contract; DELETE FROM device; DELETE FROM uplink; "
                         "DELETE FROM calendar_day");
        !e) {
      return e.error();
    }
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
    for (const auto& c : inv.contracts) {
      contracts.add({c.id,
                     c.customer,
                     std::string(to_string(c.service)),
                     format_date(c.signed_on),
                     num(c.start),
                     num(c.end),
                     flag(c.end_given),
                     c.time_zone,
                     num(c.monthly_fee),
                     num(c.installation_fee),
                     c.currency,
                     flag(c.installation_auto_complete),
                     std::string(to_string(c.port_mode)),
                     num(c.sla.max_outage_minutes),
                     num(c.sla.availability_target_milli),
                     flag(c.sla.require_customer_report),
                     num(c.sla.report_window_days),
                     num(c.sla.probe_interval_seconds),
                     num(c.sla.notify_within_minutes),
                     num(c.sla.installation_business_days),
                     num(version),
                     process_text(c)});
      std::int64_t pos = 0;
      for (const auto& port : c.ports) {
        ports.add({c.id, num(pos++), port.device, port.interface});
      }
      pos = 0;
      for (const auto& src : c.power_sources) {
        power.add({c.id, num(pos++), src.device, src.outlet});
      }
      pos = 0;
      for (const auto& t : c.probe_targets) {
        probes.add({c.id, num(pos++), t.address, probe_services_text(t), t.www_path});
      }
      pos = 0;
      for (const auto& k : c.contacts) {
        contacts.add({c.id, num(pos++), k.name, flag(k.authorized),
                      std::string(to_string(k.channel)), k.address});
      }
    }
    for (const Batch* b :
         {&devices, &uplinks, &days, &contracts, &ports, &power, &probes, &contacts}) {
      if (auto e = b->insert(db); !e) {
        return e;
      }
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

Result<std::optional<std::int64_t>> PgStore::version_holding(const std::string& document) const {
  auto rows =
      impl_->exec("SELECT version, digest FROM inventory_version ORDER BY version DESC LIMIT 1");
  if (!rows) {
    return rows.error();
  }
  if (rows->empty()) {
    return std::optional<std::int64_t>{};
  }
  auto key = impl_->key.get(true);
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
  return read_devices(*impl_, impl_->key.reader(secrets));
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
    auto devices = read_devices(db, db.key.reader(secrets), contract);
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
        "installation_business_days, process FROM contract ";
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
      if (auto p = read_process(c, s.str(i, 20)); !p) {
        return p.error();
      }
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
