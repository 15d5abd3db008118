#pragma once
// A small world for SLA tests: one contract C-001 (Asia/Shanghai, 3000.00 CNY a month, from
// 2026-11-01 for a year, signed Friday 2026-10-30) with port sw1 ge-0/0/1, power from pdu1
// outlet 4 and ups1, probe target 203.0.113.5 (icmp), and contacts Li Lei (authorized) and
// Han Meimei (not). Tests change what they need and add observations and records.

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "colosla/sla/sla.hpp"
#include "support.hpp"

namespace colosla::test {

class World {
 public:
  World() {
    using core::Device;
    using core::Role;
    inv.devices = {Device{"sw1", Role::network_switch, "192.0.2.10", "if-mib", "", {}, {}},
                   Device{"sw2", Role::network_switch, "192.0.2.11", "if-mib", "", {}, {}},
                   Device{"core1", Role::network_switch, "192.0.2.1", "if-mib", "", {}, {}},
                   Device{"pdu1", Role::pdu, "192.0.2.20", "apc-pdu", "", {}, {}},
                   Device{"ups1", Role::ups, "192.0.2.30", "ups-mib", "", {}, {}}};
    core::Contract c;
    c.id = "C-001";
    c.customer = "Example Ltd";
    c.signed_on = std::chrono::year{2026} / std::chrono::October / std::chrono::day{30};
    c.start = at("2026-11-01T00:00:00+08:00");
    c.end = at("2027-11-01T00:00:00+08:00");
    c.time_zone = "Asia/Shanghai";
    c.monthly_fee = 300'000;
    c.installation_fee = 50'000;
    c.ports = {{"sw1", "ge-0/0/1"}};
    c.power_sources = {{"pdu1", std::string("4")}, {"ups1", std::nullopt}};
    c.probe_targets = {{"203.0.113.5", {core::ProbeService::icmp}, "/"}};
    c.contacts = {{"Li Lei", true, core::Channel::mobile, "+86 138 0000 0000"},
                  {"Han Meimei", false, core::Channel::email, "han@example.com"}};
    inv.contracts.push_back(c);
  }

  core::Contract& contract(const std::string& id = "C-001") {
    for (auto& c : inv.contracts) {
      if (c.id == id) {
        return c;
      }
    }
    FAIL("no contract " << id);
    throw std::logic_error("unreachable");
  }

  core::Contract& add_contract(const std::string& id) {
    core::Contract c = inv.contracts.front();
    c.id = id;
    c.ports.clear();
    inv.contracts.push_back(c);
    return inv.contracts.back();
  }

  void observe(const core::EntityId& e, const std::string& time, core::State s) {
    history[e].push_back(core::StateChange{at(time), s, ++seq});
  }
  void port(const std::string& time, core::State s, const std::string& interface = "ge-0/0/1",
            const std::string& device = "sw1") {
    observe(core::EntityId::port(device, interface), time, s);
  }
  void outlet(const std::string& time, core::State s, const std::string& o = "4") {
    observe(core::EntityId::outlet("pdu1", o), time, s);
  }
  void inlet(const std::string& time, core::State s) {
    observe(core::EntityId::inlet("pdu1"), time, s);
  }
  void ups(const std::string& time, core::State s) {
    observe(core::EntityId::ups("ups1"), time, s);
  }
  void probe(const std::string& time, core::State s, const std::string& service = "icmp",
             const std::string& target = "203.0.113.5") {
    observe(core::EntityId::probe(target, service), time, s);
  }
  // Both power sources de-energized from `from` to `to`.
  void power_cut(const std::string& from, const std::string& to) {
    outlet(from, core::State::off);
    ups(from, core::State::none);
    outlet(to, core::State::on);
    ups(to, core::State::normal);
  }
  void power_on(const std::string& time) {
    outlet(time, core::State::on);
    ups(time, core::State::normal);
  }

