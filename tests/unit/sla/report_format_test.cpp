// The report's renderings show unmonitored time next to availability, in every format, and a
// note when a guarantee had any (issue 16: 9,012 minutes unmonitored read "100.000 %" and nothing).
// November 2026 in Asia/Shanghai is 30 days = 2,592,000 s.
#include "colosla/sla/report_format.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "sla_world.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::World;

namespace {

const char* const kLate = "2026-12-20T00:00:00+08:00";

// The port first seen 9,012 minutes (540,720 s) into the month; power seen from the start.
core::MonthReport with_a_gap() {
  World w;
  w.port("2026-11-07T06:12:00+08:00", State::up);
  w.power_on("2026-11-01T00:00:00+08:00");
  return w.month("2026-11", kLate);
}

// Everything seen from the start.
core::MonthReport fully_seen() {
  World w;
  w.port("2026-11-01T00:00:00+08:00", State::up);
  w.power_on("2026-11-01T00:00:00+08:00");
  return w.month("2026-11", kLate);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l.back() == '\r') {
      l.pop_back();
    }
    out.push_back(l);
  }
  return out;
}

std::vector<std::string> split(const std::string& row) {
  std::vector<std::string> out;
  std::size_t at = 0;
  for (std::size_t comma; (comma = row.find(',', at)) != std::string::npos; at = comma + 1) {
    out.push_back(row.substr(at, comma - at));
  }
  out.push_back(row.substr(at));
  return out;
}

}  // namespace

TEST_CASE("the engine gives the unmonitored share of the month", "[report][sla]") {
  const auto r = with_a_gap();
  REQUIRE(r.contracts.size() == 1);
  const auto& n = r.contracts[0].network;
  CHECK(n.unmonitored_seconds == 540'720);
  // 540720 × 100000 / 2592000 = 20861.1 → 20861: "20.861 %"
  CHECK(n.unmonitored_milli == 20'861);
  CHECK(n.availability_milli == 100'000);  // the SLA count is unchanged (SPEC §1)
  CHECK(r.contracts[0].power.unmonitored_milli == 0);
}

TEST_CASE("the text report says unmonitored time beside availability", "[report][sla]") {
  SECTION("with a gap: the minutes, the share and a note") {
    const std::string text = report_text(with_a_gap());
    CHECK_THAT(text, Catch::Contains("  network: counted 0 min (breach at 44 min), availability "
                                     "100.000 %, unmonitored 9012 min (20.861 % of the month)\n"
                                     "    NOTE: 9012 min (20.861 % of the month) unmonitored: a "
                                     "mapped port's state was unknown. The SLA counts that time as "
                                     "available"));
    CHECK_THAT(text, Catch::Contains("availability covers monitored time only"));
    CHECK_THAT(text, Catch::Contains("  power: counted 0 min, availability 100.000 % (target 99.9 "
                                     "%), unmonitored 0 min (0.000 % of the month)\n"));
    // The power line has no note; the totals line counts the contract.
    CHECK(text.find("NOTE:") == text.rfind("NOTE:"));
    CHECK(lines(text).back() ==
          "1 contract, 0 network and 0 power breached, 0 deduction days; credits 0.00 CNY; 1 "
          "contract has unmonitored time, counted as available");
  }
  SECTION("without: the figure still shows, no note, the totals line as before") {
    const std::string text = report_text(fully_seen());
    CHECK_THAT(text, Catch::Contains("availability 100.000 %, unmonitored 0 min (0.000 % of the "
                                     "month)\n"));
    CHECK_THAT(text, !Catch::Contains("NOTE:"));
    CHECK(lines(text).back() ==
          "1 contract, 0 network and 0 power breached, 0 deduction days; credits 0.00 CNY");
  }
}

TEST_CASE("the JSON report adds the share and the note, renaming nothing", "[report][sla]") {
  const auto j = nlohmann::json::parse(report_json(with_a_gap()));
  const auto& n = j.at("contracts").at(0).at("network");
  // SPEC §8's keys stay as they were.
  CHECK(n.at("unmonitored-seconds") == 540'720);
  CHECK(n.at("availability-percent") == "100.000");
  CHECK(n.at("breached") == false);
  // Added.
  CHECK(n.at("unmonitored-percent") == "20.861");
  REQUIRE(n.at("unmonitored-note").is_string());
  CHECK_THAT(n.at("unmonitored-note").get<std::string>(),
             Catch::StartsWith("9012 min (20.861 % of the month) unmonitored"));
  const auto& p = j.at("contracts").at(0).at("power");
  CHECK(p.at("unmonitored-percent") == "0.000");
  CHECK(p.at("unmonitored-note").is_null());
}

TEST_CASE("the CSV report appends unmonitored columns after the old ones", "[report][sla]") {
  const auto rows = lines(report_csv(with_a_gap()));
  REQUIRE(rows.size() == 2);
  const auto head = split(rows[0]);
  const auto row = split(rows[1]);
  REQUIRE(head.size() == row.size());
  // The columns billing reads keep their places.
  REQUIRE(head.size() == 22);
  CHECK(head[7] == "network_availability_percent");
  CHECK(row[7] == "100.000");
  CHECK(head[17] == "installation_refund");
  CHECK(std::vector(head.begin() + 18, head.end()) ==
        std::vector<std::string>{"network_unmonitored_seconds", "network_unmonitored_percent",
                                 "power_unmonitored_seconds", "power_unmonitored_percent"});
  CHECK(std::vector(row.begin() + 18, row.end()) ==
        std::vector<std::string>{"540720", "20.861", "0", "0.000"});
}

TEST_CASE("unmonitored_note is empty without unmonitored time", "[report][sla]") {
  GuaranteeReport g;
  CHECK(unmonitored_note(Guarantee::power, g).empty());
  g.unmonitored_seconds = 90;
  g.unmonitored_milli = 3;
  CHECK(unmonitored_note(Guarantee::power, g) ==
        "1 min 30 s (0.003 % of the month) unmonitored: a power source's state was unknown. The "
        "SLA counts that time as available (unknown is never an outage: docs/sla-rules.md §1), "
        "so the availability covers monitored time only: an outage then would not show.");
}

TEST_CASE("the JSON report gives each guarantee's timeline and the credit's inputs",
          "[report][sla][timeline]") {
  const auto j = nlohmann::json::parse(report_json(with_a_gap()));
  const auto& c = j["contracts"][0];
  CHECK(c["month"] == "2026-11");
  CHECK(c["monthly-fee"] == "3000.00");
  CHECK(c["days-in-month"] == 30);
  CHECK(c["network"]["timeline"] == nlohmann::json::parse(R"([
          {"from":"2026-11-01T00:00:00+08:00","to":"2026-11-07T06:12:00+08:00","state":"unmonitored"},
          {"from":"2026-11-07T06:12:00+08:00","to":"2026-12-01T00:00:00+08:00","state":"available"}])"));
  CHECK(c["power"]["timeline"].size() == 1);
  // The contract's object alone, as the statement takes it, is the same object.
  const auto one = nlohmann::json::parse(
      contract_json(std::chrono::year{2026} / std::chrono::November, with_a_gap().contracts[0]));
  CHECK(one == c);
}
