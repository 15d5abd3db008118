// The Net-SNMP adapter, part three: the trap receiver (traps and informs, SNMPv1 to v3).
#include "net_snmp.hpp"

namespace colosla::core {

using namespace net_snmp;  // NOLINT: the adapter's shared conversions

// -- the receiver ----------------------------------------------------------------------------

namespace {

void address_text(const sockaddr_storage& ss, std::uint16_t* port, std::string& out) {
  char buf[INET6_ADDRSTRLEN] = "?";
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    *port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    *port = ntohs(a->sin6_port);
  }
  out.assign(buf);
}

std::string address_text(const sockaddr_storage& ss, std::uint16_t* port) {
  std::string s;
  address_text(ss, port, s);
  return s;
}

// "udp:ADDR:PORT", "udp:PORT", "udp6:[ADDR]:PORT", "udp6:PORT" → family, address, port.
struct Endpoint {
  int family = AF_INET;
  std::string address;
  std::uint16_t port = 162;
};

Endpoint parse_endpoint(const std::string& spec) {
  static const std::regex v4(R"(^(?:udp:)?(?:([0-9.]+):)?([0-9]{1,5})$)");
  static const std::regex v6(R"(^udp6:(?:\[([0-9A-Fa-f:.]+)\]:)?([0-9]{1,5})$)");
  std::smatch m;
  Endpoint e;
  if (std::regex_match(spec, m, v4)) {
    e.address = m[1].matched ? m[1].str() : "0.0.0.0";
  } else if (std::regex_match(spec, m, v6)) {
    e.family = AF_INET6;
    e.address = m[1].matched ? m[1].str() : "::";
  } else {
    throw ConfigError("cannot listen on \"" + spec +
                      "\": write udp:ADDRESS:PORT, udp:PORT, udp6:[ADDRESS]:PORT or udp6:PORT");
  }
  const unsigned long port = std::stoul(m[2].str());
  if (port == 0 || port > 65535) {
    throw ConfigError("cannot listen on \"" + spec + "\": no such port");
  }
  e.port = static_cast<std::uint16_t>(port);
  return e;
}

// Whether `address` is one of the family's (inet_pton).
bool is_address(int family, const std::string& address) {
  in6_addr any{};
  return inet_pton(family, address.c_str(), &any) == 1;
}

int open_socket(const std::string& spec, int receive_buffer, std::string& described) {
  const Endpoint e = parse_endpoint(spec);
  const int fd = ::socket(e.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw ConfigError("cannot listen on " + spec + ": " + std::strerror(errno));
  }
  const int one = 1;
  if (e.family == AF_INET6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  }
  // A large receive buffer so that a stall (a commit, a burst) loses nothing: SO_RCVBUFFORCE
  // (with CAP_NET_ADMIN) is not capped by net.core.rmem_max; SO_RCVBUF is.
  if (receive_buffer > 0 &&
      setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer, sizeof receive_buffer) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  }
  int effective = 0;
  socklen_t len = sizeof effective;
  getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &effective, &len);
  sockaddr_storage ss{};
  socklen_t sl = 0;
  int ok = 0;
  if (e.family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(e.port);
    ok = inet_pton(AF_INET, e.address.c_str(), &a->sin_addr);
    sl = sizeof(sockaddr_in);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(e.port);
    ok = inet_pton(AF_INET6, e.address.c_str(), &a->sin6_addr);
    sl = sizeof(sockaddr_in6);
  }
  if (ok != 1) {
    ::close(fd);
    throw ConfigError("cannot listen on " + spec + ": \"" + e.address + "\" is not an address");
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), sl) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    throw ConfigError(
        "cannot listen on " + spec + ": " + why +
        (e.port < 1024 ? " (a port below 1024 needs root or CAP_NET_BIND_SERVICE)" : ""));
  }
  described = (e.family == AF_INET6 ? "udp6:[" + e.address + "]:" : "udp:" + e.address + ":") +
              std::to_string(e.port) + " (receive buffer " + std::to_string(effective) + " bytes)";
  return fd;
}

