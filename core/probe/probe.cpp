#include "colosla/probe/probe.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace colosla::core {

namespace {

using Steady = std::chrono::steady_clock;

// This machine cannot make the probe (no ICMP socket allowed, out of file descriptors): says
// nothing of the target.
struct CannotProbe {
  std::string why;
};

// A socket closed when it goes out of scope.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) {
      ::close(fd);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

int ms_left(Steady::time_point deadline) {
  return static_cast<int>(std::max<std::int64_t>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count()));
}

bool resolve(const std::string& address, std::uint16_t port, sockaddr_storage& out,
             socklen_t& len) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* ai = nullptr;
  if (getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &ai) != 0 ||
      ai == nullptr) {
    return false;
  }
  std::memcpy(&out, ai->ai_addr, ai->ai_addrlen);
  len = ai->ai_addrlen;
  freeaddrinfo(ai);
  return true;
}

std::uint16_t checksum(const unsigned char* p, std::size_t n) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) {
    sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  }
  if (n % 2 == 1) {
    sum += static_cast<std::uint32_t>(p[n - 1] << 8);
  }
  while (sum >> 16 != 0) {
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<std::uint16_t>(~sum);
}

// One ICMP echo; "" when answered, else why not.
std::string echo_once(const std::string& address, std::chrono::milliseconds timeout,
                      std::uint16_t seq, std::string& detail) {
  sockaddr_storage to{};
  socklen_t to_len = 0;
  if (!resolve(address, 0, to, to_len)) {
    return "not an IP address";
  }
  const bool v6 = to.ss_family == AF_INET6;
  const int proto = v6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP);
  // Unprivileged ICMP datagram sockets first (net.ipv4.ping_group_range), raw sockets else.
  bool raw = false;
  int s = ::socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, proto);
  if (s < 0) {
    s = ::socket(to.ss_family, SOCK_RAW | SOCK_CLOEXEC, proto);
    raw = true;
  }
  if (s < 0) {
    throw CannotProbe{std::string("cannot open an ICMP socket (") + std::strerror(errno) +
                      "): allow ping in net.ipv4.ping_group_range or give colosla CAP_NET_RAW"};
  }
  Fd fd(s);
  static std::atomic<std::uint16_t> ids{static_cast<std::uint16_t>(::getpid())};
  const std::uint16_t id = ids++;
  unsigned char packet[64] = {};
  packet[0] = static_cast<unsigned char>(v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO);
  packet[4] = static_cast<unsigned char>(id >> 8);
  packet[5] = static_cast<unsigned char>(id & 0xff);
  packet[6] = static_cast<unsigned char>(seq >> 8);
  packet[7] = static_cast<unsigned char>(seq & 0xff);
  std::memcpy(packet + 8, "colosla probe", 13);
  if (!v6) {
    const std::uint16_t sum = checksum(packet, sizeof packet);  // the kernel does ICMPv6's
    packet[2] = static_cast<unsigned char>(sum >> 8);
    packet[3] = static_cast<unsigned char>(sum & 0xff);
  }
  const auto start = Steady::now();
  const auto deadline = start + timeout;
  if (::sendto(s, packet, sizeof packet, 0, reinterpret_cast<sockaddr*>(&to), to_len) < 0) {
    return std::string("cannot send: ") + std::strerror(errno);
  }
  for (;;) {
    pollfd p{s, POLLIN, 0};
    if (::poll(&p, 1, ms_left(deadline)) != 1) {
      return "no echo reply within " + std::to_string(timeout.count()) + " ms";
    }
    unsigned char buf[1500];
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    const ssize_t n =
        ::recvfrom(s, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n <= 0) {
      continue;
    }
    std::size_t off = 0;
    if (raw && !v6) {
      off = static_cast<std::size_t>(buf[0] & 0x0f) * 4;  // a raw IPv4 socket gives the IP header
    }
    if (static_cast<std::size_t>(n) < off + 8) {
      continue;
    }
    const unsigned char* icmp = buf + off;
    const bool reply = icmp[0] == (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY);
    const std::uint16_t rseq = static_cast<std::uint16_t>(icmp[6] << 8 | icmp[7]);
    const std::uint16_t rid = static_cast<std::uint16_t>(icmp[4] << 8 | icmp[5]);
    // A datagram socket's id is the kernel's; a raw socket sees every reply and checks ours.
    if (reply && rseq == seq && (!raw || rid == id)) {
      const auto us =
          std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - start).count();
      detail = "echo reply in " + std::to_string(us / 1000) + "." +
               std::to_string(us % 1000 / 100) + " ms";
      return "";
    }
  }
}

