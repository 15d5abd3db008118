// colosla report --month YYYY-MM [--contract ID] [--as-of T] [--format text|json|csv|html]
#include <iostream>

#include "cli.hpp"
#include "colosla/operations.hpp"
#include "colosla/report_format.hpp"

namespace colosla::cli {

int run_report(Context& ctx) {
  po::options_description d("report");
  d.add_options()("month", po::value<std::string>(), "the month, YYYY-MM (in each contract's time zone)")(
      "contract", po::value<std::string>(), "only this contract")(
      "as-of", po::value<std::string>()->default_value("now"),
      "evaluate as of this time (RFC 3339 or now): nothing after it counts")(
      "format", po::value<std::string>()->default_value("text"), "text, json, csv or html");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  if (vm->count("month") == 0) {
    throw UsageError("--month YYYY-MM is required");
  }
  auto month = parse_month((*vm)["month"].as<std::string>());
  if (!month) {
    throw UsageError("--month: " + month.error().msg);
  }
  const std::string format = format_option(*vm, {"text", "json", "csv", "html"});
  const Timestamp as_of = parse_time_option("as-of", (*vm)["as-of"].as<std::string>(), *ctx.clock);
  std::optional<std::string> contract;
  if (vm->count("contract") != 0) {
    contract = (*vm)["contract"].as<std::string>();
  }
  auto store = open_store(ctx, core::Store::Mode::existing);
  if (!store) {
    return kFailed;
  }
  auto r = core::month_report(*store, *month, as_of, contract);
  if (!r) {
    return report(r.error());
  }
  if (format == "json") {
    std::cout << core::report_json(*r);
  } else if (format == "csv") {
    std::cout << core::report_csv(*r);
  } else if (format == "html") {
    std::cout << core::report_html(*r);
  } else {
    std::cout << core::report_text(*r);
  }
  return kOk;
}

}  // namespace colosla::cli
