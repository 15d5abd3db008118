#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/base/calendar.hpp"
#include "colosla/base/clock.hpp"
#include "colosla/base/result.hpp"

/// The inventory: devices, uplinks, the business-day calendar and the contracts, as plain
/// values. It is read from YANG instance data (yang/colosla-inventory.yang) by
/// InventoryValidator and kept in the store.
namespace colosla::core {

enum class Role : std::uint8_t { network_switch, pdu, ups };
enum class ServiceType : std::uint8_t { server_rental, colocation, cabinet_rental };
enum class PortMode : std::uint8_t { any, all };
enum class ProbeService : std::uint8_t { icmp, www, email, ftp };
enum class Channel : std::uint8_t { office_phone, mobile, pager, fax, email };

std::string_view to_string(Role r);          // "switch", "pdu", "ups"
std::string_view to_string(ServiceType s);   // "server-rental", …
std::string_view to_string(PortMode m);      // "any", "all"
std::string_view to_string(ProbeService s);  // "icmp", "www", "email", "ftp"
std::string_view to_string(Channel c);       // "office-phone", …
/// Errors: invalid_input listing the accepted words.
Result<Role> parse_role(std::string_view word);
Result<ServiceType> parse_service_type(std::string_view word);
Result<PortMode> parse_port_mode(std::string_view word);
Result<ProbeService> parse_probe_service(std::string_view word);
Result<Channel> parse_channel(std::string_view word);

struct SnmpAccess {
  std::string version = "v2c";  ///< v1, v2c, v3
  std::string community = "public";
  std::uint16_t port = 161;
  std::string user;
  std::string auth_protocol;  ///< md5, sha, sha-224, sha-256, sha-384, sha-512, or empty
  std::string auth_password;
  std::string priv_protocol;  ///< des, aes, aes-192, aes-256, or empty
  std::string priv_password;
};

struct NetconfAccess {
  std::string transport = "ssh";  ///< ssh, tls
  std::uint16_t port = 830;
  std::string username;
  std::string password;
  std::string private_key;
  std::string certificate;
  std::string ca_file;
  std::string known_hosts;
  std::string socket;  ///< transport unix: the path of the server's Unix socket
};

struct Device {
  std::string name;
  Role role = Role::network_switch;
  std::string address;
  /// The plugins that read it, by name: one ("if-mib"), or several separated by single spaces
  /// ("if-mib ups-mib"), as the inventory's plugin leaf gives them (plugin_names() splits it).
  std::string plugin;
  std::string description;
  SnmpAccess snmp;
  std::optional<NetconfAccess> netconf;
  /// A PDU's outlets whose input phase (1..3) the inventory gives, by outlet name; empty when
  /// it gives none, and then a lost phase is the whole inlet lost.
  std::map<std::string, std::uint8_t, std::less<>> outlet_phases{};

