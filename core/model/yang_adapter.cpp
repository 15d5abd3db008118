// The libyang adapter of the inventory (with yang_common.cpp and yang_document.cpp, the only files
// of core/model that include libyang). It validates inventory documents
// against yang/colosla-inventory.yang and turns the validated tree into plain values.
#include <libyang/libyang.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "colosla/base/calendar.hpp"
#include "colosla/base/log.hpp"
#include "colosla/base/money.hpp"
#include "colosla/model/inventory.hpp"

#include "colosla/model/crypt_hash.hpp"
#include "colosla/model/mapping.hpp"
#include "yang_common.hpp"

namespace colosla::core {

namespace {

using yang::path_of;
using yang::QuietLibyang;
using yang::SetPtr;
using yang::TreePtr;

constexpr const char* kModule = "colosla-inventory";
constexpr const char* kTop = "/colosla-inventory:inventory";

const char* name_of(const lyd_node* n) { return n->schema ? n->schema->name : ""; }

std::vector<const lyd_node*> children(const lyd_node* parent, std::string_view name) {
  std::vector<const lyd_node*> out;
  for (const lyd_node* c = lyd_child(parent); c; c = c->next) {
    if (name == name_of(c)) {
      out.push_back(c);
    }
  }
  return out;
}

const lyd_node* child(const lyd_node* parent, std::string_view name) {
  for (const lyd_node* c = lyd_child(parent); c; c = c->next) {
    if (name == name_of(c)) {
      return c;
    }
  }
  return nullptr;
}

std::string text(const lyd_node* parent, std::string_view name) {
  const lyd_node* c = child(parent, name);
  const char* v = c ? lyd_get_value(c) : nullptr;
  return v ? std::string(v) : std::string();
}

bool flag(const lyd_node* parent, std::string_view name) { return text(parent, name) == "true"; }

template <class T>
T number(const lyd_node* parent, std::string_view name, T fallback) {
  const std::string v = text(parent, name);
  return v.empty() ? fallback : static_cast<T>(std::stoull(v));
}

}  // namespace

struct InventoryValidator::Impl {
  yang::CtxPtr ctx;
};

InventoryValidator::InventoryValidator() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = yang::make_context(kModule);
}

InventoryValidator::~InventoryValidator() = default;

Result<ValidatedInventory, std::vector<Diagnostic>> InventoryValidator::validate_files(
    const std::vector<std::string>& paths) {
  std::vector<Document> docs;
  std::vector<Diagnostic> diags;
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      diags.push_back(Diagnostic{p, 0, "", "cannot be read: it is a directory", true});
      continue;
    }
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      diags.push_back(
          Diagnostic{p, 0, "", "cannot be read: " + std::string(std::strerror(errno)), true});
      continue;
    }
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) {
      diags.push_back(
          Diagnostic{p, 0, "", "cannot be read: " + std::string(std::strerror(errno)), true});
      continue;
    }
    docs.push_back(Document{p, s.str()});
  }
  if (!diags.empty()) {
    return Unexpected{std::move(diags)};
  }
  return validate(docs);
}

namespace {

// Builds the plain-value inventory from a validated tree, and checks what YANG cannot express.
class Converter {
 public:
  Converter(const lyd_node* top, std::string file_hint) : top_(top), file_(std::move(file_hint)) {}

  Inventory run() {
    Inventory inv;
    for (const lyd_node* d : children(top_, "device")) {
      inv.devices.push_back(device(d));
    }
    for (const lyd_node* u : children(top_, "uplink")) {
      inv.uplinks.push_back(PortRef{text(u, "device"), text(u, "interface")});
    }
    if (const lyd_node* cal = child(top_, "calendar")) {
      inv.calendar.holidays = dates(cal, "holiday");
      inv.calendar.working_days = dates(cal, "working-day");
    }
    for (const lyd_node* c : children(top_, "contract")) {
      inv.contracts.push_back(contract(c));
    }
    check_ports(inv);
    return inv;
  }

  std::vector<Diagnostic>& diagnostics() { return diags_; }
  // Contracts whose end the document leaves out, with the computed end to write back.
  std::vector<std::pair<const lyd_node*, std::string>>& computed_ends() { return ends_; }

 private:
  void fail(const lyd_node* at, std::string msg) {
    diags_.push_back(Diagnostic{file_, 0, path_of(at), std::move(msg)});
  }
  void fail(const std::string& path, std::string msg) {
    diags_.push_back(Diagnostic{file_, 0, path, std::move(msg)});
  }

