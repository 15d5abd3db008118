// check_colosla: a Nagios/Icinga check of one contract's SLA (Monitoring Plugins guidelines).
//
//   check_colosla --contract ID [--db PATH] [--status-dir DIR] [--guarantee G]... [-w RANGE]
//                 [-c RANGE] [--budget-warning PERCENT] [--unmonitored-warning MINUTES]
//                 [--no-now-warning] [--max-age S] [--as-of T] [-t SECONDS] [-v]...
//
// The NMS starts it for every check of every contract, as its own user (nagios, in the group
// colosla-monitor), who may not read the store and its secrets. So the usual path reads the
// figures `colosla evaluate` publishes (colosla-trapd runs it every minute) in the status
// directory, two small files, and judges them here; it links the judgement alone: no SQLite, no
// time zone database, no Net-SNMP, no libyang. When the published figures are missing or older
// than --max-age, or --as-of asks for another time, it hands over to `colosla check` (the same
// process, exec), which computes them from the store, if this user may read the store; else
// UNKNOWN, saying why. -t bounds the whole, the hand-over included (the alarm survives the exec).
// Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "colosla/base/store_location.hpp"
#include "colosla/judge/judge.hpp"
#include "colosla/judge/programs.hpp"
#include "colosla/judge/published.hpp"

namespace {

using colosla::core::CheckStatus;

int unknown(const std::string& why) {
  std::cout << "COLOSLA UNKNOWN: " << why << "\n";
  return static_cast<int>(CheckStatus::unknown);
}

std::string utc(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
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
  arm_check_timeout(a->timeout);
  const char* env_db = std::getenv("COLOSLA_DB");
  const std::string db = a->db                                  ? *a->db
                         : env_db != nullptr && *env_db != '\0' ? env_db
                                                                : "/var/lib/colosla/colosla.db";
  const std::string dir = a->status_dir ? *a->status_dir : core::default_status_dir(db);
  std::string why;  // why not the published figures
  if (a->as_of) {
    why = "--as-of judges from the store";
  } else {
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    auto published = core::read_published(dir, a->contract);
    if (published && now - published->computed_at <= a->max_age) {
      const core::CheckResult r = core::judge(published->status, a->options);
      std::cout << r.output << "figures of colosla evaluate, " << now - published->computed_at
                << " s old\n";
      if (a->verbose >= 1) {
        std::cout << "source: " << published->file << ", computed at "
                  << utc(published->computed_at) << " (--max-age " << a->max_age << " s)\n";
      }
      if (a->verbose >= 2) {
        std::cout << "figures as of " << utc(published->status.as_of.time_since_epoch().count())
                  << ", month " << published->status.month << "; last evaluation "
                  << (published->evaluated_at != 0 ? utc(published->evaluated_at) : "unknown")
                  << "\nfigures: " << core::to_json(published->status) << "\n";
      }
      return static_cast<int>(r.status);
    }
    const std::string running = ": is colosla-trapd's evaluator running?";
    if (published) {
      why = "figures " + std::to_string(now - published->computed_at) + " s old (--max-age " +
            std::to_string(a->max_age) + ")" + running;
    } else if (published.error().code == Errc::io) {
      why = published.error().to_string() + " (is this user in the group colosla-monitor?)";
    } else {
      why = published.error().to_string() + running;
    }
  }
  // Computed now, from the store, by colosla check in this process: only for a user who may read
  // the store (colosla's own; a monitoring user may not, it holds the secrets). A PostgreSQL
  // store's server decides that (its roles, pg_hba.conf; colosla check answers UNKNOWN with the
  // server's refusal).
  if (!core::is_postgresql_location(db)) {
    const int fd = ::open(db.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return unknown(why + "; cannot read the store " + db +
                     " to compute them: " + std::strerror(errno));
    }
    ::close(fd);
  }
  const std::string program = program_path("colosla", "colosla");
  std::vector<std::string> hand{program, "--db", db, "check"};
  hand.insert(hand.end(), args.begin(), args.end());
  std::vector<char*> av;
  for (auto& s : hand) {
    av.push_back(s.data());
  }
  av.push_back(nullptr);
  execvp(program.c_str(), av.data());
  return unknown("cannot run " + program + " to compute the figures (" + why +
                 "): " + std::strerror(errno));
}
