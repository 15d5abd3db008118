// check_colosla --guarantee process (Articles 5-9): a missed clock is CRITICAL, open ones OK,
// with their counts as performance data; the figures round-trip through the published JSON.
#include "colosla/judge/judge.hpp"

#include "support.hpp"

using namespace colosla;
using namespace colosla::core;

namespace {

ContractStatus with_process(ProcessFigures p) {
  ContractStatus s;
  s.contract = "C-001";
  s.month = "2026-11";
  s.as_of = colosla::test::at("2026-11-07T06:20:00Z");
  s.network.budget_seconds = 44 * 60;
  s.power.budget_seconds = 2592;
  s.process = std::move(p);
  return s;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

CheckOptions process_only() {
  CheckOptions o;
  o.guarantees = {CheckedGuarantee::process};
  return o;
}

}  // namespace

TEST_CASE("check_colosla judges the process guarantees when asked", "[check][process]") {
  REQUIRE(parse_checked_guarantee("process").value() == CheckedGuarantee::process);
  SECTION("a missed clock: CRITICAL, naming the first") {
    const auto s = with_process(
        ProcessFigures{1, 2, 1, "feedback of record #7, due 2026-11-07T09:30:00+08:00"});
    const CheckResult r = judge(s, process_only());
    CHECK(r.status == CheckStatus::critical);
    CHECK(first_line(r.output) ==
          "COLOSLA CRITICAL: C-001 process guarantee missed: feedback of record #7, due "
          "2026-11-07T09:30:00+08:00 and 1 more | 'process_open'=1;;;0 'process_met'=1;;;0 "
          "'process_missed'=2;;;0");
    CHECK(r.output.find("\nprocess: 1 met, 2 missed, 1 open this month") != std::string::npos);
  }
  SECTION("open clocks only: OK") {
    const CheckResult r = judge(with_process(ProcessFigures{0, 0, 2, ""}), process_only());
    CHECK(r.status == CheckStatus::ok);
    CHECK(first_line(r.output).rfind(
              "COLOSLA OK: C-001 2 process clocks open, none missed | 'process_open'=2", 0) == 0);
  }
  SECTION("not judged unless asked: the default stays network, power and emergency") {
    const CheckResult r = judge(with_process(ProcessFigures{0, 1, 0, "x"}), CheckOptions{});
    CHECK(r.status == CheckStatus::ok);
    CHECK(r.output.find("process") == std::string::npos);
  }
  SECTION("the figures round-trip through the published JSON; older JSON has none") {
    const auto s = with_process(ProcessFigures{3, 1, 2, "complaint-report of record #9"});
    const auto back = status_from_json(to_json(s)).value();
    CHECK(back.process.met == 3);
    CHECK(back.process.missed == 1);
    CHECK(back.process.open == 2);
    CHECK(back.process.first_missed == "complaint-report of record #9");
    const auto none = status_from_json(to_json(with_process({}))).value();
    CHECK(none.process.missed == 0);
    CHECK(to_json(with_process({})).find("process") == std::string::npos);
  }
}
