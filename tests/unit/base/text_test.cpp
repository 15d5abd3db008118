#include "colosla/base/text.hpp"

#include <catch2/catch.hpp>
#include <vector>

#include "colosla/base/log.hpp"

using colosla::escaped;
using colosla::without_control;

TEST_CASE("text from outside becomes one line that reads back unambiguously", "[text]") {
  SECTION("printable ASCII and UTF-8 stay as they are") {
    CHECK(escaped("ge-0/0/1 up") == "ge-0/0/1 up");
    CHECK(escaped("机房 A 区") == "机房 A 区");
    CHECK(colosla::is_plain("机房 A 区"));
  }
  SECTION("line breaks, tabs and backslashes are escaped") {
    CHECK(escaped("a\nb\rc\td\\e") == "a\\nb\\rc\\td\\\\e");
    CHECK_FALSE(colosla::is_plain("a\nb"));
  }
  SECTION("a terminal's escape sequence and every other control character") {
    CHECK(escaped("\x1b[2J\x07\x7f") == "\\x1b[2J\\x07\\x7f");
    CHECK(escaped(std::string("a\0b", 3)) == "a\\x00b");
  }
  SECTION("C1 controls, written as UTF-8, are controls too") {
    CHECK(escaped("\xc2\x9b"
                  "31m") == "\\xc2\\x9b31m");  // CSI
    CHECK(escaped("\xc2\xa0") == "\xc2\xa0");  // U+00A0 is printable
  }
  SECTION("bytes that are not UTF-8: stray, truncated, overlong, surrogates") {
    CHECK(escaped("\xff\xfe") == "\\xff\\xfe");
    CHECK(escaped("\xe6\x9c") == "\\xe6\\x9c");
    CHECK(escaped("\xc0\xaf") == "\\xc0\\xaf");
    CHECK(escaped("\xed\xa0\x80") == "\\xed\\xa0\\x80");
    CHECK(escaped("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");
  }
  SECTION("without_control leaves backslashes: for text escaped already") {
    CHECK(without_control("a\\nb\nc") == "a\\nb\\nc");
  }
}

TEST_CASE("log lines cannot be forged from a message, and floods are summed up", "[log]") {
  struct Line {
    colosla::LogLevel level;
    std::string component, msg;
  };
  std::vector<Line> lines;
  colosla::set_log_sink([&](colosla::LogLevel l, std::string_view c, std::string_view m) {
    lines.push_back({l, std::string(c), std::string(m)});
  });
  SECTION("a message with a newline and an escape sequence is one line") {
    colosla::log(colosla::LogLevel::info, "trapd", "x\ninfo trapd: sw1: forged\x1b[0m");
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].msg == "x\\ninfo trapd: sw1: forged\\x1b[0m");
  }
  SECTION("at most the limit a second of each kind, then one line of what was left out") {
    colosla::LogLimiter limiter("trapd", 3);
    limiter.set_limit("traps", 1);
    for (int i = 0; i < 1000; ++i) {
      limiter.log(colosla::LogLevel::warning, "malformed datagrams",
                  "malformed packet " + std::to_string(i));
    }
    for (int i = 0; i < 5; ++i) {
      limiter.log(colosla::LogLevel::info, "traps", "a trap");
    }
    REQUIRE(lines.size() == 4);
    CHECK(lines[2].msg == "malformed packet 2");
    limiter.flush();
    REQUIRE(lines.size() == 5);
    CHECK(lines[4].msg == "in the last second, not logged: 997 malformed datagrams, 4 traps");
    CHECK(lines[4].level == colosla::LogLevel::warning);
    // A new second: the limits start again, and a quiet second says nothing.
    limiter.log(colosla::LogLevel::warning, "malformed datagrams", "again");
    limiter.flush();
    limiter.flush();
    REQUIRE(lines.size() == 6);
    CHECK(lines[5].msg == "again");
  }
  colosla::set_log_sink(colosla::stderr_log_sink());
}