  Device device(const lyd_node* n) {
    Device d;
    d.name = text(n, "name");
    d.role = parse_role(text(n, "role")).value();
    d.address = text(n, "address");
    d.plugin = text(n, "plugin");
    d.description = text(n, "description");
    if (const lyd_node* s = child(n, "snmp")) {
      d.snmp.version = text(s, "version");
      d.snmp.community = text(s, "community");
      d.snmp.port = number<std::uint16_t>(s, "port", 161);
      d.snmp.user = text(s, "user");
      d.snmp.auth_protocol = text(s, "auth-protocol");
      d.snmp.auth_password = text(s, "auth-password");
      d.snmp.priv_protocol = text(s, "priv-protocol");
      d.snmp.priv_password = text(s, "priv-password");
    }
    if (const lyd_node* nc = child(n, "netconf")) {
      NetconfAccess a;
      a.transport = text(nc, "transport");
      a.port = number<std::uint16_t>(nc, "port", 830);
      a.username = text(nc, "username");
      a.password = text(nc, "password");
      a.private_key = text(nc, "private-key");
      a.certificate = text(nc, "certificate");
      a.ca_file = text(nc, "ca-file");
      a.known_hosts = text(nc, "known-hosts");
      a.socket = text(nc, "socket");
      d.netconf = a;
    }
    for (const lyd_node* o : children(n, "outlet")) {
      d.outlet_phases[text(o, "name")] = number<std::uint8_t>(o, "phase", 0);
    }
    return d;
  }

