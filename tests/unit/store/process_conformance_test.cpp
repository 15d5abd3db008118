// The process guarantees (Articles 5-9) in the store, on every backend: a contract's MRTG user,
// password hash, language, staff and process times round-trip; the new record kinds and their
// fields are kept as entered.
#include "backends.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/store/store.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;

namespace {

ValidatedInventory example() {
  InventoryValidator validator;
  auto v = validator.validate_files({colosla::test::source_file("examples/inventory.json")});
  REQUIRE(v.has_value());
  return std::move(*v);
}

Record entered(Record r) {
  r.contract = "C-001";
  r.entered_by = "alice";
  r.entered_at = at("2026-11-20T09:00:00Z");
  return r;
}

}  // namespace

TEST_CASE("store: a contract's process leaves are stored and read back", "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  auto store = subject.connect();
  const ValidatedInventory v = example();
  const Contract& w = v.inventory.contracts[0];
  REQUIRE(w.mrtg_user == "example-mrtg");
  REQUIRE(w.mrtg_password_hash.rfind("$6$", 0) == 0);
  REQUIRE(store->save_inventory(v, "alice", at("2026-11-23T10:00:00Z")).value() == 1);
  for (const auto& inv : {store->load_inventory().value(), store->load_contract("C-001").value()}) {
    REQUIRE(inv.has_value());
    const Contract& c = inv->contracts[0];
    CHECK(c.mrtg_user == w.mrtg_user);
    CHECK(c.mrtg_password_hash == w.mrtg_password_hash);
    CHECK(c.language == "both");
    CHECK(c.staff == Staff{{"Wang Fang"}, {"Zhao Lei"}});
    CHECK(c.sla.feedback_minutes == 30);
    CHECK(c.sla.operation_report_hours == 24);
    CHECK(c.sla.written_confirmation_hours == 24);
    CHECK(c.sla.complaint_report_hours == 24);
  }
}

TEST_CASE("store: the process records are kept as entered", "[store][conformance]") {
  FOR_EACH_BACKEND(subject);
  auto store = subject.connect();
  Record a;
  a.kind = RecordKind::authorization;
  a.at = at("2026-11-05T02:00:00Z");
  a.contact = "Li Lei";
  a.method = AuthorizationMethod::phone;
  a.mrtg_user = "example-mrtg";
  a.accepted = false;
  const std::int64_t ia = store->add_record(entered(a)).value();
  Record f;
  f.kind = RecordKind::authorization_feedback;
  f.at = at("2026-11-05T02:10:00Z");
  f.refers_to = ia;
  const std::int64_t iff = store->add_record(entered(f)).value();
  Record c;
  c.kind = RecordKind::complaint;
  c.at = at("2026-11-06T02:00:00Z");
  c.about = ComplaintAbout::customer_service;
  store->add_record(entered(c)).value();
  Record v;
  v.kind = RecordKind::visit;
  v.at = at("2026-11-07T01:00:00Z");
  v.until = at("2026-11-07T05:00:00Z");
  v.purpose = "replace a disk";
  v.activity = "server work";
  v.needs = "a trolley";
  const std::int64_t iv = store->add_record(entered(v)).value();
  Record e;
  e.kind = RecordKind::visit_enter;
  e.at = at("2026-11-07T01:05:00Z");
  e.refers_to = iv;
  e.escort = "Zhao Lei";
  e.badge = "B-17";
  store->add_record(entered(e)).value();

  const auto all = store->records_of("C-001").value();
  REQUIRE(all.size() == 5);
  CHECK(all[0].kind == RecordKind::authorization);
  CHECK(all[0].method == std::optional<AuthorizationMethod>{AuthorizationMethod::phone});
  CHECK(all[0].mrtg_user == "example-mrtg");
  CHECK(all[0].accepted == std::optional<bool>{false});
  CHECK(all[0].refers_to == 0);
  CHECK(all[1].kind == RecordKind::authorization_feedback);
  CHECK(all[1].id == iff);
  CHECK(all[1].refers_to == ia);
  CHECK_FALSE(all[1].accepted.has_value());
  CHECK(all[2].about == std::optional<ComplaintAbout>{ComplaintAbout::customer_service});
  CHECK(all[3].until == std::optional<Timestamp>{at("2026-11-07T05:00:00Z")});
  CHECK(all[3].purpose == "replace a disk");
  CHECK(all[3].activity == "server work");
  CHECK(all[3].needs == "a trolley");
  CHECK(all[4].kind == RecordKind::visit_enter);
  CHECK(all[4].escort == "Zhao Lei");
  CHECK(all[4].badge == "B-17");
  CHECK(all[4].refers_to == iv);
}
