#include "settings.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "colosla/base/result.hpp"
#include "support.hpp"

using colosla::ConfigError;
using colosla::trapd::read_settings;
using colosla::trapd::Settings;
using colosla::trapd::settings_from_config;

namespace {

Settings from_text(const std::string& text) {
  std::istringstream in(text);
  return settings_from_config(in, "test.conf");
}

// read_settings over a command line (with an empty configuration file, so that the machine's
// /etc/colosla/colosla-trapd.conf plays no part).
std::optional<Settings> from_command_line(std::vector<std::string> args) {
  colosla::test::TempDir dir;
  const std::string conf = dir.file("empty.conf");
  std::ofstream(conf) << "";
  args.insert(args.begin(), {"colosla-trapd", "--config", conf});
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  return read_settings(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("the example configuration is what colosla-trapd reads", "[trapd][settings]") {
  std::ifstream in(colosla::test::source_file("examples/colosla-trapd.conf"));
  REQUIRE(in);
  const Settings s = settings_from_config(in, "examples/colosla-trapd.conf");
  CHECK(s.listen == std::vector<std::string>{"udp:0.0.0.0:162", "udp6:[::]:162"});
  CHECK(s.db == "/var/lib/colosla/colosla.db");
  CHECK(s.problem_log_rate == 10);
  CHECK(s.trap_log_rate == 20);
  CHECK(s.evaluate_interval == std::chrono::seconds{60});
  CHECK_FALSE(s.lead);
  CHECK(s.status_dir.empty());  // commented out: status beside the store
  CHECK(s.users.empty());       // commented out in the example
  std::istringstream with("status-dir = /srv/colosla/status\n");
  CHECK(settings_from_config(with, "t").status_dir == "/srv/colosla/status");
}

TEST_CASE("defaults are written once, and checked", "[trapd][settings]") {
  const Settings s = from_text("");
  CHECK(s.listen == std::vector<std::string>{"udp:162"});
  CHECK(s.commit_interval == std::chrono::milliseconds{20});
  CHECK(s.commit_batch == 10000);
  CHECK(s.poll_interval == std::chrono::seconds{60});
  CHECK(s.prober_options() == std::vector<std::string>{"--timeout", "5000", "--retries", "1",
                                                       "--workers", "64", "--www-port", "80",
                                                       "--smtp-port", "25", "--ftp-port", "21"});
  CHECK_THROWS_WITH(from_text("budget-warning = 0"),
                    "test.conf:1: budget-warning: must be a percent from 1 to 100");
  CHECK_THROWS_WITH(from_text("probe-workers = 0"),
                    "test.conf:1: probe-workers: must be 1 to 4096");
  CHECK_THROWS_WITH(from_text("log-level = loud"),
                    "test.conf:1: log-level: must be debug, info, warning or error, not \"loud\"");
  CHECK_THROWS_AS(from_text("no-such-key = 1"), ConfigError);
  CHECK_THROWS_AS(from_text("commit-batch = 99999999999"), ConfigError);
}

TEST_CASE("secrets are refused on the command line, taken from the file", "[trapd][settings]") {
  for (const char* key : {"--community", "--create-user", "--trap-sink"}) {
    INFO(key);
    CHECK_THROWS_WITH(from_command_line({key, "x"}),
                      Catch::Contains("holds a secret: give it in the configuration file"));
  }
  const Settings s =
      from_text("create-user = informuser SHA authpass123 AES privpass123\ncommunity = noc\n");
  CHECK(s.users == std::vector<std::string>{"informuser SHA authpass123 AES privpass123"});
  CHECK(s.communities == std::vector<std::string>{"noc"});
  // The command line still wins for the rest.
  const auto c = from_command_line({"--db", "/tmp/x.db", "--problem-log-rate", "3"});
  REQUIRE(c.has_value());
  CHECK(c->db == "/tmp/x.db");
  CHECK(c->problem_log_rate == 3);
}

TEST_CASE("every error in the configuration file names its line and key", "[trapd][settings]") {
  // The first error, at the line of the key that is wrong, also for a value only finish() checks.
  const std::string head = "# colosla-trapd\n\nlisten = udp:127.0.0.1:1162\ndb = /tmp/x.db\n";
  CHECK_THROWS_WITH(from_text(head + "poll-interval = 30\nbudget-warning = 200\n"),
                    "test.conf:6: budget-warning: must be a percent from 1 to 100");
  CHECK_THROWS_WITH(from_text(head + "  no-such-key = 1   # a comment\n"),
                    "test.conf:5: no-such-key: unknown key (colosla-trapd --help lists them)");
  CHECK_THROWS_WITH(from_text(head + "poll-timeout\n"), "test.conf:5: not a \"key = value\" line");
  // Its store is its durable buffer, a local file: a PostgreSQL location is refused at its line.
  CHECK_THROWS_WITH(
      from_text("listen = udp:127.0.0.1:1162\ndb = postgresql://colosla@db.example/colosla\n"),
      Catch::StartsWith("test.conf:2: db: colosla-trapd keeps its store in a local SQLite file"));
  CHECK_THROWS_WITH(from_text(head + "commit-batch = many\n"),
                    Catch::StartsWith("test.conf:5: commit-batch: ") && Catch::Contains("many"));
  CHECK_THROWS_WITH(from_text(head + "probe = perhaps\n"),
                    Catch::StartsWith("test.conf:5: probe: "));
  CHECK_THROWS_WITH(from_text(head + "poll-retries = 2\n\npoll-retries = 3\n"),
                    "test.conf:7: poll-retries: given twice (first on line 5)");
  CHECK_THROWS_WITH(from_text(head + "rate-burst = 0.5\n"),
                    "test.conf:5: rate-burst: must be at least 1");
  CHECK_THROWS_WITH(from_text(head + "probe-ftp-port = 70000\n"),
                    "test.conf:5: probe-ftp-port: must be 1 to 65535");
  CHECK_THROWS_WITH(from_text("[x]\nlisten = udp:1\n"),
                    "test.conf:2: x.listen: unknown key "
                    "(colosla-trapd --help lists them)");
  // Each listen value is checked at once, and named by its own line.
  CHECK_THROWS_WITH(from_text(head + "listen = udp:300.1.1.1:1162\n"),
                    "test.conf:5: listen: cannot listen on udp:300.1.1.1:1162: \"300.1.1.1\" is "
                    "not an address");
  CHECK_THROWS_WITH(from_text(head + "listen = tcp:162\n"),
                    Catch::StartsWith("test.conf:5: listen: cannot listen on \"tcp:162\": write "
                                      "udp:ADDRESS:PORT"));
  CHECK_THROWS_WITH(from_text("listen = udp:70000\n"),
                    "test.conf:1: listen: cannot listen on \"udp:70000\": no such port");
  // A repeatable key is fine repeated; the trap sink that is wrong is named by its own line.
  CHECK(from_text(head + "listen = udp:127.0.0.1:1163\n").listen.size() == 2);
  CHECK_THROWS_WITH(from_text(head + "trap-sink = -v2c -c x 127.0.0.1:1\ntrap-sink = name=\n"),
                    "test.conf:6: trap-sink: name= without a name");
  CHECK_THROWS_WITH(from_text(head + "trap-sink = name=a -v2c -c x 127.0.0.1:1\n"
                                     "trap-sink = name=b -v2c -c x 127.0.0.1:2\n"
                                     "trap-sink = name=a -v2c -c x 127.0.0.1:3\n"),
                    Catch::StartsWith("test.conf:7: trap-sink: two sinks are named a"));
  // Lines that are hardly lines: an empty key, an empty section, a value that is a placeholder of
  // Boost's messages, CR LF ends.
  CHECK_THROWS_WITH(from_text("= 5\n"), Catch::StartsWith("test.conf:1: : unknown key"));
  CHECK_THROWS_WITH(from_text("[]\nlisten = x\n"), Catch::StartsWith("test.conf:2: .listen: "));
  CHECK_THROWS_WITH(from_text("commit-batch = %value%\n"),
                    Catch::StartsWith("test.conf:1: commit-batch: "));
  CHECK(from_text("poll-retries = 3\r\n\r\n").poll_retries == 3);
  CHECK_THROWS_WITH(from_text(head + "event-log = name=\n"),
                    "test.conf:5: event-log: name= without a name");
}

TEST_CASE("a value the command line gives is named as the command line's", "[trapd][settings]") {
  CHECK_THROWS_WITH(from_command_line({"--budget-warning", "0"}),
                    "--budget-warning: must be a percent from 1 to 100");
  // --user and --check-config are read.
  const auto c = from_command_line({"--user", "colosla", "--check-config"});
  REQUIRE(c.has_value());
  CHECK(c->user == "colosla");
  CHECK(c->check_config);
  CHECK_THROWS_WITH(from_command_line({"--user", "a b"}), "--user: is not a user name");
}

TEST_CASE("trap-relay takes addresses and networks, each error named by its line",
          "[trapd][settings][relay]") {
  const Settings s = from_text(
      "trap-relay = 127.0.0.1\ntrap-relay = 192.0.2.0/24\n"
      "trap-relay = 2001:db8::/32\n");
  REQUIRE(s.relays.size() == 3);
  CHECK(s.relays[0].text() == "127.0.0.1/32");
  CHECK(s.relays[1].text() == "192.0.2.0/24");
  CHECK(s.relays[2].text() == "2001:db8::/32");
  CHECK(from_text("").relays.empty());
  const std::string head = "listen = udp:127.0.0.1:1162\ntrap-relay = 127.0.0.1\n";
  CHECK_THROWS_WITH(from_text(head + "trap-relay = relay.example\n"),
                    Catch::StartsWith("test.conf:3: trap-relay: \"relay.example\" is not an "
                                      "address or a network"));
  CHECK_THROWS_WITH(from_text(head + "trap-relay = 192.0.2.1/24\n"),
                    Catch::StartsWith("test.conf:3: trap-relay: \"192.0.2.1/24\""));
  CHECK_THROWS_WITH(from_text(head + "trap-relay = 192.0.2.0/33\n"),
                    Catch::StartsWith("test.conf:3: trap-relay: "));
  CHECK_THROWS_WITH(from_text(head + "trap-relay = 127.0.0.1\ntrap-relay = 10.0.0.0/\n"),
                    Catch::StartsWith("test.conf:4: trap-relay: "));
}

TEST_CASE("lead = yes makes the evaluator lead; no (the default) keeps it alone",
          "[trapd][settings]") {
  const Settings plain = from_text("");
  CHECK_FALSE(plain.lead);
  CHECK(plain.lease_seconds == 15);
  const Settings lead = from_text("lead = yes\nlease-seconds = 9\n");
  CHECK(lead.lead);
  CHECK(lead.lease_seconds == 9);
  CHECK_FALSE(from_text("lead = no\n").lead);
  CHECK_THROWS_WITH(from_text("lead = yes\nlease-seconds = 2\n"),
                    "test.conf:2: lease-seconds: must be 3 to 300");
  CHECK_THROWS_WITH(from_text("evaluate-interval = 0\nlead = yes\n"),
                    "test.conf:2: lead: needs an evaluator: evaluate-interval must not be 0");
  CHECK_THROWS_AS(from_text("lead = perhaps\n"), ConfigError);
}
