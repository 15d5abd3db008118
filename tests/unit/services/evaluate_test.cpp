#include "colosla/services/evaluate.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "colosla/base/calendar.hpp"
#include "colosla/judge/published.hpp"
#include "colosla/services/operations.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::TempDir;

namespace {

// Three contracts like the example's C-001, each on its own port and probe target, installed as
// soon as their ports are up and powered; everything up, powered and passing from 1 November.
struct World {
  TempDir dir;
  std::unique_ptr<Store> store;

  World() {
    std::ifstream in(colosla::test::source_file("examples/inventory.json"));
    nlohmann::json doc = nlohmann::json::parse(in);
    auto& inv = doc.begin().value();
    nlohmann::json first = inv["contract"][0];
    first["installation-auto-complete"] = true;
    inv["contract"] = nlohmann::json::array();
    for (int i = 1; i <= 3; ++i) {
      nlohmann::json c = first;
      c["id"] = "C-00" + std::to_string(i);
      c["port"][0]["interface"] = "ge-0/0/" + std::to_string(i);
      c["probe-target"][0]["address"] = "203.0.113." + std::to_string(i);
      inv["contract"].push_back(c);
    }
    std::ofstream(dir.file("inventory.json")) << doc.dump(2);
    auto s = Store::open(dir.file("s.db"), Store::Mode::create);
    REQUIRE(s.has_value());
    store = std::move(*s);
    InventoryValidator v;
    auto r = v.validate_files({dir.file("inventory.json")});
    REQUIRE(r.has_value());
    REQUIRE(commit_inventory(*store, *r, "test", at("2026-10-31T00:00:00Z")).has_value());
    std::vector<Observation> all;
    for (int i = 1; i <= 3; ++i) {
      all.push_back(obs(EntityId::port("sw1", "ge-0/0/" + std::to_string(i)), State::up));
      for (const char* service : {"icmp", "www"}) {
        all.push_back(obs(EntityId::probe("203.0.113." + std::to_string(i), service), State::pass));
      }
    }
    all.push_back(obs(EntityId::port("core1", "xe-0/0/0"), State::up));
    all.push_back(obs(EntityId::outlet("pdu1", "4"), State::on));
    all.push_back(obs(EntityId::inlet("pdu1"), State::on));
    all.push_back(obs(EntityId::ups("ups1"), State::normal));
    REQUIRE(store->add_observations(all).has_value());
  }

  static Observation obs(EntityId e, State s, Timestamp t = at("2026-10-31T12:00:00Z")) {
    Observation o;
    o.time = t;
    o.entity = std::move(e);
    o.state = s;
    o.received = t;
    o.origin = "test";
    return o;
  }

  void observe(EntityId e, State s, Timestamp t) {
    REQUIRE(store->add_observations({obs(std::move(e), s, t)}).has_value());
  }

  // The stored figures of a contract, as of a fixed time (the incremental run leaves a settled
  // contract's as_of as it was; everything else must be what a full run stores).
  std::string figures(const std::string& contract) {
    auto s = store->contract_status(contract);
    REQUIRE(s.has_value());
    REQUIRE(s->has_value());
    auto status = status_from_json((*s)->second);
    REQUIRE(status.has_value());
    status->as_of = Timestamp{};
    return to_json(*status);
  }
};

Result<Evaluation> run(Evaluator& e, World& w, const std::string& as_of) {
  EvaluateOptions o;
  o.as_of = at(as_of);
  o.batch = 2;
  return e.run(*w.store, o, at(as_of));
}

}  // namespace

