// colosla zabbix discovery | get KEY: low-level discovery and item values for Zabbix (external
// checks and UserParameter).
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli.hpp"
#include "colosla/services/check.hpp"

namespace colosla::cli {

namespace {

constexpr std::chrono::seconds kFresh{150};  // as check_colosla's --max-age

// Low-level discovery: one entry a contract and guarantee.
int discovery(Context& ctx) {
  po::options_description d("zabbix discovery");
  d.add_options()("guarantee", po::value<std::vector<std::string>>(),
                  "only these guarantees (network, power, emergency; repeatable)");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  auto opened = open_with_inventory(ctx, core::Store::Mode::read_only);
  if (!opened) {
    return kFailed;
  }
  const core::Inventory* inv = &opened->inventory;
  std::vector<std::string> which{"network", "power", "emergency"};
  if (vm->count("guarantee") != 0) {
    which = (*vm)["guarantee"].as<std::vector<std::string>>();
    for (const auto& g : which) {
      if (!core::parse_checked_guarantee(g)) {
        throw UsageError("--guarantee must be network, power or emergency, not \"" + g + "\"");
      }
    }
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& c : inv->contracts) {
    for (const auto& g : which) {
      out.push_back({{"{#CONTRACT}", c.id}, {"{#CUSTOMER}", c.customer}, {"{#GUARANTEE}", g}});
    }
  }
  std::cout << out.dump() << "\n";
  return kOk;
}

// colosla.sla[CONTRACT,GUARANTEE,FIELD] → "CONTRACT", "GUARANTEE", "FIELD".
std::optional<std::array<std::string, 3>> split_key(const std::string& key) {
  const std::string head = "colosla.sla[";
  if (key.rfind(head, 0) != 0 || key.back() != ']') {
    return std::nullopt;
  }
  std::array<std::string, 3> parts;
  std::size_t i = 0;
  for (const char ch : key.substr(head.size(), key.size() - head.size() - 1)) {
    if (ch == ',') {
      if (++i == parts.size()) {
        return std::nullopt;
      }
    } else if (ch != '"' && ch != ' ') {
      parts[i] += ch;
    }
  }
  if (i != 2 || parts[0].empty()) {
    return std::nullopt;
  }
  return parts;
}

std::string milli_text(std::int64_t milli) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(milli) / 1000.0);
  return buf;
}

// One item's value, from the figures colosla evaluate stored (computed now when missing or
// older than 150 s). Errors: invalid_input for a key it does not know.
Result<std::string> item(const core::ContractStatus& s, const std::string& guarantee,
                         const std::string& field) {
  const auto bad = [&] {
    return make_error(Errc::invalid_input,
                      "no item " + field + " for guarantee " + guarantee +
                          " (network and power: counted-minutes, budget-minutes, left-minutes, "
                          "pending-minutes, availability, breached, status; emergency: open, "
                          "due, missed, status)");
  };
  auto g = core::parse_checked_guarantee(guarantee);
  if (!g) {
    return g.error();
  }
  if (field == "status") {
    core::CheckOptions o;
    o.guarantees = {*g};
    return std::to_string(static_cast<int>(core::judge(s, o).status));
  }
  if (*g == core::CheckedGuarantee::emergency) {
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
  const core::GuaranteeFigures& f = *g == core::CheckedGuarantee::network ? s.network : s.power;
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

int get(Context& ctx) {
  po::options_description d("zabbix get");
  d.add_options()("key", po::value<std::string>(), "colosla.sla[CONTRACT,GUARANTEE,FIELD]");
  po::positional_options_description pos;
  pos.add("key", 1);
  auto vm = parse(ctx, d, pos);
  if (!vm) {
    return kOk;
  }
  if (vm->count("key") == 0) {
    throw UsageError("KEY is required: colosla.sla[CONTRACT,GUARANTEE,FIELD]");
  }
  const std::string key = (*vm)["key"].as<std::string>();
  const auto parts = split_key(key);
  if (!parts) {
    return report(make_error(Errc::invalid_input,
                             "\"" + key + "\" is not colosla.sla[CONTRACT,GUARANTEE,FIELD]"));
  }
  auto store = core::Store::open(ctx.db, core::Store::Mode::read_only);
  if (!store) {
    return report(store.error());
  }
  const Timestamp now = ctx.clock->now();
  std::optional<core::ContractStatus> status;
  auto stored = (*store)->contract_status((*parts)[0]);
  if (!stored) {
    return report(stored.error());
  }
  if (*stored && now - (*stored)->first <= kFresh) {
    auto s = core::status_from_json((*stored)->second);
    if (s) {
      status = std::move(*s);
    }
  }
  if (!status) {
    auto r = core::current_contract_report(**store, (*parts)[0], now);
    if (!r) {
      return report(r.error());
    }
    status = core::status_of(r->first, r->second, now);
  }
  auto value = item(*status, (*parts)[1], (*parts)[2]);
  if (!value) {
    return report(value.error());
  }
  std::cout << *value << "\n";
  return kOk;
}

// One exchange of the Zabbix sender protocol (ZBXD, flags 0x01, 4-byte little-endian length,
// 4 reserved bytes, JSON) with a server or proxy; the reply's JSON. Every step has a deadline.
Result<nlohmann::json> zabbix_exchange(const std::string& host, const std::string& port,
                                       const nlohmann::json& request,
                                       std::chrono::milliseconds timeout) {
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
  const std::string body = request.dump();
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
        break;
      }
    }
  }
  ::close(fd);
  if (reply.size() < 13 || reply.compare(0, 4, "ZBXD") != 0) {
    return make_error(Errc::io, "the answer is not a Zabbix protocol message", where);
  }
  auto j = nlohmann::json::parse(reply.substr(13), nullptr, false);
  if (j.is_discarded()) {
    return make_error(Errc::io, "the answer's JSON cannot be read", where);
  }
  return j;
}

}  // namespace

