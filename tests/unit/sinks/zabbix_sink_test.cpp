// The Zabbix sink's side of the sender protocol: the reply read, refusals counted, a refusal of
// the whole request retried; against a trapper port of the test's own on loopback.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "colosla/sinks/sinks.hpp"

using namespace colosla;
using namespace colosla::core;

namespace {

// Accepts one sender request on 127.0.0.1 and answers `reply` (a "ZBXD" 0x01 message); what it
// received is in `request` once the thread ended.
class Trapper {
 public:
  explicit Trapper(std::string reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
    REQUIRE(::listen(fd_, 1) == 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~Trapper() {
    thread_.join();
    ::close(fd_);
  }
  Trapper(const Trapper&) = delete;
  Trapper& operator=(const Trapper&) = delete;
  [[nodiscard]] std::string server() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string request;

 private:
  void serve() {
    const int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) {
      return;
    }
    std::string in;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) {
        break;
      }
      in.append(buf, static_cast<std::size_t>(n));
      if (in.size() >= 13) {
        std::uint32_t want = 0;
        std::memcpy(&want, in.data() + 5, 4);  // little-endian, as this machine
        if (in.size() >= 13 + want) {
          break;
        }
      }
    }
    request = in.size() > 13 ? in.substr(13) : std::string();
    std::string out = "ZBXD\x01";
    const auto n = static_cast<std::uint32_t>(reply_.size());
    out.append(reinterpret_cast<const char*>(&n), 4);
    out.append(4, '\0');
    out += reply_;
    (void)::send(c, out.data(), out.size(), MSG_NOSIGNAL);
    ::close(c);
  }
  std::string reply_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

const EventBatch kBatch{
    {7,
     R"({"colosla-events:port-down":{"event-id":"7","contract":"C-001","guarantee":"network","time":"2026-11-03T02:00:00+08:00"}})"},
    {8,
     R"({"colosla-events:installation-overdue":{"event-id":"8","contract":"C-001","guarantee":"installation","time":"2026-11-05T00:00:00+08:00"}})"},
    {9,
     R"({"colosla-events:power-lost":{"event-id":"9","contract":"C-001","guarantee":"power","time":"2026-11-04T02:00:00+08:00"}})"}};

}  // namespace

TEST_CASE("a Zabbix server's reply is read") {
  auto r = parse_zabbix_reply(
      R"({"response":"success","info":"processed: 3; failed: 1; total: 4; seconds spent: 0.000053"})");
  REQUIRE(r.has_value());
  CHECK(r->success);
  CHECK(r->processed == 3);
  CHECK(r->failed == 1);
  CHECK(r->total == 4);
  r = parse_zabbix_reply(R"({"response":"failed","info":"host is not monitored"})");
  REQUIRE(r.has_value());
  CHECK_FALSE(r->success);
  CHECK_FALSE(r->processed.has_value());
  CHECK_FALSE(parse_zabbix_reply("ZBXD").has_value());
  CHECK_FALSE(parse_zabbix_reply(R"({"info":"processed: 1"})").has_value());
}

TEST_CASE("values a Zabbix server refused are counted, and the events are not sent again") {
  Trapper t(
      R"({"response":"success","info":"processed: 1; failed: 1; total: 2; seconds spent: 0.0001"})");
  ZabbixSink sink("zabbix", t.server(), "noc-sla");
  const DeliveryContext context{{}, Timestamp{std::chrono::seconds{1793650000}}};
  const Delivery d = sink.deliver(kBatch, context);
  CHECK_FALSE(d.failure.has_value());
  CHECK(d.last_id == 9);
  CHECK(d.sent == 2);
  CHECK(d.accepted == 1);
  CHECK(d.refused == 1);
  REQUIRE(d.refusals.size() == 1);
  CHECK(d.refusals[0].find("did not take 1 value of the 2 sent: processed: 1; failed: 1") !=
        std::string::npos);
  // The reply names no value: the line names the keys sent.
  CHECK(d.refusals[0].find("the keys sent (the reply does not say which it refused): "
                           "colosla.event[C-001,network], colosla.event[C-001,power]") !=
        std::string::npos);
  CHECK(sink.describe(d) == "2 values to Zabbix: 1 processed, 1 failed");
  const auto j = nlohmann::json::parse(t.request);
  CHECK(j["request"] == "sender data");
  CHECK(j["data"][0]["key"] == "colosla.event[C-001,network]");
  CHECK(j["data"][0]["host"] == "noc-sla");
  CHECK(j["data"][0]["clock"] == 1793642400);
  CHECK(j["data"][0]["ns"] == 7);  // the event's id: Zabbix keeps one value an instant
  CHECK(j["data"][1]["ns"] == 9);
  // The installation event is not sent: the template has no item for it.
  CHECK(j["data"][1]["key"] == "colosla.event[C-001,power]");
  CHECK(j["data"].size() == 2);
}

TEST_CASE("a process event (Articles 5-9): the event and the process state, its one item") {
  Trapper t(R"({"response":"success","info":"processed: 2; failed: 0; total: 2"})");
  ZabbixSink sink("zabbix", t.server(), "noc-sla");
  ContractStatus s;
  s.contract = "C-001";
  s.process = ProcessFigures{0, 1, 0, "feedback of record #7, due 2026-11-07T09:30:00+08:00"};
  const EventBatch batch{
      {12,
       R"({"colosla-events:feedback-missed":{"event-id":"12","contract":"C-001","guarantee":"process","time":"2026-11-07T09:30:00+08:00"}})"}};
  const Delivery d = sink.deliver(
      batch, {[&](const std::string&) { return &s; }, Timestamp{std::chrono::seconds{1793650000}}});
  CHECK_FALSE(d.failure.has_value());
  CHECK(d.sent == 2);
  const auto j = nlohmann::json::parse(t.request);
  REQUIRE(j["data"].size() == 2);
  CHECK(j["data"][0]["key"] == "colosla.event[C-001,process]");
  CHECK(j["data"][1]["key"] == "colosla.sla[C-001,process,status]");
  CHECK(j["data"][1]["value"] == "2");
}

TEST_CASE("an event no template item takes is not sent to Zabbix") {
  // No server: nothing is sent, so nothing connects, and the cursor moves past the event.
  ZabbixSink sink("zabbix", "127.0.0.1:1", "noc-sla");
  const Delivery d = sink.deliver({kBatch[1]}, {nullptr, Timestamp{}});
  CHECK_FALSE(d.failure.has_value());
  CHECK(d.last_id == 8);
  CHECK(d.sent == 0);
}

TEST_CASE("a Zabbix server that refuses the request: the events wait") {
  Trapper t(R"({"response":"failed","info":"processed: 0; failed: 2; total: 2"})");
  ZabbixSink sink("zabbix", t.server(), "noc-sla");
  const Delivery d = sink.deliver(kBatch, {nullptr, Timestamp{}});
  REQUIRE(d.failure.has_value());
  CHECK(d.failure->to_string().find("the server refused the values") != std::string::npos);
  CHECK(d.last_id == 0);
}
