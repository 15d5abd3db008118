// colosla-inform-sender: the sender of the kill -9 soak (tests/integration/soak.sh, bench/soak).
// It sends SNMP informs with Net-SNMP's library, one session and one inform at a time, and
// writes down every inform the receiver acknowledged, so that the store can be checked against
// that list afterwards.
//
// Inform k is an IF-MIB linkDown or linkUp (RFC 2863: ifIndex, ifOperStatus, ifName) of one of
// --ports ports, in turn, each port going down and up alternately, so that every inform changes a
// port's state; plus a marker varbind 1.3.6.1.4.1.8072.9999.1.0 = "soak:TAG:k" (NET-SNMP-MIB's
// netSnmpPlaypen) that the receiver keeps in the evidence text of what it stores. An inform not
// acknowledged after its retries is counted as failed and the sender goes on with the next (the
// receiver may be down). The receiver may have committed it all the same (and died before
// answering): the state of its port is then unknown to the sender, which leaves that port and
// takes a new one (the next ifIndex never used), so that the next inform on it is a change too.
//
// After each acknowledged inform its marker is appended to --acked FILE (one line, written at
// once). With --trace FILE, one line per inform: "k first-sent answered acked|failed", wall-clock
// seconds (comparable with bash's $EPOCHREALTIME), to tell which informs were in flight when.
//
// SNMPv2c (--community) or SNMPv3 authPriv (--v3 FILE, whose one line is "USER SHA AUTHPASS AES
// PRIVPASS": no secret on the command line, which every user can read in /proc). Net-SNMP
// discovers the receiver's engine ID, boots and time itself (RFC 3414 §4).
//
// Bounded: --count informs and --seconds at most (SIGTERM or SIGINT: stop after the inform in
// progress), to loopback only. Prints one summary line at the end.
//
// usage: colosla-inform-sender --dest 127.0.0.1:PORT --count N --seconds S --tag TAG --acked FILE
//          [--source ADDR] [--community C | --v3 FILE] [--ports P] [--first-port I]
//          [--timeout MS] [--retries N] [--trace FILE]
#include <arpa/inet.h>
#include <fcntl.h>
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

volatile std::sig_atomic_t stop_requested = 0;

extern "C" void on_stop(int) { stop_requested = 1; }

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "colosla-inform-sender: %s\n"
               "usage: colosla-inform-sender --dest 127.0.0.1:PORT --count N --seconds S --tag TAG "
               "--acked FILE\n"
               "         [--source ADDR] [--community C | --v3 FILE] [--ports P] [--first-port I]\n"
               "         [--timeout MS] [--retries N] [--trace FILE]\n",
               why.c_str());
  std::exit(2);
}

bool loopback(const std::string& address) {
  in_addr a{};
  return inet_pton(AF_INET, address.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

// Wall-clock seconds, for the trace only: the test compares them with the moments it killed
// the receiver ($EPOCHREALTIME). Durations use steady_clock.
double wall_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Appends a line with one write(2): it is in the file at once, whatever happens next.
void append(int fd, const std::string& line) {
  if (fd >= 0 && write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    std::perror("colosla-inform-sender: write");
    std::exit(1);
  }
}

int open_append(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    usage("cannot open " + path + ": " + std::strerror(errno));
  }
  return fd;
}

struct V3User {
  std::string user, auth_pass, priv_pass;
  const oid* auth_proto = nullptr;
  std::size_t auth_proto_len = 0;
};

// "USER SHA AUTHPASS AES PRIVPASS" (SHA or SHA-256; AES), the security level authPriv.
V3User read_v3(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    usage("cannot read the SNMPv3 credentials in " + path);
  }
  std::istringstream words(line);
  std::string auth, priv, extra;
  V3User u;
  if (!(words >> u.user >> auth >> u.auth_pass >> priv >> u.priv_pass) || (words >> extra) ||
      priv != "AES" || u.auth_pass.size() < 8 || u.priv_pass.size() < 8) {
    usage(path +
          ": expected one line \"USER SHA AUTHPASS AES PRIVPASS\" (pass phrases of 8 characters or "
          "more)");
  }
  if (auth == "SHA") {
    u.auth_proto = usmHMACSHA1AuthProtocol;
    u.auth_proto_len = USM_AUTH_PROTO_SHA_LEN;
  } else if (auth == "SHA-256") {
    u.auth_proto = usmHMAC192SHA256AuthProtocol;
    u.auth_proto_len = OID_LENGTH(usmHMAC192SHA256AuthProtocol);
  } else {
    usage(path + ": the authentication protocol must be SHA or SHA-256, not " + auth);
  }
  return u;
}

