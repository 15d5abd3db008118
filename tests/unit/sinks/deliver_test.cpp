// The delivery loop over a real SQLite store and real files: cursors move only past what a sink
// delivered (or refused for good), a failure is retried next round, a sink keeps its cursor when
// its other options change, and the cursors of colosla before named sinks are taken over.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "colosla/sinks/sink_options.hpp"
#include "colosla/sinks/sinks.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::TempDir;

namespace {

std::unique_ptr<Store> make_store(const TempDir& dir) {
  auto s = Store::open(dir.file("colosla.db"), Store::Mode::create);
  REQUIRE(s.has_value());
  return std::move(*s);
}

// Records n port-down events of C-001 (keys from..from+n-1); their ids, in order.
std::vector<std::int64_t> record(Store& store, int from, int n) {
  std::vector<NewEvent> events;
  for (int i = from; i < from + n; ++i) {
    events.push_back(NewEvent{"port-down C-001 " + std::to_string(i), "port-down", "C-001",
                              Timestamp{std::chrono::seconds{1793642400 + i}}, 0});
  }
  auto fresh = store.record_events(
      events, Timestamp{std::chrono::seconds{1793650000}},
      [](std::size_t, std::int64_t id, const std::optional<EntityId>&) {
        return R"({"colosla-events:port-down":{"event-id":")" + std::to_string(id) +
               R"(","contract":"C-001","guarantee":"network","time":"2026-11-03T02:00:00+08:00"}})";
      });
  REQUIRE(fresh.has_value());
  std::vector<std::int64_t> ids;
  for (const auto& [index, id] : *fresh) {
    ids.push_back(id);
  }
  return ids;
}

// A sink of the test: takes at most `take` events a round (then fails), and remembers them.
class Flaky : public EventSink {
 public:
  explicit Flaky(std::string name) : name_(std::move(name)) {}
  [[nodiscard]] const std::string& name() const override { return name_; }
  Delivery deliver(const EventBatch& batch, const DeliveryContext& /*context*/) override {
    Delivery d;
    for (const auto& [id, body] : batch) {
      if (take == 0) {
        d.failure = make_error(Errc::io, "no answer", name_);
        break;
      }
      --take;
      seen.push_back(id);
      d.last_id = id;
      ++d.sent;
    }
    return d;
  }
  [[nodiscard]] std::string describe(const Delivery& total) const override {
    return std::to_string(total.sent) + " to " + name_;
  }
  std::size_t take = SIZE_MAX;
  std::vector<std::int64_t> seen;

 private:
  std::string name_;
};

const DeliveryContext kContext{{}, Timestamp{std::chrono::seconds{1793650000}}};

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) {
    out.push_back(l);
  }
  return out;
}

std::vector<std::unique_ptr<EventSink>> one(std::unique_ptr<EventSink> s) {
  std::vector<std::unique_ptr<EventSink>> v;
  v.push_back(std::move(s));
  return v;
}

}  // namespace

TEST_CASE("a sink's cursor moves only past what it delivered; a failure is retried next round") {
  TempDir dir;
  auto store = make_store(dir);
  const auto ids = record(*store, 1, 5);
  std::vector<std::unique_ptr<EventSink>> sinks;
  sinks.push_back(std::make_unique<Flaky>("flaky"));
  auto& flaky = dynamic_cast<Flaky&>(*sinks[0]);

  flaky.take = 2;
  auto round = deliver_pending(*store, sinks, kContext);
  REQUIRE(round.has_value());
  REQUIRE(round->size() == 1);
  CHECK((*round)[0].total.sent == 2);
  CHECK((*round)[0].waiting == 3);
  CHECK((*round)[0].total.failure.has_value());
  CHECK((*round)[0].line == "2 to flaky");
  CHECK(*store->sink_cursor("flaky") == ids[1]);

  // Still failing at once: nothing moves, nothing is lost.
  flaky.take = 0;
  round = deliver_pending(*store, sinks, kContext);
  REQUIRE(round.has_value());
  CHECK((*round)[0].waiting == 3);
  CHECK(*store->sink_cursor("flaky") == ids[1]);

  // Back: the rest, and only the rest.
  flaky.take = SIZE_MAX;
  round = deliver_pending(*store, sinks, kContext);
  REQUIRE(round.has_value());
  CHECK_FALSE((*round)[0].total.failure.has_value());
  CHECK(flaky.seen == ids);
  CHECK(*store->sink_cursor("flaky") == ids[4]);

  // Nothing new: the sink is not called.
  round = deliver_pending(*store, sinks, kContext);
  REQUIRE(round.has_value());
  CHECK((*round)[0].total.sent == 0);
  CHECK((*round)[0].line.empty());
  CHECK(flaky.seen.size() == 5);
}

