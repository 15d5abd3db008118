// Closed statements (statements.hpp): the canonical JSON and SHA-256 the digests are made of,
// the chain verify recomputes, and closing the example contract's month on a FakeClock: the
// as-of rule, a second close refused, an adjustment carried once into the next statement.
#include "colosla/services/statements.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "colosla/services/operations.hpp"
#include "support.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::TempDir;

namespace {

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store;

  Fixture() {
    auto s = Store::open(dir.file("s.db"), Store::Mode::create);
    REQUIRE(s.has_value());
    store = std::move(*s);
    InventoryValidator v;
    auto r = v.validate_files({colosla::test::source_file("examples/inventory.json")});
    REQUIRE(r.has_value());
    REQUIRE(commit_inventory(*store, *r, "test", at("2026-11-01T00:00:00Z")).has_value());
    // 60 min down on 2026-11-03 (the budget is 44): counted only once the customer reports it.
    std::istringstream lines(
        R"({"time":"2026-11-01T00:00:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"up"})"
        "\n"
        R"({"time":"2026-11-03T02:00:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"down"})"
        "\n"
        R"({"time":"2026-11-03T03:00:00+08:00","device":"sw1","interface":"ge-0/0/1","state":"up"})"
        "\n");
    REQUIRE(import_observations(*store, lines, "test", false, at("2026-11-03T04:00:00Z")));
  }
};

CloseRequest close_of(const char* month, const char* as_of) {
  CloseRequest r;
  r.month = parse_month(month).value();
  r.as_of = at(as_of);
  r.by = "alice";
  return r;
}

Statement sample(std::int64_t seq, const std::string& previous) {
  Statement s;
  s.seq = seq;
  s.number = statement_number("2026-11", seq);
  s.contract = "C-00" + std::to_string(seq);
  s.month = "2026-11";
  s.document = R"({"report":{"id":"C-001","credit":{"total":"0.00"}},"total":"0.00"})";
  s.closed_by = "alice";
  s.closed_at = at("2026-12-02T01:00:00Z");
  s.as_of = at("2026-12-02T00:00:00Z");
  s.inputs = R"({"record-id":0})";
  s.previous_digest = previous;
  s.digest = statement_digest(s).value();
  return s;
}

}  // namespace

TEST_CASE("canonical JSON: keys sorted, no whitespace, UTF-8 as it is", "[statements]") {
  CHECK(
      canonical_json(R"( { "b" : 1, "a" : [ true, null, "x" ], "A": {"z":0,"y":"1"} } )").value() ==
      R"({"A":{"y":"1","z":0},"a":[true,null,"x"],"b":1})");
  // UTF-8 stays UTF-8; only the quote, the backslash and control characters are escaped.
  CHECK(canonical_json("{\"name\":\"\xe4\xb8\xad\xe6\x96\x87 \\\"q\\\" \\u0001\"}").value() ==
        "{\"name\":\"\xe4\xb8\xad\xe6\x96\x87 \\\"q\\\" \\u0001\"}");
  CHECK(canonical_json(R"({"s":"\u4e2d"})").value() == "{\"s\":\"\xe4\xb8\xad\"}");
  CHECK_FALSE(canonical_json("{\"a\":").has_value());
  CHECK_FALSE(canonical_json("\"\xff\"").has_value());
}

TEST_CASE("SHA-256 and the statement's digest", "[statements]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(statement_number("2026-11", 7) == "ST-2026-11-000007");
  CHECK(statement_number("2027-01", 1234567) == "ST-2027-01-1234567");

  const Statement s = sample(1, "");
  // The same content in another spelling of its JSON has the same digest.
  Statement respelled = s;
  respelled.document = R"({ "total":"0.00", "report":{"credit":{"total":"0.00"},"id":"C-001"} })";
  CHECK(statement_digest(respelled).value() == s.digest);
  // Any field changed changes it.
  for (auto change : std::vector<void (*)(Statement&)>{
           [](Statement& x) { x.seq = 2; },
           [](Statement& x) { x.number += "x"; },
           [](Statement& x) { x.contract = "C-002"; },
           [](Statement& x) { x.month = "2026-12"; },
           [](Statement& x) { x.document = R"({"report":{},"total":"1.00"})"; },
           [](Statement& x) { x.closed_by = "eve"; },
           [](Statement& x) { x.closed_at += std::chrono::seconds{1}; },
           [](Statement& x) { x.as_of += std::chrono::seconds{1}; },
           [](Statement& x) { x.inputs = R"({"record-id":1})"; },
           [](Statement& x) { x.previous_digest = "00"; },
       }) {
    Statement changed = s;
    change(changed);
    CHECK(statement_digest(changed).value() != s.digest);
  }
  Statement broken = s;
  broken.document = "{";
  CHECK_FALSE(statement_digest(broken).has_value());
}

