// colosla-trap-sender: the load generator of bench/traps. It encodes, before it starts sending,
// SNMPv2c linkDown and linkUp traps (RFC 2863: ifIndex, ifAdminStatus, ifOperStatus) for every
// port of N devices, and sends them with sendmmsg from each device's own loopback address
// (127.0.1.1, 127.0.1.2, …), paced to a rate or as fast as it can, bounded in count and time.
//
// With --vendor V, each round also carries V vendor traps read by the shipped rule files, not by
// a C++ plugin: EATON-EPDU-MIB notifyOutletControlStatus (rules/eaton-epdu.json) { strappingIndex
// 0, outletIndex N, outletControlStatus off(0)/on(1) }, for V outlets numbered 1..O on ePDUs sent
// from 127.0.2.1, 127.0.2.2, … (outlet j of the block: PDU j div O, outlet j mod O + 1).
//
// Packet k of the sequence is entry (k mod R) of a round of R = D·P + V entries (the switches'
// ports, then the outlets), down/off in even rounds and up/on in odd ones (round = k div R), with
// sysUpTime growing a tick a round: every trap changes the state of its port or outlet, so a
// receiver has to store every one. --first continues a sequence where the last run stopped
// (bench/traps passes it, so that runs continue one another).
//
// usage: colosla-trap-sender --dest 127.0.0.1:PORT --count N --seconds S [--rate R]
//                            [--devices D] [--ports P] [--vendor V] [--outlets O] [--first K]
//                            [--community C] [--batch B]
#include <arpa/inet.h>
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "colosla-trap-sender: %s\nusage: colosla-trap-sender --dest 127.0.0.1:PORT --count "
               "N --seconds S "
               "[--rate R] [--devices D] [--ports P] [--vendor V] [--outlets O] [--first K] "
               "[--community C] [--batch B]\n",
               why);
  std::exit(2);
}

// sysUpTime as an agent's: it goes on growing, one tick a round of the sequence (so that no two
// traps of a port are ever the same bytes, as with a real agent, however fast they come). The base
// encodes in four bytes (BER), so that each packet's ticks are rewritten in place before it goes.
constexpr long kTicksBase = 0x01000000;

// Where the four bytes of sysUpTime's value are in an encoded packet (TimeTicks, length 4).
std::size_t ticks_offset(const std::vector<u_char>& pkt) {
  const u_char want[] = {0x43, 0x04, 0x01, 0x00, 0x00, 0x00};
  for (std::size_t i = 0; i + sizeof want <= pkt.size(); ++i) {
    if (std::memcmp(pkt.data() + i, want, sizeof want) == 0) {
      return i + 2;
    }
  }
  std::fprintf(stderr, "colosla-trap-sender: no sysUpTime in an encoded trap\n");
  std::exit(1);
}

// One INTEGER varbind of a trap.
struct IntVarbind {
  std::vector<oid> name;
  long value;
};

