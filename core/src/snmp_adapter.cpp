// The Net-SNMP adapter: the only file that includes Net-SNMP headers. It turns received PDUs
// into neutral Trap values and answers informs when the handler says so.
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <sys/select.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <regex>

#include "colosla/log.hpp"
#include "colosla/result.hpp"
#include "colosla/trap_receiver.hpp"

namespace colosla::core {

namespace {

constexpr oid kSysUpTime[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
constexpr oid kSnmpTrapOid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

std::string oid_text(const oid* name, std::size_t len) {
  std::string s;
  for (std::size_t i = 0; i < len; ++i) {
    if (i != 0) {
      s += '.';
    }
    s += std::to_string(name[i]);
  }
  return s;
}

bool same_oid(const oid* a, std::size_t alen, const oid* b, std::size_t blen) {
  return snmp_oid_compare(a, alen, b, blen) == 0;
}

std::string bytes_text(const u_char* p, std::size_t n) {
  bool printable = true;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char c = p[i];
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      printable = false;
      break;
    }
  }
  if (printable) {
    return std::string(reinterpret_cast<const char*>(p), n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "0x";
  for (std::size_t i = 0; i < n; ++i) {
    s += kHex[p[i] >> 4];
    s += kHex[p[i] & 0xf];
  }
  return s;
}

Varbind convert(const netsnmp_variable_list* v) {
  Varbind b;
  b.oid = oid_text(v->name, v->name_length);
  switch (v->type) {
    case ASN_INTEGER:
      b.type = VarType::integer;
      b.number = *v->val.integer;
      b.text = std::to_string(b.number);
      break;
    case ASN_OCTET_STR:
      b.type = VarType::octet_string;
      b.text = bytes_text(v->val.string, v->val_len);
      break;
    case ASN_OBJECT_ID:
      b.type = VarType::oid;
      b.text = oid_text(v->val.objid, v->val_len / sizeof(oid));
      break;
    case ASN_IPADDRESS:
      b.type = VarType::ip_address;
      if (v->val_len == 4) {
        const u_char* a = v->val.string;
        b.text = std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) +
                 "." + std::to_string(a[3]);
      } else {
        b.text = bytes_text(v->val.string, v->val_len);
      }
      break;
    case ASN_COUNTER:
    case ASN_GAUGE:
    case ASN_TIMETICKS:
      b.type = v->type == ASN_COUNTER ? VarType::counter32
               : v->type == ASN_GAUGE ? VarType::gauge32
                                      : VarType::timeticks;
      b.number = static_cast<std::int64_t>(static_cast<unsigned long>(*v->val.integer) & 0xffffffffUL);
      b.text = std::to_string(b.number);
      break;
    case ASN_COUNTER64: {
      b.type = VarType::counter64;
      const std::uint64_t c = (static_cast<std::uint64_t>(v->val.counter64->high) << 32) |
                              (v->val.counter64->low & 0xffffffffUL);
      b.number = static_cast<std::int64_t>(c);
      b.text = std::to_string(c);
      break;
    }
    case ASN_OPAQUE:
      b.type = VarType::opaque;
      b.text = bytes_text(v->val.string, v->val_len);
      break;
    case ASN_NULL:
      b.type = VarType::null;
      break;
    case SNMP_NOSUCHOBJECT:
      b.type = VarType::no_such_object;
      break;
    case SNMP_NOSUCHINSTANCE:
      b.type = VarType::no_such_instance;
      break;
    case SNMP_ENDOFMIBVIEW:
      b.type = VarType::end_of_mib_view;
      break;
    default:
      b.type = VarType::other;
      b.text = bytes_text(v->val.string, v->val_len);
      break;
  }
  return b;
}

// "UDP: [127.0.0.1]:40000->[127.0.0.1]:11162" or "UDP/IPv6: [::1]:40000" → address, port.
void source_of(netsnmp_transport* t, const netsnmp_pdu* pdu, Trap& trap) {
  if (t == nullptr || t->f_fmtaddr == nullptr || pdu->transport_data == nullptr) {
    return;
  }
  char* text = t->f_fmtaddr(t, pdu->transport_data, static_cast<int>(pdu->transport_data_length));
  if (text == nullptr) {
    return;
  }
  static const std::regex re(R"(\[([^\]]+)\]:([0-9]+))");
  std::cmatch m;
  if (std::regex_search(text, m, re)) {
    trap.source_address = m[1].str();
    trap.source_port = static_cast<std::uint16_t>(std::stoul(m[2].str()));
  }
  SNMP_FREE(text);
}

int log_callback(int /*major*/, int /*minor*/, void* server_arg, void* /*client_arg*/) {
  const auto* m = static_cast<const snmp_log_message*>(server_arg);
  if (m == nullptr || m->msg == nullptr) {
    return 0;
  }
  std::string msg = m->msg;
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) {
    msg.pop_back();
  }
  const LogLevel level = m->priority <= LOG_ERR       ? LogLevel::error
                         : m->priority == LOG_WARNING ? LogLevel::warning
                         : m->priority <= LOG_INFO    ? LogLevel::info
                                                      : LogLevel::debug;
  log(level, "net-snmp", msg);
  return 0;
}

}  // namespace