TEST_CASE("verify recomputes the chain and names the first statement that breaks it",
          "[statements]") {
  TempDir dir;
  auto store = Store::open(dir.file("s.db"), Store::Mode::create).value();
  auto empty = verify_statements(*store).value();
  CHECK(empty.count == 0);
  CHECK_FALSE(empty.broken);

  const Statement one = sample(1, "");
  const Statement two = sample(2, one.digest);
  REQUIRE(store->append_statement(one));
  REQUIRE(store->append_statement(two));
  auto ok = verify_statements(*store).value();
  CHECK(ok.count == 2);
  CHECK(ok.last_digest == two.digest);
  CHECK_FALSE(ok.broken);

  // A statement whose digest is not that of its content (appended so: the store does not hash).
  Statement forged = sample(3, two.digest);
  forged.closed_by = "eve";
  REQUIRE(store->append_statement(forged));
  auto bad = verify_statements(*store).value();
  REQUIRE(bad.broken);
  CHECK(bad.broken->number == forged.number);
  CHECK(bad.count == 2);
  CHECK_THAT(bad.why, Catch::Contains("does not match its content"));
}

TEST_CASE("closing a month: the as-of rule, once, adjustments carried once", "[statements]") {
  Fixture f;
  FakeClock clock(at("2026-12-01T00:30:00Z"));

  auto early = close_month(*f.store, close_of("2026-11", "2026-11-30T15:59:59Z"), clock);
  REQUIRE_FALSE(early);
  CHECK(early.error().code == Errc::invalid_input);
  CHECK_THAT(early.error().msg, Catch::Contains("before 2026-11 ends"));

  auto nov = close_month(*f.store, close_of("2026-11", "2026-11-30T16:00:00Z"), clock);
  REQUIRE(nov);
  REQUIRE(nov->size() == 1);
  const Statement& s = nov->front();
  CHECK(s.number == "ST-2026-11-000001");
  CHECK(s.contract == "C-001");
  CHECK(s.closed_at == clock.now());
  CHECK(s.previous_digest.empty());
  CHECK(statement_digest(s).value() == s.digest);
  const auto inputs = nlohmann::json::parse(s.inputs);
  CHECK(inputs["inventory-version"] == 1);
  CHECK(inputs["observation-seq"] == 3);
  CHECK(inputs["record-id"] == 0);
  CHECK(inputs["records-in-force"].empty());
  CHECK(inputs["inventory-sha256"].get<std::string>().size() == 64);
  const auto doc = nlohmann::json::parse(s.document);
  CHECK(doc["report"]["credit"]["total"] == "0.00");
  CHECK(doc["total"] == "0.00");
  CHECK(doc["monthly-fee"] == "3000.00");
  // Frozen: the lease is given back.
  CHECK_FALSE(f.store->lease("month-close", clock.now()).value()->held());

  auto again = close_month(*f.store, close_of("2026-11", "2026-12-01T00:00:00Z"), clock);
  REQUIRE_FALSE(again);
  CHECK(again.error().code == Errc::conflict);
  CHECK_THAT(again.error().msg, Catch::Contains("closed already: statement ST-2026-11-000001"));

  // The customer's report of the outage, entered after the close: November's credit is now the
  // month's rent, 3000.00.
  clock.set(at("2026-12-02T01:00:00Z"));
  Record report;
  report.kind = RecordKind::customer_report;
  report.contract = "C-001";
  report.at = at("2026-11-03T01:00:00Z");
  report.guarantee = Guarantee::network;
  report.entered_by = "ops";
  report.entered_at = clock.now();
  REQUIRE(add_record(*f.store, report));
  // A record of December, entered then too, is not November's cause.
  Record later = report;
  later.at = at("2026-12-20T01:00:00Z");
  REQUIRE(add_record(*f.store, later));
  const std::string frozen = statement_document(s, "both").value();

  // Before December has ended on the clock, an as-of after it is refused: nothing is frozen
  // that has not happened.
  auto ahead = close_month(*f.store, close_of("2026-12", "2027-01-01T00:00:00Z"), clock);
  REQUIRE_FALSE(ahead);
  CHECK(ahead.error().msg ==
        "--as-of 2027-01-01T00:00:00Z is after the time of closing (2026-12-02T01:00:00Z): a "
        "statement holds only what has happened");
  CHECK(f.store->statements({}).value().size() == 1);

  clock.set(at("2027-01-01T01:00:00Z"));
  auto dec = close_month(*f.store, close_of("2026-12", "2027-01-01T00:00:00Z"), clock);
  REQUIRE(dec);
  REQUIRE(dec->size() == 1);
  CHECK(dec->front().previous_digest == s.digest);
  const auto shown = nlohmann::json::parse(statement_document(dec->front(), "en").value());
  REQUIRE(shown["adjustments"].size() == 1);
  const auto& a = shown["adjustments"][0];
  CHECK(a["month"] == "2026-11");
  CHECK(a["statement"] == "ST-2026-11-000001");
  CHECK(a["before"] == "0.00");
  CHECK(a["after"] == "3000.00");
  CHECK(a["amount"] == "3000.00");
  CHECK(a["changes"] == "network counted 0 min -> 60 min");
  CHECK(a["cause"] ==
        "record #1: customer report for network at 2026-11-03T09:00:00+08:00 entered "
        "2026-12-02T09:00:00+08:00 by ops");
  CHECK(shown["statement"]["total"] == "3000.00");
  CHECK(shown["language"] == "en");
  // November's statement is as it was.
  CHECK(
      statement_document(f.store->statement("C-001", "2026-11").value().value(), "both").value() ==
      frozen);

  // January carries nothing for November any more: it was carried once.
  clock.set(at("2027-02-01T01:00:00Z"));
  auto jan = close_month(*f.store, close_of("2027-01", "2027-02-01T00:00:00Z"), clock);
  REQUIRE(jan);
  CHECK(nlohmann::json::parse(jan->front().document)["adjustments"].empty());
  CHECK(verify_statements(*f.store).value().count == 3);

  // A record that changes November's figures but not its money (10 of the 60 minutes were the
  // customer's equipment: 50 min still breach the 44) is carried too, with amount 0.00 and what
  // changed; once.
  clock.set(at("2027-02-02T01:00:00Z"));
  Record exclusion;
  exclusion.kind = RecordKind::exclusion;
  exclusion.contract = "C-001";
  exclusion.at = at("2026-11-02T18:00:00Z");
  exclusion.until = at("2026-11-02T18:10:00Z");
  exclusion.reason = ExclusionReason::customer_equipment;
  exclusion.entered_by = "ops";
  exclusion.entered_at = clock.now();
  REQUIRE(add_record(*f.store, exclusion));
  clock.set(at("2027-03-01T01:00:00Z"));
  auto feb = close_month(*f.store, close_of("2027-02", "2027-03-01T00:00:00Z"), clock);
  REQUIRE(feb);
  const auto feb_doc = nlohmann::json::parse(feb->front().document);
  REQUIRE(feb_doc["adjustments"].size() == 1);
  const auto& b = feb_doc["adjustments"][0];
  CHECK(b["month"] == "2026-11");
  CHECK(b["before"] == "3000.00");
  CHECK(b["after"] == "3000.00");
  CHECK(b["amount"] == "0.00");
  CHECK(b["changes"] == "network counted 60 min -> 50 min");
  CHECK_THAT(b["cause"].get<std::string>(), Catch::StartsWith("record #3: exclusion"));
  CHECK(feb_doc["total"] == "0.00");
  clock.set(at("2027-04-01T01:00:00Z"));
  auto mar = close_month(*f.store, close_of("2027-03", "2027-04-01T00:00:00Z"), clock);
  REQUIRE(mar);
  CHECK(nlohmann::json::parse(mar->front().document)["adjustments"].empty());
  CHECK(verify_statements(*f.store).value().count == 5);
}

TEST_CASE("a closer refuses while another holds the lease month-close", "[statements]") {
  Fixture f;
  FakeClock clock(at("2026-12-01T00:30:00Z"));
  REQUIRE(
      f.store->acquire_lease("month-close", "other:1:x", std::chrono::seconds{300}, clock.now()));
  auto r = close_month(*f.store, close_of("2026-11", "2026-11-30T16:00:00Z"), clock);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::conflict);
  CHECK_THAT(r.error().msg, Catch::Contains("held by other:1:x"));
  CHECK(f.store->statements(std::nullopt).value().empty());
}