// A TCP connection within the deadline; the socket, or -1 with why.
int connect_to(const std::string& address, std::uint16_t port, Steady::time_point deadline,
               std::string& why) {
  sockaddr_storage to{};
  socklen_t len = 0;
  if (!resolve(address, port, to, len)) {
    why = "not an IP address";
    return -1;
  }
  const int s = ::socket(to.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0) {
    throw CannotProbe{std::string("cannot open a TCP socket: ") + std::strerror(errno)};
  }
  if (::connect(s, reinterpret_cast<sockaddr*>(&to), len) != 0 && errno != EINPROGRESS) {
    why =
        std::string("cannot connect to port ") + std::to_string(port) + ": " + std::strerror(errno);
    ::close(s);
    return -1;
  }
  pollfd p{s, POLLOUT, 0};
  int err = 0;
  socklen_t el = sizeof err;
  if (::poll(&p, 1, ms_left(deadline)) != 1) {
    why = "no connection to port " + std::to_string(port) + " in time";
    ::close(s);
    return -1;
  }
  getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &el);
  if (err != 0) {
    why = std::string("cannot connect to port ") + std::to_string(port) + ": " + std::strerror(err);
    ::close(s);
    return -1;
  }
  return s;
}

bool send_all(int s, const std::string& text, Steady::time_point deadline) {
  for (std::size_t at = 0; at < text.size();) {
    pollfd p{s, POLLOUT, 0};
    if (::poll(&p, 1, ms_left(deadline)) != 1) {
      return false;
    }
    const ssize_t n = ::send(s, text.data() + at, text.size() - at, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return false;
    }
    at += n > 0 ? static_cast<std::size_t>(n) : 0;
  }
  return true;
}

