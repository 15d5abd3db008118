// The customer's statement as HTML: the view (statement_view.cpp) rendered by kainjow's Mustache
// with the embedded template. The template writes every value with {{ }}, which escapes it.
#include "colosla/render/statement.hpp"

#include <kainjow/mustache.hpp>
#include <sstream>

#include "colosla/base/calendar.hpp"
#include "labels.hpp"
#include "view.hpp"

namespace colosla::core {

namespace statement {
std::string_view statement_template();  // generated from templates/statement.html.mustache
}  // namespace statement

namespace {

namespace mustache = kainjow::mustache;
using nlohmann::json;

// The view as Mustache data: null and false are false (a section skipped), numbers text.
mustache::data to_data(const json& j) {
  switch (j.type()) {
    case json::value_t::object: {
      mustache::data d{mustache::data::type::object};
      for (const auto& [k, v] : j.items()) {
        d.set(k, to_data(v));
      }
      return d;
    }
    case json::value_t::array: {
      mustache::data d{mustache::data::type::list};
      for (const auto& v : j) {
        d.push_back(to_data(v));
      }
      return d;
    }
    case json::value_t::string:
      return mustache::data{j.get<std::string>()};
    case json::value_t::boolean:
      return mustache::data{j.get<bool>()};
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return mustache::data{j.dump()};
    default:
      return mustache::data{false};
  }
}

// A label in the statement's languages: Chinese, then English.
constexpr const char* kLabel = R"x({{#zh}}<span class="zh" lang="zh-CN">{{zh}}</span>{{/zh}})x"
                               R"x({{#en}}<span class="en" lang="en">{{en}}</span>{{/en}})x";
// The agreement's words: its Chinese as written, then the English rendering.
constexpr const char* kQuote =
    R"x(<p><q lang="zh-Hant">{{zh}}</q>{{#en}}<span class="en" lang="en">{{en}}</span>{{/en}}</p>)x";
// The fills of the timeline's states: each its colour and a pattern, so that it reads in black
// and white too (solid, stripes, dots, crosses, lines, thin diagonals).
constexpr const char* kPatterns =
    R"x(<pattern id="{{pid}}-available" width="8" height="8" patternUnits="userSpaceOnUse">)x"
    R"x(<rect width="8" height="8" fill="#dcefd9"/></pattern>)x"
    R"x(<pattern id="{{pid}}-counted" width="8" height="8" patternUnits="userSpaceOnUse">)x"
    R"x(<rect width="8" height="8" fill="#b71c1c"/></pattern>)x"
    R"x(<pattern id="{{pid}}-excluded" width="6" height="6" patternUnits="userSpaceOnUse" )x"
    R"x(patternTransform="rotate(45)"><rect width="6" height="6" fill="#bbdefb"/>)x"
    R"x(<rect width="2.5" height="6" fill="#0d47a1"/></pattern>)x"
    R"x(<pattern id="{{pid}}-pending" width="6" height="6" patternUnits="userSpaceOnUse">)x"
    R"x(<rect width="6" height="6" fill="#ffe0b2"/><circle cx="3" cy="3" r="1.7" fill="#e65100"/>)x"
    R"x(</pattern>)x"
    R"x(<pattern id="{{pid}}-unreported" width="6" height="6" patternUnits="userSpaceOnUse">)x"
    R"x(<rect width="6" height="6" fill="#e1bee7"/><path d="M0 0L6 6M6 0L0 6" stroke="#4a148c" )x"
    R"x(stroke-width="1.2"/></pattern>)x"
    R"x(<pattern id="{{pid}}-unmonitored" width="6" height="6" patternUnits="userSpaceOnUse">)x"
    R"x(<rect width="6" height="6" fill="#e0e0e0"/><rect y="2" width="6" height="1.6" )x"
    R"x(fill="#424242"/></pattern>)x"
    R"x(<pattern id="{{pid}}-future" width="8" height="8" patternUnits="userSpaceOnUse">)x"
    R"x(<rect width="8" height="8" fill="#ffffff"/><path d="M0 8L8 0" stroke="#9e9e9e" )x"
    R"x(stroke-width="0.8"/></pattern>)x";

std::string render_page(const std::vector<json>& documents) {
  json view = json::object();
  json statements = json::array();
  for (std::size_t i = 0; i < documents.size(); ++i) {
    statements.push_back(statement::statement_view(documents[i], i));
  }
  std::string language = "both";
  if (!documents.empty() && documents.front().is_object() &&
      documents.front().contains("language") && documents.front()["language"].is_string()) {
    language = documents.front()["language"].get<std::string>();
  }
  const auto l = statement::Languages::of(language);
  view["html-lang"] = l.zh ? "zh-CN" : "en";
  view["lang-class"] = l.zh && l.en ? "both" : l.zh ? "zh" : "en";
  std::string title = "Statement";
  if (!statements.empty()) {
    const json& s = statements.front();
    title = (l.zh ? std::string("服务水平月度结算单 ") : std::string()) +
            (l.en ? std::string("Statement ") : std::string()) + s["contract"].get<std::string>() +
            " " + s["month"].get<std::string>();
  }
  view["title"] = title;
  view["statements"] = statements;
  mustache::data data = to_data(view);
  data.set("l", mustache::partial{[] { return std::string(kLabel); }});
  data.set("q", mustache::partial{[] { return std::string(kQuote); }});
  data.set("patterns", mustache::partial{[] { return std::string(kPatterns); }});
  mustache::mustache tmpl{std::string(statement::statement_template())};
  // A template that does not parse is a build mistake, found by the unit tests.
  if (!tmpl.is_valid()) {
    return "<!DOCTYPE html><title>template error</title><p>" +
           mustache::html_escape(tmpl.error_message()) + "</p>";
  }
  return tmpl.render(data);
}

// `colosla report --format html|pdf`: every contract's draft statement on one page.
class StatementWriter final : public ReportWriter {
 public:
  StatementWriter(bool pdf, std::ostream& out, CompleteDocument complete, std::string* error)
      : pdf_(pdf), out_(out), complete_(std::move(complete)), error_(error) {}
  void begin(std::chrono::year_month month, Timestamp as_of) override {
    month_ = month;
    as_of_ = as_of;
  }
  void contract(const ContractReport& c) override {
    docs_.push_back(draft_document(month_, as_of_, c, "both"));
    if (complete_) {
      complete_(c, docs_.back());
    }
  }
  void end() override {
    const std::string html = statements_html(docs_);
    if (!pdf_) {
      out_ << html;
      return;
    }
    auto pdf = statement_pdf(html);
    if (!pdf) {
      if (error_ != nullptr) {
        *error_ = pdf.error().to_string();
      }
      return;
    }
    out_.write(pdf->data(), static_cast<std::streamsize>(pdf->size()));
  }

 private:
  bool pdf_;
  std::ostream& out_;
  CompleteDocument complete_;
  std::string* error_;
  std::chrono::year_month month_;
  Timestamp as_of_;
  std::vector<json> docs_;
};

}  // namespace

std::string statement_html(const nlohmann::json& document) { return render_page({document}); }

std::string statements_html(const std::vector<nlohmann::json>& documents) {
  return render_page(documents);
}

nlohmann::json draft_document(std::chrono::year_month month, Timestamp as_of,
                              const ContractReport& c, std::string_view language) {
  json doc = json::object();
  doc["statement"] = nullptr;
  doc["report"] = json::parse(contract_json(month, c));
  doc["adjustments"] = json::array();
  doc["language"] = std::string(language);
  const auto zone = Zone::locate(c.time_zone);
  doc["as-of"] = format_time(as_of, zone ? *zone : Zone::utc());
  return doc;
}

std::unique_ptr<ReportWriter> make_statement_writer(std::string_view format, std::ostream& out,
                                                    CompleteDocument complete, std::string* error) {
  if (format == "html" || format == "pdf") {
    return std::make_unique<StatementWriter>(format == "pdf", out, std::move(complete), error);
  }
  return nullptr;
}

}  // namespace colosla::core