  std::vector<std::chrono::year_month_day> dates(const lyd_node* parent, std::string_view name) {
    std::vector<std::chrono::year_month_day> out;
    for (const lyd_node* n : children(parent, name)) {
      auto d = parse_date(lyd_get_value(n));
      if (!d) {
        fail(n, d.error().msg);
        continue;
      }
      if (std::find(out.begin(), out.end(), *d) == out.end()) {
        out.push_back(*d);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  Contract contract(const lyd_node* n) {
    Contract c;
    c.id = text(n, "id");
    c.customer = text(n, "customer");
    c.service = parse_service_type(text(n, "service")).value();
    c.time_zone = text(n, "time-zone");
    c.currency = text(n, "currency");
    c.installation_auto_complete = flag(n, "installation-auto-complete");
    c.port_mode = parse_port_mode(text(n, "port-mode")).value();

    auto zone = Zone::locate(c.time_zone);
    if (!zone) {
      fail(child(n, "time-zone"), zone.error().msg);
    }
    if (auto d = parse_date(text(n, "signed"))) {
      c.signed_on = *d;
    } else {
      fail(child(n, "signed"), d.error().msg);
    }
    if (auto t = parse_time(text(n, "start"))) {
      c.start = *t;
    } else {
      fail(child(n, "start"), t.error().msg);
    }
    if (const lyd_node* e = child(n, "end")) {
      c.end_given = true;
      if (auto t = parse_time(lyd_get_value(e))) {
        c.end = *t;
        if (c.end <= c.start) {
          const Zone z = zone ? *zone : Zone::utc();
          fail(e, "the contract ends " + format_time(c.end, z) + ", not after it starts " +
                      format_time(c.start, z));
        }
      } else {
        fail(e, t.error().msg);
      }
    } else if (zone) {
      // Article 11: the agreement runs one year.
      c.end = add_years_local(c.start, 1, *zone);
      ends_.emplace_back(n, format_time(c.end, *zone));
    }
    if (auto unit = currency_minor_unit(c.currency); !unit) {
      fail(child(n, "currency"), unit.error().msg);
    }
    for (const char* leaf : {"monthly-fee", "installation-fee"}) {
      if (!currency_minor_unit(c.currency)) {
        break;  // said once, on the currency
      }
      auto m = parse_money(text(n, leaf), c.currency);
      if (!m) {
        fail(child(n, leaf), m.error().msg);
        continue;
      }
      (std::string_view(leaf) == "monthly-fee" ? c.monthly_fee : c.installation_fee) = *m;
    }

    for (const lyd_node* p : children(n, "port")) {
      c.ports.push_back(PortRef{text(p, "device"), text(p, "interface")});
    }
    std::set<PowerSourceRef> seen_power;
    for (const lyd_node* p : children(n, "power-source")) {
      PowerSourceRef ref{text(p, "device"), std::nullopt};
      if (child(p, "outlet") != nullptr) {
        ref.outlet = text(p, "outlet");
      }
      if (!seen_power.insert(ref).second) {
        fail(p, "power source " + ref.device + (ref.outlet ? " outlet " + *ref.outlet : "") +
                    " is listed twice");
      }
      c.power_sources.push_back(ref);
    }
    for (const lyd_node* t : children(n, "probe-target")) {
      ProbeTarget pt;
      pt.address = text(t, "address");
      pt.www_path = text(t, "www-path");
      for (const lyd_node* s : children(t, "service")) {
        const auto svc = parse_probe_service(lyd_get_value(s)).value();
        if (std::find(pt.services.begin(), pt.services.end(), svc) == pt.services.end()) {
          pt.services.push_back(svc);
        }
      }
      c.probe_targets.push_back(pt);
    }
    for (const lyd_node* k : children(n, "contact")) {
      c.contacts.push_back(Contact{text(k, "name"), flag(k, "authorized"),
                                   parse_channel(text(k, "channel")).value(), text(k, "address")});
    }
    if (const lyd_node* s = child(n, "sla")) {
      c.sla.max_outage_minutes = number<std::uint32_t>(s, "max-outage-minutes", 44);
      auto target = parse_decimal(text(s, "availability-target"), 3);
      c.sla.availability_target_milli = target ? static_cast<std::uint32_t>(*target) : 99'900;
      c.sla.require_customer_report = flag(s, "require-customer-report");
      c.sla.report_window_days = number<std::uint32_t>(s, "report-window-days", 5);
      c.sla.probe_interval_seconds = number<std::uint32_t>(s, "probe-interval-seconds", 300);
      c.sla.notify_within_minutes = number<std::uint32_t>(s, "notify-within-minutes", 15);
      c.sla.installation_business_days = number<std::uint32_t>(s, "installation-business-days", 3);
      c.sla.feedback_minutes = number<std::uint32_t>(s, "feedback-minutes", 30);
      c.sla.operation_report_hours = number<std::uint32_t>(s, "operation-report-hours", 24);
      c.sla.written_confirmation_hours = number<std::uint32_t>(s, "written-confirmation-hours", 24);
      c.sla.complaint_report_hours = number<std::uint32_t>(s, "complaint-report-hours", 24);
    }
    c.mrtg_user = text(n, "mrtg-user");
    if (const lyd_node* h = child(n, "mrtg-password-hash")) {
      c.mrtg_password_hash = lyd_get_value(h);
      // The value is never repeated: it may be the password itself.
      if (!is_crypt_hash(c.mrtg_password_hash)) {
        fail(h,
             "is not a crypt(3) hash that libxcrypt accepts ($y$…, $6$…, $5$…, $2b$…); the "
             "inventory holds the hash of the MRTG password, never the password (make one with "
             "mkpasswd or openssl passwd -6)");
      }
    }
    if (!c.mrtg_password_hash.empty() && c.mrtg_user.empty()) {
      fail(child(n, "mrtg-password-hash"), "needs the contract's mrtg-user beside it");
    }
    if (const std::string lang = text(n, "language"); !lang.empty()) {
      c.language = lang;
    }
    if (const lyd_node* st = child(n, "staff")) {
      for (const lyd_node* p : children(st, "customer-service")) {
        c.staff.customer_service.emplace_back(lyd_get_value(p));
      }
      for (const lyd_node* p : children(st, "technical-support")) {
        c.staff.technical_support.emplace_back(lyd_get_value(p));
      }
    }
    return c;
  }

  // One port, one contract at a time; and a customer port is never an uplink.
  void check_ports(const Inventory& inv) {
    const std::set<PortRef> uplinks(inv.uplinks.begin(), inv.uplinks.end());
    for (const auto& c : inv.contracts) {
      for (const auto& p : c.ports) {
        if (uplinks.count(p) != 0) {
          fail(std::string(kTop) + "/contract[id='" + c.id + "']/port[device='" + p.device +
                   "'][interface='" + p.interface + "']",
               "port " + p.device + " " + p.interface +
                   " is an uplink; it cannot be a customer's port");
        }
      }
    }
    if (!diags_.empty()) {
      return;  // times may be missing; the overlap check needs them all
    }
    if (auto ranges = resolve_mappings(inv, {}); !ranges) {
      fail(ranges.error().where, ranges.error().msg);
    }
  }

  const lyd_node* top_;
  std::string file_;
  std::vector<Diagnostic> diags_;
  std::vector<std::pair<const lyd_node*, std::string>> ends_;
};

// Moves every child of `from` under `into` (both instances of the same container): lists and
// leaf-lists are appended as they are, containers are grafted recursively.
LY_ERR graft(lyd_node* into, lyd_node* from) {
  lyd_node* c = lyd_child(from);
  while (c != nullptr) {
    lyd_node* next = c->next;
    lyd_node* same = nullptr;
    if (c->schema != nullptr && c->schema->nodetype == LYS_CONTAINER) {
      for (lyd_node* t = lyd_child(into); t; t = t->next) {
        if (t->schema == c->schema) {
          same = t;
          break;
        }
      }
    }
    if (same != nullptr) {
      if (const LY_ERR r = graft(same, c); r != LY_SUCCESS) {
        return r;
      }
    } else {
      lyd_unlink_tree(c);
      if (const LY_ERR r = lyd_insert_child(into, c); r != LY_SUCCESS) {
        lyd_free_tree(c);
        return r;
      }
    }
    c = next;
  }
  return LY_SUCCESS;
}

// libyang prints date-and-time values in the process's local time zone, which differs between
// machines; write each contract's start and end in the contract's own zone instead.
std::string with_contract_times(const std::string& document, const Inventory& inv) {
  auto doc = nlohmann::ordered_json::parse(document);
  auto& contracts = doc["colosla-inventory:inventory"]["contract"];
  for (auto& c : contracts) {
    const Contract* contract = inv.find_contract(c.value("id", ""));
    if (contract == nullptr) {
      continue;
    }
    auto zone = Zone::locate(contract->time_zone);
    const Zone z = zone ? *zone : Zone::utc();
    c["start"] = format_time(contract->start, z);
    c["end"] = format_time(contract->end, z);
  }
  return doc.dump(2) + "\n";
}

}  // namespace

Result<ValidatedInventory, std::vector<Diagnostic>> InventoryValidator::validate(
    const std::vector<Document>& docs) {
  QuietLibyang quiet;
  ly_ctx* ctx = impl_->ctx.get();
  ly_err_clean(ctx, nullptr);
  std::vector<Diagnostic> diags;
  if (docs.empty()) {
    return Unexpected{std::vector<Diagnostic>{{"", 0, "", "no inventory file given"}}};
  }

  // 1. Parse each file on its own: syntax, unknown members, types, patterns and duplicate keys
  //    are reported against the file and line they are in.
  std::vector<TreePtr> trees;
  for (const auto& d : docs) {
    if (d.text.find_first_not_of(" \t\r\n") == std::string::npos) {
      diags.push_back(Diagnostic{d.name, 0, "", "the file is empty"});
      trees.emplace_back(nullptr);
      continue;
    }
    const LYD_FORMAT fmt = yang::looks_like_xml(d.name, d.text) ? LYD_XML : LYD_JSON;
    lyd_node* raw = nullptr;
    if (lyd_parse_data_mem(ctx, d.text.c_str(), fmt, LYD_PARSE_ONLY | LYD_PARSE_STRICT, 0, &raw) !=
        LY_SUCCESS) {
      TreePtr partial(raw);
      yang::drain_errors(ctx, d.name, nullptr, diags);
      trees.emplace_back(nullptr);
      continue;
    }
    TreePtr tree(raw);
    if (tree == nullptr || lyd_owner_module(tree.get()) == nullptr ||
        std::string_view(lyd_owner_module(tree.get())->name) != kModule) {
      diags.push_back(Diagnostic{
          d.name, 0, "",
          "no \"colosla-inventory:inventory\" object in the file (an inventory document starts "
          "with {\"colosla-inventory:inventory\": {…}} in JSON, or <inventory "
          "xmlns=\"urn:colosla:yang:colosla-inventory\"> in XML)"});
      trees.emplace_back(nullptr);
      continue;
    }
    trees.push_back(std::move(tree));
  }
  if (!diags.empty()) {
    return Unexpected{std::move(diags)};
  }

  // 2. Several files make one inventory. A device or contract defined in two files is an
  //    error, not a silent merge.
  std::map<std::string, std::string> defined_in;  // data path of a list entry -> file
  for (std::size_t i = 0; i < trees.size(); ++i) {
    for (const lyd_node* entry = lyd_child(trees[i].get()); entry; entry = entry->next) {
      if (entry->schema == nullptr || entry->schema->nodetype != LYS_LIST) {
        continue;
      }
      const std::string p = path_of(entry);
      if (const auto it = defined_in.find(p);
          it != defined_in.end() && it->second != docs[i].name) {
        diags.push_back(Diagnostic{docs[i].name, 0, p, "also defined in " + it->second});
      } else {
        defined_in.emplace(p, docs[i].name);
      }
    }
  }
  if (!diags.empty()) {
    return Unexpected{std::move(diags)};
  }
  // The files' entries are grafted into one tree, never merged: lyd_merge would fold two
  // entries with the same key into one, and validation would no longer see the duplicate.
  TreePtr merged;
  for (const auto& t : trees) {
    lyd_node* copy = nullptr;
    if (lyd_dup_siblings(t.get(), nullptr, LYD_DUP_RECURSIVE, &copy) != LY_SUCCESS) {
      return Unexpected{
          std::vector<Diagnostic>{{docs.front().name, 0, "", "libyang could not copy the tree"}}};
    }
    if (!merged) {
      merged.reset(copy);
    } else {
      TreePtr source(copy);
      if (graft(merged.get(), source.get()) != LY_SUCCESS) {
        std::vector<Diagnostic> found;
        yang::drain_errors(ctx, docs.front().name, nullptr, found);
        return Unexpected{std::move(found)};
      }
    }
  }

  // 3. Validate the whole: leafrefs, must, mandatory nodes, defaults.
  auto file_of = [&](const std::string& path) -> std::string {
    if (docs.size() == 1) {
      return docs.front().name;
    }
    for (std::size_t i = 0; i < trees.size(); ++i) {
      lyd_node* found = nullptr;
      if (!path.empty() && lyd_find_path(trees[i].get(), path.c_str(), 0, &found) == LY_SUCCESS) {
        return docs[i].name;
      }
    }
    std::string all;
    for (const auto& d : docs) {
      all += (all.empty() ? "" : "+") + d.name;
    }
    return all;
  };
  {
    lyd_node* target = merged.release();
    const LY_ERR r = lyd_validate_all(&target, ctx, LYD_VALIDATE_PRESENT, nullptr);
    merged.reset(target);
    if (r != LY_SUCCESS) {
      std::vector<Diagnostic> found;
      yang::drain_errors(ctx, "", merged.get(), found);
      for (auto& d : found) {
        d.file = file_of(d.path);
        diags.push_back(std::move(d));
      }
      return Unexpected{std::move(diags)};
    }
  }

  // 4. What YANG cannot say.
  const lyd_node* top = merged.get();
  Converter conv(top, "");
  ValidatedInventory out;
  out.inventory = conv.run();
  if (!conv.diagnostics().empty()) {
    for (auto& d : conv.diagnostics()) {
      d.file = file_of(d.path);
      // The line, as libyang gives it for its own errors: found by the data path in JSON.
      for (const auto& doc : docs) {
        if (doc.name == d.file && d.line == 0 && !d.path.empty() &&
            !yang::looks_like_xml(doc.name, doc.text)) {
          d.line = yang::json_line_of(doc.text, d.path);
        }
      }
      diags.push_back(std::move(d));
    }
    return Unexpected{std::move(diags)};
  }

  // 5. The canonical document: every default written out, the computed contract ends too.
  for (const auto& [contract, end] : conv.computed_ends()) {
    lyd_new_term(const_cast<lyd_node*>(contract), nullptr, "end", end.c_str(), 0, nullptr);
  }
  char* printed = nullptr;
  if (lyd_print_mem(&printed, merged.get(), LYD_JSON, LYD_PRINT_WITHSIBLINGS | LYD_PRINT_WD_ALL) !=
      LY_SUCCESS) {
    return Unexpected{
        std::vector<Diagnostic>{{"", 0, "", "libyang could not print the inventory"}}};
  }
  std::string document = printed;
  std::free(printed);  // NOLINT: allocated by libyang
  out.document = with_contract_times(document, out.inventory);
  for (const auto& d : docs) {
    out.files.push_back(d.name);
  }
  return out;
}

}  // namespace colosla::core