struct Options {
  std::string dest, source, community = "public", v3_file, tag, acked, trace;
  unsigned long count = 0;
  double seconds = 0;
  long ports = 16, first_port = 1, timeout_ms = 1000, retries = 5;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) {
      usage("a value is missing after " + a);
    }
    const std::string v = argv[++i];
    try {
      if (a == "--dest") {
        o.dest = v;
      } else if (a == "--source") {
        o.source = v;
      } else if (a == "--community") {
        o.community = v;
      } else if (a == "--v3") {
        o.v3_file = v;
      } else if (a == "--tag") {
        o.tag = v;
      } else if (a == "--acked") {
        o.acked = v;
      } else if (a == "--trace") {
        o.trace = v;
      } else if (a == "--count") {
        o.count = std::stoul(v);
      } else if (a == "--seconds") {
        o.seconds = std::stod(v);
      } else if (a == "--ports") {
        o.ports = std::stol(v);
      } else if (a == "--first-port") {
        o.first_port = std::stol(v);
      } else if (a == "--timeout") {
        o.timeout_ms = std::stol(v);
      } else if (a == "--retries") {
        o.retries = std::stol(v);
      } else {
        usage("unknown option " + a);
      }
    } catch (const std::exception&) {
      usage("not a number after " + a + ": " + v);
    }
  }
  // Bounded: at most a million informs and an hour a run, to loopback only.
  if (o.count == 0 || o.count > 1'000'000 || o.seconds <= 0 || o.seconds > 3600) {
    usage("--count must be 1..1000000 and --seconds 0..3600");
  }
  if (o.ports < 1 || o.ports > 10'000 || o.first_port < 1 || o.first_port > 1'000'000'000 ||
      o.timeout_ms < 1 || o.timeout_ms > 60'000 || o.retries < 0 || o.retries > 100) {
    usage("--ports 1..10000, --first-port 1.., --timeout 1..60000 ms, --retries 0..100");
  }
  if (o.tag.empty() || o.tag.find_first_not_of(
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
                           std::string::npos) {
    usage("--tag is required: letters, digits, _ - . only");
  }
  if (o.acked.empty()) {
    usage("--acked FILE is required");
  }
  const auto colon = o.dest.rfind(':');
  if (colon == std::string::npos || !loopback(o.dest.substr(0, colon))) {
    usage("--dest must be a loopback address 127.x.x.x:PORT");
  }
  if (!o.source.empty() && !loopback(o.source)) {
    usage("--source must be a loopback address 127.x.x.x");
  }
  return o;
}

