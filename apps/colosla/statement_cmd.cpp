// colosla statement close|list|show|verify|export: closed monthly statements (SPEC §7b,
// docs/statements.md). The work is core/services' (statements.hpp); this file parses and prints.
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "colosla/render/statement.hpp"
#include "colosla/services/statements.hpp"
#include "commands.hpp"

namespace colosla::cli {

namespace {

std::chrono::year_month month_option(const po::variables_map& vm) {
  auto month = parse_month(required(vm, "month"));
  if (!month) {
    throw UsageError("--month: " + month.error().msg);
  }
  return *month;
}

std::optional<std::string> contract_option(const po::variables_map& vm) {
  if (vm.count("contract") == 0) {
    return std::nullopt;
  }
  return vm["contract"].as<std::string>();
}

}  // namespace

int statement_close(Context& ctx) {
  po::options_description d("statement close");
  d.add_options()("month", po::value<std::string>(), "the month, YYYY-MM (required)")(
      "contract", po::value<std::string>(),
      "only this contract (default: every contract in force)")(
      "as-of", po::value<std::string>()->default_value("now"),
      "freeze the month as of this time (RFC 3339 or now): at or after the month's end")(
      "by", po::value<std::string>(), "who closes it (default: your login name)");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  core::CloseRequest request;
  request.month = month_option(*vm);
  request.contract = contract_option(*vm);
  request.as_of = parse_time_option("as-of", (*vm)["as-of"].as<std::string>(), *ctx.clock);
  request.by = entered_by(*vm);
  auto store = open_store(ctx, core::Store::Mode::existing);
  if (!store) {
    return kFailed;
  }
  auto closed = core::close_month(*store, request, *ctx.clock);
  if (!closed) {
    report(closed.error());
    std::cerr << "colosla: nothing closed\n";
    return exit_for(closed.error());
  }
  for (const core::Statement& s : *closed) {
    std::cout << "closed " << s.contract << " " << s.month << ": statement " << s.number
              << ", digest " << s.digest << "\n";
  }
  if (closed->empty()) {
    std::cout << "no contract is in force in " << format_month(request.month)
              << ": nothing closed\n";
  }
  return kOk;
}

int statement_list(Context& ctx) {
  po::options_description d("statement list");
  d.add_options()("contract", po::value<std::string>(), "only this contract")(
      "format", po::value<std::string>()->default_value("text"), "text, json or csv");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  const std::string format = format_option(*vm, {"text", "json", "csv"});
  auto store = open_store(ctx, core::Store::Mode::read_only);
  if (!store) {
    return kFailed;
  }
  auto all = store->statements(contract_option(*vm));
  if (!all) {
    return report(all.error());
  }
  if (format == "csv") {
    if (auto r = core::statements_csv(*all, std::cout); !r) {
      return report(r.error());
    }
    return kOk;
  }
  if (format == "json") {
    // One statement a line, as `statement show --format json` prints it.
    for (const core::Statement& s : *all) {
      auto doc = core::statement_document(s, "both");
      if (!doc) {
        return report(doc.error());
      }
      std::cout << *doc << "\n";
    }
    return kOk;
  }
  for (const core::Statement& s : *all) {
    auto doc = core::statement_document(s, "both");
    if (!doc) {
      return report(doc.error());
    }
    const auto j = nlohmann::json::parse(*doc);
    std::cout << s.number << "  " << s.contract << "  " << s.month << "  total "
              << j["statement"].value("total", "") << " " << j["statement"].value("currency", "")
              << "  closed " << format_time_utc(s.closed_at) << " by " << s.closed_by << "\n";
  }
  return kOk;
}

int statement_show(Context& ctx) {
  po::options_description d("statement show");
  d.add_options()("contract", po::value<std::string>(), "the contract (required)")(
      "month", po::value<std::string>(), "the month, YYYY-MM (required)")(
      "format", po::value<std::string>()->default_value("text"), "text, json, html or pdf")(
      "language", po::value<std::string>(),
      "zh, en or both (default: the contract's language in the inventory, else both)");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  const std::string contract = required(*vm, "contract");
  const auto month = month_option(*vm);
  const std::string format = format_option(*vm, {"text", "json", "html", "pdf"});
  std::string language = vm->count("language") != 0 ? (*vm)["language"].as<std::string>() : "";
  if (!language.empty() && language != "zh" && language != "en" && language != "both") {
    throw UsageError("--language: zh, en or both, not \"" + language + "\"");
  }
  auto store = open_store(ctx, core::Store::Mode::read_only);
  if (!store) {
    return kFailed;
  }
  if (language.empty()) {
    auto c = store->load_contract(contract);
    if (!c) {
      return report(c.error());
    }
    language = *c && !(*c)->contracts.empty() ? (*c)->contracts.front().language : "both";
  }
  auto doc = core::statement_document(*store, contract, month, language, *ctx.clock);
  if (!doc) {
    return report(doc.error());
  }
  if (format == "json") {
    std::cout << *doc << "\n";
    return kOk;
  }
  if (format == "html" || format == "pdf") {
    const std::string html = core::statement_html(nlohmann::json::parse(*doc));
    if (format == "html") {
      std::cout << html;
      return kOk;
    }
    auto pdf = core::statement_pdf(html);
    if (!pdf) {
      return report(pdf.error());
    }
    std::cout.write(pdf->data(), static_cast<std::streamsize>(pdf->size()));
    return std::cout.flush() ? kOk : kFailed;
  }
  auto text = core::statement_text(*doc);
  if (!text) {
    return report(text.error());
  }
  std::cout << *text;
  return kOk;
}

int statement_verify(Context& ctx) {
  po::options_description d("statement verify");
  d.add_options()("last", po::value<std::string>(),
                  "a digest verify printed before (kept elsewhere): the chain must still hold "
                  "that statement (finds statements removed from its end)");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  auto store = open_store(ctx, core::Store::Mode::read_only);
  if (!store) {
    return kFailed;
  }
  auto check = core::verify_statements(*store);
  if (!check) {
    return report(check.error());
  }
  if (check->broken) {
    const core::Statement& s = *check->broken;
    std::cout << "BROKEN: statement " << s.number << " (" << s.contract << " " << s.month
              << ", place " << s.seq << "): " << check->why << "; " << check->count
              << " statements before it hold\n";
    return kRejected;
  }
  if (vm->count("last") != 0) {
    const std::string last = (*vm)["last"].as<std::string>();
    auto all = store->statements(std::nullopt);
    if (!all) {
      return report(all.error());
    }
    const bool held = std::any_of(all->begin(), all->end(),
                                  [&](const core::Statement& s) { return s.digest == last; });
    if (!held) {
      std::cout << "BROKEN: no statement has the digest " << last << " any more: statements were "
                << "removed from the end of the chain (" << check->count << " statements hold)\n";
      return kRejected;
    }
  }
  std::cout << "OK: " << check->count << " statements, the chain holds; last digest "
            << (check->last_digest.empty() ? "(none)" : check->last_digest) << "\n";
  return kOk;
}

int statement_export(Context& ctx) {
  po::options_description d("statement export");
  d.add_options()("month", po::value<std::string>(), "the month, YYYY-MM (required)")(
      "contract", po::value<std::string>(), "only this contract")(
      "format", po::value<std::string>()->default_value("csv"), "csv");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  const std::string month = format_month(month_option(*vm));
  format_option(*vm, {"csv"});
  auto store = open_store(ctx, core::Store::Mode::read_only);
  if (!store) {
    return kFailed;
  }
  auto all = store->statements(contract_option(*vm));
  if (!all) {
    return report(all.error());
  }
  std::vector<core::Statement> of_month;
  for (auto& s : *all) {
    if (s.month == month) {
      of_month.push_back(std::move(s));
    }
  }
  if (auto r = core::statements_csv(of_month, std::cout); !r) {
    return report(r.error());
  }
  return kOk;
}

}  // namespace colosla::cli
