// The customer's statement as HTML: escaping, languages, the figures and the timeline's SVG, the
// credit's lines, Articles 5–9 when present, internal numbers only in the appendix.
#include "colosla/render/statement.hpp"

#include <nlohmann/json.hpp>

#include "../sla/sla_world.hpp"
#include "colosla/sla/report_format.hpp"

using namespace colosla;
using namespace colosla::core;
using colosla::test::at;
using colosla::test::World;
using nlohmann::json;

namespace {

const char* const kLate = "2026-12-20T00:00:00+08:00";

// The example month: 02:00–03:00 down on 11-03, 02:40–03:00 excluded, reported at 09:05.
json example(std::string_view language = "both") {
  World w;
  w.port("2026-11-01T00:00:00+08:00", State::up);
  w.power_on("2026-11-01T00:00:00+08:00");
  w.port("2026-11-03T02:00:00+08:00", State::down);
  w.port("2026-11-03T03:00:00+08:00", State::up);
  w.exclude("2026-11-03T02:40:00+08:00", "2026-11-03T04:00:00+08:00",
            ExclusionReason::approved_maintenance);
  w.report("2026-11-03T09:05:00+08:00");
  const auto r = w.of("2026-11", kLate);
  return draft_document(std::chrono::year{2026} / std::chrono::November, at(kLate), r, language);
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) {
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("statement: text from data is escaped", "[render][statement]") {
  json doc = example();
  doc["report"]["customer"] = "<script>alert(1)</script> Smith & Sons \"Ltd\"";
  doc["report"]["network"]["outages"][0]["cause"] = "port <b>sw1</b> & co";
  doc["provider"] = "Data & Co <img src=x>";
  const std::string html = statement_html(doc);
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("<b>sw1") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("&lt;script&gt;alert(1)&lt;/script&gt; Smith &amp; Sons "
                                   "&quot;Ltd&quot;"));
  CHECK_THAT(html, Catch::Contains("Data &amp; Co &lt;img src=x&gt;"));
  CHECK_THAT(html, Catch::Contains("port &lt;b&gt;sw1&lt;/b&gt; &amp; co"));
}

TEST_CASE("statement: the figures, the timeline and the credit, in both languages",
          "[render][statement]") {
  const std::string html = statement_html(example());
  CHECK_THAT(html, Catch::StartsWith("<!DOCTYPE html>"));
  CHECK_THAT(html, Catch::Contains("size: A4; margin: 16mm 14mm 18mm 14mm;"));
  CHECK_THAT(html, Catch::Contains("网络联通性（第一条）"));
  CHECK_THAT(html, Catch::Contains("Network connectivity (Article 1)"));
  CHECK_THAT(html, Catch::Contains("每月不聯通時間少于44分鐘"));
  CHECK_THAT(html, Catch::Contains("草稿：本月尚未结账"));
  CHECK_THAT(html, Catch::Contains("Draft: the month is not closed"));
  // The outage: 02:00–03:00, counted 40 min, excluded 20 min, reported 09:05.
  CHECK_THAT(html, Catch::Contains("<td>2026-11-03 02:00</td><td>2026-11-03 03:00</td>"
                                   "<td class=\"num\">40 min</td>"));
  CHECK_THAT(html, Catch::Contains("20 min"));
  CHECK_THAT(html, Catch::Contains("2026-11-03 09:05"));
  // One SVG per guarantee with its own patterns; counted and excluded spans drawn.
  CHECK(count(html, "<svg class=\"timeline\"") == 2);
  CHECK_THAT(html, Catch::Contains("fill=\"url(#s0-network-counted)\""));
  CHECK_THAT(html, Catch::Contains("fill=\"url(#s0-network-excluded)\""));
  CHECK_THAT(html, Catch::Contains("<pattern id=\"s0-power-unmonitored\""));
  // The credit: 0 days × 3000.00 CNY ÷ 30.
  CHECK_THAT(html, Catch::Contains("0 × 3000.00 CNY ÷ 30"));
  CHECK_THAT(html, Catch::Contains("0.00 CNY"));
  // The states explained, both languages.
  CHECK_THAT(html, Catch::Contains("待报告：中断开始后 5 天尚未届满"));
  CHECK_THAT(html, Catch::Contains("Unreported: outage time the customer did not report"));
  // No Articles 5–9 without "process".
  CHECK(html.find("Articles 5–9") == std::string::npos);
}

TEST_CASE("statement: internal numbers only in the appendix", "[render][statement]") {
  const std::string html = statement_html(example());
  const auto appendix = html.find("Appendix: evidence");
  REQUIRE(appendix != std::string::npos);
  const auto first = html.find("observation #");
  REQUIRE(first != std::string::npos);
  CHECK(first > appendix);
  const auto record = html.find("record #");
  CHECK((record == std::string::npos || record > appendix));
}

TEST_CASE("statement: one language", "[render][statement]") {
  const std::string zh = statement_html(example("zh"));
  CHECK_THAT(zh, Catch::Contains("<html lang=\"zh-CN\">"));
  CHECK_THAT(zh, Catch::Contains("网络联通性（第一条）"));
  CHECK(zh.find("Network connectivity (Article 1)") == std::string::npos);
  CHECK_THAT(zh, Catch::Contains("40 分钟"));
  const std::string en = statement_html(example("en"));
  CHECK_THAT(en, Catch::Contains("<html lang=\"en\">"));
  CHECK(en.find("网络联通性") == std::string::npos);
  CHECK_THAT(en, Catch::Contains("每月不聯通時間少于44分鐘"));  // the agreement, quoted
}

TEST_CASE("statement: unmonitored time is said", "[render][statement]") {
  World w;
  w.port("2026-11-07T06:12:00+08:00", State::up);
  w.power_on("2026-11-01T00:00:00+08:00");
  const auto r = w.of("2026-11", kLate);
  const std::string html = statement_html(
      draft_document(std::chrono::year{2026} / std::chrono::November, at(kLate), r, "en"));
  CHECK_THAT(html, Catch::Contains("9012 min (20.861 % of the month) unmonitored"));
  CHECK_THAT(html, Catch::Contains("fill=\"url(#s0-network-unmonitored)\""));
  CHECK(html.find("of the month) unmonitored", html.find("Continuous power")) == std::string::npos);
}

TEST_CASE("statement: a closed statement, adjustments, Articles 5–9", "[render][statement]") {
  json doc = example();
  doc["statement"] = {{"number", "2026-11-0001"}, {"contract", "C-001"},
                      {"month", "2026-11"},       {"closed-at", "2026-12-02T10:00:00+08:00"},
                      {"closed-by", "billing"},   {"as-of", "2026-12-02T10:00:00+08:00"},
                      {"digest", "ab12"},         {"previous-digest", ""},
                      {"total", "3100.00"}};
  doc["adjustments"] = json::array(
      {{{"month", "2026-10"},
        {"statement", "2026-10-0001"},
        {"cause", "record #17: customer report for network at 2026-10-20T10:00:00+08:00"},
        {"before", "0.00"},
        {"after", "3000.00"},
        {"amount", "3000.00"}}});
  doc["report"]["process"] = {
      {"staff", {{"customer-service", {"Wang Fang"}}, {"technical-support", {"Zhao Lei"}}}},
      {"clocks", json::array({{{"kind", "feedback"},
                               {"article", "7.2"},
                               {"record", 12},
                               {"subject", "authorization #12 by Li Lei (phone)"},
                               {"opened", "2026-11-10T10:00:00+08:00"},
                               {"due", "2026-11-10T10:30:00+08:00"},
                               {"done", nullptr},
                               {"status", "missed"}}})},
      {"authorizations", json::array({{{"record", 12},
                                       {"contact", "Li Lei"},
                                       {"by", "phone"},
                                       {"at", "2026-11-10T10:00:00+08:00"},
                                       {"accepted", true},
                                       {"operation-ended", nullptr}}})},
      {"complaints",
       json::array({{{"record", 14}, {"about", "network"}, {"at", "2026-11-11T09:00:00+08:00"}}})},
      {"visits", json::array({{{"record", 15},
                               {"reason", "disk swap"},
                               {"activity", "operation"},
                               {"expected-in", "2026-11-12T09:00:00+08:00"},
                               {"expected-out", "2026-11-12T10:00:00+08:00"},
                               {"entered", "2026-11-12T09:05:00+08:00"},
                               {"left", "2026-11-12T11:00:00+08:00"},
                               {"escort", "Zhao Lei"},
                               {"badge", "B-7"},
                               {"findings", {"overstayed"}}}})}};
  const std::string html = statement_html(doc);
  CHECK_THAT(html, Catch::Contains("2026-11-0001"));
  CHECK(html.find("Draft: the month is not closed") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("3100.00 CNY"));
  CHECK_THAT(html, Catch::Contains("customer report for network at"));
  CHECK_THAT(html, Catch::Contains("Service process guarantees (Articles 5–9)"));
  CHECK_THAT(html, Catch::Contains("Wang Fang"));
  CHECK_THAT(html, Catch::Contains("First feedback after an authorization (Article 7.2"));
  CHECK_THAT(html, Catch::Contains("Left later than announced"));
  CHECK_THAT(html, Catch::Contains("Network quality"));
  const auto appendix = html.find("Appendix: evidence");
  CHECK(html.find("record #") > appendix);
  CHECK(html.find("#12") > appendix);
  CHECK_THAT(html, Catch::Contains("SHA-256 ab12"));
}

TEST_CASE("statement: several on one page, a page break between", "[render][statement]") {
  const std::string html = statements_html({example(), example()});
  CHECK(count(html, "<article class=\"statement\"") == 2);
  CHECK_THAT(html, Catch::Contains(".statement + .statement { break-before: page;"));
  CHECK_THAT(html, Catch::Contains("<pattern id=\"s1-network-counted\""));
}

TEST_CASE("statement: a document missing keys renders, without an exception",
          "[render][statement]") {
  CHECK_NOTHROW(statement_html(json::object()));
  CHECK_NOTHROW(statement_html(json{{"report", {{"network", 5}, {"period", "x"}}}}));
  CHECK_NOTHROW(statement_html(json::array()));
}

TEST_CASE("statement: the rent waived, and the installation refund", "[render][statement]") {
  World w;
  w.port("2026-11-01T00:00:00+08:00", State::up);
  w.power_on("2026-11-01T00:00:00+08:00");
  w.port("2026-11-10T00:00:00+08:00", State::down);  // 50 min, reported: counted ≥ 44 min
  w.port("2026-11-10T00:50:00+08:00", State::up);
  w.report("2026-11-10T01:00:00+08:00");
  const auto r = w.of("2026-11", kLate);  // never installed: the refund is due in November
  REQUIRE(r.credit.rent_waived);
  const std::string html = statement_html(
      draft_document(std::chrono::year{2026} / std::chrono::November, at(kLate), r, "en"));
  CHECK_THAT(html, Catch::Contains("Month&apos;s rent waived: network connectivity not met "
                                   "(Article 1.3)</span><div>50 min ≥ 44 min</div></td>"
                                   "<td class=\"num\">3000.00 CNY</td>"));
  CHECK_THAT(html, Catch::Contains("(shown only: the month&apos;s rent is already waived)"));
  CHECK_THAT(html, Catch::Contains("Installation fee refund (Article 3, settled on its own)"));
  CHECK_THAT(html, Catch::Contains("<td class=\"num\">500.00 CNY</td>"));
  CHECK(count(html, "class=\"fig bad\"") >= 2);  // counted and availability marked
}

TEST_CASE("statement: a month listed only for its installation refund", "[render][statement]") {
  World w;
  w.contract().start = at("2026-12-01T00:00:00+08:00");  // signed 10-30, refund month November
  const auto r = w.of("2026-11", kLate);
  REQUIRE(r.period.empty());
  const std::string html = statement_html(
      draft_document(std::chrono::year{2026} / std::chrono::November, at(kLate), r, "both"));
  // The timelines say nothing was evaluated, rather than "available".
  CHECK_THAT(html, Catch::Contains("<rect x=\"0.00\" y=\"14\" width=\"1000.00\" height=\"34\" "
                                   "fill=\"url(#s0-network-future)\"/>"));
  CHECK_THAT(html, Catch::Contains("Installation fee refund (Article 3, settled on its own)"));
}

namespace colosla::core::statement {
std::string_view statement_template();  // generated from templates/statement.html.mustache
}  // namespace colosla::core::statement

TEST_CASE("statement: the template writes no value unescaped", "[render][statement]") {
  const std::string_view t = statement::statement_template();
  REQUIRE(t.size() > 1000);
  CHECK(t.find("{{{") == std::string_view::npos);
  CHECK(t.find("{{&") == std::string_view::npos);
  CHECK(t.find("{{=") == std::string_view::npos);  // no change of delimiters that could hide one
}
