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
                    "budget-warning must be a percent from 1 to 100");
  CHECK_THROWS_WITH(
      from_text("probe-workers = 0"),
      "probe-timeout must be positive, probe-retries not negative, probe-workers 1 to 4096");
  CHECK_THROWS_WITH(from_text("log-level = loud"),
                    "log-level must be debug, info, warning or error, not \"loud\"");
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
