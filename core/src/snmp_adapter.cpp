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
#include "colosla/snmp_client.hpp"
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

void init_net_snmp(const std::string& state_dir) {
  // Net-SNMP is configured here, not by /etc/snmp: no system config files, numeric OIDs, no MIB
  // files (colosla names the OIDs it uses), and a private directory for persistent state.
  static std::once_flag once;
  std::call_once(once, [&] {
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_callback, nullptr);
    snmp_enable_calllog();
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_LOAD_HOST_FILES, 1);
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OID_OUTPUT_FORMAT,
                       NETSNMP_OID_OUTPUT_NUMERIC);
    if (state_dir.empty()) {
      netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
      netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    } else {
      netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_PERSISTENT_DIR, state_dir.c_str());
    }
    // An empty MIBS list is Net-SNMP's own way to load no MIB modules at all (the default list
    // names modules Debian does not ship, and each missing one is logged as an error).
    setenv("MIBS", "", 1);
    init_snmp("colosla");
  });
}

// -- the client ------------------------------------------------------------------------------

namespace {

struct SessDeleter {
  void operator()(void* s) const { snmp_sess_close(s); }
};
using SessPtr = std::unique_ptr<void, SessDeleter>;
struct PduDeleter {
  void operator()(netsnmp_pdu* p) const { snmp_free_pdu(p); }
};
using PduPtr = std::unique_ptr<netsnmp_pdu, PduDeleter>;

std::string peer_of(const SnmpTarget& t) {
  const bool v6 = t.address.find(':') != std::string::npos;
  return (v6 ? "udp6:[" + t.address + "]" : "udp:" + t.address) + ":" + std::to_string(t.access.port);
}

// Sets an SNMPv3 session's user, level and localized keys from the inventory's words.
Result<void> set_v3(netsnmp_session& s, const SnmpAccess& a) {
  s.securityName = const_cast<char*>(a.user.c_str());
  s.securityNameLen = a.user.size();
  s.securityLevel = SNMP_SEC_LEVEL_NOAUTH;
  if (a.auth_protocol.empty()) {
    return {};
  }
  struct Proto {
    const char* name;
    const oid* id;
    std::size_t len;
  };
  static const Proto kAuth[] = {
      {"md5", usmHMACMD5AuthProtocol, USM_AUTH_PROTO_MD5_LEN},
      {"sha", usmHMACSHA1AuthProtocol, USM_AUTH_PROTO_SHA_LEN},
      {"sha-224", usmHMAC128SHA224AuthProtocol, OID_LENGTH(usmHMAC128SHA224AuthProtocol)},
      {"sha-256", usmHMAC192SHA256AuthProtocol, OID_LENGTH(usmHMAC192SHA256AuthProtocol)},
      {"sha-384", usmHMAC256SHA384AuthProtocol, OID_LENGTH(usmHMAC256SHA384AuthProtocol)},
      {"sha-512", usmHMAC384SHA512AuthProtocol, OID_LENGTH(usmHMAC384SHA512AuthProtocol)},
  };
  static const Proto kPriv[] = {
      {"des", usmDESPrivProtocol, USM_PRIV_PROTO_DES_LEN},
      {"aes", usmAESPrivProtocol, USM_PRIV_PROTO_AES_LEN},
      {"aes-192", usmAES192PrivProtocol, OID_LENGTH(usmAES192PrivProtocol)},
      {"aes-256", usmAES256PrivProtocol, OID_LENGTH(usmAES256PrivProtocol)},
  };
  const auto find = [](const auto& table, const std::string& name) -> const Proto* {
    for (const auto& p : table) {
      if (name == p.name) {
        return &p;
      }
    }
    return nullptr;
  };
  const Proto* auth = find(kAuth, a.auth_protocol);
  if (auth == nullptr) {
    return make_error(Errc::invalid_input, "unknown SNMPv3 auth protocol " + a.auth_protocol);
  }
  s.securityAuthProto = const_cast<oid*>(auth->id);
  s.securityAuthProtoLen = auth->len;
  s.securityAuthKeyLen = USM_AUTH_KU_LEN;
  if (generate_Ku(s.securityAuthProto, static_cast<u_int>(s.securityAuthProtoLen),
                  reinterpret_cast<const u_char*>(a.auth_password.data()), a.auth_password.size(),
                  s.securityAuthKey, &s.securityAuthKeyLen) != SNMPERR_SUCCESS) {
    return make_error(Errc::invalid_input,
                      "cannot derive the SNMPv3 auth key (a pass phrase has at least 8 characters)");
  }
  s.securityLevel = SNMP_SEC_LEVEL_AUTHNOPRIV;
  if (a.priv_protocol.empty()) {
    return {};
  }
  const Proto* priv = find(kPriv, a.priv_protocol);
  if (priv == nullptr) {
    return make_error(Errc::invalid_input, "unknown SNMPv3 privacy protocol " + a.priv_protocol);
  }
  s.securityPrivProto = const_cast<oid*>(priv->id);
  s.securityPrivProtoLen = priv->len;
  s.securityPrivKeyLen = USM_PRIV_KU_LEN;
  if (generate_Ku(s.securityAuthProto, static_cast<u_int>(s.securityAuthProtoLen),
                  reinterpret_cast<const u_char*>(a.priv_password.data()), a.priv_password.size(),
                  s.securityPrivKey, &s.securityPrivKeyLen) != SNMPERR_SUCCESS) {
    return make_error(Errc::invalid_input,
                      "cannot derive the SNMPv3 privacy key (a pass phrase has at least 8 characters)");
  }
  s.securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
  return {};
}

Error session_error(void* sess, int status, const SnmpTarget& t, const std::string& what) {
  int liberr = 0, syserr = 0;
  char* text = nullptr;
  snmp_sess_error(sess, &liberr, &syserr, &text);
  std::string msg = text != nullptr ? text : "unknown error";
  SNMP_FREE(text);
  if (status == STAT_TIMEOUT || liberr == SNMPERR_TIMEOUT) {
    return make_error(Errc::io,
                      "no answer from " + peer_of(t) + " to " + what + " (" +
                          std::to_string(t.timeout.count()) + " ms, " + std::to_string(t.retries + 1) +
                          (t.retries == 0 ? " try)" : " tries)") +
                          (t.access.version == "v3"
                               ? "; with SNMPv3 a wrong privacy pass phrase looks like this too"
                               : ""));
  }
  return make_error(Errc::invalid_input, peer_of(t) + ": " + what + ": " + msg);
}

// One request; the response or an error.
Result<PduPtr> ask(void* sess, const SnmpTarget& t, netsnmp_pdu* pdu, const std::string& what) {
  netsnmp_pdu* response = nullptr;
  const int st = snmp_sess_synch_response(sess, pdu, &response);
  PduPtr r(response);
  if (st != STAT_SUCCESS || !r) {
    return session_error(sess, st, t, what);
  }
  if (r->errstat != SNMP_ERR_NOERROR && r->errstat != SNMP_ERR_NOSUCHNAME) {
    return make_error(Errc::invalid_input,
                      peer_of(t) + " refused " + what + ": " + snmp_errstring(static_cast<int>(r->errstat)));
  }
  return r;
}

bool parse_oid(const std::string& text, oid* out, std::size_t& len) {
  len = MAX_OID_LEN;
  return read_objid(text.c_str(), out, &len) != 0;
}

}  // namespace