TEST_CASE("what a sink refuses for good moves its cursor and is counted") {
  TempDir dir;
  auto store = make_store(dir);
  const auto ids = record(*store, 1, 3);
  class Refusing : public Flaky {
   public:
    using Flaky::Flaky;
    Delivery deliver(const EventBatch& batch, const DeliveryContext& c) override {
      Delivery d = Flaky::deliver(batch, c);
      d.refused = 1;
      d.refusals.push_back("no item\nforged line \x1b[31m");
      return d;
    }
  };
  auto sinks = one(std::make_unique<Refusing>("refusing"));
  auto round = deliver_pending(*store, sinks, kContext);
  REQUIRE(round.has_value());
  CHECK((*round)[0].total.refused == 1);
  CHECK(*store->sink_cursor("refusing") == ids[2]);
  // Counted in the store, by the sink's kind (here its name), as colosla stats shows them.
  auto counters = store->counters();
  REQUIRE(counters.has_value());
  std::map<std::string, std::int64_t> by_name;
  for (const auto& c : *counters) {
    by_name[c.name] = c.value;
  }
  CHECK(by_name["sink.refusing.sent"] == 3);
  CHECK(by_name["sink.refusing.refused"] == 1);
  // Nothing new: nothing sent, the counters stay.
  REQUIRE(deliver_pending(*store, sinks, kContext).has_value());
  counters = store->counters();
  REQUIRE(counters.has_value());
  for (const auto& c : *counters) {
    CHECK(c.value == by_name[c.name]);
  }
}

TEST_CASE("the event log: a failure to append is retried; its first round takes the new events") {
  TempDir dir;
  auto store = make_store(dir);
  record(*store, 1, 2);  // before the event log was configured: not in it
  const std::string log = dir.file("logs/events.jsonl");
  SinkOptions o;
  o.event_log = log;
  auto sinks = make_sinks(o);
  REQUIRE(sinks.size() == 1);
  CHECK(sinks[0]->name() == "event-log");

  // The directory is missing: nothing written, the events wait.
  auto fresh = record(*store, 3, 2);
  auto round = deliver_pending(*store, sinks, kContext, fresh.front());
  REQUIRE(round.has_value());
  CHECK((*round)[0].total.failure.has_value());
  CHECK((*round)[0].waiting == 2);
  CHECK_FALSE(std::filesystem::exists(log));

  // The directory is there: the waiting events (not the two from before), then a new one.
  std::filesystem::create_directory(dir.file("logs"));
  round = deliver_pending(*store, sinks, kContext);
  REQUIRE(round.has_value());
  CHECK_FALSE((*round)[0].total.failure.has_value());
  auto lines = lines_of(log);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("\"event-id\":\"" + std::to_string(fresh[0]) + "\"") != std::string::npos);
  CHECK(lines[1].find("\"event-id\":\"" + std::to_string(fresh[1]) + "\"") != std::string::npos);
  const auto more = record(*store, 5, 1);
  REQUIRE(deliver_pending(*store, sinks, kContext, more.front()).has_value());
  CHECK(lines_of(log).size() == 3);
  CHECK(*store->sink_cursor("event-log") == more.front());
}

TEST_CASE("a sink keeps its cursor when its other options change") {
  TempDir dir;
  auto store = make_store(dir);
  const auto first = record(*store, 1, 2);

  SECTION("the event log moved to another file") {
    SinkOptions o;
    o.event_log = dir.file("a.jsonl");
    REQUIRE(deliver_pending(*store, make_sinks(o), kContext, first.front()).has_value());
    CHECK(lines_of(dir.file("a.jsonl")).size() == 2);
    o.event_log = dir.file("b.jsonl");
    const auto next = record(*store, 3, 1);
    REQUIRE(deliver_pending(*store, make_sinks(o), kContext, next.front()).has_value());
    CHECK(lines_of(dir.file("b.jsonl")).size() == 1);  // the new one only
  }
  SECTION("Nagios: another command file and host") {
    SinkOptions o;
    o.nagios_command_file = dir.file("nagios.cmd");
    std::ofstream(o.nagios_command_file).flush();
    auto sinks = make_sinks(o);
    CHECK(sinks[0]->name() == "nagios");
    REQUIRE(deliver_pending(*store, sinks, kContext).has_value());
    CHECK(*store->sink_cursor("nagios") == first.back());
    o.nagios_command_file = dir.file("other.cmd");  // a file that is not there: would fail
    o.nagios_host = "noc";
    auto round = deliver_pending(*store, make_sinks(o), kContext);
    REQUIRE(round.has_value());
    CHECK((*round)[0].total.sent == 0);  // nothing to send: the history is delivered
    CHECK_FALSE((*round)[0].total.failure.has_value());
  }
  SECTION("a trap sink's community, pass phrases, informs and retries") {
    SinkOptions o;
    o.trap_sinks = {
        "-v 3 -u noc -l authPriv -a SHA -A oldauthpass -x AES -X oldprivpass "
        "192.0.2.51:162"};
    auto sinks = make_sinks(o);
    CHECK(sinks[0]->name() == "snmp:3:noc@192.0.2.51:162");
    REQUIRE(store->set_sink_cursor(sinks[0]->name(), first.back()).has_value());
    o.trap_sinks = {
        "-v 3 -u noc -l authPriv -a SHA -A newauthpass -x AES -X newprivpass -Ci "
        "-r 9 192.0.2.51:162"};
    sinks = make_sinks(o);
    CHECK(sinks[0]->name() == "snmp:3:noc@192.0.2.51:162");
    auto round = deliver_pending(*store, sinks, kContext);  // sends nothing: nothing is new
    REQUIRE(round.has_value());
    CHECK((*round)[0].total.sent == 0);
  }
  SECTION("an explicit name= keeps the cursor whatever else changes") {
    SinkOptions o;
    o.trap_sinks = {"name=noc -v 2c -c public 192.0.2.51:162", "-v2c -c x 192.0.2.52:1162"};
    auto sinks = make_sinks(o);
    CHECK(sinks[0]->name() == "noc");
    CHECK(sinks[1]->name() == "snmp:2c:192.0.2.52:1162");
    o.event_log = "name=archive " + dir.file("x.jsonl");
    CHECK(make_sinks(o)[0]->name() == "archive");
  }
}