  /// The phase that feeds `outlet`, when the inventory gives it.
  [[nodiscard]] std::optional<std::uint8_t> phase_of(std::string_view outlet) const {
    const auto it = outlet_phases.find(outlet);
    return it == outlet_phases.end() ? std::nullopt : std::optional<std::uint8_t>(it->second);
  }
};

/// The names of the plugins a device names, in its order ("if-mib ups-mib" → if-mib, ups-mib).
std::vector<std::string> plugin_names(const Device& d);

/// A switch interface, by device name and interface name (ifName), never by ifIndex.
struct PortRef {
  std::string device;
  std::string interface;
  friend auto operator<=>(const PortRef&, const PortRef&) = default;
  friend bool operator==(const PortRef&, const PortRef&) = default;
};

/// A PDU outlet, a whole PDU (no outlet: its inlet), or a UPS output.
struct PowerSourceRef {
  std::string device;
  std::optional<std::string> outlet;
  friend auto operator<=>(const PowerSourceRef&, const PowerSourceRef&) = default;
  friend bool operator==(const PowerSourceRef&, const PowerSourceRef&) = default;
};

struct ProbeTarget {
  std::string address;
  std::vector<ProbeService> services;
  std::string www_path = "/";
};

struct Contact {
  std::string name;
  bool authorized = false;
  Channel channel = Channel::mobile;
  std::string address;
};

/// The numbers of the agreement a contract may change; the defaults are the agreement's.
struct SlaParams {
  std::uint32_t max_outage_minutes = 44;
  std::uint32_t availability_target_milli = 99'900;  ///< 99.9 % in thousandths of a percent
  bool require_customer_report = true;
  std::uint32_t report_window_days = 5;
  std::uint32_t probe_interval_seconds = 300;
  std::uint32_t notify_within_minutes = 15;
  std::uint32_t installation_business_days = 3;
  std::uint32_t feedback_minutes = 30;            ///< Article 7.2: first feedback
  std::uint32_t operation_report_hours = 24;      ///< Article 7.2: report after the operation
  std::uint32_t written_confirmation_hours = 24;  ///< Article 6.6: a phone authorization's
  std::uint32_t complaint_report_hours = 24;      ///< Article 8.3: a complaint's first report
};

/// Article 5.6, 6.2: the contract's named staff.
struct Staff {
  std::vector<std::string> customer_service;
  std::vector<std::string> technical_support;
  friend bool operator==(const Staff&, const Staff&) = default;
};

struct Contract {
  std::string id;
  std::string customer;
  ServiceType service = ServiceType::colocation;
  std::chrono::year_month_day signed_on;
  Timestamp start;
  Timestamp end;  ///< Given, or start + 1 year at the same local wall time.
  bool end_given = false;
  std::string time_zone = "Asia/Shanghai";
  std::int64_t monthly_fee = 0;       ///< minor units of `currency`
  std::int64_t installation_fee = 0;  ///< minor units of `currency`
  std::string currency = "CNY";
  bool installation_auto_complete = false;
  std::vector<PortRef> ports;
  PortMode port_mode = PortMode::any;
  std::vector<PowerSourceRef> power_sources;
  std::vector<ProbeTarget> probe_targets;
  std::vector<Contact> contacts;
  SlaParams sla;
  /// Article 6.5: the MRTG user name and its crypt(3) hash (never the password) a caller gives
  /// to authorize by phone; empty when the inventory gives none.
  std::string mrtg_user;
  std::string mrtg_password_hash;
  std::string language = "both";  ///< the customer's statement: "zh", "en" or "both"
  Staff staff;
};

struct Inventory {
  std::vector<Device> devices;
  std::vector<PortRef> uplinks;
  BusinessCalendar calendar;
  std::vector<Contract> contracts;

  [[nodiscard]] const Device* find_device(std::string_view name) const;
  [[nodiscard]] const Contract* find_contract(std::string_view id) const;
};

/// One problem found in an inventory file, in plain words.
struct Diagnostic {
  std::string file;  ///< The file as the user named it.
  int line = 0;      ///< 0 when libyang gives no line.
  std::string path;  ///< YANG data path ("/colosla-inventory:inventory/contract[id='C-001']/…").
  std::string message;
  /// The file could not be read at all (missing, a directory, no permission): not a fault of
  /// its content.
  bool unreadable = false;

  /// "file:line: path: message", the form editors and people both read.
  [[nodiscard]] std::string to_string() const;
};

/// An inventory that passed every check, with its canonical document (RFC 7951 JSON with
/// every default written out) for the store and for `inventory show --format json`.
struct ValidatedInventory {
  Inventory inventory;
  std::string document;
  std::vector<std::string> files;
};

/// Validates inventory documents (RFC 7951 JSON or XML) against yang/colosla-inventory.yang
/// with libyang, then checks what YANG cannot say (time zones exist, dates exist, money fits the
/// currency, one port belongs to one contract at a time).
class InventoryValidator {
 public:
  /// Builds the YANG context from the modules compiled into the program.
  /// Throws ConfigError when the modules do not compile (a broken build).
  InventoryValidator();
  ~InventoryValidator();
  InventoryValidator(const InventoryValidator&) = delete;
  InventoryValidator& operator=(const InventoryValidator&) = delete;

  /// Reads and validates the files as one inventory (devices in one file may be referred to
  /// by contracts in another). The format is taken from the extension (.json, .xml) or else
  /// from the first character. Returns every problem found; an inventory with any problem is
  /// not returned at all.
  Result<ValidatedInventory, std::vector<Diagnostic>> validate_files(
      const std::vector<std::string>& paths);

  /// Same for documents already in memory; `name` is used in diagnostics.
  struct Document {
    std::string name;
    std::string text;
  };
  Result<ValidatedInventory, std::vector<Diagnostic>> validate(const std::vector<Document>& docs);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace colosla::core
