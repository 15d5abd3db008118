// The SLA events as COLOSLA-MIB notifications. The OIDs and the order of each notification's
// objects are the MIB's (tests/integration/snmp_notify.sh has snmptrapd name them from it).
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "colosla/base/calendar.hpp"
#include "colosla/snmp/snmp_client.hpp"
#include "colosla/snmp/snmp_notify.hpp"

namespace colosla::core {

namespace {

// coloslaMIB ::= { enterprises 32473 5 }: notifications under .0, objects under .1.
constexpr oid kMib[] = {1, 3, 6, 1, 4, 1, 32473, 5};

enum Obj : oid {
  kEventId = 1,
  kContract,
  kGuarantee,
  kEventTime,
  kMonth,
  kDevice,
  kInterface,
  kOutlet,
  kTarget,
  kService,
  kCountedMinutes,
  kBudgetMinutes,
  kPendingMinutes,
  kAvailability,
  kBudgetShareUsed,
  kBudgetThreshold,
  kDeadline,
  kReason,
};

struct Notification {
  oid number;
  std::vector<Obj>
      objects;  // after the common five: EventId, Contract, Guarantee, EventTime, Month
};

const std::map<std::string, Notification>& notifications() {
  static const std::map<std::string, Notification> n{
      {"port-down", {1, {kDevice, kInterface, kCountedMinutes, kBudgetMinutes, kReason}}},
      {"port-up",
       {2, {kDevice, kInterface, kCountedMinutes, kBudgetMinutes, kPendingMinutes, kAvailability}}},
      {"power-lost", {3, {kDevice, kOutlet, kCountedMinutes, kBudgetMinutes, kAvailability}}},
      {"power-restored",
       {4, {kDevice, kOutlet, kCountedMinutes, kBudgetMinutes, kPendingMinutes, kAvailability}}},
      {"emergency-declared", {5, {kTarget, kService, kDeadline, kReason}}},
      {"notification-due", {6, {kTarget, kService, kDeadline}}},
      {"notification-missed", {7, {kTarget, kService, kDeadline}}},
      {"budget-warning",
       {8,
        {kBudgetShareUsed, kBudgetThreshold, kCountedMinutes, kBudgetMinutes, kPendingMinutes,
         kAvailability}}},
      {"sla-breached", {9, {kCountedMinutes, kBudgetMinutes, kAvailability, kReason}}},
      {"installation-overdue", {10, {kDeadline}}},
      {"emergency-cleared", {11, {kTarget, kService, kReason}}},
      {"feedback-due", {12, {kDeadline, kReason}}},
      {"feedback-missed", {13, {kDeadline, kReason}}},
      {"operation-report-due", {14, {kDeadline, kReason}}},
      {"operation-report-missed", {15, {kDeadline, kReason}}},
      {"written-confirmation-due", {16, {kDeadline, kReason}}},
      {"written-confirmation-missed", {17, {kDeadline, kReason}}},
      {"complaint-report-due", {18, {kDeadline, kReason}}},
      {"complaint-report-missed", {19, {kDeadline, kReason}}},
      {"visit-unannounced", {20, {kReason}}},
      {"visit-unescorted", {21, {kReason}}},
      {"visit-overstayed", {22, {kDeadline, kReason}}},
  };
  return n;
}

// DateAndTime (SNMPv2-TC), 11 octets, from an RFC 3339 time with its offset.
std::string date_and_time(const std::string& text) {
  auto t = parse_time(text);
  if (!t || text.size() < 19) {
    return {};
  }
  int offset_min = 0;
  char sign = '+';
  if (text.back() != 'Z' && text.back() != 'z' && text.size() >= 6) {
    const std::string off = text.substr(text.size() - 6);
    sign = off[0];
    offset_min = std::stoi(off.substr(1, 2)) * 60 + std::stoi(off.substr(4, 2));
  }
  const auto local = *t + std::chrono::minutes{sign == '-' ? -offset_min : offset_min};
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{local - day};
  const int year = static_cast<int>(ymd.year());
  std::string out;
  out.push_back(static_cast<char>(year >> 8));
  out.push_back(static_cast<char>(year & 0xff));
  out.push_back(static_cast<char>(static_cast<unsigned>(ymd.month())));
  out.push_back(static_cast<char>(static_cast<unsigned>(ymd.day())));
  out.push_back(static_cast<char>(hms.hours().count()));
  out.push_back(static_cast<char>(hms.minutes().count()));
  out.push_back(static_cast<char>(hms.seconds().count()));
  out.push_back(0);
  out.push_back(sign);
  out.push_back(static_cast<char>(offset_min / 60));
  out.push_back(static_cast<char>(offset_min % 60));
  return out;
}

long decimal_milli(const std::string& text) {
  const auto dot = text.find('.');
  const long whole = std::stol(text.substr(0, dot));
  std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  frac.resize(3, '0');
  return whole * 1000 + std::stol(frac);
}

long enum_of(const std::string& word, std::initializer_list<const char*> words) {
  long i = 1;
  for (const char* w : words) {
    if (word == w) {
      return i;
    }
    ++i;
  }
  return 0;
}

// Adds one object (instance .0) with its value from the notification's JSON.
void add(netsnmp_pdu* pdu, Obj o, const nlohmann::json& n) {
  oid name[MAX_OID_LEN];
  std::size_t len = 0;
  for (const oid x : kMib) {
    name[len++] = x;
  }
  name[len++] = 1;
  name[len++] = o;
  name[len++] = 0;
  const auto str = [&](const std::string& s) {
    snmp_pdu_add_variable(pdu, name, len, ASN_OCTET_STR, s.data(), s.size());
  };
  const auto gauge = [&](long v) {
    const u_long u = v < 0 ? 0 : static_cast<u_long>(v);
    snmp_pdu_add_variable(pdu, name, len, ASN_GAUGE, &u, sizeof u);
  };
  const auto integer = [&](long v) {
    snmp_pdu_add_variable(pdu, name, len, ASN_INTEGER, &v, sizeof v);
  };
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& entity = n.contains("entity") ? n["entity"] : empty;
  const nlohmann::json& port = entity.contains("port") ? entity["port"] : empty;
  const nlohmann::json& power = entity.contains("power-source") ? entity["power-source"] : empty;
  const nlohmann::json& probe = entity.contains("probe") ? entity["probe"] : empty;
  switch (o) {
    case kEventId:
      return str(n.value("event-id", "0"));
    case kContract:
      return str(n.value("contract", ""));
    case kGuarantee:
      return integer(enum_of(n.value("guarantee", ""),
                             {"network", "power", "emergency", "installation", "process"}));
    case kEventTime:
      return str(date_and_time(n.value("time", "")));
    case kMonth:
      return str(n.value("month", ""));
    case kDevice:
      return str(port.value("device", power.value("device", "")));
    case kInterface:
      return str(port.value("interface", ""));
    case kOutlet:
      return str(power.value("outlet", ""));
    case kTarget:
      return str(probe.value("target", ""));
    case kService:
      return integer(enum_of(probe.value("service", ""), {"icmp", "www", "email", "ftp"}));
    case kCountedMinutes:
      return gauge(n.value("counted-minutes", 0L));
    case kBudgetMinutes:
      return gauge(n.value("budget-minutes", 0L));
    case kPendingMinutes:
      return gauge(n.value("pending-minutes", 0L));
    case kAvailability:
      return gauge(decimal_milli(n.value("availability", "0")));
    case kBudgetShareUsed:
      return gauge(decimal_milli(n.value("budget-share-used", "0")));
    case kBudgetThreshold:
      return gauge(decimal_milli(n.value("budget-threshold", "0")));
    case kDeadline:
      return str(date_and_time(n.value("deadline", "")));
    case kReason:
      return str(n.value("reason", ""));
  }
}

bool g_inform = false;
extern "C" void local_option(int /*argc*/, char* const* /*argv*/, int opt) {
  if (opt == 'C') {
    for (const char* p = optarg; p != nullptr && *p != '\0'; ++p) {
      g_inform = g_inform || *p == 'i';
    }
  }
}

}  // namespace

Result<std::int64_t> send_sla_notifications(
    const std::string& receiver, const std::vector<std::pair<std::int64_t, std::string>>& events,
    std::string& problem) {
  init_net_snmp("");
  std::vector<std::string> words{"colosla"};
  std::istringstream in(receiver);
  for (std::string w; in >> w;) {
    words.push_back(w);
  }
  std::vector<char*> argv;
  for (auto& w : words) {
    argv.push_back(w.data());
  }
  argv.push_back(nullptr);
  netsnmp_session session;
  g_inform = false;
  optind = 1;
  const int at =
      snmp_parse_args(static_cast<int>(words.size()), argv.data(), &session, "C:", local_option);
  if (at < 0 || at != static_cast<int>(words.size())) {
    return make_error(Errc::invalid_input, "trap sink \"" + receiver +
                                               "\": expected snmptrap's options and one HOST:PORT");
  }
  netsnmp_session* ss = snmp_open(&session);
  if (ss == nullptr) {
    return make_error(
        Errc::io, std::string("trap sink \"") + receiver + "\": " + snmp_api_errstring(snmp_errno));
  }
  std::int64_t last = 0;
  for (const auto& [id, body] : events) {
    const auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.empty()) {
      last = id;  // nothing to send for it
      continue;
    }
    std::string kind = j.begin().key();
    kind = kind.substr(kind.find(':') + 1);
    const auto it = notifications().find(kind);
    if (it == notifications().end()) {
      last = id;
      continue;
    }
    const nlohmann::json& n = j.begin().value();
    netsnmp_pdu* pdu = snmp_pdu_create(g_inform ? SNMP_MSG_INFORM : SNMP_MSG_TRAP2);
    const oid uptime_oid[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
    const u_long uptime = static_cast<u_long>(get_uptime());
    snmp_pdu_add_variable(pdu, uptime_oid, OID_LENGTH(uptime_oid), ASN_TIMETICKS, &uptime,
                          sizeof uptime);
    const oid trap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
    oid value[MAX_OID_LEN];
    std::size_t len = 0;
    for (const oid x : kMib) {
      value[len++] = x;
    }
    value[len++] = 0;
    value[len++] = it->second.number;
    snmp_pdu_add_variable(pdu, trap_oid, OID_LENGTH(trap_oid), ASN_OBJECT_ID, value,
                          len * sizeof(oid));
    for (const Obj o : {kEventId, kContract, kGuarantee, kEventTime, kMonth}) {
      add(pdu, o, n);
    }
    for (const Obj o : it->second.objects) {
      add(pdu, o, n);
    }
    bool sent = false;
    if (g_inform) {
      netsnmp_pdu* response = nullptr;
      const int status = snmp_synch_response(ss, pdu, &response);
      sent = status == STAT_SUCCESS && response != nullptr && response->errstat == SNMP_ERR_NOERROR;
      if (!sent) {
        problem = status == STAT_TIMEOUT || snmp_errno == SNMPERR_TIMEOUT
                      ? "no acknowledgement of the inform"
                  : response != nullptr ? snmp_errstring(static_cast<int>(response->errstat))
                                        : snmp_api_errstring(snmp_errno);
      }
      if (response != nullptr) {
        snmp_free_pdu(response);
      }
    } else {
      sent = snmp_send(ss, pdu) != 0;
      if (!sent) {
        problem = snmp_api_errstring(snmp_errno);
        snmp_free_pdu(pdu);
      }
    }
    if (!sent) {
      break;
    }
    last = id;
  }
  snmp_close(ss);
  return last;
}

}  // namespace colosla::core