// Encodes a PDU with Net-SNMP and sends it to the peer on our socket.
bool send_pdu(netsnmp_session* sess, netsnmp_pdu* pdu, int fd, const sockaddr_storage& peer,
              socklen_t plen) {
  std::size_t buflen = 1500, offset = 0;
  auto* buf = static_cast<u_char*>(std::malloc(buflen));  // snmp_build may realloc it
  if (buf == nullptr) {
    return false;
  }
  bool sent = false;
  if (snmp_build(&buf, &buflen, &offset, sess, pdu) == 0) {
    // Encoded back to front unless the PDU asks for forward encoding.
    const bool forward = (pdu->flags & UCD_MSG_FLAG_FORWARD_ENCODE) != 0;
    const u_char* pkt = forward ? buf : buf + buflen - offset;
    const std::size_t n = forward ? buflen : offset;
    sent = ::sendto(fd, pkt, n, 0, reinterpret_cast<const sockaddr*>(&peer), plen) ==
           static_cast<ssize_t>(n);
  }
  std::free(buf);
  return sent;
}

// What the start of an SNMPv3 message says, read from the datagram itself (the parsed PDU does
// not keep it, and Net-SNMP must not be let near some of it):
// - whether its msgSecurityParameters lie inside the message: Net-SNMP 5.9.3's USM bounds its
//   reading of them by a length computed from the message's first bytes instead of their
//   addresses (practically unbounded), so parameters that claim to run past the end of the
//   datagram are read past it, and the scopedPDU after them too (fixed upstream after 5.9.3,
//   net-snmp bf93687); and its fields read one after the other past a msgGlobalData that
//   claims to end sooner, so that the parameters it then reads are not the ones checked here
//   unless msgGlobalData ends where its four fields end;
// - msgAuthoritativeEngineBoots and msgAuthoritativeEngineTime: both 0 is RFC 3414 §4's time
//   synchronisation, as a sender that knows our engine ID but not our clock sends them.
struct V3Header {
  bool parameters_fit = true;  ///< false when they are seen to run past the datagram, or
                               ///< msgGlobalData's length disagrees with its fields
  long boots = -1;
  long time = -1;
  [[nodiscard]] bool synchronising() const { return boots == 0 && time == 0; }
};

V3Header read_v3_header(u_char* data, std::size_t len) {
  V3Header h;
  u_char type = 0;
  std::size_t left = len;
  u_char* p = asn_parse_header(data, &left, &type);  // the message; left: its length
  long version = 0;
  if (p == nullptr || type != (ASN_SEQUENCE | ASN_CONSTRUCTOR) ||
      (p = asn_parse_int(p, &left, &type, &version, sizeof version)) == nullptr ||
      version != SNMP_VERSION_3) {
    return h;  // not v3, or Net-SNMP's own checks refuse it
  }
  std::size_t global = left;
  u_char* q = asn_parse_header(p, &global, &type);  // msgGlobalData
  if (q == nullptr) {
    return h;
  }
  // Its four fields, read as Net-SNMP reads them (one after the other, not bounded by the
  // sequence's own length): a sequence whose length does not end where they end would put the
  // parameters at one place here and at another in the parser, so it is refused.
  std::size_t fields = left - static_cast<std::size_t>(q - p);
  u_char* f = q;
  long number = 0;
  u_char flags[1];
  std::size_t flags_len = sizeof flags;
  f = asn_parse_int(f, &fields, &type, &number, sizeof number);                           // msgID
  f = f != nullptr ? asn_parse_int(f, &fields, &type, &number, sizeof number) : nullptr;  // size
  f = f != nullptr ? asn_parse_string(f, &fields, &type, flags, &flags_len) : nullptr;
  f = f != nullptr ? asn_parse_int(f, &fields, &type, &number, sizeof number) : nullptr;  // model
  if (f == nullptr || f != q + global) {
    h.parameters_fit = false;
    return h;
  }
  left -= static_cast<std::size_t>(q - p) + global;
  std::size_t params = left;
  u_char* u = asn_parse_header(q + global, &params, &type);  // fails when it runs past
  if (u == nullptr) {
    h.parameters_fit = false;
    return h;
  }
  if (type != ASN_OCTET_STR) {
    return h;
  }
  u = asn_parse_sequence(u, &params, &type, ASN_SEQUENCE | ASN_CONSTRUCTOR, "usm");
  u_char engine[SNMP_MAX_ENG_SIZE];
  std::size_t engine_len = sizeof engine;
  if (u != nullptr) {
    u = asn_parse_string(u, &params, &type, engine, &engine_len);
  }
  long boots = -1, time = -1;
  if (u != nullptr) {
    u = asn_parse_int(u, &params, &type, &boots, sizeof boots);
  }
  if (u != nullptr && asn_parse_int(u, &params, &type, &time, sizeof time) != nullptr) {
    h.boots = boots;
    h.time = time;
  }
  return h;
}

}  // namespace