// One v2c trap, encoded by Net-SNMP: sysUpTime.0, snmpTrapOID.0, then the varbinds.
std::vector<u_char> encode(const std::string& community, std::vector<oid> trap,
                           const std::vector<IntVarbind>& varbinds) {
  netsnmp_session sess;
  snmp_sess_init(&sess);
  sess.version = SNMP_VERSION_2c;
  std::vector<u_char> comm(community.begin(), community.end());
  sess.community = comm.data();
  sess.community_len = comm.size();
  netsnmp_pdu* pdu = snmp_pdu_create(SNMP_MSG_TRAP2);
  pdu->version = SNMP_VERSION_2c;
  static const oid sys_uptime[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
  static const oid trap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
  long ticks = kTicksBase;
  snmp_pdu_add_variable(pdu, sys_uptime, OID_LENGTH(sys_uptime), ASN_TIMETICKS,
                        reinterpret_cast<u_char*>(&ticks), sizeof ticks);
  snmp_pdu_add_variable(pdu, trap_oid, OID_LENGTH(trap_oid), ASN_OBJECT_ID,
                        reinterpret_cast<u_char*>(trap.data()), trap.size() * sizeof(oid));
  for (const auto& v : varbinds) {
    long value = v.value;
    snmp_pdu_add_variable(pdu, v.name.data(), v.name.size(), ASN_INTEGER,
                          reinterpret_cast<u_char*>(&value), sizeof value);
  }
  std::size_t buflen = 1500, offset = 0;
  auto* buf = static_cast<u_char*>(std::malloc(buflen));
  if (buf == nullptr || snmp_build(&buf, &buflen, &offset, &sess, pdu) != 0) {
    std::fprintf(stderr, "colosla-trap-sender: cannot encode a trap\n");
    std::exit(1);
  }
  const bool forward = (pdu->flags & UCD_MSG_FLAG_FORWARD_ENCODE) != 0;
  const u_char* pkt = forward ? buf : buf + buflen - offset;
  std::vector<u_char> out(pkt, pkt + (forward ? buflen : offset));
  std::free(buf);
  sess.community = nullptr;
  snmp_free_pdu(pdu);
  return out;
}

// IF-MIB linkDown or linkUp (SNMPv2-MIB 1.3.6.1.6.3.1.1.5.3/.4): ifIndex, ifAdminStatus up(1),
// ifOperStatus up(1)/down(2), each of the port.
std::vector<u_char> link_trap(const std::string& community, long if_index, bool up) {
  const auto i = static_cast<oid>(if_index);
  return encode(community, {1, 3, 6, 1, 6, 3, 1, 1, 5, static_cast<oid>(up ? 4 : 3)},
                {{{1, 3, 6, 1, 2, 1, 2, 2, 1, 1, i}, if_index},
                 {{1, 3, 6, 1, 2, 1, 2, 2, 1, 7, i}, 1},
                 {{1, 3, 6, 1, 2, 1, 2, 2, 1, 8, i}, up ? 1 : 2}});
}

// EATON-EPDU-MIB notifyOutletControlStatus (eatonEpdu.0.33) as an ePDU sends it, each varbind
// with its instance (strapping unit 0, the outlet): strappingIndex.0 = 0, outletIndex.0.N = N,
// outletControlStatus.0.N = on(1)/off(0).
std::vector<u_char> outlet_trap(const std::string& community, long outlet, bool on) {
  const auto n = static_cast<oid>(outlet);
  return encode(community, {1, 3, 6, 1, 4, 1, 534, 6, 6, 7, 0, 33},
                {{{1, 3, 6, 1, 4, 1, 534, 6, 6, 7, 1, 2, 1, 1, 0}, 0},
                 {{1, 3, 6, 1, 4, 1, 534, 6, 6, 7, 6, 1, 1, 1, 0, n}, outlet},
                 {{1, 3, 6, 1, 4, 1, 534, 6, 6, 7, 6, 6, 1, 2, 0, n}, on ? 1 : 0}});
}

// A socket bound to a loopback address, connected to the receiver.
int socket_from(std::uint32_t from_addr, const sockaddr_in& to) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  from.sin_addr.s_addr = htonl(from_addr);
  const int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf);
  if (fd < 0 || bind(fd, reinterpret_cast<const sockaddr*>(&from), sizeof from) != 0 ||
      connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
    std::perror("colosla-trap-sender: socket");
    std::exit(1);
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dest, community = "public";
  std::uint64_t count = 0, first = 0;
  double seconds = 0, rate = 0;
  int devices = 100, ports = 1000, vendor = 0, outlets = 48, batch = 64;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) {
      usage(("a value is missing after " + a).c_str());
    }
    const std::string v = argv[++i];
    if (a == "--dest") {
      dest = v;
    } else if (a == "--count") {
      count = std::stoull(v);
    } else if (a == "--seconds") {
      seconds = std::stod(v);
    } else if (a == "--rate") {
      rate = std::stod(v);
    } else if (a == "--devices") {
      devices = std::stoi(v);
    } else if (a == "--ports") {
      ports = std::stoi(v);
    } else if (a == "--vendor") {
      vendor = std::stoi(v);
    } else if (a == "--outlets") {
      outlets = std::stoi(v);
    } else if (a == "--first") {
      first = std::stoull(v);
    } else if (a == "--community") {
      community = v;
    } else if (a == "--batch") {
      batch = std::stoi(v);
    } else {
      usage(("unknown option " + a).c_str());
    }
  }
  // Bounded: at most 60 s and 30 million datagrams a run, to loopback only.
  if (count == 0 || count > 30'000'000 || seconds <= 0 || seconds > 60) {
    usage("--count must be 1..30000000 and --seconds 0..60");
  }
  if (devices < 1 || devices > 250 || ports < 1 || ports > 100'000 || batch < 1 || batch > 1024) {
    usage("--devices 1..250, --ports 1..100000, --batch 1..1024");
  }
  if (vendor < 0 || outlets < 1 || outlets > 1000 || (vendor + outlets - 1) / outlets > 250) {
    usage("--vendor 0..250 x O, --outlets (O) 1..1000");
  }
  const auto colon = dest.rfind(':');
  sockaddr_in to{};
  to.sin_family = AF_INET;
  if (colon == std::string::npos ||
      inet_pton(AF_INET, dest.substr(0, colon).c_str(), &to.sin_addr) != 1 ||
      (ntohl(to.sin_addr.s_addr) >> 24) != 127) {
    usage("--dest must be a loopback address 127.x.x.x:PORT");
  }
  to.sin_port = htons(static_cast<std::uint16_t>(std::stoi(dest.substr(colon + 1))));

  // Net-SNMP only encodes here: no configuration files, no MIBs, nothing persistent.
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
  netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
  setenv("MIBS", "", 1);
  setenv("MIBDIRS", "/nonexistent", 1);
  init_snmp("colosla-trap-sender");

  // Both traps of every port, then both of every outlet, in one buffer (a device's packets are
  // the same bytes as another's: only the source address differs).
  const auto P = static_cast<std::size_t>(ports);
  const std::size_t ietf = static_cast<std::size_t>(devices) * P;
  const std::size_t per_round = ietf + static_cast<std::size_t>(vendor);
  const std::size_t O = static_cast<std::size_t>(std::min(outlets, std::max(vendor, 1)));
  std::vector<u_char> bytes;
  std::vector<std::pair<std::size_t, std::size_t>> where;  // offset, length
  std::vector<std::size_t> ticks_at;
  const auto keep = [&](const std::vector<u_char>& pkt) {
    where.emplace_back(bytes.size(), pkt.size());
    ticks_at.push_back(bytes.size() + ticks_offset(pkt));
    bytes.insert(bytes.end(), pkt.begin(), pkt.end());
  };
  for (int up = 0; up < 2; ++up) {  // packet up·P + p
    for (int p = 0; p < ports; ++p) {
      keep(link_trap(community, p + 1, up == 1));
    }
  }
  if (vendor > 0) {
    for (int on = 0; on < 2; ++on) {  // packet 2P + on·O + o
      for (std::size_t o = 0; o < O; ++o) {
        keep(outlet_trap(community, static_cast<long>(o + 1), on == 1));
      }
    }
  }
  // One socket per device, bound to its address: the switches, then the PDUs.
  std::vector<int> fds;
  for (int d = 0; d < devices; ++d) {
    fds.push_back(socket_from((127u << 24) | (1u << 8) | static_cast<unsigned>(d + 1), to));
  }
  for (std::size_t d = 0; d * O < static_cast<std::size_t>(vendor); ++d) {
    fds.push_back(socket_from((127u << 24) | (2u << 8) | static_cast<unsigned>(d + 1), to));
  }
  // Entry i of a round: its device's socket, and its packet (down/off; up/on is `odd` further).
  const auto socket_of = [&](std::size_t i) {
    return i < ietf ? i / P : static_cast<std::size_t>(devices) + (i - ietf) / O;
  };
  const auto packet_of = [&](std::size_t i, bool odd) {
    return i < ietf ? (odd ? P : 0) + i % P : 2 * P + (odd ? O : 0) + (i - ietf) % O;
  };

  std::vector<iovec> iov(static_cast<std::size_t>(batch));
  std::vector<mmsghdr> msgs(static_cast<std::size_t>(batch));
  const std::uint64_t t0 = now_ns();
  const std::uint64_t t_end = t0 + static_cast<std::uint64_t>(seconds * 1e9);
  std::uint64_t sent = 0, errors = 0;
  while (sent < count) {
    const std::uint64_t t = now_ns();
    if (t >= t_end) {
      break;
    }
    if (rate > 0) {  // batch k may leave at t0 + sent / rate
      const auto due = t0 + static_cast<std::uint64_t>(static_cast<double>(sent) / rate * 1e9);
      if (due > t) {
        const timespec ts{static_cast<time_t>((due - t) / 1'000'000'000ULL),
                          static_cast<long>((due - t) % 1'000'000'000ULL)};
        nanosleep(&ts, nullptr);
      }
    }
    // A batch of consecutive packets of one device.
    const std::uint64_t k0 = first + sent;
    const std::size_t device = socket_of(k0 % per_round);
    std::size_t n = 0;
    for (; n < static_cast<std::size_t>(batch) && sent + n < count; ++n) {
      const std::uint64_t k = k0 + n;
      const std::size_t in_round = k % per_round;
      // One device's block of one round at most (each packet once: its bytes are rewritten below).
      if (socket_of(in_round) != device || (n > 0 && in_round == 0)) {
        break;
      }
      const std::size_t which = packet_of(in_round, (k / per_round) % 2 == 1);
      const auto [off, len] = where[which];
      const auto ticks =
          static_cast<std::uint32_t>(kTicksBase + static_cast<long>((k / per_round) % 0x7e000000));
      u_char* tick = bytes.data() + ticks_at[which];
      tick[0] = static_cast<u_char>(ticks >> 24);
      tick[1] = static_cast<u_char>(ticks >> 16);
      tick[2] = static_cast<u_char>(ticks >> 8);
      tick[3] = static_cast<u_char>(ticks);
      iov[n] = iovec{bytes.data() + off, len};
      msgs[n] = mmsghdr{};
      msgs[n].msg_hdr.msg_iov = &iov[n];
      msgs[n].msg_hdr.msg_iovlen = 1;
    }
    const int r = sendmmsg(fds[device], msgs.data(), static_cast<unsigned>(n), 0);
    if (r < 0) {
      if (++errors > 100'000) {
        break;
      }
      continue;
    }
    sent += static_cast<std::uint64_t>(r);
  }
  const double elapsed = static_cast<double>(now_ns() - t0) / 1e9;
  std::printf("sent %llu in %.3f s = %.0f/s, next --first %llu, errors %llu\n",
              static_cast<unsigned long long>(sent), elapsed, static_cast<double>(sent) / elapsed,
              static_cast<unsigned long long>(first + sent),
              static_cast<unsigned long long>(errors));
  return 0;
}
