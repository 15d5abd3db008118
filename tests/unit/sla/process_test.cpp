// The process guarantees' clocks (Articles 5-9): each met and missed on given times, judged at
// as-of; the visits' findings; their events.
#include "colosla/sla/process.hpp"

#include "colosla/sla/events.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;

namespace {

struct Book {
  Contract c;
  std::vector<Record> records;
  // November 2026 in Shanghai.
  Window period{at("2026-10-31T16:00:00Z"), at("2026-11-30T16:00:00Z")};

  Book() {
    c.id = "C-001";
    c.staff.customer_service = {"Wang Fang"};
    c.staff.technical_support = {"Zhao Lei"};
  }
  std::int64_t add(Record r) {
    r.id = static_cast<std::int64_t>(records.size()) + 1;
    r.contract = r.contract.empty() ? "C-001" : r.contract;
    records.push_back(r);
    return r.id;
  }
  std::int64_t authorization(const char* when, AuthorizationMethod m, bool accepted = true) {
    Record r;
    r.kind = RecordKind::authorization;
    r.at = at(when);
    r.contact = "Li Lei";
    r.method = m;
    r.accepted = accepted;
    return add(r);
  }
  std::int64_t follow(RecordKind k, std::int64_t to, const char* when) {
    Record r;
    r.kind = k;
    r.refers_to = to;
    r.at = at(when);
    return add(r);
  }
  ProcessReport report(const char* as_of) const {
    std::vector<const Record*> in;
    for (const auto& r : records) {
      in.push_back(&r);
    }
    return process_report(c, in, period, at(as_of));
  }
  std::vector<std::string> clocks(const char* as_of) const {
    std::vector<std::string> out;
    for (const auto& k : report(as_of).clocks) {
      out.push_back(std::string(to_string(k.kind)) + " #" + std::to_string(k.record) + " " +
                    format_time_utc(k.due) + " " + std::string(to_string(k.status)));
    }
    return out;
  }
};

}  // namespace

TEST_CASE("feedback is due feedback-minutes after an accepted authorization", "[sla][process]") {
  Book b;
  const auto a = b.authorization("2026-11-05T02:00:00Z", AuthorizationMethod::written);
  SECTION("open until due, missed after") {
    CHECK(b.clocks("2026-11-05T02:30:00Z") ==
          std::vector<std::string>{"feedback #1 2026-11-05T02:30:00Z open"});
    CHECK(b.clocks("2026-11-05T02:30:01Z") ==
          std::vector<std::string>{"feedback #1 2026-11-05T02:30:00Z missed"});
  }
  SECTION("met when given by the due time, exactly at it included") {
    b.follow(RecordKind::authorization_feedback, a, "2026-11-05T02:30:00Z");
    CHECK(b.clocks("2026-11-06T00:00:00Z") ==
          std::vector<std::string>{"feedback #1 2026-11-05T02:30:00Z met"});
  }
  SECTION("missed when given late") {
    b.follow(RecordKind::authorization_feedback, a, "2026-11-05T02:31:00Z");
    CHECK(b.clocks("2026-11-06T00:00:00Z") ==
          std::vector<std::string>{"feedback #1 2026-11-05T02:30:00Z missed"});
  }
  SECTION("a feedback after as-of counts for nothing") {
    b.follow(RecordKind::authorization_feedback, a, "2026-11-05T02:10:00Z");
    CHECK(b.clocks("2026-11-05T02:05:00Z") ==
          std::vector<std::string>{"feedback #1 2026-11-05T02:30:00Z open"});
  }
  SECTION("the contract's feedback-minutes") {
    b.c.sla.feedback_minutes = 10;
    CHECK(b.clocks("2026-11-05T02:11:00Z") ==
          std::vector<std::string>{"feedback #1 2026-11-05T02:10:00Z missed"});
  }
  SECTION("a refused authorization opens no clock and is listed as refused") {
    Book r;
    r.authorization("2026-11-05T02:00:00Z", AuthorizationMethod::phone, false);
    CHECK(r.clocks("2026-11-06T00:00:00Z").empty());
    const auto p = r.report("2026-11-06T00:00:00Z");
    REQUIRE(p.authorizations.size() == 1);
    CHECK_FALSE(p.authorizations[0].accepted);
  }
  SECTION("an authorization after as-of is not there yet") {
    CHECK(b.report("2026-11-05T01:59:59Z").authorizations.empty());
  }
}

