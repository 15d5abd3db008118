#include "colosla/services/check.hpp"

#include <nlohmann/json.hpp>

#include "support.hpp"

using namespace colosla;
using namespace colosla::core;

TEST_CASE("Monitoring Plugins threshold ranges", "[check]") {
  // value, then whether each range alerts for it (nms-conventions §1.4).
  struct Case {
    const char* range;
    double value;
    bool alerts;
  };
  const std::vector<Case> cases{{"10", -1, true},     {"10", 0, false},      {"10", 10, false},
                                {"10", 10.5, true},   {"10:", 9.9, true},    {"10:", 10, false},
                                {"10:", 1e9, false},  {"~:10", -1e9, false}, {"~:10", 11, true},
                                {"10:20", 9, true},   {"10:20", 15, false},  {"10:20", 21, true},
                                {"@10:20", 10, true}, {"@10:20", 20, true},  {"@10:20", 21, false},
                                {"0:", 0, false},     {"0:", -0.5, true},    {"1:", 0, true}};
  for (const auto& c : cases) {
    CAPTURE(c.range, c.value);
    auto r = ThresholdRange::parse(c.range);
    REQUIRE(r.has_value());
    CHECK(r->alerts(c.value) == c.alerts);
    CHECK(r->text == c.range);
  }
  for (const char* bad : {"", "@", "abc", "20:10", "1:x", ":"}) {
    CAPTURE(bad);
    auto r = ThresholdRange::parse(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::invalid_input);
  }
}

namespace {

// The check's path: the report's figures (as colosla evaluate stores them), judged.
CheckResult verdict(const Contract& c, const ContractReport& r, const CheckOptions& o) {
  return judge(status_of(c, r, colosla::test::at("2026-11-05T02:12:00Z")), o);
}

}  // namespace

TEST_CASE("the check's verdict on a month report", "[check]") {
  Contract c;
  c.id = "C-001";
  c.sla.availability_target_milli = 99'900;
  ContractReport r;
  r.id = "C-001";
  r.time_zone = "Asia/Shanghai";
  r.period_seconds = 30 * 86'400;
  r.network.limit = 44 * 60;
  r.period =
      Window{colosla::test::at("2026-10-31T16:00:00Z"), colosla::test::at("2026-11-30T16:00:00Z")};
  CheckOptions o;
  o.guarantees = {CheckedGuarantee::network};

  SECTION("under half the budget: OK") {
    r.network.counted_seconds = 21 * 60;
    auto v = verdict(c, r, o);
    CHECK(v.status == CheckStatus::ok);
    CHECK(v.output.rfind(
              "COLOSLA OK: C-001 network 21.0 of 44.0 min used | 'network_left_min'=23.0;;;0;44.0 ",
              0) == 0);
  }
  SECTION("half the budget used: WARNING (the default share)") {
    r.network.counted_seconds = 22 * 60;
    CHECK(verdict(c, r, o).status == CheckStatus::warning);
    o.budget_warning_percent = 60;
    CHECK(verdict(c, r, o).status == CheckStatus::ok);
  }
  SECTION("breached: CRITICAL") {
    r.network.counted_seconds = 44 * 60;
    r.network.breached = true;
    auto v = verdict(c, r, o);
    CHECK(v.status == CheckStatus::critical);
    CHECK(v.output.find("network 44.0 of 44.0 min used (breached)") != std::string::npos);
  }
  SECTION("-w and -c on the minutes left") {
    r.network.counted_seconds = 30 * 60;  // 14 left
    o.warning = *ThresholdRange::parse("20:");
    o.critical = *ThresholdRange::parse("10:");
    CHECK(verdict(c, r, o).status == CheckStatus::warning);
    o.critical = *ThresholdRange::parse("15:");
    CHECK(verdict(c, r, o).status == CheckStatus::critical);
    CHECK(verdict(c, r, o).output.find("'network_left_min'=14.0;20:;15:;0;44.0") !=
          std::string::npos);
  }
  SECTION("power: the budget is the period times (1 - target)") {
    o.guarantees = {CheckedGuarantee::power};
    r.power.counted_seconds = 43 * 60;  // of 43.2 min
    r.power.availability_milli = 99'900;
    auto v = verdict(c, r, o);
    CHECK(v.status == CheckStatus::warning);
    CHECK(v.output.find("'power_budget_min'=43.2 'power_availability'=99.900%;;;0;100") !=
          std::string::npos);
  }
  SECTION("emergencies: WARNING while the customer is not yet told, CRITICAL once missed") {
    o.guarantees = {CheckedGuarantee::emergency};
    EmergencyReport e;
    e.target = "203.0.113.5";
    e.deadline = colosla::test::at("2026-11-05T02:20:00Z");
    e.status = EmergencyStatus::open;
    r.emergencies.push_back(e);
    auto open = verdict(c, r, o);
    CHECK(open.status == CheckStatus::warning);
    CHECK(open.output.find("notification due: 203.0.113.5 icmp (tell the customer by "
                           "2026-11-05T10:20:00+08:00)") != std::string::npos);
    r.emergencies[0].notified = colosla::test::at("2026-11-05T02:10:00Z");
    CHECK(verdict(c, r, o).status == CheckStatus::ok);
    r.emergencies[0].status = EmergencyStatus::missed;
    CHECK(verdict(c, r, o).status == CheckStatus::critical);
  }
}