struct TrapReceiver::Impl {
  const Clock* clock = nullptr;
  LogLimiter* limiter = nullptr;
  std::vector<int> fds;
  std::vector<std::string> endpoints;
  netsnmp_session session{};  // never opened: the parser's and the encoder's settings

  // Informs waiting for their commit, by handle; the key (peer, identity, request-id) finds
  // their retransmissions. A v3 sender accepts only a response to its newest copy (each
  // retransmission has a new msgID): the newest copy is kept.
  struct Pending {
    netsnmp_pdu* pdu;
    int fd;
    sockaddr_storage peer;
    socklen_t plen;
    std::string key;
  };
  std::unordered_map<std::uint64_t, Pending> pending;
  std::unordered_map<std::string, std::uint64_t> pending_by_key;
  std::uint64_t next_handle = 1;
  // Informs answered lately (key → when), to answer their late retransmissions at once.
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> answered;
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> answered_fifo;
  static constexpr auto kAnsweredFor = std::chrono::seconds{120};
  static constexpr std::size_t kMaxPending = 100'000;

  // recvmmsg batch
  static constexpr std::size_t kBatch = 64;
  static constexpr std::size_t kSlot = 16 * 1024;
  std::vector<u_char> buffers = std::vector<u_char>(kBatch * kSlot);
  std::array<mmsghdr, kBatch> msgs{};
  std::array<iovec, kBatch> iovs{};
  std::array<sockaddr_storage, kBatch> peers{};
  // What receive() hands out: reused from call to call, with their string buffers.
  std::vector<ReceivedTrap> slots = std::vector<ReceivedTrap>(kBatch);
  std::size_t used = 0;

  // A retransmission is the same inform again: same sender, same request-id and the same
  // content (the varbinds but sysUpTime.0, which a sender may renew). A new inform that reuses a
  // request-id within kAnsweredFor is not one.
  static std::string inform_key(const netsnmp_pdu* pdu, const sockaddr_storage& peer,
                                socklen_t plen) {
    std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a over the content
    const auto mix = [&h](const void* p, std::size_t n) {
      const auto* b = static_cast<const unsigned char*>(p);
      for (std::size_t i = 0; i < n; ++i) {
        h = (h ^ b[i]) * 0x100000001b3ULL;
      }
    };
    for (const auto* v = pdu->variables; v != nullptr; v = v->next_variable) {
      if (same_oid(v->name, v->name_length, kSysUpTime, OID_LENGTH(kSysUpTime))) {
        continue;
      }
      mix(v->name, v->name_length * sizeof(oid));
      mix(&v->type, sizeof v->type);
      mix(&v->val_len, sizeof v->val_len);
      if (v->val.string != nullptr) {
        mix(v->val.string, v->val_len);
      }
    }
    std::string k(reinterpret_cast<const char*>(&peer), plen);
    k.append(reinterpret_cast<const char*>(&h), sizeof h);
    k.append(reinterpret_cast<const char*>(&pdu->version), sizeof pdu->version);
    if (pdu->version == SNMP_VERSION_3) {
      k.append(reinterpret_cast<const char*>(pdu->securityEngineID), pdu->securityEngineIDLen);
      k.push_back('\0');
      k.append(pdu->securityName != nullptr ? pdu->securityName : "", pdu->securityNameLen);
    } else {
      k.append(reinterpret_cast<const char*>(pdu->community), pdu->community_len);
    }
    k.push_back('\0');
    k.append(reinterpret_cast<const char*>(&pdu->reqid), sizeof pdu->reqid);
    return k;
  }

