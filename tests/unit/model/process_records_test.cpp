// check_record for the process guarantees' records (Articles 5-9): the fields each kind needs
// and the record a follow-up refers to.
#include "colosla/model/records.hpp"

#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;

namespace {

struct Desk {
  Inventory inv;
  std::vector<Record> existing;
  Desk() {
    Contract c;
    c.id = "C-001";
    c.contacts = {Contact{"Li Lei", true, Channel::mobile, "+86"},
                  Contact{"Han Meimei", false, Channel::email, "h@example.com"}};
    inv.contracts.push_back(c);
    Contract d = c;
    d.id = "C-002";
    inv.contracts.push_back(d);
  }
  Record authorization(const char* contact, AuthorizationMethod m, bool accepted) const {
    Record r;
    r.kind = RecordKind::authorization;
    r.contract = "C-001";
    r.at = at("2026-11-05T02:00:00Z");
    r.contact = contact;
    r.method = m;
    r.accepted = accepted;
    r.mrtg_user = m == AuthorizationMethod::phone ? "example-mrtg" : "";
    return r;
  }
  std::int64_t keep(Record r) {
    r.id = static_cast<std::int64_t>(existing.size()) + 1;
    existing.push_back(r);
    return r.id;
  }
  Record follow(RecordKind k, std::int64_t to, const std::string& contract = "C-001") const {
    Record r;
    r.kind = k;
    r.contract = contract;
    r.refers_to = to;
    r.at = at("2026-11-05T03:00:00Z");
    return r;
  }
  std::string why(const Record& r) const {
    auto ok = check_record(r, inv, existing);
    return ok ? std::string("ok") : ok.error().msg;
  }
};

}  // namespace

TEST_CASE("authorizations: only an authorized contact's is accepted", "[model][records]") {
  Desk d;
  CHECK(d.why(d.authorization("Li Lei", AuthorizationMethod::written, true)) == "ok");
  CHECK(d.why(d.authorization("Han Meimei", AuthorizationMethod::written, true)) ==
        "Han Meimei is not an authorized contact of C-001 (Article 6.5: only the customer's "
        "authorized person may authorize)");
  CHECK(d.why(d.authorization("Han Meimei", AuthorizationMethod::phone, false)) == "ok");
  CHECK(d.why(d.authorization("Nobody", AuthorizationMethod::written, false)) ==
        "C-001 has no contact \"Nobody\"");
  auto no_user = d.authorization("Li Lei", AuthorizationMethod::phone, true);
  no_user.mrtg_user.clear();
  CHECK(d.why(no_user) == "a phone authorization is accepted only with the contract's MRTG user");
}

TEST_CASE("follow-ups refer to a record of the right kind, contract and state",
          "[model][records]") {
  Desk d;
  const auto phone = d.keep(d.authorization("Li Lei", AuthorizationMethod::phone, true));
  const auto written = d.keep(d.authorization("Li Lei", AuthorizationMethod::written, true));
  const auto refused = d.keep(d.authorization("Li Lei", AuthorizationMethod::phone, false));
  CHECK(d.why(d.follow(RecordKind::authorization_feedback, phone)) == "ok");
  CHECK(d.why(d.follow(RecordKind::authorization_confirm, phone)) == "ok");
  CHECK(d.why(d.follow(RecordKind::authorization_confirm, written)) ==
        "record #2 was given in writing; only a phone authorization is confirmed");
  CHECK(d.why(d.follow(RecordKind::authorization_done, refused)) ==
        "record #3 was a refused authorization");
  CHECK(d.why(d.follow(RecordKind::authorization_report, 99)) == "there is no record #99");
  CHECK(d.why(d.follow(RecordKind::authorization_feedback, 0)) ==
        "a authorization-feedback record names the authorization record it belongs to");
  CHECK(d.why(d.follow(RecordKind::complaint_report, phone)) ==
        "record #1 is a authorization record, not a complaint record");
  CHECK(d.why(d.follow(RecordKind::authorization_feedback, phone, "C-002")) ==
        "record #1 is for C-001, not C-002");
  d.keep(d.follow(RecordKind::authorization_feedback, phone));
  CHECK(d.why(d.follow(RecordKind::authorization_feedback, phone)) ==
        "record #1 already has its authorization-feedback record, record #4");
  SECTION("a withdrawn authorization takes no follow-up") {
    Record w;
    w.kind = RecordKind::authorization;
    w.contract = "C-001";
    w.retraction = true;
    w.supersedes = written;
    d.keep(w);
    CHECK(d.why(d.follow(RecordKind::authorization_done, written)) ==
          "record #2 is withdrawn by record #5; refer to the record in force");
  }
}

TEST_CASE("complaints and visits carry what the agreement asks", "[model][records]") {
  Desk d;
  Record c;
  c.kind = RecordKind::complaint;
  c.contract = "C-001";
  c.at = at("2026-11-05T02:00:00Z");
  CHECK(d.why(c).find("a complaint says what about") == 0);
  c.about = ComplaintAbout::network;
  CHECK(d.why(c) == "ok");
  Record v;
  v.kind = RecordKind::visit;
  v.contract = "C-001";
  v.at = at("2026-11-05T02:00:00Z");
  v.until = at("2026-11-05T01:00:00Z");
  v.purpose = "replace a disk";
  v.activity = "server work";
  CHECK(d.why(v) == "a visit's --expected-out must be after its --expected-in");
  v.until = at("2026-11-05T04:00:00Z");
  const auto visit = d.keep(v);
  Record e = d.follow(RecordKind::visit_enter, visit);
  CHECK(d.why(e) == "an entry records the --badge shown");
  e.badge = "B-17";
  CHECK(d.why(e) == "ok");
  e.refers_to = 0;  // unannounced: recorded all the same
  CHECK(d.why(e) == "ok");
  e.refers_to = visit;
  const auto entry = d.keep(e);
  Record leave = d.follow(RecordKind::visit_leave, entry);
  CHECK(d.why(leave) == "ok");
  leave.at = at("2026-11-05T02:00:00Z");
  CHECK(d.why(leave) == "the departure is before the entry (record #2)");
}
