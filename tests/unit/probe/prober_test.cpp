// The prober's schedule, its emergency tracking, and a scripted day of probes on a fake clock,
// checked against the SLA engine's report and the SLA events it gives.
#include "colosla/probe/prober.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "colosla/services/operations.hpp"
#include "colosla/sla/events.hpp"
#include "colosla/store/store.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::TempDir;

namespace {

ProbeJob job(const std::string& address, std::chrono::seconds interval) {
  ProbeJob j;
  j.address = address;
  j.interval = interval;
  return j;
}

std::string read_example() {
  std::ifstream in(colosla::test::source_file("examples/inventory.json"));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("the probe schedule spreads a round over the interval and does not drift", "[prober]") {
  std::vector<ProbeJob> jobs;
  for (int i = 0; i < 1000; ++i) {
    jobs.push_back(job("127.0.0." + std::to_string(i % 250 + 1), std::chrono::seconds{300}));
  }
  jobs.push_back(job("127.0.1.1", std::chrono::seconds{60}));
  const Timestamp start = at("2026-11-05T02:00:00Z");
  ProbeSchedule s(jobs, start);
  std::map<std::size_t, std::vector<Timestamp>> runs;
  std::size_t busiest = 0;
  for (Timestamp t = start; t < start + std::chrono::seconds{900}; t += std::chrono::seconds{1}) {
    const auto due = s.take_due(t);
    std::size_t long_ones = 0;
    for (const auto& d : due) {
      CHECK(d.due == t);  // taken every second: never late
      runs[d.job].push_back(d.due);
      long_ones += jobs[d.job].interval.count() == 300 ? 1 : 0;
    }
    busiest = std::max(busiest, long_ones);
  }
  CHECK(busiest <= 4);  // 1000 jobs over 300 s: at most ⌈1000 ÷ 300⌉ in one second
  REQUIRE(runs.size() == 1001);
  for (const auto& [j, times] : runs) {
    const auto interval = jobs[j].interval;
    REQUIRE(times.size() == static_cast<std::size_t>(900 / interval.count()));
    CHECK(times.front() < start + interval);
    for (std::size_t i = 1; i < times.size(); ++i) {
      CHECK(times[i] - times[i - 1] == interval);
    }
  }
  SECTION("a restart keeps every target's slot") {
    ProbeSchedule again(jobs, start + std::chrono::seconds{1234});
    std::map<std::size_t, Timestamp> next;
    for (Timestamp t = start + std::chrono::seconds{1234}; next.size() < jobs.size();
         t += std::chrono::seconds{1}) {
      for (const auto& d : again.take_due(t)) {
        next.try_emplace(d.job, d.due);
      }
    }
    for (const auto& [j, due] : next) {
      const auto interval = jobs[j].interval;
      CHECK((due - runs[j].front()) % interval == std::chrono::seconds{0});
      CHECK(due - (start + std::chrono::seconds{1234}) < interval);
    }
  }
  SECTION("a process held up probes once, late, and skips the rounds it missed") {
    ProbeSchedule late({job("127.0.0.1", std::chrono::seconds{60})}, start);
    CHECK(late.take_due(start).size() == 1);
    const auto behind = late.take_due(start + std::chrono::seconds{190});
    REQUIRE(behind.size() == 1);
    CHECK(behind[0].due == start + std::chrono::seconds{60});
    CHECK(late.next() == start + std::chrono::seconds{240});
  }
}

TEST_CASE("the addresses of one subnet are spread over the round, not probed one after another",
          "[prober]") {
  std::vector<ProbeJob> jobs;
  for (int i = 0; i < 1000; ++i) {
    jobs.push_back(job("127.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1),
                       std::chrono::seconds{300}));
  }
  const Timestamp start = at("2026-11-05T02:00:00Z");
  ProbeSchedule s(jobs, start);
  std::map<std::int64_t, int> subnet_per_10s;  // the first 100 addresses (127.1.0.1-100)
  for (Timestamp t = start; t < start + std::chrono::seconds{300}; t += std::chrono::seconds{1}) {
    for (const auto& d : s.take_due(t)) {
      if (d.job < 100) {
        ++subnet_per_10s[(d.due - start).count() / 10];
      }
    }
  }
  int most = 0;
  int total = 0;
  for (const auto& [window, n] : subnet_per_10s) {
    most = std::max(most, n);
    total += n;
  }
  CHECK(total == 100);
  CHECK(most <= 12);  // 100 over 30 windows: about 3 each, never all of them together
  CHECK(subnet_per_10s.size() >= 20);
}

TEST_CASE("probe jobs: contracts in force, one job an address and service, the shortest interval",
          "[prober]") {
  InventoryValidator v;
  std::string text = replaced(
      read_example(), R"("probe-target":[{"address":"203.0.113.5","service":["icmp","www"]}])",
      R"("probe-target":[{"address":"127.0.0.2","service":["icmp","www"]},)"
      R"({"address":"198.51.100.7","service":["icmp"]}])");
  auto r = v.validate({{"inventory.json", text}});
  REQUIRE(r.has_value());
  Inventory inv = r->inventory;
  Contract second = inv.contracts.front();
  second.id = "C-002";
  second.sla.probe_interval_seconds = 60;
  second.probe_targets = {{"127.0.0.2", {ProbeService::icmp}, "/"}};
  inv.contracts.push_back(second);
  std::vector<std::string> skipped;
  const auto jobs = probe_jobs(inv, at("2026-11-05T02:00:00Z"), &skipped);
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].address == "127.0.0.2");
  CHECK(jobs[0].service == ProbeService::icmp);
  CHECK(jobs[0].interval == std::chrono::seconds{60});
  CHECK(jobs[0].contracts == std::vector<std::string>{"C-001", "C-002"});
  CHECK(jobs[1].service == ProbeService::www);
  CHECK(jobs[1].interval == std::chrono::seconds{300});
  CHECK(skipped == std::vector<std::string>{"C-001 198.51.100.7"});
  CHECK(probe_jobs(inv, at("2026-10-31T15:59:59Z")).empty());  // before either contract's start
  CHECK(documentation_address("2001:db8::5"));
  CHECK(documentation_address("192.0.2.1"));
  CHECK_FALSE(documentation_address("127.0.0.1"));
  CHECK_FALSE(documentation_address("::1"));
}