  // Turns a parsed inform into its response, sends it, and frees it.
  bool respond(netsnmp_pdu* pdu, int fd, const sockaddr_storage& peer, socklen_t plen) {
    pdu->command = SNMP_MSG_RESPONSE;
    pdu->errstat = 0;
    pdu->errindex = 0;
    pdu->flags &= ~static_cast<u_long>(UCD_MSG_FLAG_EXPECT_RESPONSE | UCD_MSG_FLAG_RESPONSE_PDU);
    const bool ok = send_pdu(&session, pdu, fd, peer, plen);
    snmp_free_pdu(pdu);
    return ok;
  }

  void forget_answered() {
    const auto now = std::chrono::steady_clock::now();
    while (!answered_fifo.empty() && answered_fifo.front().first <= now) {
      const auto it = answered.find(answered_fifo.front().second);
      if (it != answered.end() && it->second <= now) {
        answered.erase(it);
      }
      answered_fifo.pop_front();
    }
  }

  // Writes a line about a refused datagram, within the limiter's rate.
  void note(std::string_view kind, const std::string& msg) const {
    if (limiter != nullptr) {
      limiter->log(LogLevel::warning, kind, msg);
    } else {
      log(LogLevel::warning, "trapd", msg);
    }
  }

  // A parse failure: counted by kind, and for SNMPv3 answered with a Report where RFC 3414 asks
  // for one (confirmed-class PDUs: discovery probes, informs).
  void refuse(netsnmp_pdu* pdu, int rc, u_char* data, std::size_t len, int fd,
              const sockaddr_storage& peer, socklen_t plen, ReceiveCounters& c) {
    const int code = rc < -1 ? rc : session.s_snmp_errno;
    bool usm = false;
    bool discovery = false;
    int report = 0;
    std::string why = snmp_api_errstring(code);
    switch (code) {
      case SNMPERR_USM_UNKNOWNENGINEID:
        // How an inform sender learns our engine ID (RFC 3414 §4): the normal start of every
        // SNMPv3 exchange, not an attack.
        discovery = true;
        report = code;
        break;
      case SNMPERR_USM_NOTINTIMEWINDOW:
        // The second step of that start sends boots and time 0 to learn ours. Anything else
        // outside the window is a replay, or a copy held back too long: refused (with the
        // Report RFC 3414 asks for, so that an honest sender resynchronises).
        discovery = read_v3_header(data, len).synchronising();
        usm = !discovery;
        report = code;
        why =
            "outside the time window (a replayed or delayed message, or a sender that has not "
            "resynchronised since colosla-trapd restarted)";
        break;
      case SNMPERR_USM_UNKNOWNSECURITYNAME:
      case SNMPERR_USM_UNSUPPORTEDSECURITYLEVEL:
      case SNMPERR_USM_AUTHENTICATIONFAILURE:
      case SNMPERR_USM_DECRYPTIONERROR:
        usm = true;
        report = code;
        break;
      case SNMPERR_ASN_PARSE_ERR:
        // Authenticated authPriv whose decrypted scopedPDU is garbage: a wrong privacy key (AES
        // "decrypts" anything). A decryptionError Report lets an inform sender fail at once.
        if (pdu->version == SNMP_VERSION_3 && pdu->securityName != nullptr &&
            pdu->securityLevel == SNMP_SEC_LEVEL_AUTHPRIV) {
          usm = true;
          report = SNMPERR_USM_DECRYPTIONERROR;
          pdu->command = 0;
        }
        break;
      default:
        break;
    }
    ++(discovery ? c.discovery : usm ? c.usm : c.malformed);
    if (report != 0 && pdu->version == SNMP_VERSION_3 &&
        (SNMP_CMD_CONFIRMED(pdu->command) ||
         (pdu->command == 0 && (pdu->flags & SNMP_MSG_FLAG_RPRT_BIT)))) {
      if (snmpv3_make_report(pdu, report) == SNMPERR_SUCCESS &&
          send_pdu(&session, pdu, fd, peer, plen)) {
        ++c.reports_sent;
      }
    }
    std::uint16_t port = 0;
    const std::string from = address_text(peer, &port);
    if (usm) {
      note("SNMPv3 refusals", "SNMPv3 message from " + from + " refused: " + why);
    } else if (!discovery) {
      note("malformed datagrams", "malformed packet from " + from + ": " + why);
    }
  }