TEST_CASE("an evaluation judges again only the contracts that can have changed", "[evaluate]") {
  World w;
  Evaluator e;
  auto first = run(e, w, "2026-11-10T00:00:00Z");
  REQUIRE(first.has_value());
  CHECK(first->full);
  CHECK(first->judged == 3);
  CHECK(first->stored == 3);

  SECTION("nothing changed: nothing judged, every figure marked computed now") {
    auto again = run(e, w, "2026-11-10T00:01:00Z");
    REQUIRE(again.has_value());
    CHECK_FALSE(again->full);
    CHECK(again->judged == 0);
    CHECK(again->stored == 3);
    auto s = w.store->contract_status("C-002");
    REQUIRE(s.has_value());
    CHECK((*s)->first == at("2026-11-10T00:01:00Z"));
  }

  SECTION("a port goes down: its contract is judged, then again while it stays down") {
    w.observe(EntityId::port("sw1", "ge-0/0/2"), State::down, at("2026-11-10T00:02:00Z"));
    auto down = run(e, w, "2026-11-10T00:05:00Z");
    REQUIRE(down.has_value());
    CHECK_FALSE(down->full);
    CHECK(down->judged == 1);
    CHECK(down->figures.count("C-002") == 1);
    CHECK(down->figures.at("C-002").network.outages == 1);
    const std::string at_five = w.figures("C-002");

    auto later = run(e, w, "2026-11-10T00:20:00Z");
    REQUIRE(later.has_value());
    CHECK(later->judged == 1);
    CHECK(w.figures("C-002") != at_five);  // the outage's seconds go on

    // Everything as a full run from scratch stores it.
    const std::string c1 = w.figures("C-001"), c2 = w.figures("C-002"), c3 = w.figures("C-003");
    Evaluator fresh;
    auto full = run(fresh, w, "2026-11-10T00:20:00Z");
    REQUIRE(full.has_value());
    CHECK(full->full);
    CHECK(w.figures("C-001") == c1);
    CHECK(w.figures("C-002") == c2);
    CHECK(w.figures("C-003") == c3);
  }

  SECTION("an uplink changes: every contract is judged") {
    w.observe(EntityId::port("core1", "xe-0/0/0"), State::down, at("2026-11-10T00:02:00Z"));
    auto r = run(e, w, "2026-11-10T00:05:00Z");
    REQUIRE(r.has_value());
    CHECK(r->judged == 3);
  }

  SECTION("a record is entered: every contract is judged") {
    Record rec;
    rec.kind = RecordKind::customer_report;
    rec.contract = "C-003";
    rec.at = at("2026-11-10T00:03:00Z");
    rec.guarantee = Guarantee::network;
    rec.entered_by = "test";
    rec.entered_at = at("2026-11-10T00:03:00Z");
    REQUIRE(add_record(*w.store, rec).has_value());
    auto r = run(e, w, "2026-11-10T00:05:00Z");
    REQUIRE(r.has_value());
    CHECK(r->full);
    CHECK(r->judged == 3);
  }

  SECTION("the month turns: every contract is judged") {
    auto r = run(e, w, "2026-11-30T16:00:00Z");  // 1 December in Shanghai
    REQUIRE(r.has_value());
    CHECK(r->full);
    CHECK(r->judged == 3);
  }
}

namespace {

ino_t inode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_ino;
}

}  // namespace

TEST_CASE("an evaluation publishes the figures for the monitoring users", "[evaluate][published]") {
  World w;
  Evaluator e;
  const std::string dir = w.dir.file("status");
  REQUIRE(ensure_status_dir(dir).has_value());
  // A contract no longer in the inventory: removed by the first (full) run.
  REQUIRE(publish_status(dir, "C-999", to_json(ContractStatus{}), 1).has_value());
  EvaluateOptions o;
  o.batch = 2;
  o.status_dir = dir;
  const auto evaluate = [&](const char* when) {
    o.as_of = at(when);
    auto r = e.run(*w.store, o, at(when));
    REQUIRE(r.has_value());
    CHECK_FALSE(r->publish_error);
    return *r;
  };
  const auto first = evaluate("2026-11-10T00:00:00Z");
  CHECK(first.published == 3);
  CHECK_FALSE(std::filesystem::exists(dir + "/C-999.json"));
  auto contracts = read_published_contracts(dir);
  REQUIRE(contracts.has_value());
  CHECK(contracts->size() == 3);
  for (const char* id : {"C-001", "C-002", "C-003"}) {
    auto p = read_published(dir, id);
    REQUIRE(p.has_value());
    CHECK(p->computed_at == at("2026-11-10T00:00:00Z").time_since_epoch().count());
    CHECK(to_json(p->status) == to_json(first.figures.at(id)));
    CHECK(p->status.down_now.empty());
  }
  const ino_t c1 = inode(dir + "/C-001.json"), c2 = inode(dir + "/C-002.json");

  // Incremental: only the contract that changed is written again; the mark ages the others.
  w.observe(EntityId::port("sw1", "ge-0/0/2"), State::down, at("2026-11-10T00:02:00Z"));
  const auto second = evaluate("2026-11-10T00:05:00Z");
  CHECK_FALSE(second.full);
  CHECK(second.published == 1);
  CHECK(inode(dir + "/C-001.json") == c1);
  CHECK(inode(dir + "/C-002.json") != c2);
  auto c1_now = read_published(dir, "C-001");
  REQUIRE(c1_now.has_value());
  CHECK(c1_now->computed_at == at("2026-11-10T00:05:00Z").time_since_epoch().count());
  auto c2_now = read_published(dir, "C-002");
  REQUIRE(c2_now.has_value());
  REQUIRE(c2_now->status.down_now.size() == 1);
  const DownNow& d = c2_now->status.down_now.front();
  CHECK(d.guarantee == CheckedGuarantee::network);
  CHECK(d.what == "port sw1 ge-0/0/2");
  CHECK(d.since == "2026-11-10T08:02:00+08:00");
  CHECK(d.sla == "pending");
  CHECK(c2_now->status.network.outages == 1);
}