TEST_CASE("the operation report is due operation-report-hours after the operation ended",
          "[sla][process]") {
  Book b;
  const auto a = b.authorization("2026-11-05T02:00:00Z", AuthorizationMethod::written);
  b.follow(RecordKind::authorization_feedback, a, "2026-11-05T02:20:00Z");
  CHECK(b.clocks("2026-11-05T04:00:00Z") ==
        std::vector<std::string>{"feedback #1 2026-11-05T02:30:00Z met"});
  b.follow(RecordKind::authorization_done, a, "2026-11-05T06:00:00Z");
  SECTION("open, then missed") {
    CHECK(b.clocks("2026-11-06T06:00:00Z")[1] == "operation-report #1 2026-11-06T06:00:00Z open");
    CHECK(b.clocks("2026-11-06T06:00:01Z")[1] == "operation-report #1 2026-11-06T06:00:00Z missed");
  }
  SECTION("met") {
    b.follow(RecordKind::authorization_report, a, "2026-11-06T05:00:00Z");
    CHECK(b.clocks("2026-11-08T00:00:00Z")[1] == "operation-report #1 2026-11-06T06:00:00Z met");
    const auto p = b.report("2026-11-08T00:00:00Z");
    CHECK(p.authorizations[0].operation_ended == at("2026-11-05T06:00:00Z"));
  }
}

TEST_CASE("a phone authorization needs its written confirmation", "[sla][process]") {
  Book b;
  const auto a = b.authorization("2026-11-05T02:00:00Z", AuthorizationMethod::phone);
  b.follow(RecordKind::authorization_feedback, a, "2026-11-05T02:05:00Z");
  SECTION("missed") {
    CHECK(b.clocks("2026-11-07T00:00:00Z") ==
          std::vector<std::string>{"feedback #1 2026-11-05T02:30:00Z met",
                                   "written-confirmation #1 2026-11-06T02:00:00Z missed"});
  }
  SECTION("met") {
    b.follow(RecordKind::authorization_confirm, a, "2026-11-05T20:00:00Z");
    CHECK(b.clocks("2026-11-07T00:00:00Z")[1] ==
          "written-confirmation #1 2026-11-06T02:00:00Z met");
  }
  SECTION("a written authorization needs none") {
    Book w;
    w.authorization("2026-11-05T02:00:00Z", AuthorizationMethod::written);
    CHECK(w.clocks("2026-11-07T00:00:00Z").size() == 1);
  }
}

TEST_CASE("a complaint gets its written report within complaint-report-hours", "[sla][process]") {
  Book b;
  Record c;
  c.kind = RecordKind::complaint;
  c.at = at("2026-11-10T01:00:00Z");
  c.about = ComplaintAbout::technical_support;
  const auto id = b.add(c);
  CHECK(b.clocks("2026-11-11T01:00:00Z") ==
        std::vector<std::string>{"complaint-report #1 2026-11-11T01:00:00Z open"});
  CHECK(b.clocks("2026-11-11T01:00:01Z") ==
        std::vector<std::string>{"complaint-report #1 2026-11-11T01:00:00Z missed"});
  b.follow(RecordKind::complaint_report, id, "2026-11-10T23:00:00Z");
  CHECK(b.clocks("2026-11-12T00:00:00Z") ==
        std::vector<std::string>{"complaint-report #1 2026-11-11T01:00:00Z met"});
  SECTION("a month lists the clocks whose due lies in it") {
    b.period = Window{at("2026-11-30T16:00:00Z"), at("2026-12-31T16:00:00Z")};
    CHECK(b.clocks("2026-12-12T00:00:00Z").empty());
    CHECK(b.report("2026-12-12T00:00:00Z").complaints.empty());
  }
}

