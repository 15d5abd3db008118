// The statement's view: what the template shows, built from the statement document. Every value
// is read defensively (a key missing or of another type is left out, never an exception), and
// times, durations and money are formatted here so that the template only lays them out.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <regex>
#include <string>

#include "colosla/base/calendar.hpp"
#include "labels.hpp"
#include "read.hpp"
#include "view.hpp"

namespace colosla::core::statement {

namespace {

using nlohmann::json;

// The timeline of one guarantee as SVG data: x and width in a 1000-unit bar.
struct Scale {
  Timestamp begin, end;
  [[nodiscard]] double x(Timestamp t) const {
    const auto span = static_cast<double>((end - begin).count());
    if (span <= 0) {
      return 0;
    }
    const auto off = static_cast<double>((t - begin).count());
    return std::clamp(off / span * 1000.0, 0.0, 1000.0);
  }
};

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::optional<Timestamp> time_of(const std::string& s) {
  auto t = parse_time(s);
  return t ? std::optional<Timestamp>(*t) : std::nullopt;
}

constexpr const char* kStates[] = {"counted",    "excluded",    "pending",
                                   "unreported", "unmonitored", "available"};

}  // namespace

nlohmann::json guarantee_view(const Languages& l, const json& report, const char* which,
                              std::size_t index, const Zone& zone) {
  const json& g = at(report, which);
  const bool network = std::string_view(which) == "network";
  json v = json::object();
  v["name"] = label(l, which);
  v["pid"] = "s" + std::to_string(index) + "-" + which;
  v["aria"] = std::string(network ? "network" : "power") + " timeline";
  // The figures.
  // Each figure with its label: outage, excluded, unreported, pending, counted, unmonitored,
  // availability, limit, result (all_labels' "figure-heads").
  const json heads = all_labels(l)["figure-heads"];
  std::size_t figures_so_far = 0;
  const auto cell = [&](std::string value, bool bad = false) {
    return json{{"value", std::move(value)}, {"bad", bad}, {"label", heads.at(figures_so_far++)}};
  };
  const bool breached = truth(g, "breached");
  json figures = json::array();
  for (const char* k : {"outage-seconds", "excluded-seconds", "unreported-seconds",
                        "pending-seconds", "counted-seconds", "unmonitored-seconds"}) {
    figures.push_back(
        cell(duration(l, num(g, k)), breached && std::string_view(k) == "counted-seconds"));
  }
  figures.push_back(cell(str(g, "availability-percent") + " %", breached));
  figures.push_back(
      cell(network ? duration(l, num(g, "budget-seconds")) : str(g, "availability-target") + " %"));
  const json result = label(l, breached ? "breached" : "met");
  std::string result_text;
  if (l.zh) {
    result_text += result["zh"].get<std::string>();
  }
  if (l.en) {
    result_text += (result_text.empty() ? "" : " ") + result["en"].get<std::string>();
  }
  figures.push_back(cell(result_text, breached));
  v["figures"] = figures;
  if (num(g, "unmonitored-seconds") > 0) {
    const std::string d = duration(l, num(g, "unmonitored-seconds"));
    const std::string p = str(g, "unmonitored-percent");
    v["note"] = label(
        l, "本月有 " + d + "（占全月 " + p + " %）设备状态未知，按可用计算：此期间的中断无法显示。",
        d + " (" + p +
            " % of the month) unmonitored: the state was not known. The "
            "agreement's figures count that time as available, so an outage then would "
            "not show.");
  } else {
    v["note"] = false;
  }
  // The timeline: the period, its spans up to as-of, then what is not yet evaluated.
  const json& period = at(report, "period");
  const auto begin = time_of(str(period, "start"));
  const auto end = time_of(str(period, "end"));
  json spans = json::array(), marks = json::array(), ticks = json::array(), legend = json::array();
  // Without a period (a month listed only for its installation refund) nothing was evaluated.
  v["future"] = json{{"x", "0.00"}, {"w", "1000.00"}};
  v["svg-height"] = 74;
  if (begin && end && *begin < *end) {
    const Scale sc{*begin, *end};
    Timestamp last = *begin;
    double drawn_to = 0;             // where the last drawn span ends on the bar
    Timestamp drawn_until = *begin;  // and the instant it ends at
    for (const auto& s : list(g, "timeline")) {
      const auto from = time_of(str(s, "from"));
      const auto to = time_of(str(s, "to"));
      const std::string state = str(s, "state");
      if (!from || !to || state.empty()) {
        continue;
      }
      last = std::max(last, *to);
      if (state == "available") {
        continue;  // the bar's background
      }
      double x = sc.x(*from), w = sc.x(*to) - x;
      // A short outage stays visible: at least 6 units (0.6 % of the bar) wide, and the parts of
      // one outage (counted, then excluded, …) side by side rather than over each other.
      if (w < 6.0) {
        x = std::clamp(x + w / 2 - 3.0, 0.0, 994.0);
        w = 6.0;
      }
      if (x < drawn_to && *from == drawn_until) {
        x = std::min(drawn_to, 994.0);
      }
      drawn_to = x + w;
      drawn_until = *to;
      spans.push_back(
          {{"x", fixed(x)},
           {"w", fixed(w)},
           {"state", state},
           {"title", local(str(s, "from")) + " – " + local(str(s, "to")) + " " + state}});
    }
    v["future"] = last < *end ? json{{"x", fixed(sc.x(last))}, {"w", fixed(1000.0 - sc.x(last))}}
                              : json(false);
    int n = 0;
    for (const auto& o : list(g, "outages")) {
      ++n;
      if (const auto t = time_of(str(o, "start"))) {
        marks.push_back({{"x", fixed(sc.x(std::max(*t, *begin)))}, {"n", std::to_string(n)}});
      }
    }
    // A tick at each local midnight; the odd days labelled.
    auto day = zone.local_day(*begin);
    for (int i = 0; i < 32; ++i) {
      const Timestamp t = zone.day_start(day);
      if (t >= *end) {
        break;
      }
      if (t >= *begin) {
        const unsigned d = static_cast<unsigned>(day.day());
        ticks.push_back(
            {{"x", fixed(sc.x(t))}, {"label", d % 2 == 1 ? json(std::to_string(d)) : json(false)}});
      }
      day = std::chrono::year_month_day{std::chrono::sys_days{day} + std::chrono::days{1}};
    }
  }
  v["spans"] = spans;
  v["marks"] = marks;
  v["ticks"] = ticks;
  for (const char* s : kStates) {
    legend.push_back(
        {{"state", s}, {"label", label(l, s)}, {"pid", v["pid"].get<std::string>() + "-" + s}});
  }
  if (!v["future"].is_boolean()) {
    legend.push_back({{"state", "future"},
                      {"label", label(l, "future")},
                      {"pid", v["pid"].get<std::string>() + "-future"}});
  }
  v["legend"] = legend;
  // The outages.
  json outages = json::array();
  int n = 0;
  for (const auto& o : list(g, "outages")) {
    json parts = json::array();
    for (const char* k : {"excluded", "pending", "unreported"}) {
      const std::int64_t s = num(o, (std::string(k) + "-seconds").c_str());
      if (s > 0) {
        parts.push_back({{"label", label(l, k)}, {"value", duration(l, s)}});
      }
    }
    if (!str(o, "reported").empty()) {
      parts.push_back({{"label", label(l, "reported-at")}, {"value", local(str(o, "reported"))}});
    }
    outages.push_back({{"n", std::to_string(++n)},
                       {"start", local(str(o, "start"))},
                       {"end", time_or_false(o, "end")},
                       {"counted", duration(l, num(o, "counted-seconds"))},
                       {"parts", parts}});
  }
  v["outages"] = outages;
  v["has-outages"] = !outages.empty();
  v["outage-head"] = label(l, network ? "network-outages" : "power-outages");
  v["no-outage"] = label(l, network ? "no-network-outage" : "no-power-outage");
  return v;
}

std::string without_ids(const std::string& text) {
  static const std::regex paren(R"( ?\((record|observation|event) #[0-9]+\))");
  static const std::regex lead(R"(^(record|observation|event) #[0-9]+: *)");
  static const std::regex named(R"(\b(authorization|complaint|visit|record|observation) #[0-9]+)");
  std::string s = std::regex_replace(text, paren, "");
  s = std::regex_replace(s, lead, "");
  return std::regex_replace(s, named, "$1");
}

}  // namespace colosla::core::statement