struct TrapReceiver::Impl {
  Handler handler;
  const Clock* clock = nullptr;
  std::vector<std::string> endpoints;
  std::vector<netsnmp_session*> sessions;

  static int on_packet(int op, netsnmp_session* session, int /*reqid*/, netsnmp_pdu* pdu,
                       void* magic) {
    if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
      return 1;
    }
    auto* self = static_cast<Impl*>(session->myvoid);
    auto* transport = static_cast<netsnmp_transport*>(magic);
    Trap trap;
    trap.received = self->clock->now();
    source_of(transport, pdu, trap);
    trap.version = pdu->version == SNMP_VERSION_1 ? 1 : pdu->version == SNMP_VERSION_3 ? 3 : 2;
    if (pdu->version == SNMP_VERSION_3) {
      trap.user = pdu->securityName != nullptr ? std::string(pdu->securityName, pdu->securityNameLen) : "";
    } else if (pdu->community != nullptr) {
      trap.community.assign(reinterpret_cast<const char*>(pdu->community), pdu->community_len);
    }
    switch (pdu->command) {
      case SNMP_MSG_TRAP: {
        // RFC 3584 §3.1: generic traps map to snmpTraps.(generic + 1), enterprise-specific ones
        // to enterprise.0.specific.
        if (pdu->trap_type != SNMP_TRAP_ENTERPRISESPECIFIC) {
          trap.trap_oid = "1.3.6.1.6.3.1.1.5." + std::to_string(pdu->trap_type + 1);
        } else {
          trap.trap_oid = oid_text(pdu->enterprise, pdu->enterprise_length) + ".0." +
                          std::to_string(pdu->specific_type);
        }
        const u_char* a = pdu->agent_addr;
        trap.agent_address = std::to_string(a[0]) + "." + std::to_string(a[1]) + "." +
                             std::to_string(a[2]) + "." + std::to_string(a[3]);
        trap.uptime = static_cast<std::uint32_t>(pdu->time);
        for (auto* v = pdu->variables; v != nullptr; v = v->next_variable) {
          trap.varbinds.push_back(convert(v));
        }
        break;
      }
      case SNMP_MSG_TRAP2:
      case SNMP_MSG_INFORM:
        trap.inform = pdu->command == SNMP_MSG_INFORM;
        for (auto* v = pdu->variables; v != nullptr; v = v->next_variable) {
          if (same_oid(v->name, v->name_length, kSysUpTime, OID_LENGTH(kSysUpTime)) &&
              v->type == ASN_TIMETICKS) {
            trap.uptime = static_cast<std::uint32_t>(*v->val.integer);
          } else if (same_oid(v->name, v->name_length, kSnmpTrapOid, OID_LENGTH(kSnmpTrapOid)) &&
                     v->type == ASN_OBJECT_ID) {
            trap.trap_oid = oid_text(v->val.objid, v->val_len / sizeof(oid));
          } else {
            trap.varbinds.push_back(convert(v));
          }
        }
        break;
      default:
        log(LogLevel::warning, "trapd",
            "ignored an SNMP message that is not a notification (PDU type " +
                std::to_string(pdu->command) + ") from " + trap.source_address);
        return 1;
    }
    const bool acknowledge = self->handler(trap);
    if (trap.inform && acknowledge) {
      netsnmp_pdu* reply = snmp_clone_pdu(pdu);
      if (reply != nullptr) {
        reply->command = SNMP_MSG_RESPONSE;
        reply->errstat = 0;
        reply->errindex = 0;
        if (snmp_send(session, reply) == 0) {
          snmp_free_pdu(reply);
          log(LogLevel::warning, "trapd", "could not acknowledge an inform from " + trap.source_address);
        }
      }
    }
    return 1;
  }
};

