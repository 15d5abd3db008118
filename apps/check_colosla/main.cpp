// check_colosla: a Nagios/Icinga check of one contract's SLA (Monitoring Plugins guidelines).
//
//   check_colosla --contract ID [--db PATH] [--guarantee network|power|emergency]...
//                 [-w RANGE] [-c RANGE] [--budget-warning PERCENT] [--as-of T]
//
// Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad arguments, the store cannot be read, an
// unknown contract). It reads the store and nothing else, and parses its few options by hand:
// Boost.Program_options would be one more shared library to load on every check.
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/calendar.hpp"
#include "colosla/check.hpp"
#include "colosla/clock.hpp"
#include "colosla/store.hpp"

namespace {

using colosla::core::CheckStatus;

constexpr const char* kUsage =
    "usage: check_colosla --contract ID [--db PATH] [--guarantee network|power|emergency]\n"
    "                     [-w RANGE] [-c RANGE] [--budget-warning PERCENT] [--as-of T]\n"
    "\n"
    "Checks one contract's SLA for the current month (in the contract's time zone) from the\n"
    "colosla store (--db, else $COLOSLA_DB, else /var/lib/colosla/colosla.db).\n"
    "  --guarantee   network, power or emergency; repeatable (default: all three)\n"
    "  -w, -c        Monitoring Plugins ranges on the minutes of outage budget left (network,\n"
    "                power): -w 22: -c 0: warns below 22 minutes left, critical at none left.\n"
    "                Without them: WARNING once --budget-warning percent (default 50) of the\n"
    "                budget is used, CRITICAL once the guarantee is breached; emergency: WARNING\n"
    "                while an emergency is open and the customer not yet told, CRITICAL once a\n"
    "                notification deadline was missed.\n"
    "  --as-of T     judge at T (RFC 3339) instead of now\n"
    "Performance data: per guarantee the minutes left, counted, budget, pending, availability.\n"
    "Exit: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n";

int unknown(const std::string& why) {
  std::cout << "COLOSLA UNKNOWN: " << why << "\n";
  return static_cast<int>(CheckStatus::unknown);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace colosla;
  std::string contract;
  const char* env_db = std::getenv("COLOSLA_DB");
  std::string db = env_db != nullptr && *env_db != '\0' ? env_db : "/var/lib/colosla/colosla.db";
  core::CheckOptions options;
  std::optional<Timestamp> as_of;
  const std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return static_cast<int>(CheckStatus::unknown);
    }
    if (a == "-V" || a == "--version") {
      std::cout << "check_colosla 0.1.0 (colosla store schema " << core::Store::kSchemaVersion << ")\n";
      return static_cast<int>(CheckStatus::unknown);
    }
    // --name VALUE or --name=VALUE; -w VALUE or -wVALUE.
    std::string name = a;
    std::optional<std::string> value;
    if (const auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    } else if ((a.rfind("-w", 0) == 0 || a.rfind("-c", 0) == 0) && a.size() > 2 && a[1] != '-') {
      name = a.substr(0, 2);
      value = a.substr(2);
    }
    const bool known = name == "--contract" || name == "--db" || name == "--guarantee" || name == "-w" ||
                       name == "--warning" || name == "-c" || name == "--critical" || name == "--budget-warning" ||
                       name == "--as-of";
    if (!known) {
      return unknown("unknown option \"" + a + "\" (check_colosla --help)");
    }
    if (!value) {
      if (i + 1 >= args.size()) {
        return unknown(name + " needs a value (check_colosla --help)");
      }
      value = args[++i];
    }
    if (name == "--contract") {
      contract = *value;
    } else if (name == "--db") {
      db = *value;
    } else if (name == "--guarantee") {
      auto g = core::parse_checked_guarantee(*value);
      if (!g) {
        return unknown(g.error().msg);
      }
      options.guarantees.push_back(*g);
    } else if (name == "-w" || name == "--warning" || name == "-c" || name == "--critical") {
      auto r = core::ThresholdRange::parse(*value);
      if (!r) {
        return unknown(name + ": " + r.error().msg);
      }
      (name == "-w" || name == "--warning" ? options.warning : options.critical) = *r;
    } else if (name == "--budget-warning") {
      char* end = nullptr;
      const long p = std::strtol(value->c_str(), &end, 10);
      if (end == value->c_str() || *end != '\0' || p < 1 || p > 100) {
        return unknown("--budget-warning must be a whole percent from 1 to 100, not \"" + *value + "\"");
      }
      options.budget_warning_percent = static_cast<int>(p);
    } else if (name == "--as-of") {
      auto t = parse_time(*value);
      if (!t) {
        return unknown("--as-of: " + t.error().msg);
      }
      as_of = *t;
    }
  }
  if (contract.empty()) {
    return unknown("--contract is required (check_colosla --help)");
  }
  auto store = core::Store::open(db, core::Store::Mode::read_only);
  if (!store) {
    return unknown("cannot read the store " + db + ": " + store.error().msg);
  }
  SystemClock clock;
  auto report = core::current_contract_report(**store, contract, as_of.value_or(clock.now()));
  if (!report) {
    return unknown(report.error().to_string());
  }
  const core::CheckResult r = core::judge(report->first, report->second, options);
  std::cout << r.output;
  return static_cast<int>(r.status);
}
