// Zabbix trapper values through the sender protocol. The only place colosla speaks it.
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "colosla/sinks/sinks.hpp"

namespace colosla::core {

namespace {

std::string milli_text(std::int64_t milli) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(milli) / 1000.0);
  return buf;
}

// One exchange of the Zabbix sender protocol (ZBXD, flags 0x01, 4-byte little-endian length,
// 4 reserved bytes, JSON) with a server or proxy; the reply's JSON text. Every step has a
// deadline.
Result<std::string> zabbix_exchange(const std::string& host, const std::string& port,
                                    const std::string& body, std::chrono::milliseconds timeout) {
  const std::string where = "zabbix " + host + ":" + port;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* ai = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &ai); rc != 0) {
    return make_error(Errc::io, std::string("cannot resolve: ") + gai_strerror(rc), where);
  }
  const int fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    freeaddrinfo(ai);
    return make_error(Errc::io, std::strerror(errno), where);
  }
  const auto fail = [&](const std::string& what) {
    ::close(fd);
    return make_error(Errc::io, what, where);
  };
  const int c = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
  freeaddrinfo(ai);
  const auto wait = [&](short events) {
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
  };
  if (c != 0 && errno != EINPROGRESS) {
    return fail(std::string("cannot connect: ") + std::strerror(errno));
  }
  int so = 0;
  socklen_t len = sizeof so;
  if (!wait(POLLOUT) || getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len) != 0 || so != 0) {
    return fail(std::string("cannot connect: ") + (so != 0 ? std::strerror(so) : "no answer"));
  }
  std::string packet = "ZBXD\x01";
  const auto n = static_cast<std::uint32_t>(body.size());
  for (int i = 0; i < 4; ++i) {
    packet.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  }
  packet.append(4, '\0');
  packet += body;
  for (std::size_t sent = 0; sent < packet.size();) {
    if (!wait(POLLOUT)) {
      return fail("the server took no data");
    }
    const ssize_t w = ::send(fd, packet.data() + sent, packet.size() - sent, MSG_NOSIGNAL);
    if (w < 0 && errno != EAGAIN && errno != EINTR) {
      return fail(std::string("cannot send: ") + std::strerror(errno));
    }
    sent += w > 0 ? static_cast<std::size_t>(w) : 0;
  }
  std::string reply;
  for (;;) {
    if (!wait(POLLIN)) {
      return fail("no answer within " + std::to_string(timeout.count()) + " ms");
    }
    char buf[4096];
    const ssize_t r = ::recv(fd, buf, sizeof buf, 0);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
      continue;
    }
    if (r <= 0) {
      break;
    }
    reply.append(buf, static_cast<std::size_t>(r));
    if (reply.size() >= 13) {
      std::uint32_t want = 0;
      for (int i = 0; i < 4; ++i) {
        want |= static_cast<std::uint32_t>(
                    static_cast<unsigned char>(reply[static_cast<std::size_t>(5 + i)]))
                << (8 * i);
      }
      if (reply.size() >= 13 + static_cast<std::size_t>(want)) {
        reply.resize(13 + static_cast<std::size_t>(want));
        break;
      }
    }
  }
  ::close(fd);
  if (reply.size() < 13 || reply.compare(0, 4, "ZBXD") != 0) {
    return make_error(Errc::io, "the answer is not a Zabbix protocol message", where);
  }
  return reply.substr(13);
}

// "processed: 3; failed: 1; total: 4; seconds spent: 0.000053": the number after `word: `.
std::optional<std::int64_t> count_in(const std::string& info, const std::string& word) {
  const auto at = info.find(word + ":");
  if (at == std::string::npos) {
    return std::nullopt;
  }
  std::size_t i = at + word.size() + 1;
  while (i < info.size() && info[i] == ' ') {
    ++i;
  }
  std::int64_t v = 0;
  bool digits = false;
  for (; i < info.size() && info[i] >= '0' && info[i] <= '9' && v < (INT64_MAX - 9) / 10; ++i) {
    v = v * 10 + (info[i] - '0');
    digits = true;
  }
  return digits ? std::optional(v) : std::nullopt;
}