TEST_CASE("Article 4's count: the second consecutive failure declares, a pass ends it",
          "[prober]") {
  EmergencyTracker t;
  using C = EmergencyTracker::Change;
  CHECK(t.feed("127.0.0.2", ProbeService::icmp, false) == C::none);
  CHECK(t.feed("127.0.0.2", ProbeService::www, false) == C::none);  // another service counts apart
  CHECK(t.feed("127.0.0.2", ProbeService::icmp, false) == C::declared);
  CHECK(t.open("127.0.0.2", ProbeService::icmp));
  CHECK(t.feed("127.0.0.2", ProbeService::icmp, false) == C::none);  // nothing new while open
  CHECK(t.feed("127.0.0.2", ProbeService::icmp, true) == C::cleared);
  CHECK(t.feed("127.0.0.2", ProbeService::icmp, false) == C::none);
  CHECK(t.feed("127.0.0.2", ProbeService::icmp, true) == C::none);
  t.seed("127.0.0.3", ProbeService::ftp, true);  // the store's last result failed
  CHECK(t.feed("127.0.0.3", ProbeService::ftp, false) == C::declared);
}

TEST_CASE(
    "a scripted day: the prober declares, notifies in time, misses and closes emergencies live",
    "[prober][sla][events]") {
  TempDir dir;
  auto opened = Store::open(dir.file("s.db"), Store::Mode::create);
  REQUIRE(opened.has_value());
  Store& store = **opened;
  InventoryValidator v;
  auto inv =
      v.validate({{"inventory.json",
                   replaced(read_example(), R"({"address":"203.0.113.5","service":["icmp","www"]})",
                            R"({"address":"127.0.0.2","service":["icmp"]})")}});
  REQUIRE(inv.has_value());
  REQUIRE(commit_inventory(store, *inv, "test", at("2026-11-01T00:00:00Z")).has_value());
  const Contract& c = *inv->inventory.find_contract("C-001");
  REQUIRE(c.sla.probe_interval_seconds == 300);

  // The customer's equipment (times +08:00): down 10:07–10:38 (told at 10:22), down 11:02–11:28
  // (nobody told), down 12:03–12:06 (one failed probe only).
  const auto down = [](Timestamp t) {
    const auto in = [&](const char* from, const char* to) {
      return at(std::string("2026-11-05T") + from + ":00+08:00") <= t &&
             t < at(std::string("2026-11-05T") + to + ":00+08:00");
    };
    return in("10:07", "10:38") || in("11:02", "11:28") || in("12:03", "12:06");
  };
  const auto world = [&](const ProbeJob& j, const ProbeOptions&, const Clock& clock) {
    CHECK(j.address == "127.0.0.2");
    ProbeResult r;
    r.at = clock.now();
    r.pass = !down(r.at);
    r.detail = r.pass ? "echo reply in 0.1 ms" : "no echo reply within 5000 ms";
    return r;
  };
  FakeClock clock(at("2026-11-05T10:00:00+08:00"));
  Prober::Options o;
  o.workers = 0;  // in the loop's thread, on the fake clock
  ProbeLoop loop(store, probe_jobs(inv->inventory, clock.now()), o, clock, world);

  // What colosla evaluate does when the loop says to look: the month's report, and its events.
  std::map<std::string, std::pair<SlaEvent, Timestamp>> emitted;  // by key: the event, when seen
  const auto evaluate = [&](Timestamp now) {
    auto r = month_report(store, std::chrono::year{2026} / std::chrono::November, now,
                          std::string("C-001"));
    REQUIRE(r.has_value());
    REQUIRE(r->contracts.size() == 1);
    for (auto& e : derive_events(c, r->contracts[0], now, 50)) {
      if (e.guarantee == "emergency") {
        emitted.try_emplace(e.key, e, now);
      }
    }
  };
  const Timestamp end = at("2026-11-05T12:30:00+08:00");
  std::size_t looks = 0;
  while (clock.now() < end) {
    auto look = loop.step();
    REQUIRE(look.has_value());
    if (*look) {
      ++looks;
      evaluate(clock.now());
    }
    if (clock.now() == at("2026-11-05T10:22:00+08:00")) {
      Record n;
      n.kind = RecordKind::notification;
      n.contract = "C-001";
      n.at = clock.now();
      n.channel = Channel::mobile;
      n.contact = "Li Lei";
      n.entered_by = "test";
      n.entered_at = clock.now();
      REQUIRE(store.add_record(n).has_value());
    }
    clock.advance(std::chrono::seconds{1});
  }
  REQUIRE(loop.flush().has_value());

  // Every probe was stored: one every 5 minutes from 10:00 to 12:25.
  auto history = store.history_of({EntityId::probe("127.0.0.2", "icmp")},
                                  at("2026-11-05T10:00:00+08:00"), end);
  REQUIRE(history.has_value());
  CHECK((*history)[EntityId::probe("127.0.0.2", "icmp")].size() == 30);
  const auto rounds = loop.rounds();
  std::size_t probes = 0;
  for (const auto& r : rounds) {
    probes += r.probes;
    CHECK(r.latest.count() == 0);
  }
  CHECK(rounds.size() == 29);  // the 30th is still open at 12:29:59
  CHECK(probes == 29);

  // The SLA engine's report of the day.
  auto report = month_report(store, std::chrono::year{2026} / std::chrono::November, end,
                             std::string("C-001"));
  REQUIRE(report.has_value());
  const auto& ems = report->contracts[0].emergencies;
  REQUIRE(ems.size() == 2);
  CHECK(ems[0].declared == at("2026-11-05T10:15:00+08:00"));
  CHECK(ems[0].status == EmergencyStatus::met);
  CHECK(ems[0].cleared == at("2026-11-05T10:40:00+08:00"));
  CHECK(ems[1].declared == at("2026-11-05T11:10:00+08:00"));
  CHECK(ems[1].status == EmergencyStatus::missed);
  CHECK(ems[1].cleared == at("2026-11-05T11:30:00+08:00"));
  CHECK(report->contracts[0].credit.deduction == 10'000);  // one day of 3000.00 in November

  // Each event was seen within a second of its time, because the loop said to look then.
  const auto seen = [&](const std::string& kind, const char* time) {
    for (const auto& [key, ev] : emitted) {
      if (to_string(ev.first.kind) == kind &&
          ev.first.time == at(std::string("2026-11-05T") + time + "+08:00")) {
        INFO(kind << " at " << time << " seen " << format_time_utc(ev.second));
        CHECK(ev.second - ev.first.time <= std::chrono::seconds{1});
        return true;
      }
    }
    return false;
  };
  CHECK(seen("emergency-declared", "10:15:00"));
  CHECK(seen("emergency-cleared", "10:40:00"));
  CHECK_FALSE(seen("notification-due", "10:25:00"));  // told at 10:22
  CHECK(seen("emergency-declared", "11:10:00"));
  CHECK(seen("notification-due", "11:20:00"));
  CHECK(seen("notification-missed", "11:25:00"));
  CHECK(seen("emergency-cleared", "11:30:00"));
  CHECK(emitted.size() == 6);
  // Nothing else made it look: two declarations, two clearings, and each declaration's due
  // time and deadline.
  CHECK(looks == 8);
  // The events of the whole day, derived at its end, are those seen live (a notification-due
  // is only ever due for a while).
  std::set<std::string> at_end;
  for (const auto& e : derive_events(c, report->contracts[0], end, 50)) {
    if (e.guarantee == "emergency") {
      at_end.insert(e.key);
    }
  }
  std::set<std::string> live;
  for (const auto& [key, ev] : emitted) {
    if (ev.first.kind != EventKind::notification_due) {
      live.insert(key);
    }
  }
  CHECK(live == at_end);
}

TEST_CASE("a probe this machine cannot make is neither stored nor counted", "[prober]") {
  TempDir dir;
  auto opened = Store::open(dir.file("s.db"), Store::Mode::create);
  REQUIRE(opened.has_value());
  FakeClock clock(at("2026-11-05T02:00:00Z"));
  const auto no_socket = [](const ProbeJob&, const ProbeOptions&, const Clock& c) {
    ProbeResult r;
    r.made = false;
    r.detail = "cannot open an ICMP socket (Operation not permitted)";
    r.at = c.now();
    return r;
  };
  Prober::Options o;
  o.workers = 0;
  ProbeLoop loop(**opened, {job("127.0.0.2", std::chrono::seconds{60})}, o, clock, no_socket);
  for (int i = 0; i < 300; ++i) {
    auto look = loop.step();
    REQUIRE(look.has_value());
    CHECK_FALSE(*look);  // five rounds without a result: no emergency
    clock.advance(std::chrono::seconds{1});
  }
  REQUIRE(loop.flush().has_value());
  auto seq = (*opened)->last_observation_seq();
  REQUIRE(seq.has_value());
  CHECK(*seq == 0);
  const auto rounds = loop.rounds();
  REQUIRE(rounds.size() == 4);
  CHECK(rounds[0].probes == 0);
  CHECK(rounds[0].not_made == 1);
}

TEST_CASE("two probers on one store probe each target once a round; one refusal declares nothing",
          "[prober][sla]") {
  TempDir dir;
  const auto open = [&] {
    auto s = Store::open(dir.file("s.db"), Store::Mode::create);
    REQUIRE(s.has_value());
    return std::move(*s);
  };
  auto store_a = open();
  auto store_b = open();
  InventoryValidator v;
  auto inv =
      v.validate({{"inventory.json",
                   replaced(read_example(), R"({"address":"203.0.113.5","service":["icmp","www"]})",
                            R"({"address":"127.0.0.2","service":["icmp"]},)"
                            R"({"address":"127.0.0.3","service":["icmp","www"]})")}});
  REQUIRE(inv.has_value());
  REQUIRE(commit_inventory(*store_a, *inv, "test", at("2026-11-01T00:00:00Z")).has_value());

  // 127.0.0.3 refuses once (its one due time in 10:07-10:12, the rounds being 5 minutes);
  // every probe counted by who made it and by (target, round).
  std::map<std::string, int> by_prober;
  std::map<std::pair<std::string, std::int64_t>, int> by_round;
  const auto world = [&](const std::string& name) {
    return [&, name](const ProbeJob& j, const ProbeOptions&, const Clock& clock) {
      ProbeResult r;
      r.at = clock.now();
      const bool refused = j.address == "127.0.0.3" && at("2026-11-05T10:07:00+08:00") <= r.at &&
                           r.at < at("2026-11-05T10:12:00+08:00");
      r.pass = !refused;
      r.detail = refused ? "connection refused" : "ok";
      ++by_prober[name];
      ++by_round[{probe_turn(j, r.at).target, probe_round(r.at, j.interval)}];
      return r;
    };
  };
  FakeClock clock(at("2026-11-05T10:00:00+08:00"));
  Prober::Options o;
  o.workers = 0;
  const auto jobs = probe_jobs(inv->inventory, clock.now());
  REQUIRE(jobs.size() == 3);
  ProbeLoop a(*store_a, jobs, o, clock, world("a"), "a");
  ProbeLoop b(*store_b, jobs, o, clock, world("b"), "b");
  const Timestamp end = at("2026-11-05T11:00:00+08:00");
  for (int s = 0; clock.now() < end; ++s) {
    // Who wakes first at a due second changes from one due time to the next (the 3 jobs of
    // 300 s are due 100 s apart).
    const bool a_first = (s / 100) % 2 == 0;
    ProbeLoop& first = a_first ? a : b;
    ProbeLoop& second = a_first ? b : a;
    REQUIRE(first.step().has_value());
    REQUIRE(second.step().has_value());
    clock.advance(std::chrono::seconds{1});
  }
  REQUIRE(a.finish().has_value());
  REQUIRE(b.finish().has_value());

  // An hour of 5-minute rounds: 12 turns of each of the 3 targets, each probed once, by either.
  CHECK(by_round.size() == 36);
  for (const auto& [turn, n] : by_round) {
    INFO(turn.first << " round " << turn.second);
    CHECK(n == 1);
  }
  CHECK(by_prober["a"] > 0);
  CHECK(by_prober["b"] > 0);
  CHECK(by_prober["a"] + by_prober["b"] == 36);
  std::size_t elsewhere = 0;
  for (auto* loop : {&a, &b}) {
    for (const auto& r : loop->rounds()) {
      elsewhere += r.elsewhere;
    }
  }
  CHECK(elsewhere > 0);
  // Every result stored once, with its round; the one refusal is one failure.
  const auto www = store_a->observations(EntityId::probe("127.0.0.3", "www")).value();
  CHECK(www.size() == 12);
  CHECK(std::count_if(www.begin(), www.end(),
                      [](const Observation& x) { return x.state == State::fail; }) == 1);
  CHECK(store_a->observation_count().value() == 36);
  auto report = month_report(*store_a, std::chrono::year{2026} / std::chrono::November, end,
                             std::string("C-001"));
  REQUIRE(report.has_value());
  CHECK(report->contracts[0].emergencies.empty());
}

TEST_CASE("two failures in a row by two probers declare, and a pass by either clears, at once",
          "[prober][sla]") {
  TempDir dir;
  const auto open = [&] {
    auto s = Store::open(dir.file("s.db"), Store::Mode::create);
    REQUIRE(s.has_value());
    return std::move(*s);
  };
  auto store_a = open();
  auto store_b = open();
  InventoryValidator v;
  auto inv =
      v.validate({{"inventory.json",
                   replaced(read_example(), R"({"address":"203.0.113.5","service":["icmp","www"]})",
                            R"({"address":"127.0.0.3","service":["icmp"]})")}});
  REQUIRE(inv.has_value());
  REQUIRE(commit_inventory(*store_a, *inv, "test", at("2026-11-01T00:00:00Z")).has_value());
  // Due at 10:00, 10:05, ... (+08:00); down for the probes of 10:05 (b's) and 10:10 (a's).
  const auto world = [&](const ProbeJob&, const ProbeOptions&, const Clock& clock) {
    ProbeResult r;
    r.at = clock.now();
    r.pass = !(at("2026-11-05T10:05:00+08:00") <= r.at && r.at < at("2026-11-05T10:15:00+08:00"));
    r.detail = r.pass ? "echo reply in 0.1 ms" : "no echo reply within 5000 ms";
    return r;
  };
  FakeClock clock(at("2026-11-05T10:00:00+08:00"));
  Prober::Options o;
  o.workers = 0;
  const auto jobs = probe_jobs(inv->inventory, clock.now());
  ProbeLoop a(*store_a, jobs, o, clock, world, "a");
  ProbeLoop b(*store_b, jobs, o, clock, world, "b");
  std::set<std::string> looked;  // the seconds either said to evaluate now
  for (int s = 0; clock.now() < at("2026-11-05T10:20:00+08:00"); ++s) {
    const bool a_first = (s / 300) % 2 == 0;  // b wakes first at 10:05 and 10:15
    for (ProbeLoop* loop : {a_first ? &a : &b, a_first ? &b : &a}) {
      auto look = loop->step();
      REQUIRE(look.has_value());
      if (*look) {
        looked.insert(format_time_utc(clock.now()));
      }
    }
    clock.advance(std::chrono::seconds{1});
  }
  // a's failure at 10:10 was the second in a row (b's at 10:05 the first); b's pass at 10:15
  // ended it.
  CHECK(looked.count("2026-11-05T02:10:00Z") == 1);
  CHECK(looked.count("2026-11-05T02:15:00Z") == 1);
  auto report = month_report(*store_a, std::chrono::year{2026} / std::chrono::November, clock.now(),
                             std::string("C-001"));
  REQUIRE(report.has_value());
  REQUIRE(report->contracts[0].emergencies.size() == 1);
  CHECK(report->contracts[0].emergencies[0].declared == at("2026-11-05T10:10:00+08:00"));
  CHECK(report->contracts[0].emergencies[0].cleared == at("2026-11-05T10:15:00+08:00"));
}
