// Property tests of the SLA engine on random histories: the invariants of SPEC §8 hold for every
// guarantee, and the engine's totals equal a naive minute-by-minute evaluation of SPEC §2–§3.
#include <random>

#include "colosla/model/timeline.hpp"
#include "colosla/sla/sla.hpp"
#include "sla_world.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::World;

namespace {

constexpr int kRuns = 150;

// Random observations on a minute grid over February 2026 (and a little around it).
void randomize(World& w, std::mt19937& rng) {
  auto& c = w.contract();
  c.start = at("2026-02-01T00:00:00+08:00");
  c.ports = {{"sw1", "ge-0/0/1"}, {"sw2", "ge-0/0/1"}};
  c.port_mode = rng() % 2 == 0 ? PortMode::any : PortMode::all;
  c.sla.require_customer_report = rng() % 3 != 0;
  if (rng() % 2 == 0) {
    w.inv.uplinks = {{"core1", "xe-0/0/0"}};
  }
  const Timestamp from = at("2026-01-29T00:00:00+08:00");
  const auto minute = [&] { return from + std::chrono::minutes{rng() % (34 * 1440)}; };
  const auto text = [](Timestamp t) { return format_time_utc(t); };
  const std::array<State, 3> port_states{State::up, State::down, State::unknown};
  const std::array<State, 3> outlet_states{State::on, State::off, State::unknown};
  const std::array<State, 4> ups_states{State::normal, State::battery, State::none, State::unknown};
  const int n = 10 + static_cast<int>(rng() % 80);
  for (int i = 0; i < n; ++i) {
    const auto t = text(minute());
    switch (rng() % 6) {
      case 0:
        w.port(t, port_states[rng() % 3]);
        break;
      case 1:
        w.port(t, port_states[rng() % 3], "ge-0/0/1", "sw2");
        break;
      case 2:
        w.port(t, port_states[rng() % 3], "xe-0/0/0", "core1");
        break;
      case 3:
        w.outlet(t, outlet_states[rng() % 3]);
        break;
      case 4:
        w.inlet(t, outlet_states[rng() % 3]);
        break;
      default:
        w.ups(t, ups_states[rng() % 4]);
        break;
    }
  }
  for (int i = static_cast<int>(rng() % 4); i > 0; --i) {
    const Timestamp a = minute();
    w.exclude(text(a), text(a + std::chrono::minutes{1 + rng() % 3000}),
              static_cast<ExclusionReason>(rng() % 7));
  }
  for (int i = static_cast<int>(rng() % 4); i > 0; --i) {
    w.report(text(minute()), rng() % 2 == 0 ? Guarantee::network : Guarantee::power);
  }
}

// The state of everything at minute t, evaluated from scratch with Timeline (SPEC §1).
struct Naive {
  bool disconnected = false;
  bool net_unmonitored = false;
  bool without_power = false;
  bool power_unmonitored = false;
};

using Timelines = std::map<EntityId, Timeline>;

Timelines timelines_of(const World& w) {
  Timelines out;
  for (const auto& [e, changes] : w.history) {
    std::vector<Observation> obs;
    for (const auto& s : changes) {
      Observation o;
      o.time = s.time;
      o.entity = e;
      o.state = s.state;
      o.seq = s.seq;
      obs.push_back(o);
    }
    out.emplace(e, Timeline(std::move(obs)));
  }
  return out;
}

Naive naive_at(const World& w, const Timelines& tl, Timestamp t) {
  const Contract& c = w.inv.contracts.front();
  const auto state = [&](const EntityId& e) {
    const auto it = tl.find(e);
    return it == tl.end() ? State::unknown : it->second.state_at(t);
  };
  Naive n;
  int down = 0, unknown = 0;
  for (const auto& p : c.ports) {
    const State s = state(EntityId::port(p.device, p.interface));
    down += s == State::down;
    unknown += s == State::unknown;
  }
  const int ports = static_cast<int>(c.ports.size());
  bool uplinks_down = !w.inv.uplinks.empty();
  for (const auto& u : w.inv.uplinks) {
    uplinks_down = uplinks_down && state(EntityId::port(u.device, u.interface)) == State::down;
  }
  n.disconnected = uplinks_down || (c.port_mode == PortMode::any ? down > 0 : down == ports);
  n.net_unmonitored = !n.disconnected && unknown > 0;

  int deen = 0, unk = 0;
  const State inlet = state(EntityId::inlet("pdu1"));
  const State outlet = state(EntityId::outlet("pdu1", "4"));
  const State o = inlet == State::off ? State::off : outlet;
  deen += o == State::off;
  unk += o == State::unknown;
  const State u = state(EntityId::ups("ups1"));
  deen += u == State::none;
  unk += u == State::unknown;
  n.without_power = deen == 2;
  n.power_unmonitored = !n.without_power && unk > 0;
  return n;
}

}  // namespace