Result<std::size_t> deliver_to_zabbix(core::Store& store, const std::string& server,
                                      const std::string& host,
                                      const std::map<std::string, core::ContractStatus>& statuses,
                                      Timestamp now) {
  const std::string sink = "zabbix:" + server;
  auto events = store.undelivered(sink);
  if (!events) {
    return events.error();
  }
  if (events->empty()) {
    return std::size_t{0};
  }
  // Trapper items: each event (colosla.event, its JSON, at the event's time), and the figures of
  // every contract and guarantee an event touched (the keys colosla zabbix get answers).
  nlohmann::json data = nlohmann::json::array();
  std::set<std::pair<std::string, std::string>> touched;
  for (const auto& [id, body] : *events) {
    const auto e = event_header(body);
    if (!e) {
      continue;
    }
    auto when = parse_time(e->time);
    data.push_back({{"host", host},
                    {"key", "colosla.event[" + e->contract + "," + e->guarantee + "]"},
                    {"value", body},
                    {"clock", (when ? *when : now).time_since_epoch().count()},
                    {"ns", 0}});
    if (e->checked()) {
      touched.emplace(e->contract, e->guarantee);
    }
  }
  for (const auto& [contract, guarantee] : touched) {
    const auto it = statuses.find(contract);
    if (it == statuses.end()) {
      continue;
    }
    const std::vector<std::string> fields =
        guarantee == "emergency"
            ? std::vector<std::string>{"open", "due", "missed", "status"}
            : std::vector<std::string>{"counted-minutes", "budget-minutes", "left-minutes",
                                       "pending-minutes", "availability",   "breached",
                                       "status"};
    for (const auto& f : fields) {
      auto v = item(it->second, guarantee, f);
      if (v) {
        data.push_back({{"host", host},
                        {"key", "colosla.sla[" + contract + "," + guarantee + "," + f + "]"},
                        {"value", *v},
                        {"clock", now.time_since_epoch().count()},
                        {"ns", 0}});
      }
    }
  }
  const auto colon = server.rfind(':');
  const std::string name = colon == std::string::npos ? server : server.substr(0, colon);
  const std::string port = colon == std::string::npos ? "10051" : server.substr(colon + 1);
  nlohmann::json request{{"request", "sender data"},
                         {"data", data},
                         {"clock", now.time_since_epoch().count()},
                         {"ns", 0}};
  auto answer = zabbix_exchange(name, port, request, std::chrono::milliseconds{5000});
  if (!answer) {
    return answer.error();
  }
  if (answer->value("response", "") != "success") {
    return make_error(Errc::io, "the server refused the values: " + answer->dump(),
                      "zabbix " + server);
  }
  // "processed: 3; failed: 1; …": items the server does not know (no such host or trapper item)
  // are its configuration's business; what was sent is delivered.
  if (auto r = store.set_sink_cursor(sink, events->back().first); !r) {
    return r.error();
  }
  return data.size();
}

bool is_zabbix_command(const std::string& command) { return command == "zabbix"; }

int run_zabbix(Context& ctx, const std::string& sub) {
  if (sub == "discovery") {
    return discovery(ctx);
  }
  if (sub == "get") {
    return get(ctx);
  }
  throw UsageError("colosla zabbix discovery | get KEY");
}

}  // namespace colosla::cli
