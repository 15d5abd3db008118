#include "colosla/plugin/record.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include "colosla/base/oid.hpp"

namespace colosla::core {

std::string_view to_string(Stability s) {
  switch (s) {
    case Stability::stable:
      return "stable";
    case Stability::alpha:
      return "alpha";
    case Stability::wip:
      return "wip";
  }
  return "?";
}

std::string_view to_string(PluginKind k) {
  switch (k) {
    case PluginKind::snmp:
      return "snmp";
    case PluginKind::netconf:
      return "netconf";
  }
  return "?";
}

std::string to_string(const YangModule& m) { return m.name + "@" + m.revision; }

namespace {

constexpr std::string_view kAny = ".*";

// A trap OID entry without its ".*" (the prefix it declares), and whether it had one.
std::pair<std::string_view, bool> prefix_of(std::string_view entry) {
  if (entry.size() > kAny.size() && entry.substr(entry.size() - kAny.size()) == kAny) {
    return {entry.substr(0, entry.size() - kAny.size()), true};
  }
  return {entry, false};
}

bool numeric_oid(std::string_view oid) {
  if (oid.empty() || oid.front() == '.' || oid.back() == '.') {
    return false;
  }
  char last = '.';
  for (char c : oid) {
    if (c == '.' ? last == '.' : (c < '0' || c > '9')) {
      return false;
    }
    last = c;
  }
  return true;
}

// YYYY-MM-DD naming a day of the calendar (RFC 7950 §7.1.9: a revision is a date).
bool valid_revision(std::string_view r) {
  if (r.size() != 10 || r[4] != '-' || r[7] != '-') {
    return false;
  }
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (i == 4 || i == 7) {
      continue;
    }
    if (r[i] < '0' || r[i] > '9') {
      return false;
    }
    const int digit = r[i] - '0';
    if (i < 4) {
      y = y * 10 + digit;
    } else if (i < 7) {
      m = m * 10 + static_cast<unsigned>(digit);
    } else {
      d = d * 10 + static_cast<unsigned>(digit);
    }
  }
  return std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m},
                                     std::chrono::day{d}}
      .ok();
}

bool valid_name(std::string_view n) {
  return !n.empty() && n.size() <= 64 && n.front() != '-' &&
         std::all_of(n.begin(), n.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

// RFC 7950 §6.2: a letter or '_', then letters, digits, '_', '-' and '.'.
bool yang_identifier(std::string_view n) {
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  return !n.empty() && (letter(n.front()) || n.front() == '_') &&
         std::all_of(n.begin(), n.end(), [&](char c) {
           return letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
         });
}

}  // namespace

bool PluginRecord::declares_trap(std::string_view trap_oid) const {
  for (const auto& entry : trap_oids) {
    const auto [prefix, any] = prefix_of(entry);
    if (any ? oid_under(trap_oid, prefix) && trap_oid.size() > prefix.size()
            : same_notification(prefix, trap_oid)) {
      return true;
    }
  }
  return false;
}

bool PluginRecord::declares_notification(std::string_view module,
                                         std::string_view notification) const {
  return std::any_of(notifications.begin(), notifications.end(), [&](const std::string& n) {
    return n.size() == module.size() + 1 + notification.size() &&
           n.compare(0, module.size(), module) == 0 && n[module.size()] == ':' &&
           n.compare(module.size() + 1, notification.size(), notification) == 0;
  });
}

bool PluginRecord::reads_module(std::string_view module) const {
  return std::any_of(yang_modules.begin(), yang_modules.end(),
                     [&](const YangModule& m) { return m.name == module; });
}

std::vector<std::string> PluginRecord::module_names() const {
  std::vector<std::string> out;
  for (const auto& m : yang_modules) {
    if (std::find(out.begin(), out.end(), m.name) == out.end()) {
      out.push_back(m.name);
    }
  }
  return out;
}

std::string record_problem(const PluginRecord& r) {
  const std::string who = "plugin " + (r.name.empty() ? std::string("(no name)") : r.name) + ": ";
  if (!valid_name(r.name)) {
    return who +
           "a plugin name is 1 to 64 lower-case letters, digits and '-', not starting with '-'";
  }
  for (std::size_t i = 0; i < r.trap_oids.size(); ++i) {
    const std::string& entry = r.trap_oids[i];
    const auto [oid, any] = prefix_of(entry);
    if (!numeric_oid(oid)) {
      return who + "trap OID \"" + entry + "\" is not a numeric OID (or one ending in \".*\")";
    }
    if (!any && is_restart_trap(oid)) {
      return who + "trap OID " + entry +
             " is coldStart or warmStart, which the core handles for every SNMP plugin";
    }
    for (std::size_t j = 0; j < i; ++j) {
      const auto [other, other_any] = prefix_of(r.trap_oids[j]);
      if (oid == other && any == other_any) {
        return who + "trap OID " + entry + " is declared twice";
      }
      if ((other_any && oid_under(oid, other)) || (any && oid_under(other, oid))) {
        return who + "trap OID " + entry + " overlaps " + r.trap_oids[j];
      }
      if (!any && !other_any && (same_notification(oid, other) || same_notification(other, oid))) {
        return who + "trap OID " + entry + " and " + r.trap_oids[j] +
               " are one notification (RFC 3584: E.N arrives from SNMPv1 agents as E.0.N)";
      }
    }
  }
  std::set<YangModule, decltype([](const YangModule& a, const YangModule& b) {
             return a.name != b.name ? a.name < b.name : a.revision < b.revision;
           })>
      modules;
  for (const auto& m : r.yang_modules) {
    if (!yang_identifier(m.name)) {
      return who + "YANG module name \"" + m.name + "\" is not a YANG module name";
    }
    if (m.revision.empty()) {
      return who + "YANG module " + m.name + " has no revision (give the one it was written for)";
    }
    if (!valid_revision(m.revision)) {
      return who + "YANG module " + m.name + " has the revision \"" + m.revision +
             "\", which is not a date YYYY-MM-DD";
    }
    if (!modules.insert(m).second) {
      return who + "YANG module " + to_string(m) + " is declared twice";
    }
  }
  for (std::size_t i = 0; i < r.notifications.size(); ++i) {
    const std::string& n = r.notifications[i];
    const auto colon = n.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == n.size() ||
        n.find(':', colon + 1) != std::string::npos) {
      return who + "notification \"" + n + "\" is not written module:name";
    }
    if (std::find(r.notifications.begin(), r.notifications.begin() + static_cast<long>(i), n) !=
        r.notifications.begin() + static_cast<long>(i)) {
      return who + "notification " + n + " is declared twice";
    }
  }
  return {};
}

}  // namespace colosla::core