// The next reply of an SMTP or FTP server: its lines up to the last ("220 ..." after "220-...").
// Empty when the time is up or the connection closed.
std::string reply(int s, std::string& buffer, Steady::time_point deadline) {
  for (;;) {
    std::size_t start = 0;
    for (std::size_t nl = buffer.find('\n'); nl != std::string::npos;
         nl = buffer.find('\n', start)) {
      const std::string line = buffer.substr(start, nl - start);
      start = nl + 1;
      if (line.size() >= 4 && line[3] == ' ') {
        std::string all = buffer.substr(0, nl);
        buffer.erase(0, start);
        return all;
      }
      if (line.size() == 3 || (line.size() == 4 && line[3] == '\r')) {
        std::string all = buffer.substr(0, nl);
        buffer.erase(0, start);
        return all;
      }
    }
    pollfd p{s, POLLIN, 0};
    if (::poll(&p, 1, ms_left(deadline)) != 1) {
      return "";
    }
    char chunk[1024];
    const ssize_t n = ::recv(s, chunk, sizeof chunk, 0);
    if (n <= 0) {
      return "";
    }
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

std::string last_line(const std::string& r) {
  const auto nl = r.rfind('\n');
  std::string l = nl == std::string::npos ? r : r.substr(nl + 1);
  while (!l.empty() && (l.back() == '\r' || l.back() == '\n')) {
    l.pop_back();
  }
  return l.substr(0, 120);
}

// www: "" when an HTTP status below 500 came, else why not.
std::string http_once(const std::string& address, std::uint16_t port, const std::string& path,
                      std::chrono::milliseconds timeout, std::string& detail) {
  const auto deadline = Steady::now() + timeout;
  std::string why;
  Fd s(connect_to(address, port, deadline, why));
  if (s.fd < 0) {
    return why;
  }
  const std::string host = address.find(':') != std::string::npos ? "[" + address + "]" : address;
  if (!send_all(s.fd,
                "GET " + (path.empty() ? "/" : path) + " HTTP/1.0\r\nHost: " + host +
                    "\r\nUser-Agent: colosla-probe\r\nConnection: close\r\n\r\n",
                deadline)) {
    return "cannot send the request";
  }
  std::string got;
  while (got.find('\n') == std::string::npos) {
    pollfd p{s.fd, POLLIN, 0};
    if (::poll(&p, 1, ms_left(deadline)) != 1) {
      return "no HTTP answer within " + std::to_string(timeout.count()) + " ms";
    }
    char chunk[512];
    const ssize_t n = ::recv(s.fd, chunk, sizeof chunk, 0);
    if (n <= 0) {
      return got.empty() ? "the connection closed without an answer"
                         : "an incomplete HTTP status line";
    }
    got.append(chunk, static_cast<std::size_t>(n));
  }
  const std::string status = got.substr(0, got.find('\n'));
  int code = 0;
  if (status.rfind("HTTP/", 0) != 0 || std::sscanf(status.c_str(), "HTTP/%*s %d", &code) != 1) {
    return "not an HTTP answer: " + last_line(status);
  }
  detail = "HTTP " + std::to_string(code);
  return code < 500 ? "" : "HTTP " + std::to_string(code);
}

// email, ftp: "" when the 220 greeting came and QUIT was answered, else why not.
std::string greeting_once(const std::string& address, std::uint16_t port,
                          std::chrono::milliseconds timeout, std::string& detail) {
  const auto deadline = Steady::now() + timeout;
  std::string why;
  Fd s(connect_to(address, port, deadline, why));
  if (s.fd < 0) {
    return why;
  }
  std::string buffer;
  const std::string hello = reply(s.fd, buffer, deadline);
  if (hello.empty()) {
    return "no greeting within " + std::to_string(timeout.count()) + " ms";
  }
  if (last_line(hello).rfind("220", 0) != 0) {
    return "greeted with \"" + last_line(hello) + "\"";
  }
  if (!send_all(s.fd, "QUIT\r\n", deadline)) {
    return "cannot send QUIT";
  }
  const std::string bye = reply(s.fd, buffer, deadline);
  if (last_line(bye).rfind("221", 0) != 0) {
    return bye.empty() ? "no answer to QUIT" : "QUIT answered \"" + last_line(bye) + "\"";
  }
  detail = "\"" + last_line(hello) + "\", QUIT answered";
  return "";
}

}  // namespace

bool documentation_address(const std::string& address) {
  unsigned char a[16] = {};
  if (inet_pton(AF_INET, address.c_str(), a) == 1) {
    return (a[0] == 192 && a[1] == 0 && a[2] == 2) || (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
           (a[0] == 203 && a[1] == 0 && a[2] == 113);
  }
  return inet_pton(AF_INET6, address.c_str(), a) == 1 && a[0] == 0x20 && a[1] == 0x01 &&
         a[2] == 0x0d && a[3] == 0xb8;
}

ProbeResult probe(const std::string& address, ProbeService service, const std::string& www_path,
                  const ProbeOptions& o, const Clock& clock) {
  ProbeResult r;
  std::string why;
  for (int attempt = 0; attempt <= std::max(0, o.retries); ++attempt) {
    std::string detail;
    try {
      switch (service) {
        case ProbeService::icmp:
          why = echo_once(address, o.timeout, static_cast<std::uint16_t>(attempt + 1), detail);
          break;
        case ProbeService::www:
          why = http_once(address, o.www_port, www_path, o.timeout, detail);
          break;
        case ProbeService::email:
          why = greeting_once(address, o.smtp_port, o.timeout, detail);
          break;
        case ProbeService::ftp:
          why = greeting_once(address, o.ftp_port, o.timeout, detail);
          break;
      }
    } catch (const CannotProbe& e) {
      r.made = false;
      r.detail = e.why;
      r.at = clock.now();
      return r;
    }
    if (why.empty()) {
      r.pass = true;
      r.detail = detail + (attempt > 0 ? " (attempt " + std::to_string(attempt + 1) + ")" : "");
      break;
    }
  }
  if (!r.pass) {
    r.detail = why + (o.retries > 0 ? " (" + std::to_string(o.retries + 1) + " attempts)" : "");
  }
  r.at = clock.now();
  return r;
}

}  // namespace colosla::core