  core::Record& record(core::RecordKind k, const std::string& contract = "C-001") {
    core::Record r;
    r.id = static_cast<std::int64_t>(records.size()) + 1;
    r.kind = k;
    r.contract = contract;
    records.push_back(r);
    return records.back();
  }
  core::Record& exclude(const std::string& from, const std::string& to, core::ExclusionReason why,
                        std::optional<core::Guarantee> g = std::nullopt,
                        const std::string& contract = "C-001") {
    auto& r = record(core::RecordKind::exclusion, contract);
    r.at = at(from);
    r.until = at(to);
    r.reason = why;
    r.guarantee = g;
    return r;
  }
  void report(const std::string& time, core::Guarantee g = core::Guarantee::network) {
    auto& r = record(core::RecordKind::customer_report);
    r.at = at(time);
    r.guarantee = g;
  }
  void notify(const std::string& time, const std::string& who = "Li Lei") {
    auto& r = record(core::RecordKind::notification);
    r.at = at(time);
    r.channel = core::Channel::mobile;
    r.contact = who;
  }
  void complete(const std::string& time) { record(core::RecordKind::installation).at = at(time); }
  void contact_invalid(const std::string& from, std::optional<std::string> to = std::nullopt) {
    auto& r = record(core::RecordKind::contact_invalid);
    r.at = at(from);
    if (to) {
      r.until = at(*to);
    }
  }
  void map(core::MappingAction a, const std::string& time, const std::string& interface,
           const std::string& contract = "C-001", const std::string& device = "sw1") {
    core::MappingChange c;
    c.id = static_cast<std::int64_t>(changes.size()) + 1;
    c.contract = contract;
    c.port = {device, interface};
    c.action = a;
    c.at = at(time);
    changes.push_back(c);
  }

  core::MonthReport month(const std::string& ym, const std::string& as_of) {
    // The store hands the engine each entity's changes in (time, seq) order; so does the world.
    for (auto& [entity, list] : history) {
      std::sort(list.begin(), list.end(),
                [](const core::StateChange& a, const core::StateChange& b) {
                  return a.time != b.time ? a.time < b.time : a.seq < b.seq;
                });
    }
    auto ranges = core::resolve_mappings(inv, changes);
    INFO((ranges ? std::string() : ranges.error().to_string()));
    REQUIRE(ranges.has_value());
    const auto in_force = core::effective_records(records);
    auto m = parse_month(ym);
    REQUIRE(m.has_value());
    auto r =
        core::compute_month_report(core::SlaInput{inv, *ranges, history, in_force}, *m, at(as_of));
    REQUIRE(r.has_value());
    // Every worked case: each guarantee's timeline adds up to its figures.
    for (const auto& c : r->contracts) {
      check_timeline(c, c.network, r->as_of);
      check_timeline(c, c.power, r->as_of);
    }
    return *r;
  }

  /// The timeline covers [period begin, min(period end, as-of)) with consecutive spans, adjacent
  /// spans differ in state, and the seconds of each state are the report's figures.
  static void check_timeline(const core::ContractReport& c, const core::GuaranteeReport& g,
                             Timestamp as_of) {
    using core::TimeState;
    const Timestamp end = std::max(c.period.begin, std::min(c.period.end, as_of));
    if (c.period.empty() || end == c.period.begin) {
      CHECK(g.timeline.empty());
      return;
    }
    REQUIRE_FALSE(g.timeline.empty());
    CHECK(g.timeline.front().span.begin == c.period.begin);
    CHECK(g.timeline.back().span.end == end);
    std::map<TimeState, std::int64_t> sum;
    for (std::size_t i = 0; i < g.timeline.size(); ++i) {
      const auto& t = g.timeline[i];
      CHECK_FALSE(t.span.empty());
      if (i > 0) {
        CHECK(t.span.begin == g.timeline[i - 1].span.end);
        CHECK(t.state != g.timeline[i - 1].state);
      }
      sum[t.state] += t.span.length().count();
    }
    CHECK(sum[TimeState::counted] == g.counted_seconds);
    CHECK(sum[TimeState::excluded] == g.excluded_seconds);
    CHECK(sum[TimeState::pending] == g.pending_seconds);
    CHECK(sum[TimeState::unreported] == g.unreported_seconds);
    CHECK(sum[TimeState::unmonitored] == g.unmonitored_seconds);
    CHECK(sum[TimeState::available] ==
          (end - c.period.begin).count() - g.outage_seconds - g.unmonitored_seconds);
  }

  /// The report of one contract; fails the test when it is not listed.
  core::ContractReport of(const std::string& ym, const std::string& as_of,
                          const std::string& id = "C-001") {
    const auto m = month(ym, as_of);
    for (const auto& c : m.contracts) {
      if (c.id == id) {
        return c;
      }
    }
    FAIL(id << " is not in the report of " << ym);
    throw std::logic_error("unreachable");
  }

  core::Inventory inv;
  core::History history;
  std::vector<core::Record> records;
  std::vector<core::MappingChange> changes;
  std::int64_t seq = 0;
};

/// outage = excluded + unreported + pending + counted, for one guarantee.
inline void check_invariant(const core::GuaranteeReport& g) {
  CHECK(g.outage_seconds ==
        g.excluded_seconds + g.unreported_seconds + g.pending_seconds + g.counted_seconds);
}

}  // namespace colosla::test