TEST_CASE("stored figures read back as they were written", "[check]") {
  ContractStatus s;
  s.contract = "C-001";
  s.month = "2026-11";
  s.as_of = colosla::test::at("2026-11-05T02:12:00Z");
  s.network = GuaranteeFigures{1800, 60, 3000, 2640, 99'931, false, 1};
  s.power = GuaranteeFigures{0, 0, 0, 2592, 100'000, true, 0};
  s.emergencies.push_back(
      EmergencyFigures{"203.0.113.5 icmp", "2026-11-05T10:20:00+08:00", true, false, false});
  auto back = status_from_json(to_json(s));
  REQUIRE(back.has_value());
  CHECK(to_json(*back) == to_json(s));
  CHECK(back->network.counted_seconds == 1800);
  CHECK(back->power.breached);
  CHECK(back->emergencies.at(0).deadline == "2026-11-05T10:20:00+08:00");
  CHECK(judge(*back, {}).output == judge(s, {}).output);
  auto bad = status_from_json(R"({"contract":"C-001"})");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == Errc::invalid_input);
}

TEST_CASE("stored figures give the unmonitored minutes of each guarantee", "[check]") {
  ContractStatus s;
  s.contract = "C-001";
  s.month = "2026-11";
  s.network = GuaranteeFigures{0, 0, 540'779, 2640, 100'000, false, 0};  // 9012 min 59 s
  s.power = GuaranteeFigures{0, 0, 0, 2592, 100'000, false, 0};
  const auto j = nlohmann::json::parse(to_json(s));
  CHECK(j.at("network").at("unmonitored") == 540'779);
  CHECK(j.at("network").at("unmonitored_minutes") == 9012);
  CHECK(j.at("power").at("unmonitored_minutes") == 0);
}

TEST_CASE("check_colosla's command line", "[check]") {
  auto a =
      parse_check_args({"--contract", "C-001", "-w20:", "--critical=10:", "--guarantee", "network",
                        "--guarantee=power", "--max-age", "60", "--budget-warning", "75"});
  REQUIRE(a.has_value());
  CHECK(a->contract == "C-001");
  CHECK(a->options.warning->text == "20:");
  CHECK(a->options.critical->text == "10:");
  CHECK(a->options.guarantees ==
        std::vector<CheckedGuarantee>{CheckedGuarantee::network, CheckedGuarantee::power});
  CHECK(a->max_age == 60);
  CHECK(a->options.budget_warning_percent == 75);
  CHECK_FALSE(a->as_of.has_value());
  for (const auto& [args, why] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{}, "--contract is required"},
           {{"--contract"}, "--contract needs a value"},
           {{"--contract", "C", "--bogus", "1"}, "unknown option \"--bogus\""},
           {{"--contract", "C", "--max-age", "-1"}, "--max-age must be whole seconds"},
           {{"--contract", "C", "-w", "5:1"}, "-w: the range \"5:1\" starts after it ends"},
           {{"--contract", "C", "--guarantee", "uptime"},
            "--guarantee must be network, power or emergency"}}) {
    CAPTURE(why);
    auto r = parse_check_args(args);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().msg.find(why) != std::string::npos);
  }
}