  // The least security level a user is accepted at: what its keys allow (snmptrapd's
  // `authUser … priv`). A sender that can authenticate must; one that can encrypt must.
  static int least_level(const netsnmp_pdu* pdu) {
    const usmUser* u =
        usm_get_user(pdu->securityEngineID, pdu->securityEngineIDLen, pdu->securityName);
    if (u == nullptr) {
      return SNMP_SEC_LEVEL_AUTHPRIV;  // cannot happen after a parse: refuse rather than guess
    }
    if (u->privProtocol != nullptr &&
        snmp_oid_compare(u->privProtocol, u->privProtocolLen, usmNoPrivProtocol,
                         OID_LENGTH(usmNoPrivProtocol)) != 0) {
      return SNMP_SEC_LEVEL_AUTHPRIV;
    }
    if (u->authProtocol != nullptr &&
        snmp_oid_compare(u->authProtocol, u->authProtocolLen, usmNoAuthProtocol,
                         OID_LENGTH(usmNoAuthProtocol)) != 0) {
      return SNMP_SEC_LEVEL_AUTHNOPRIV;
    }
    return SNMP_SEC_LEVEL_NOAUTH;
  }

  static const char* level_name(int level) {
    return level == SNMP_SEC_LEVEL_AUTHPRIV     ? "authPriv"
           : level == SNMP_SEC_LEVEL_AUTHNOPRIV ? "authNoPriv"
                                                : "noAuthNoPriv";
  }