// One linkDown (down) or linkUp of port p, with the marker.
netsnmp_pdu* make_inform(long p, bool down, const std::string& marker, long uptime) {
  netsnmp_pdu* pdu = snmp_pdu_create(SNMP_MSG_INFORM);
  static const oid kSysUptime[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
  static const oid kTrapOid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
  static const oid kMarker[] = {1, 3, 6, 1, 4, 1, 8072, 9999, 1, 0};  // netSnmpPlaypen.1.0
  const oid index = static_cast<oid>(p);
  oid link[] = {1, 3, 6, 1, 6, 3, 1, 1, 5, static_cast<oid>(down ? 3 : 4)};  // linkDown, linkUp
  const oid if_index[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 1, index};              // ifIndex
  const oid if_oper[] = {1, 3, 6, 1, 2, 1, 2, 2, 1, 8, index};               // ifOperStatus
  const oid if_name[] = {1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1, index};           // ifName
  long ticks = uptime, idx = p, oper = down ? 2 : 1;
  const std::string name = "ge-0/0/" + std::to_string(p);
  snmp_pdu_add_variable(pdu, kSysUptime, OID_LENGTH(kSysUptime), ASN_TIMETICKS,
                        reinterpret_cast<u_char*>(&ticks), sizeof ticks);
  snmp_pdu_add_variable(pdu, kTrapOid, OID_LENGTH(kTrapOid), ASN_OBJECT_ID,
                        reinterpret_cast<u_char*>(link), sizeof link);
  snmp_pdu_add_variable(pdu, if_index, OID_LENGTH(if_index), ASN_INTEGER,
                        reinterpret_cast<u_char*>(&idx), sizeof idx);
  snmp_pdu_add_variable(pdu, if_oper, OID_LENGTH(if_oper), ASN_INTEGER,
                        reinterpret_cast<u_char*>(&oper), sizeof oper);
  snmp_pdu_add_variable(pdu, if_name, OID_LENGTH(if_name), ASN_OCTET_STR,
                        reinterpret_cast<const u_char*>(name.data()), name.size());
  snmp_pdu_add_variable(pdu, kMarker, OID_LENGTH(kMarker), ASN_OCTET_STR,
                        reinterpret_cast<const u_char*>(marker.data()), marker.size());
  return pdu;
}

struct SessionCloser {
  void operator()(void* s) const { snmp_sess_close(s); }
};
using Session = std::unique_ptr<void, SessionCloser>;

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const bool v3 = !o.v3_file.empty();
  V3User user;
  if (v3) {
    user = read_v3(o.v3_file);
  }
  const int acked_fd = open_append(o.acked);
  const int trace_fd = o.trace.empty() ? -1 : open_append(o.trace);

  struct sigaction sa {};
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  // No configuration files, no MIBs, nothing persistent: all the session needs is below.
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
  setenv("MIBS", "", 1);
  setenv("MIBDIRS", "/nonexistent", 1);
  init_snmp("colosla-inform-sender");

  std::string peer = "udp:" + o.dest, source = o.source;
  std::vector<u_char> community(o.community.begin(), o.community.end());
  netsnmp_session templ;
  snmp_sess_init(&templ);
  templ.peername = peer.data();
  if (!source.empty()) {
    templ.localname = source.data();  // as snmpinform --clientaddr
  }
  templ.timeout = o.timeout_ms * 1000;
  templ.retries = static_cast<int>(o.retries);
  if (v3) {
    templ.version = SNMP_VERSION_3;
    templ.securityName = user.user.data();
    templ.securityNameLen = user.user.size();
    templ.securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
    templ.securityAuthProto = const_cast<oid*>(user.auth_proto);
    templ.securityAuthProtoLen = user.auth_proto_len;
    templ.securityAuthKeyLen = USM_AUTH_KU_LEN;
    templ.securityPrivProto = usmAESPrivProtocol;
    templ.securityPrivProtoLen = USM_PRIV_PROTO_AES_LEN;
    templ.securityPrivKeyLen = USM_PRIV_KU_LEN;
    if (generate_Ku(templ.securityAuthProto, static_cast<u_int>(templ.securityAuthProtoLen),
                    reinterpret_cast<const u_char*>(user.auth_pass.data()), user.auth_pass.size(),
                    templ.securityAuthKey, &templ.securityAuthKeyLen) != SNMPERR_SUCCESS ||
        generate_Ku(templ.securityAuthProto, static_cast<u_int>(templ.securityAuthProtoLen),
                    reinterpret_cast<const u_char*>(user.priv_pass.data()), user.priv_pass.size(),
                    templ.securityPrivKey, &templ.securityPrivKeyLen) != SNMPERR_SUCCESS) {
      std::fprintf(stderr, "colosla-inform-sender: cannot derive the SNMPv3 keys\n");
      return 1;
    }
  } else {
    templ.version = SNMP_VERSION_2c;
    templ.community = community.data();
    templ.community_len = community.size();
  }

  // Port slot i sends on ifIndex port[i]; a port whose last inform failed is left for a new one.
  std::vector<long> port(static_cast<std::size_t>(o.ports));
  std::vector<bool> down(port.size(), true);  // what the next inform of the slot says
  for (std::size_t i = 0; i < port.size(); ++i) {
    port[i] = o.first_port + static_cast<long>(i);
  }
  long next_port = o.first_port + o.ports;

  const auto t0 = std::chrono::steady_clock::now();
  const auto t_end = t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(o.seconds));
  unsigned long sent = 0, acked = 0, failed = 0, opens_failed = 0;
  Session sess;
  std::string last_error;
  for (unsigned long k = 0;
       k < o.count && stop_requested == 0 && std::chrono::steady_clock::now() < t_end; ++k) {
    const std::size_t slot = k % port.size();
    const std::string marker = "soak:" + o.tag + ":" + std::to_string(k);
    const double first_sent = wall_seconds();
    bool ok = false;
    if (!sess) {
      // One session for the whole run (its SNMPv3 engine ID, boots and time are discovered by
      // Net-SNMP and learnt again from the Reports of a restarted receiver). Should it not open,
      // the inform counts as failed and the next one tries again.
      sess.reset(snmp_sess_open(&templ));
      if (!sess) {
        ++opens_failed;
        last_error = std::string("cannot open a session: ") + snmp_api_errstring(snmp_errno);
      }
    }
    if (sess) {
      const long uptime = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::steady_clock::now() - t0)
                                                .count() /
                                            10);
      netsnmp_pdu* response = nullptr;
      // The library owns the request from here on, sent or not.
      const int status = snmp_sess_synch_response(
          sess.get(), make_inform(port[slot], down[slot], marker, uptime), &response);
      ok = status == STAT_SUCCESS && response != nullptr &&
           response->command == SNMP_MSG_RESPONSE && response->errstat == SNMP_ERR_NOERROR;
      if (!ok) {
        last_error =
            status == STAT_TIMEOUT ? "timeout"
            : status == STAT_SUCCESS
                ? "error-status " + std::to_string(response != nullptr ? response->errstat : -1)
                : snmp_api_errstring(snmp_sess_session(sess.get())->s_snmp_errno);
      }
      if (response != nullptr) {
        snmp_free_pdu(response);
      }
      ++sent;
    }
    const double answered = wall_seconds();
    if (ok) {
      ++acked;
      append(acked_fd, marker + "\n");
      down[slot] = !down[slot];
    } else {
      ++failed;
      port[slot] = next_port++;  // its state is unknown now: a port never used instead
      down[slot] = true;
    }
    char line[128];
    std::snprintf(line, sizeof line, "%lu %.6f %.6f %s\n", k, first_sent, answered,
                  ok ? "acked" : "failed");
    append(trace_fd, line);
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string from = o.source.empty() ? "" : " from " + o.source;
  const std::string why = last_error.empty() ? "" : "; last failure: " + last_error;
  std::printf(
      "colosla-inform-sender %s: %s%s, sent %lu, acknowledged %lu, failed %lu (%lu without a "
      "session) "
      "in %.1f s%s\n",
      o.tag.c_str(), v3 ? "v3 authPriv" : "v2c", from.c_str(), sent, acked, failed, opens_failed,
      elapsed, why.c_str());
  sess.reset();
  snmp_shutdown("colosla-inform-sender");
  close(acked_fd);
  if (trace_fd >= 0) {
    close(trace_fd);
  }
  return 0;
}
