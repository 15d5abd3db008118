// The process guarantees' events (Articles 5-9, guarantee process) in the sinks: Nagios gets a
// passive result for the contract's process service, judged like check_colosla --guarantee
// process (Zabbix: zabbix_sink_test.cpp).
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "colosla/sinks/sinks.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;

namespace {

const EventBatch kMissed{
    {12,
     R"x({"colosla-events:feedback-missed":{"event-id":"12","contract":"C-001","guarantee":"process","time":"2026-11-07T09:30:00+08:00","month":"2026-11","deadline":"2026-11-07T09:30:00+08:00","reason":"feedback of authorization #7 by Li Lei (written) not done by 2026-11-07T09:30:00+08:00 (Article 7.2)"}})x"}};

}  // namespace

TEST_CASE("a process event: a passive result for the contract's process service") {
  colosla::test::TempDir dir;
  const std::string file = dir.file("nagios.cmd");
  std::ofstream(file).flush();
  ContractStatus s;
  s.contract = "C-001";
  s.month = "2026-11";
  s.process = ProcessFigures{0, 1, 0, "feedback of record #7, due 2026-11-07T09:30:00+08:00"};
  NagiosSink sink("nagios", file, "colosla");
  const Delivery d = sink.deliver(
      kMissed, {[&](const std::string&) { return &s; }, Timestamp{std::chrono::seconds{100}}});
  CHECK_FALSE(d.failure.has_value());
  CHECK(d.last_id == 12);
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() ==
        "[100] PROCESS_SERVICE_CHECK_RESULT;colosla;C-001 process;2;COLOSLA CRITICAL: C-001 "
        "process guarantee missed: feedback of record #7, due 2026-11-07T09:30:00+08:00 | "
        "'process_open'=0;;;0 'process_met'=0;;;0 'process_missed'=1;;;0\n");
}