  // Decodes one datagram into slots[used] (which keeps its string buffers from earlier traps).
  void handle(u_char* data, std::size_t len, int fd, const sockaddr_storage& peer, socklen_t plen,
              ReceiveCounters& c) {
    auto* pdu = static_cast<netsnmp_pdu*>(std::calloc(1, sizeof(netsnmp_pdu)));
    if (pdu == nullptr) {
      ++c.overload;  // counted all the same: every datagram ends in one counter
      return;
    }
    // No session_list: the library then sends nothing itself and leaves the reason in the
    // return code and s_snmp_errno.
    const V3Header v3 = read_v3_header(data, len);
    const int rc =
        v3.parameters_fit ? snmp_parse(nullptr, &session, pdu, data, len) : SNMPERR_ASN_PARSE_ERR;
    if (rc != 0) {
      refuse(pdu, rc, data, len, fd, peer, plen, c);
      snmp_free_pdu(pdu);
      return;
    }
    if (pdu->version == SNMP_VERSION_3 && pdu->securityLevel < least_level(pdu)) {
      // USM let it through (the user exists); the user's keys say it must come better
      // protected: neither stored nor answered, or anyone on the path could fake an outage.
      ++c.usm;
      std::uint16_t port = 0;
      const std::string user(pdu->securityName != nullptr ? pdu->securityName : "",
                             pdu->securityNameLen);
      note("SNMPv3 refusals", "SNMPv3 message from " + address_text(peer, &port) +
                                  " refused: user " + escaped(user) + " sent " +
                                  level_name(pdu->securityLevel) + ", below its " +
                                  level_name(least_level(pdu)));
      snmp_free_pdu(pdu);
      return;
    }
    if (pdu->command != SNMP_MSG_TRAP && pdu->command != SNMP_MSG_TRAP2 &&
        pdu->command != SNMP_MSG_INFORM) {
      ++c.not_notifications;
      snmp_free_pdu(pdu);
      return;
    }
    ReceivedTrap& r = slots[used];
    r.inform = 0;
    Trap& trap = r.trap;
    trap.received = clock->now();
    address_text(peer, &trap.source_port, trap.source_address);
    fill(trap, pdu);
    if (pdu->command == SNMP_MSG_TRAP2 && pdu->version == SNMP_VERSION_3) {
      trap.engine_boots = v3.boots;  // a trap's authoritative engine is its sender
    }
    if (pdu->command == SNMP_MSG_INFORM) {
      std::string key = inform_key(pdu, peer, plen);
      if (answered.count(key) != 0) {  // a late retransmission of an inform already answered
        ++c.inform_repeats;
        respond(pdu, fd, peer, plen);
        return;
      }
      if (const auto it = pending_by_key.find(key); it != pending_by_key.end()) {
        ++c.inform_repeats;  // its commit is pending: keep the newest copy, deliver nothing
        Pending& p = pending.at(it->second);
        snmp_free_pdu(p.pdu);
        p.pdu = pdu;
        p.fd = fd;
        p.peer = peer;
        p.plen = plen;
        return;
      }
      if (pending.size() >= kMaxPending) {
        ++c.overload;
        note("informs not taken", "too many informs waiting for their commit; one from " +
                                      trap.source_address + " not taken (its sender retransmits)");
        snmp_free_pdu(pdu);
        return;
      }
      r.inform = next_handle++;
      pending_by_key.emplace(key, r.inform);
      pending.emplace(r.inform, Pending{pdu, fd, peer, plen, std::move(key)});
    } else {
      snmp_free_pdu(pdu);
    }
    ++used;
  }

  // The neutral trap from a parsed PDU (v1 translated to its SNMPv2 trap OID, RFC 3584 §3.1).
  static void fill(Trap& trap, const netsnmp_pdu* pdu) {
    trap.version = pdu->version == SNMP_VERSION_1 ? 1 : pdu->version == SNMP_VERSION_3 ? 3 : 2;
    trap.inform = pdu->command == SNMP_MSG_INFORM;
    trap.user.clear();
    trap.community.clear();
    trap.agent_address.clear();
    trap.trap_oid.clear();
    trap.uptime = 0;
    trap.context_engine_id.clear();
    trap.engine_boots = -1;
    if (pdu->version == SNMP_VERSION_3) {
      trap.user.assign(pdu->securityName != nullptr ? pdu->securityName : "", pdu->securityNameLen);
      static constexpr char kHex[] = "0123456789abcdef";
      for (std::size_t i = 0; i < pdu->contextEngineIDLen; ++i) {
        trap.context_engine_id += kHex[pdu->contextEngineID[i] >> 4];
        trap.context_engine_id += kHex[pdu->contextEngineID[i] & 0xf];
      }
    } else if (pdu->community != nullptr) {
      trap.community.assign(reinterpret_cast<const char*>(pdu->community), pdu->community_len);
    }
    std::size_t k = 0;
    const auto next = [&]() -> Varbind& {
      if (k == trap.varbinds.size()) {
        trap.varbinds.emplace_back();
      }
      return trap.varbinds[k++];
    };
    if (pdu->command == SNMP_MSG_TRAP) {
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
        convert(v, next());
      }
    } else {
      for (auto* v = pdu->variables; v != nullptr; v = v->next_variable) {
        if (same_oid(v->name, v->name_length, kSysUpTime, OID_LENGTH(kSysUpTime)) &&
            v->type == ASN_TIMETICKS) {
          trap.uptime = static_cast<std::uint32_t>(*v->val.integer);
        } else if (same_oid(v->name, v->name_length, kSnmpTrapOid, OID_LENGTH(kSnmpTrapOid)) &&
                   v->type == ASN_OBJECT_ID) {
          oid_text(v->val.objid, v->val_len / sizeof(oid), trap.trap_oid);
        } else {
          convert(v, next());
        }
      }
    }
    trap.varbinds.resize(k);  // (keeps the capacity, and the buffers of those it keeps)
  }
};

