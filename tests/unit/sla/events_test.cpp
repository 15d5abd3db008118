#include "colosla/sla/events.hpp"

#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;

namespace {

struct Scene {
  Contract c;
  ContractReport r;
  Scene() {
    c.id = "C-001";
    c.sla.max_outage_minutes = 44;
    c.sla.availability_target_milli = 99'900;
    r.id = "C-001";
    r.time_zone = "Asia/Shanghai";
    r.period = Window{at("2026-10-31T16:00:00Z"), at("2026-11-30T16:00:00Z")};
    r.period_seconds = 30 * 86'400;
    r.network.limit = 44 * 60;
    r.installation.deadline = at("2026-10-20T16:00:00Z");
    r.installation.completed = at("2026-10-19T00:00:00Z");
  }
  std::vector<std::string> kinds(Timestamp as_of, int share = 50) const {
    std::vector<std::string> out;
    for (const auto& e : derive_events(c, r, as_of, share)) {
      out.push_back(std::string(to_string(e.kind)) + " " + e.guarantee + " " +
                    format_time_utc(e.time));
    }
    return out;
  }
};

}  // namespace

TEST_CASE("SLA events from a month report", "[events]") {
  Scene s;
  SECTION("a quiet month has none") { CHECK(s.kinds(at("2026-11-10T00:00:00Z")).empty()); }
  SECTION("an outage: down when it began in the month, up when it ended by as-of") {
    OutageReport o;
    o.start = at("2026-10-31T15:00:00Z");  // began before the month: no port-down this month
    o.end = at("2026-11-01T01:00:00Z");
    s.r.network.outages.push_back(o);
    o.start = at("2026-11-03T00:00:00Z");
    o.end = at("2026-11-03T00:20:00Z");
    o.cause = "every uplink down";
    s.r.network.outages.push_back(o);
    s.r.network.counted_seconds = 20 * 60;
    CHECK(s.kinds(at("2026-11-03T00:10:00Z")) ==
          std::vector<std::string>{"port-up network 2026-11-01T01:00:00Z",
                                   "port-down network 2026-11-03T00:00:00Z"});
    CHECK(s.kinds(at("2026-11-04T00:00:00Z")).size() == 3);
    const auto events = derive_events(s.c, s.r, at("2026-11-04T00:00:00Z"), 50);
    CHECK(events[1].key ==
          "port-down C-001 " +
              std::to_string(at("2026-11-03T00:00:00Z").time_since_epoch().count()));
    CHECK(events[1].reason == "every uplink down");
    CHECK(events[2].key.rfind("port-up C-001 ", 0) == 0);
    CHECK(*events[2].counted_minutes == 20);
  }
  SECTION("budget warning at the share, breach once breached; each once a month") {
    s.r.network.counted_seconds = 22 * 60 - 1;  // just under half of 44 minutes
    CHECK(s.kinds(at("2026-11-10T00:00:00Z")).empty());
    s.r.network.counted_seconds = 22 * 60;
    const auto w = derive_events(s.c, s.r, at("2026-11-10T00:00:00Z"), 50);
    REQUIRE(w.size() == 1);
    CHECK(w[0].kind == EventKind::budget_warning);
    CHECK(w[0].key == "budget-warning C-001 network 2026-11");
    CHECK(*w[0].share_used_milli == 50'000);
    CHECK(s.kinds(at("2026-11-10T00:00:00Z"), 60).empty());
    s.r.power.counted_seconds = 2592;  // the whole 43.2 minutes
    s.r.power.breached = true;
    s.r.power.availability_milli = 99'899;
    const auto p = derive_events(s.c, s.r, at("2026-11-10T00:00:00Z"), 50);
    REQUIRE(p.size() == 3);
    CHECK(p[2].kind == EventKind::sla_breached);
    CHECK(p[2].reason == "availability 99.899 % is below the target 99.900 %");
    CHECK(to_json(p[2]).find("\"budget-minutes\":43") != std::string::npos);
  }
  SECTION(
      "an emergency: declared, due 5 minutes before its deadline while nobody told, then missed") {
    EmergencyReport e;
    e.target = "203.0.113.5";
    e.declared = at("2026-11-05T02:05:00Z");
    e.deadline = at("2026-11-05T02:20:00Z");
    e.status = EmergencyStatus::open;
    s.r.emergencies.push_back(e);
    CHECK(s.kinds(at("2026-11-05T02:14:59Z")) ==
          std::vector<std::string>{"emergency-declared emergency 2026-11-05T02:05:00Z"});
    CHECK(s.kinds(at("2026-11-05T02:15:00Z")).back() ==
          "notification-due emergency 2026-11-05T02:15:00Z");
    s.r.emergencies[0].notified = at("2026-11-05T02:12:00Z");
    CHECK(s.kinds(at("2026-11-05T02:16:00Z")).size() == 1);  // told: nothing is due
    s.r.emergencies[0].notified.reset();
    s.r.emergencies[0].status = EmergencyStatus::missed;
    CHECK(s.kinds(at("2026-11-05T02:25:00Z")).back() ==
          "notification-missed emergency 2026-11-05T02:20:00Z");
  }
  SECTION("an emergency cleared; declared while the customer's port was down says so") {
    OutageReport o;
    o.start = at("2026-11-05T02:00:00Z");
    o.end = at("2026-11-05T02:30:00Z");
    o.cause = "port sw1 ge-0/0/1 down";
    s.r.network.outages.push_back(o);
    EmergencyReport e;
    e.target = "203.0.113.5";
    e.declared = at("2026-11-05T02:05:00Z");
    e.deadline = at("2026-11-05T02:08:00Z");  // notify-within 3 minutes: due at the declaration
    e.cleared = at("2026-11-05T02:31:00Z");
    e.status = EmergencyStatus::open;
    s.r.emergencies.push_back(e);
    const auto early = derive_events(s.c, s.r, at("2026-11-05T02:05:00Z"), 50);
    REQUIRE(early.size() == 3);
    CHECK(early[1].kind == EventKind::emergency_declared);
    CHECK(early[1].reason ==
          "two consecutive failed icmp probes of 203.0.113.5; the network was already out (port "
          "sw1 ge-0/0/1 down "
          "since 2026-11-05T10:00:00+08:00): look there before the customer's equipment");
    CHECK(early[2].kind == EventKind::notification_due);
    CHECK(early[2].time == e.declared);
    CHECK(s.kinds(at("2026-11-05T02:30:59Z")) ==
          std::vector<std::string>{"port-down network 2026-11-05T02:00:00Z",
                                   "port-up network 2026-11-05T02:30:00Z",
                                   "emergency-declared emergency 2026-11-05T02:05:00Z"});
    const auto later = derive_events(s.c, s.r, at("2026-11-05T02:31:00Z"), 50);
    REQUIRE(later.back().kind == EventKind::emergency_cleared);
    CHECK(later.back().time == *e.cleared);
    CHECK(later.back().reason == "the icmp probe of 203.0.113.5 passed again after 26 minutes");
    CHECK(to_json(later.back())
              .find(R"("entity":{"probe":{"target":"203.0.113.5","service":"icmp"}})") !=
          std::string::npos);
    s.r.emergencies[0].declared = at("2026-11-05T02:40:00Z");  // after the port came back
    s.r.emergencies[0].cleared.reset();
    const auto after = derive_events(s.c, s.r, at("2026-11-05T02:40:00Z"), 50);
    CHECK(after[2].reason == "two consecutive failed icmp probes of 203.0.113.5");
  }
  SECTION("installation overdue when its deadline passed in the month without completion") {
    s.r.installation.completed.reset();
    s.r.installation.deadline = at("2026-11-04T16:00:00Z");
    CHECK(s.kinds(at("2026-11-04T15:59:59Z")).empty());
    CHECK(s.kinds(at("2026-11-04T16:00:00Z")) ==
          std::vector<std::string>{"installation-overdue installation 2026-11-04T16:00:00Z"});
  }
}
