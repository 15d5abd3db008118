// The Net-SNMP adapter, part two: the client (polls: get, walk).
#include "net_snmp.hpp"

namespace colosla::core {

using namespace net_snmp;  // NOLINT: the adapter's shared conversions

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
  return (v6 ? "udp6:[" + t.address + "]" : "udp:" + t.address) + ":" +
         std::to_string(t.access.port);
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
    return make_error(
        Errc::invalid_input,
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
    return make_error(
        Errc::invalid_input,
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
    return make_error(
        Errc::io, "no answer from " + peer_of(t) + " to " + what + " (" +
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
    return make_error(Errc::invalid_input, peer_of(t) + " refused " + what + ": " +
                                               snmp_errstring(static_cast<int>(r->errstat)));
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
    COLOSLA_TRY(set_v3(s, t.access));
  } else {
    s.community = reinterpret_cast<u_char*>(const_cast<char*>(t.access.community.c_str()));
    s.community_len = t.access.community.size();
  }
  SessPtr sess(snmp_sess_open(&s));
  if (!sess) {
    return make_error(
        Errc::io, "cannot open an SNMP session to " + peer + ": " + snmp_api_errstring(snmp_errno));
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
      netsnmp_pdu* pdu =
          snmp_pdu_create(s.version == SNMP_VERSION_1 ? SNMP_MSG_GETNEXT : SNMP_MSG_GETBULK);
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
        if (v->type == SNMP_ENDOFMIBVIEW || v->type == SNMP_NOSUCHOBJECT ||
            v->type == SNMP_NOSUCHINSTANCE ||
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

}  // namespace colosla::core
