// colosla report --month YYYY-MM [--contract ID] [--as-of T] [--format text|json|csv|html|pdf]
#include <iostream>
#include <map>
#include <vector>

#include "cli.hpp"
#include "colosla/render/statement.hpp"
#include "colosla/services/operations.hpp"
#include "colosla/sla/report_format.hpp"
#include "commands.hpp"

namespace colosla::cli {

int report_month(Context& ctx) {
  po::options_description d("report");
  d.add_options()("month", po::value<std::string>(),
                  "the month, YYYY-MM (in each contract's time zone)")(
      "contract", po::value<std::string>(), "only this contract")(
      "as-of", po::value<std::string>()->default_value("now"),
      "evaluate as of this time (RFC 3339 or now): nothing after it counts")(
      "format", po::value<std::string>()->default_value("text"),
      "text, json, csv, html or pdf (html and pdf: each contract's draft statement)");
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
  const std::string format = format_option(*vm, {"text", "json", "csv", "html", "pdf"});
  const Timestamp as_of = parse_time_option("as-of", (*vm)["as-of"].as<std::string>(), *ctx.clock);
  std::optional<std::string> contract;
  if (vm->count("contract") != 0) {
    contract = (*vm)["contract"].as<std::string>();
  }
  auto store = open_store(ctx, core::Store::Mode::read_only);
  if (!store) {
    return kFailed;
  }
  // Written as computed, contract by contract; nothing reaches stdout when the report fails
  // before its first contract (an unknown contract, an unreadable store).
  std::string render_error;
  // A draft statement is in each contract's language (the inventory's `language`, default both).
  std::map<std::string, std::string> languages;
  if (format == "html" || format == "pdf") {
    auto inventory = store->load_inventory();
    if (!inventory) {
      return report(inventory.error());
    }
    for (const auto& c : *inventory ? (*inventory)->contracts : std::vector<core::Contract>{}) {
      languages[c.id] = c.language;
    }
  }
  const auto complete_statement = [&](const core::ContractReport& c, nlohmann::json& document) {
    const auto it = languages.find(c.id);
    document["language"] = it != languages.end() ? it->second : "both";
  };
  auto writer =
      format == "html" || format == "pdf"
          ? core::make_statement_writer(format, std::cout, complete_statement, &render_error)
          : core::make_report_writer(format, std::cout);
  bool begun = false;
  auto r = core::month_report(*store, *month, as_of, contract, [&](const core::ContractReport& c) {
    if (!begun) {
      writer->begin(*month, as_of);
      begun = true;
    }
    writer->contract(c);
  });
  if (!r) {
    return report(r.error());
  }
  if (!begun) {
    writer->begin(*month, as_of);
  }
  writer->end();
  std::cout.flush();
  if (!render_error.empty()) {
    return report(make_error(Errc::io, render_error));
  }
  return kOk;
}

}  // namespace colosla::cli