TEST_CASE("sink names: refused when two sinks share one, or name= names none") {
  SinkOptions o;
  o.trap_sinks = {"-v 2c -c a 192.0.2.51:162", "-v 2c -c b 192.0.2.51:162"};
  CHECK_THROWS_AS(make_sinks(o), ConfigError);
  o.trap_sinks = {"name= -v 2c -c a 192.0.2.51:162"};
  CHECK_THROWS_AS(make_sinks(o), ConfigError);
  o.trap_sinks = {"name=x"};
  CHECK_THROWS_AS(make_sinks(o), ConfigError);
  o.trap_sinks = {"name=nagios -v 2c -c a 192.0.2.51:162"};
  o.nagios_command_file = "/dev/null";
  CHECK_THROWS_AS(make_sinks(o), ConfigError);
}

TEST_CASE("the cursors of colosla before named sinks are taken over, not started again") {
  TempDir dir;
  auto store = make_store(dir);
  const auto ids = record(*store, 1, 4);
  SinkOptions o;
  o.nagios_command_file = dir.file("nagios.cmd");
  std::ofstream(o.nagios_command_file).flush();
  o.zabbix_server = "127.0.0.1:1";  // nobody: a send would fail
  const std::string receiver = "-v 2c -c public 127.0.0.1:1";
  o.trap_sinks = {receiver};
  // What colosla wrote before: the command file's canonical path, the server as given, the
  // receiver's address and a hash of its options.
  REQUIRE(
      store
          ->set_sink_cursor(
              "nagios:" + std::filesystem::weakly_canonical(o.nagios_command_file).string(), ids[3])
          .has_value());
  REQUIRE(store->set_sink_cursor("zabbix:127.0.0.1:1", ids[3]).has_value());
  REQUIRE(store
              ->set_sink_cursor("snmp:127.0.0.1:1:" +
                                    std::to_string(std::hash<std::string>{}(receiver) % 1000000),
                                ids[3])
              .has_value());
  auto round = deliver_pending(*store, make_sinks(o), kContext);
  REQUIRE(round.has_value());
  REQUIRE(round->size() == 3);
  for (const auto& r : *round) {
    INFO(r.sink);
    CHECK(r.total.sent == 0);
    CHECK_FALSE(r.total.failure.has_value());
    CHECK(*store->sink_cursor(r.sink) == ids[3]);
  }
  CHECK(std::filesystem::file_size(o.nagios_command_file) == 0);
}

TEST_CASE("colosla-trapd hands the sinks to colosla evaluate: secrets on stdin only") {
  SinkOptions o;
  o.event_log = "/var/log/colosla/events.jsonl";
  o.zabbix_server = "zbx:10051";
  o.trap_sinks = {"-v 2c -c secret 192.0.2.51:162"};
  const auto [args, input] = sink_command_line(o);
  CHECK(args == std::vector<std::string>{"--event-log", "/var/log/colosla/events.jsonl",
                                         "--zabbix-server", "zbx:10051", "--zabbix-host", "colosla",
                                         "--config", "-"});
  CHECK(input == "trap-sink = -v 2c -c secret 192.0.2.51:162\n");
}

TEST_CASE("the sink options of a configuration file, its other keys ignored") {
  std::istringstream in(
      "listen = udp:162\nnagios-host = noc\nzabbix-server = zbx:10051\n"
      "trap-sink = -v 2c -c public 192.0.2.50:162\ntrap-sink = name=b -v 2c -c x 192.0.2.51:162\n");
  const SinkOptions o = sink_options_from_config(in, "test.conf");
  CHECK(o.nagios_host == "noc");
  CHECK(o.zabbix_server == "zbx:10051");
  CHECK(o.zabbix_host == "colosla");
  CHECK(o.trap_sinks.size() == 2);
  std::ifstream example(test::source_file("examples/colosla-trapd.conf"));
  const SinkOptions e = sink_options_from_config(example, "colosla-trapd.conf");
  CHECK(e.nagios_host == "colosla");
  CHECK(make_sinks(e).empty());  // every sink of the example is commented out
  std::istringstream bad("zabbix-host = a\nzabbix-host = b\n");
  CHECK_THROWS_AS(sink_options_from_config(bad, "bad.conf"), ConfigError);
}