TEST_CASE("random histories: invariants and a naive evaluation agree", "[sla][property]") {
  for (int run = 0; run < kRuns; ++run) {
    std::mt19937 rng(static_cast<std::mt19937::result_type>(7919 * run + 1));
    World w;
    randomize(w, rng);
    // as-of somewhere from mid-February to well after it, on the minute grid.
    const Timestamp as_of =
        at("2026-02-14T00:00:00+08:00") + std::chrono::minutes{rng() % (30 * 1440)};
    INFO("run " << run << ", as-of " << format_time_utc(as_of));
    const auto m = w.month("2026-02", format_time_utc(as_of));
    REQUIRE(m.contracts.size() == 1);
    const ContractReport& r = m.contracts[0];
    CHECK(r.period_seconds == 28 * 86'400);

    for (const GuaranteeReport* g : {&r.network, &r.power}) {
      // outage = excluded + unreported + pending + counted
      CHECK(g->outage_seconds ==
            g->excluded_seconds + g->unreported_seconds + g->pending_seconds + g->counted_seconds);
      CHECK(g->counted_seconds <= g->outage_seconds);
      CHECK(g->counted_seconds >= 0);
      CHECK(g->availability_milli <= 100'000);
      CHECK(g->availability_milli >= 0);
      // The listed outages add up to the totals.
      std::int64_t listed = 0, counted = 0;
      for (const auto& o : g->outages) {
        listed += o.seconds;
        counted += o.counted_seconds;
        CHECK(o.seconds ==
              o.excluded_seconds + o.counted_seconds + o.pending_seconds + o.unreported_seconds);
      }
      CHECK(listed == g->outage_seconds);
      CHECK(counted == g->counted_seconds);
    }
    CHECK(r.power.breached == (r.power.counted_seconds * 1000 > r.period_seconds));
    CHECK(r.network.breached == (r.network.counted_seconds >= 44 * 60));
    CHECK(r.credit.total <= r.monthly_fee);

    // Naive: judge every minute of [period start, min(period end, as-of)) from scratch.
    std::int64_t outage = 0, unmon = 0, power_out = 0, power_unmon = 0;
    const Timestamp end = std::min(r.period.end, as_of);
    const Timelines tl = timelines_of(w);
    for (Timestamp t = r.period.begin; t < end; t += std::chrono::minutes{1}) {
      const Naive n = naive_at(w, tl, t);
      outage += n.disconnected ? 60 : 0;
      unmon += n.net_unmonitored ? 60 : 0;
      power_out += n.without_power ? 60 : 0;
      power_unmon += n.power_unmonitored ? 60 : 0;
    }
    CHECK(r.network.outage_seconds == outage);
    CHECK(r.network.unmonitored_seconds == unmon);
    CHECK(r.power.outage_seconds == power_out);
    CHECK(r.power.unmonitored_seconds == power_unmon);
    // The share the report shows beside availability: unmonitored ÷ period, half up, exactly.
    for (const auto* g : {&r.network, &r.power}) {
      REQUIRE(r.period_seconds > 0);
      CHECK(g->unmonitored_milli * 2 * r.period_seconds <=
            g->unmonitored_seconds * 200'000 + r.period_seconds);
      CHECK(g->unmonitored_seconds * 200'000 + r.period_seconds <
            (g->unmonitored_milli + 1) * 2 * r.period_seconds);
    }
    CHECK(r.network.outage_seconds + r.network.unmonitored_seconds <=
          (end - r.period.begin).count());
  }
}