TrapReceiver::TrapReceiver(Options options, const Clock& clock) : impl_(std::make_unique<Impl>()) {
  impl_->clock = &clock;
  impl_->limiter = options.log;
  init_net_snmp(options.state_dir);
  snmp_sess_init(&impl_->session);
  impl_->session.version = SNMP_DEFAULT_VERSION;  // the version the packet says
  impl_->session.isAuthoritative =
      SNMP_SESS_UNKNOWNAUTH;               // as snmptrapd: informs authoritative, traps not
  impl_->session.authenticator = nullptr;  // communities are checked by the caller
  impl_->session.callback = nullptr;

  for (const auto& line : options.users) {
    // usm_parse_create_usmUser says nothing back: find the user afterwards.
    std::istringstream words(line);
    std::string first, engine, name;
    words >> first;
    if (first == "-e") {
      words >> engine >> name;
    } else {
      name = first;
    }
    std::vector<char> text(line.begin(), line.end());
    text.push_back('\0');
    usm_parse_create_usmUser("createUser", text.data());
    u_char id[64];
    std::size_t id_len = 0;
    if (!engine.empty()) {
      std::size_t cap = sizeof id;
      u_char* p = id;
      if (snmp_hex_to_binary(&p, &cap, &id_len, 0, engine.c_str()) == 0) {
        throw ConfigError("create-user " + name + ": \"" + engine +
                          "\" is not an engine ID in hex");
      }
    } else {
      id_len = snmpv3_get_engineID(id, sizeof id);
    }
    if (name.empty() || usm_get_user(id, id_len, name.c_str()) == nullptr) {
      // (Not the line itself: it holds the pass phrases, and this message reaches a log.)
      throw ConfigError(
          "create-user" + (name.empty() ? std::string() : " " + name) +
          ": not [-e ENGINEID] USER (MD5|SHA|SHA-224|SHA-256|SHA-384|SHA-512) "
          "AUTHPASS [(DES|AES|AES-192|AES-256) PRIVPASS] (pass phrases of 8 characters or more)");
    }
  }

  try {
    for (const auto& spec : options.listen) {
      std::string described;
      impl_->fds.push_back(open_socket(spec, options.receive_buffer, described));
      impl_->endpoints.push_back(described);
    }
  } catch (...) {
    for (int fd : impl_->fds) {
      ::close(fd);
    }
    throw;
  }
  for (std::size_t i = 0; i < Impl::kBatch; ++i) {
    impl_->iovs[i] = iovec{impl_->buffers.data() + i * Impl::kSlot, Impl::kSlot};
    impl_->msgs[i].msg_hdr.msg_iov = &impl_->iovs[i];
    impl_->msgs[i].msg_hdr.msg_iovlen = 1;
  }
}

TrapReceiver::~TrapReceiver() {
  for (int fd : impl_->fds) {
    ::close(fd);
  }
  for (auto& [handle, p] : impl_->pending) {
    snmp_free_pdu(p.pdu);
  }
}