// The distinct keys of a request's values, in order, the first kListedKeys of them: what a
// refusal's log line names (the server's reply counts the values it refused, and names none).
std::string keys_of(const nlohmann::json& data) {
  constexpr std::size_t kListedKeys = 20;
  std::set<std::string> seen;
  std::string out;
  for (const auto& v : data) {
    const auto& key = v["key"].get_ref<const std::string&>();
    if (!seen.insert(key).second) {
      continue;
    }
    if (seen.size() > kListedKeys) {
      continue;
    }
    out += (out.empty() ? "" : ", ") + key;
  }
  if (seen.size() > kListedKeys) {
    out += " and " + std::to_string(seen.size() - kListedKeys) + " more";
  }
  return out;
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

Result<ZabbixReply> parse_zabbix_reply(std::string_view json) {
  const auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("response") || !j["response"].is_string()) {
    return make_error(Errc::invalid_input, "the answer's JSON cannot be read");
  }
  ZabbixReply r;
  r.success = j["response"].get<std::string>() == "success";
  if (j.contains("info") && j["info"].is_string()) {
    r.info = j["info"].get<std::string>();
    r.processed = count_in(r.info, "processed");
    r.failed = count_in(r.info, "failed");
    r.total = count_in(r.info, "total");
  }
  return r;
}

Result<std::string> zabbix_item_value(const ContractStatus& s, const std::string& guarantee,
                                      const std::string& field) {
  const auto bad = [&] {
    return make_error(Errc::invalid_input,
                      "no item " + field + " for guarantee " + guarantee +
                          " (network and power: counted-minutes, budget-minutes, left-minutes, "
                          "pending-minutes, availability, breached, status; emergency: open, "
                          "due, missed, status; process: open, met, missed, status)");
  };
  auto g = parse_checked_guarantee(guarantee);
  if (!g) {
    return g.error();
  }
  if (field == "status") {
    CheckOptions o;
    o.guarantees = {*g};
    return std::to_string(static_cast<int>(judge(s, o).status));
  }
  if (*g == CheckedGuarantee::process) {  // Articles 5-9: the month's clocks
    if (field == "open") {
      return std::to_string(s.process.open);
    }
    if (field == "met") {
      return std::to_string(s.process.met);
    }
    if (field == "missed") {
      return std::to_string(s.process.missed);
    }
    return bad();
  }
  if (*g == CheckedGuarantee::emergency) {
    std::int64_t open = 0, due = 0, missed = 0;
    for (const auto& e : s.emergencies) {
      open += e.open ? 1 : 0;
      due += e.open && !e.notified ? 1 : 0;
      missed += e.missed ? 1 : 0;
    }
    if (field == "open") {
      return std::to_string(open);
    }
    if (field == "due") {
      return std::to_string(due);
    }
    if (field == "missed") {
      return std::to_string(missed);
    }
    return bad();
  }
  const GuaranteeFigures& f = *g == CheckedGuarantee::network ? s.network : s.power;
  if (field == "counted-minutes") {
    return milli_text(f.counted_seconds * 1000 / 60);
  }
  if (field == "budget-minutes") {
    return milli_text(f.budget_seconds * 1000 / 60);
  }
  if (field == "left-minutes") {
    return milli_text(std::max<std::int64_t>(0, f.budget_seconds - f.counted_seconds) * 1000 / 60);
  }
  if (field == "pending-minutes") {
    return milli_text(f.pending_seconds * 1000 / 60);
  }
  if (field == "availability") {
    return milli_text(f.availability_milli);
  }
  if (field == "breached") {
    return std::string(f.breached ? "1" : "0");
  }
  return bad();
}

ZabbixSink::ZabbixSink(std::string name, std::string server, std::string host,
                       std::chrono::milliseconds timeout)
    : name_(std::move(name)),
      server_(std::move(server)),
      host_(std::move(host)),
      timeout_(timeout) {}

