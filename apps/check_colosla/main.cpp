// check_colosla: a Nagios/Icinga check of one contract's SLA (Monitoring Plugins guidelines).
//
//   check_colosla --contract ID [--db PATH] [--guarantee network|power|emergency]...
//                 [-w RANGE] [-c RANGE] [--budget-warning PERCENT] [--max-age S] [--as-of T]
//
// The NMS starts it for every check of every contract, so the usual path is short: one indexed
// read of the figures `colosla evaluate` stored (colosla-trapd runs it every minute), judged here.
// It links SQLite (statically) and the judgement only: no time zone database, no Net-SNMP, no
// libyang. When the stored figures are missing or older than --max-age, or --as-of asks for
// another time, it hands over to `colosla check` (the same process, exec), which computes them
// from the store. Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "colosla/judge/judge.hpp"
#include "colosla/judge/programs.hpp"

namespace {

using colosla::core::CheckStatus;

int unknown(const std::string& why) {
  std::cout << "COLOSLA UNKNOWN: " << why << "\n";
  return static_cast<int>(CheckStatus::unknown);
}

// The stored figures of a contract and when they were computed; false when there are none
// (no store, an older store without them, no such row).
bool stored_figures(const std::string& db, const std::string& contract, std::int64_t& computed_at,
                    std::string& status) {
  sqlite3* h = nullptr;
  bool found = false;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) ==
      SQLITE_OK) {
    sqlite3_busy_timeout(h, 2000);
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(
            h,
            "SELECT max(s.computed_at, coalesce((SELECT at FROM evaluation), 0)), s.status "
            "FROM contract_status s WHERE s.contract = ?",
            -1, &s, nullptr) == SQLITE_OK) {
      sqlite3_bind_text(s, 1, contract.c_str(), static_cast<int>(contract.size()), SQLITE_STATIC);
      if (sqlite3_step(s) == SQLITE_ROW) {
        computed_at = sqlite3_column_int64(s, 0);
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
        status.assign(text != nullptr ? text : "");
        found = true;
      }
    }
    sqlite3_finalize(s);
  }
  sqlite3_close_v2(h);
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace colosla;
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto a = core::parse_check_args(args);
  if (!a) {
    return unknown(a.error().msg);
  }
  if (a->help) {
    std::cout << core::kCheckUsage;
    return static_cast<int>(CheckStatus::unknown);
  }
  if (a->version) {
    std::cout << "check_colosla 0.1.0\n";
    return static_cast<int>(CheckStatus::unknown);
  }
  const char* env_db = std::getenv("COLOSLA_DB");
  const std::string db = a->db                                  ? *a->db
                         : env_db != nullptr && *env_db != '\0' ? env_db
                                                                : "/var/lib/colosla/colosla.db";
  if (!a->as_of) {
    std::int64_t computed_at = 0;
    std::string text;
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    if (stored_figures(db, a->contract, computed_at, text) && now - computed_at <= a->max_age) {
      auto status = core::status_from_json(text);
      if (status) {
        const core::CheckResult r = core::judge(*status, a->options);
        std::cout << r.output << "figures of colosla evaluate, " << now - computed_at << " s old\n";
        return static_cast<int>(r.status);
      }
    }
  }
  // Computed now, from the store: colosla check, in this process.
  const std::string program = program_path("colosla", "colosla");
  std::vector<std::string> hand{program, "--db", db, "check"};
  hand.insert(hand.end(), args.begin(), args.end());
  std::vector<char*> av;
  for (auto& s : hand) {
    av.push_back(s.data());
  }
  av.push_back(nullptr);
  execvp(program.c_str(), av.data());
  return unknown("cannot run " + program + " to compute the figures: " + std::strerror(errno));
}
