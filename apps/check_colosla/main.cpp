// check_colosla: a Nagios/Icinga check of one contract's SLA (Monitoring Plugins guidelines).
//
//   check_colosla --contract ID [--db PATH] [--guarantee network|power|emergency]...
//                 [-w RANGE] [-c RANGE] [--budget-warning PERCENT] [--max-age S] [--as-of T]
//
// The NMS starts it for every check of every contract, so the usual path is short: one indexed
// read of the figures `colosla evaluate` stored (colosla-trapd runs it every minute), judged here.
// It links SQLite (statically), the judgement and the store's status reader only: no time zone
// database, no Net-SNMP, no libyang. When the stored figures are missing or older than --max-age,
// or --as-of asks for another time, it hands over to `colosla check` (the same process, exec),
// which computes them from the store. Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
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
#include "colosla/store/status_reader.hpp"

namespace {

using colosla::core::CheckStatus;

int unknown(const std::string& why) {
  std::cout << "COLOSLA UNKNOWN: " << why << "\n";
  return static_cast<int>(CheckStatus::unknown);
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
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    const auto stored = core::read_stored_status(db, a->contract);
    if (stored && now - stored->computed_at <= a->max_age) {
      auto status = core::status_from_json(stored->status);
      if (status) {
        const core::CheckResult r = core::judge(*status, a->options);
        std::cout << r.output << "figures of colosla evaluate, " << now - stored->computed_at
                  << " s old\n";
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