Delivery ZabbixSink::deliver(const EventBatch& batch, const DeliveryContext& context) {
  Delivery d;
  const std::int64_t now = context.now.time_since_epoch().count();
  // Trapper items: each event (colosla.event, its JSON, at the event's time), and the figures of
  // every contract and guarantee an event touched (the keys colosla zabbix get answers).
  // Zabbix keeps one value an item, second and nanosecond (its history's primary key), and drops
  // a second value of the same instant although it counts it processed: two events of one
  // guarantee dated the same second (a budget warning and the breach seen together), or the
  // figures of two batches of one evaluation, would lose one. The nanoseconds tell them apart:
  // an event's its id, the figures the batch's last id (modulo a second's nanoseconds).
  constexpr std::int64_t kNanoseconds = 1000000000;
  nlohmann::json data = nlohmann::json::array();
  std::set<std::pair<std::string, std::string>> touched;
  for (const auto& [id, body] : batch) {
    const auto e = event_header(body);
    if (!e) {
      continue;
    }
    if (!e->checked()) {
      continue;  // the template discovers network, power, emergency and process: no item for it
    }
    auto when = parse_time(e->time);
    data.push_back({{"host", host_},
                    {"key", "colosla.event[" + e->contract + "," + e->guarantee + "]"},
                    {"value", body},
                    {"clock", when ? when->time_since_epoch().count() : now},
                    {"ns", id % kNanoseconds}});
    touched.emplace(e->contract, e->guarantee);
  }
  for (const auto& [contract, guarantee] : touched) {
    const ContractStatus* figures = context.figures ? context.figures(contract) : nullptr;
    if (figures == nullptr) {
      continue;
    }
    // The template's items of the guarantee (process: its state only).
    const std::vector<std::string> fields =
        guarantee == "emergency" ? std::vector<std::string>{"open", "due", "missed", "status"}
        : guarantee == "process"
            ? std::vector<std::string>{"status"}
            : std::vector<std::string>{"counted-minutes", "budget-minutes", "left-minutes",
                                       "pending-minutes", "availability",   "breached",
                                       "status"};
    for (const auto& f : fields) {
      if (auto v = zabbix_item_value(*figures, guarantee, f)) {
        data.push_back({{"host", host_},
                        {"key", "colosla.sla[" + contract + "," + guarantee + "," + f + "]"},
                        {"value", *v},
                        {"clock", now},
                        {"ns", batch.back().first % kNanoseconds}});
      }
    }
  }
  if (data.empty()) {
    d.last_id = batch.back().first;  // nothing of these for Zabbix
    return d;
  }
  const auto colon = server_.rfind(':');
  const std::string name = colon == std::string::npos ? server_ : server_.substr(0, colon);
  const std::string port = colon == std::string::npos ? "10051" : server_.substr(colon + 1);
  const nlohmann::json request{
      {"request", "sender data"}, {"data", data}, {"clock", now}, {"ns", 0}};
  const std::string where = "zabbix " + server_;
  auto answer = zabbix_exchange(name, port, request.dump(), timeout_);
  if (!answer) {
    d.failure = answer.error();
    return d;
  }
  auto reply = parse_zabbix_reply(*answer);
  if (!reply) {
    d.failure = make_error(Errc::io, reply.error().msg, where);
    return d;
  }
  if (!reply->success) {
    d.failure = make_error(Errc::io, "the server refused the values: " + *answer, where);
    return d;
  }
  // The server took the request: what it did not process (no such host or trapper item, a value
  // it cannot take) it refused for good, and sending it again would not change that. The reply
  // names no value, only how many.
  d.last_id = batch.back().first;
  d.sent = data.size();
  const auto failed = static_cast<std::size_t>(reply->failed.value_or(0));
  d.accepted = static_cast<std::size_t>(reply->processed.value_or(0));
  d.refused = failed;
  if (!reply->processed || !reply->failed) {
    d.refusals.push_back(where + " answered success without counts: " + reply->info);
  } else if (failed > 0 || reply->total.value_or(-1) != static_cast<std::int64_t>(d.sent)) {
    d.refusals.push_back(
        where + " (host " + host_ + ") did not take " +
        plural(d.sent - std::min(d.sent, d.accepted), "value", "values") + " of the " +
        std::to_string(d.sent) + " sent: " + reply->info +
        "; the keys sent (the reply does not say which it refused): " + keys_of(data));
  }
  return d;
}

std::string ZabbixSink::describe(const Delivery& total) const {
  return plural(total.sent, "value", "values") + " to Zabbix: " + std::to_string(total.accepted) +
         " processed, " + std::to_string(total.refused) + " failed";
}

std::string ZabbixSink::waiting(std::size_t /*events*/) const {
  return " (the values wait for the next evaluation)";
}

std::vector<std::string> ZabbixSink::legacy_cursors() const { return {"zabbix:" + server_}; }

}  // namespace colosla::core
