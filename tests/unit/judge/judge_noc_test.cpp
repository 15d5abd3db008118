// check_colosla's warnings for what the SLA does not count, and its command line.
#include "colosla/judge/judge.hpp"

#include "support.hpp"

using namespace colosla;
using namespace colosla::core;

namespace {

ContractStatus month_so_far() {
  ContractStatus s;
  s.contract = "C-001";
  s.month = "2026-11";
  s.as_of = colosla::test::at("2026-11-07T06:20:00Z");
  s.network.budget_seconds = 44 * 60;
  s.power.budget_seconds = 2592;
  s.network.unmonitored_seconds = 9012 * 60;
  s.power.unmonitored_seconds = 30 * 60;
  return s;
}

CheckOptions noc(std::vector<CheckedGuarantee> g = {}) {
  auto a = parse_check_args({"--contract", "C-001"});
  REQUIRE(a.has_value());
  a->options.guarantees = std::move(g);
  return a->options;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

TEST_CASE("check_colosla warns for what the SLA does not count", "[check][noc]") {
  ContractStatus s = month_so_far();

  SECTION("unmonitored longer than --unmonitored-warning: WARNING, saying how long") {
    const CheckResult r = judge(s, noc());
    CHECK(r.status == CheckStatus::warning);
    CHECK(first_line(r.output).rfind(
              "COLOSLA WARNING: C-001 ports unmonitored 9012 min this month (over 60) | ", 0) == 0);
    CHECK(r.output.find("'network_unmonitored_min'=9012.0;60;;0") != std::string::npos);
    CHECK(r.output.find("'power_unmonitored_min'=30.0;60;;0") != std::string::npos);
    // 0 disables it; the SLA alone (the sinks' options) never warns for it.
    CheckOptions off = noc();
    off.unmonitored_warning_minutes = 0;
    CHECK(judge(s, off).status == CheckStatus::ok);
    CHECK(judge(s, CheckOptions{}).status == CheckStatus::ok);
    // Only the guarantees checked.
    CHECK(judge(s, noc({CheckedGuarantee::power})).status == CheckStatus::ok);
    CHECK(judge(s, noc({CheckedGuarantee::emergency})).status == CheckStatus::ok);
  }

  SECTION("a port down now, its outage waiting for the customer's report: WARNING") {
    s.network.unmonitored_seconds = 0;
    s.down_now.push_back(DownNow{CheckedGuarantee::network, "port sw1 ge-0/0/3",
                                 "2026-11-07T14:00:00+08:00", "pending"});
    s.down_now.push_back(DownNow{CheckedGuarantee::network, "port sw1 ge-0/0/4",
                                 "2026-11-07T14:01:00+08:00", "pending"});
    const CheckResult r = judge(s, noc({CheckedGuarantee::network}));
    CHECK(r.status == CheckStatus::warning);
    CHECK(first_line(r.output) ==
          "COLOSLA WARNING: C-001 port sw1 ge-0/0/3 down now (not counted: waits for the "
          "customer's report) and 1 more | 'network_left_min'=44.0;;;0;44.0 "
          "'network_counted_min'=0.0;;;0 'network_budget_min'=44.0 "
          "'network_availability'=100.000%;;;0;100 'network_pending_min'=0.0;;;0 "
          "'network_unmonitored_min'=0.0;60;;0");
    CHECK(r.output.find("\nnetwork: port sw1 ge-0/0/4 down now, since 2026-11-07T14:01:00+08:00 "
                        "(not counted: waits for the customer's report)") != std::string::npos);
    CheckOptions quiet = noc({CheckedGuarantee::network});
    quiet.now_warning = false;
    CHECK(judge(s, quiet).status == CheckStatus::ok);
    CHECK(judge(s, noc({CheckedGuarantee::power})).status == CheckStatus::ok);
  }

  SECTION("without power now, both warnings at once") {
    s.down_now.push_back(
        DownNow{CheckedGuarantee::power, "power", "2026-11-07T14:00:00+08:00", "excluded"});
    s.power.unmonitored_seconds = 61 * 60;
    const CheckResult r = judge(s, noc({CheckedGuarantee::power}));
    CHECK(r.status == CheckStatus::warning);
    CHECK(first_line(r.output).rfind("COLOSLA WARNING: C-001 without power now (not counted: "
                                     "excluded); power sources unmonitored 61 min this month "
                                     "(over 60) | ",
                                     0) == 0);
  }

  SECTION("the SLA's CRITICAL wins, and the NOC's warning is said beside it") {
    s.network.counted_seconds = 50 * 60;
    s.network.breached = true;
    const CheckResult r = judge(s, noc({CheckedGuarantee::network}));
    CHECK(r.status == CheckStatus::critical);
    CHECK(first_line(r.output).rfind("COLOSLA CRITICAL: C-001 network 50.0 of 44.0 min used "
                                     "(breached); ports unmonitored 9012 min this month (over "
                                     "60) | ",
                                     0) == 0);
  }

  SECTION("what is down now survives the JSON; older JSON without it reads as nothing down") {
    s.down_now.push_back(DownNow{CheckedGuarantee::power, "power", "", "counted"});
    auto back = status_from_json(to_json(s));
    REQUIRE(back.has_value());
    REQUIRE(back->down_now.size() == 1);
    CHECK(back->down_now[0].guarantee == CheckedGuarantee::power);
    CHECK(back->down_now[0].sla == "counted");
    s.down_now.clear();
    const std::string old = to_json(s);
    CHECK(old.find("down-now") == std::string::npos);
    REQUIRE(status_from_json(old).has_value());
  }
}

TEST_CASE("check_colosla's -t, -v, --status-dir and the NOC's options", "[check][noc]") {
  auto a = parse_check_args({"--contract", "C-001"});
  REQUIRE(a.has_value());
  CHECK(a->timeout == 10);
  CHECK(a->verbose == 0);
  CHECK_FALSE(a->status_dir);
  CHECK(a->options.unmonitored_warning_minutes == 60);
  CHECK(a->options.now_warning);

  a = parse_check_args({"--contract", "C-001", "-t", "3", "-v", "-vv", "--verbose",
                        "--status-dir=/srv/s", "--unmonitored-warning", "0", "--no-now-warning"});
  REQUIRE(a.has_value());
  CHECK(a->timeout == 3);
  CHECK(a->verbose == 4);
  CHECK(a->status_dir == "/srv/s");
  CHECK(a->options.unmonitored_warning_minutes == 0);
  CHECK_FALSE(a->options.now_warning);
  a = parse_check_args({"--contract", "C-001", "-t7", "--timeout=8"});
  REQUIRE(a.has_value());
  CHECK(a->timeout == 8);

  for (const auto& [args, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--contract", "C-001", "-t", "0"},
            "-t must be whole seconds from 1 to 3600, not \"0\""},
           {{"--contract", "C-001", "--timeout", "x"},
            "--timeout must be whole seconds from 1 to 3600, not \"x\""},
           {{"--contract", "C-001", "--unmonitored-warning", "-1"},
            "--unmonitored-warning must be whole minutes from 0 to 44640 (31 days), not \"-1\""},
           {{"--contract", "C-001", "-vx"}, "unknown option \"-vx\" (check_colosla --help)"}}) {
    CAPTURE(message);
    auto bad = parse_check_args(args);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().msg == message);
  }
}