TrapReceiver::TrapReceiver(Options options, Handler handler, const Clock& clock)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->clock = &clock;

  // Net-SNMP is configured here, not by /etc/snmp: no system config files, numeric OIDs, no
  // MIB files (colosla names the OIDs it uses), and a private directory for persistent state.
  static std::once_flag once;
  std::call_once(once, [&] {
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_callback, nullptr);
    snmp_enable_calllog();
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_LOAD_HOST_FILES, 1);
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OID_OUTPUT_FORMAT,
                       NETSNMP_OID_OUTPUT_NUMERIC);
    if (!options.state_dir.empty()) {
      netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_PERSISTENT_DIR,
                            options.state_dir.c_str());
    }
    // An empty MIBS list is Net-SNMP's own way to load no MIB modules at all (the default list
    // names modules Debian does not ship, and each missing one is logged as an error).
    setenv("MIBS", "", 1);
    init_snmp("colosla-trapd");
  });

  for (const auto& endpoint : options.listen) {
    netsnmp_transport* t = netsnmp_transport_open_server("colosla-trapd", endpoint.c_str());
    if (t == nullptr) {
      throw ConfigError("cannot listen on " + endpoint +
                        " (is the address local, the port free, and below 1024 only as root?)");
    }
    netsnmp_session s;
    snmp_sess_init(&s);
    s.peername = SNMP_DEFAULT_PEERNAME;
    s.version = SNMP_DEFAULT_VERSION;
    s.community_len = SNMP_DEFAULT_COMMUNITY_LEN;
    s.retries = SNMP_DEFAULT_RETRIES;
    s.timeout = SNMP_DEFAULT_TIMEOUT;
    s.callback = &Impl::on_packet;
    s.callback_magic = t;
    s.myvoid = impl_.get();
    s.isAuthoritative = SNMP_SESS_UNKNOWNAUTH;
    netsnmp_session* opened = snmp_add(&s, t, nullptr, nullptr);
    if (opened == nullptr) {
      netsnmp_transport_free(t);
      throw ConfigError("cannot start an SNMP session on " + endpoint);
    }
    impl_->sessions.push_back(opened);
    impl_->endpoints.push_back(endpoint);
  }
}

TrapReceiver::~TrapReceiver() {
  for (netsnmp_session* s : impl_->sessions) {
    snmp_close(s);
  }
}

const std::vector<std::string>& TrapReceiver::endpoints() const { return impl_->endpoints; }

bool TrapReceiver::poll(std::chrono::milliseconds timeout, int wake_fd) {
  int numfds = 0;
  fd_set fds;
  FD_ZERO(&fds);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  int block = 0;
  snmp_select_info(&numfds, &fds, &tv, &block);
  if (wake_fd >= 0) {
    FD_SET(wake_fd, &fds);
    numfds = std::max(numfds, wake_fd + 1);
  }
  const int n = select(numfds, &fds, nullptr, nullptr, &tv);
  if (n < 0) {
    return false;  // EINTR: the caller looks at its flags and calls again
  }
  const bool woken = wake_fd >= 0 && FD_ISSET(wake_fd, &fds);
  if (n == 0) {
    snmp_timeout();
  } else {
    if (woken) {
      FD_CLR(wake_fd, &fds);
    }
    snmp_read(&fds);
  }
  return woken;
}

}  // namespace colosla::core