const std::vector<int>& TrapReceiver::fds() const { return impl_->fds; }
const std::vector<std::string>& TrapReceiver::endpoints() const { return impl_->endpoints; }

std::string TrapReceiver::engine_id() const {
  u_char id[64];
  const std::size_t n = snmpv3_get_engineID(id, sizeof id);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += kHex[id[i] >> 4];
    s += kHex[id[i] & 0xf];
  }
  return s;
}

std::span<ReceivedTrap> TrapReceiver::receive(int fd, ReceiveCounters& c, std::size_t* datagrams) {
  Impl& m = *impl_;
  m.forget_answered();
  m.used = 0;
  *datagrams = 0;
  for (std::size_t i = 0; i < Impl::kBatch; ++i) {
    m.msgs[i].msg_hdr.msg_name = &m.peers[i];
    m.msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    m.msgs[i].msg_hdr.msg_flags = 0;
  }
  const int n =
      ::recvmmsg(fd, m.msgs.data(), static_cast<unsigned>(Impl::kBatch), MSG_DONTWAIT, nullptr);
  if (n <= 0) {
    return {};
  }
  *datagrams = static_cast<std::size_t>(n);
  for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
    ++c.datagrams;
    if ((m.msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0) {
      ++c.malformed;  // larger than a slot: not an SNMP notification worth reading
      continue;
    }
    m.handle(m.buffers.data() + i * Impl::kSlot, m.msgs[i].msg_len, fd, m.peers[i],
             m.msgs[i].msg_hdr.msg_namelen, c);
  }
  return {m.slots.data(), m.used};
}

std::span<ReceivedTrap> TrapReceiver::decode(std::span<const unsigned char> datagram,
                                             const std::string& peer, std::uint16_t port,
                                             ReceiveCounters& c) {
  Impl& m = *impl_;
  m.used = 0;
  sockaddr_storage ss{};
  socklen_t plen = 0;
  if (peer.find(':') == std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    inet_pton(AF_INET, peer.c_str(), &a->sin_addr);
    plen = sizeof(sockaddr_in);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    inet_pton(AF_INET6, peer.c_str(), &a->sin6_addr);
    plen = sizeof(sockaddr_in6);
  }
  // snmp_parse wants a buffer it may write to.
  std::vector<u_char> copy(datagram.begin(), datagram.end());
  ++c.datagrams;
  m.handle(copy.data(), copy.size(), -1, ss, plen, c);
  return {m.slots.data(), m.used};
}

bool TrapReceiver::acknowledge(std::uint64_t handle) {
  Impl& m = *impl_;
  const auto it = m.pending.find(handle);
  if (it == m.pending.end()) {
    return false;
  }
  Impl::Pending p = std::move(it->second);
  m.pending.erase(it);
  m.pending_by_key.erase(p.key);
  const bool ok = m.respond(p.pdu, p.fd, p.peer, p.plen);
  const auto until = std::chrono::steady_clock::now() + Impl::kAnsweredFor;
  m.answered[p.key] = until;
  m.answered_fifo.emplace_back(until, std::move(p.key));
  return ok;
}

void TrapReceiver::release(std::uint64_t handle) {
  Impl& m = *impl_;
  const auto it = m.pending.find(handle);
  if (it == m.pending.end()) {
    return;
  }
  snmp_free_pdu(it->second.pdu);
  m.pending_by_key.erase(it->second.key);
  m.pending.erase(it);
}

std::size_t TrapReceiver::pending_informs() const { return impl_->pending.size(); }

void check_endpoint(const std::string& spec) {
  const Endpoint e = parse_endpoint(spec);
  if (!is_address(e.family, e.address)) {
    throw ConfigError("cannot listen on " + spec + ": \"" + e.address + "\" is not an address");
  }
}

}  // namespace colosla::core