Result<PollAnswer> snmp_fetch(const SnmpTarget& t, const PollRequest& req, const Clock& clock) {
  init_net_snmp("");
  netsnmp_session s;
  snmp_sess_init(&s);
  const std::string peer = peer_of(t);
  s.peername = const_cast<char*>(peer.c_str());
  s.timeout = static_cast<long>(t.timeout.count()) * 1000;
  s.retries = t.retries;
  const std::string& version = t.access.version;
  s.version = version == "v1" ? SNMP_VERSION_1 : version == "v3" ? SNMP_VERSION_3 : SNMP_VERSION_2c;
  if (s.version == SNMP_VERSION_3) {
    if (auto r = set_v3(s, t.access); !r) {
      return r.error();
    }
  } else {
    s.community = reinterpret_cast<u_char*>(const_cast<char*>(t.access.community.c_str()));
    s.community_len = t.access.community.size();
  }
  SessPtr sess(snmp_sess_open(&s));
  if (!sess) {
    return make_error(Errc::io, "cannot open an SNMP session to " + peer + ": " +
                                    snmp_api_errstring(snmp_errno));
  }

  PollAnswer answer;
  if (!req.get.empty()) {
    netsnmp_pdu* pdu = snmp_pdu_create(SNMP_MSG_GET);
    for (const auto& text : req.get) {
      oid name[MAX_OID_LEN];
      std::size_t len = 0;
      if (!parse_oid(text, name, len)) {
        snmp_free_pdu(pdu);
        return make_error(Errc::internal, "bad OID " + text);
      }
      snmp_add_null_var(pdu, name, len);
    }
    auto r = ask(sess.get(), t, pdu, "a GET");
    if (!r) {
      return r.error();
    }
    for (auto* v = (*r)->variables; v != nullptr; v = v->next_variable) {
      answer.varbinds.push_back(convert(v));
    }
  }
  constexpr std::size_t kMaxRows = 100'000;
  for (const auto& column : req.walk) {
    oid root[MAX_OID_LEN];
    std::size_t root_len = 0;
    if (!parse_oid(column, root, root_len)) {
      return make_error(Errc::internal, "bad OID " + column);
    }
    oid next[MAX_OID_LEN];
    std::size_t next_len = root_len;
    std::copy(root, root + root_len, next);
    std::size_t rows = 0;
    bool done = false;
    while (!done && rows < kMaxRows) {
      netsnmp_pdu* pdu = snmp_pdu_create(s.version == SNMP_VERSION_1 ? SNMP_MSG_GETNEXT : SNMP_MSG_GETBULK);
      if (s.version != SNMP_VERSION_1) {
        pdu->non_repeaters = 0;
        pdu->max_repetitions = 50;
      }
      snmp_add_null_var(pdu, next, next_len);
      auto r = ask(sess.get(), t, pdu, "a walk of " + column);
      if (!r) {
        return r.error();
      }
      if ((*r)->variables == nullptr || (*r)->errstat == SNMP_ERR_NOSUCHNAME) {
        break;  // v1: end of the MIB
      }
      for (auto* v = (*r)->variables; v != nullptr; v = v->next_variable) {
        if (v->type == SNMP_ENDOFMIBVIEW || v->type == SNMP_NOSUCHOBJECT || v->type == SNMP_NOSUCHINSTANCE ||
            snmp_oidtree_compare(root, root_len, v->name, v->name_length) != 0 ||
            snmp_oid_compare(v->name, v->name_length, next, next_len) <= 0) {
          done = true;  // out of the subtree (or an agent that does not move forward)
          break;
        }
        answer.varbinds.push_back(convert(v));
        ++rows;
        std::copy(v->name, v->name + v->name_length, next);
        next_len = v->name_length;
      }
    }
  }
  answer.at = clock.now();
  return answer;
}

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

  init_net_snmp(options.state_dir);

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