TEST_CASE("visits: unannounced, unescorted, overstayed", "[sla][process]") {
  Book b;
  Record v;
  v.kind = RecordKind::visit;
  v.at = at("2026-11-12T01:00:00Z");
  v.until = at("2026-11-12T05:00:00Z");
  v.purpose = "replace a disk";
  v.activity = "server work";
  const auto visit = b.add(v);
  Record e;
  e.kind = RecordKind::visit_enter;
  e.refers_to = visit;
  e.at = at("2026-11-12T01:10:00Z");
  e.escort = "Zhao Lei";
  e.badge = "B-17";
  const auto entry = b.add(e);
  const auto findings = [&](const char* as_of) {
    std::vector<std::string> out;
    for (const auto& x : b.report(as_of).visits) {
      std::string s = "#" + std::to_string(x.record) + ":";
      for (const auto f : x.findings) {
        s += " " + std::string(to_string(f));
      }
      out.push_back(s);
    }
    return out;
  };
  SECTION("announced, escorted, in time") {
    b.follow(RecordKind::visit_leave, entry, "2026-11-12T05:00:00Z");
    CHECK(findings("2026-11-13T00:00:00Z") == std::vector<std::string>{"#1:"});
    const auto p = b.report("2026-11-13T00:00:00Z");
    CHECK(p.visits[0].left == at("2026-11-12T05:00:00Z"));
    CHECK(p.visits[0].badge == "B-17");
  }
  SECTION("left late") {
    b.follow(RecordKind::visit_leave, entry, "2026-11-12T05:00:01Z");
    CHECK(findings("2026-11-13T00:00:00Z") == std::vector<std::string>{"#1: overstayed"});
  }
  SECTION("still in after the expected departure, at as-of") {
    CHECK(findings("2026-11-12T05:00:00Z") == std::vector<std::string>{"#1:"});
    CHECK(findings("2026-11-12T05:00:01Z") == std::vector<std::string>{"#1: overstayed"});
  }
  SECTION("an entry without announcement and without escort") {
    Record u;
    u.kind = RecordKind::visit_enter;
    u.at = at("2026-11-14T01:00:00Z");
    u.badge = "B-18";
    b.add(u);
    CHECK(findings("2026-11-15T00:00:00Z") ==
          std::vector<std::string>{"#1: overstayed", "#3: unannounced unescorted"});
  }
}

TEST_CASE("the process clocks and findings as SLA events", "[sla][process][events]") {
  Book b;
  const auto a = b.authorization("2026-11-05T02:00:00Z", AuthorizationMethod::phone);
  Record u;
  u.kind = RecordKind::visit_enter;
  u.at = at("2026-11-06T01:00:00Z");
  u.badge = "B-18";
  u.escort = "Zhao Lei";
  b.add(u);
  ContractReport r;
  r.id = "C-001";
  r.time_zone = "Asia/Shanghai";
  r.period = b.period;
  r.installation.deadline = at("2026-10-20T16:00:00Z");
  r.installation.completed = at("2026-10-19T00:00:00Z");
  const auto kinds = [&](const char* as_of) {
    r.process = b.report(as_of);
    std::vector<std::string> out;
    for (const auto& e : derive_events(b.c, r, at(as_of), 50)) {
      out.push_back(std::string(to_string(e.kind)) + " " + e.guarantee + " " +
                    format_time_utc(e.time));
    }
    return out;
  };
  CHECK(kinds("2026-11-05T02:10:00Z") ==
        std::vector<std::string>{"feedback-due process 2026-11-05T02:00:00Z",
                                 "written-confirmation-due process 2026-11-05T02:00:00Z"});
  b.follow(RecordKind::authorization_feedback, a, "2026-11-05T02:20:00Z");
  CHECK(kinds("2026-11-06T03:00:00Z") ==
        std::vector<std::string>{"written-confirmation-missed process 2026-11-06T02:00:00Z",
                                 "visit-unannounced process 2026-11-06T01:00:00Z"});
  r.process = b.report("2026-11-06T03:00:00Z");
  const auto events = derive_events(b.c, r, at("2026-11-06T03:00:00Z"), 50);
  CHECK(events[0].key == "written-confirmation-missed C-001 1");
  CHECK(events[0].reason ==
        "written-confirmation of authorization #1 by Li Lei (phone) not done by "
        "2026-11-06T10:00:00+08:00 (Article 6.6)");
  CHECK(to_json(events[0]).find("\"deadline\":\"2026-11-06T10:00:00+08:00\"") != std::string::npos);
}
