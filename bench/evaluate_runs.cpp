// bench/evaluate's measuring program: in one process, a full evaluation of a store (every
// contract judged) and then an incremental one with nothing changed, each timed, and the peak
// resident memory after each. Prints one line of JSON.
//   colosla-bench-evaluate DB AS_OF
#include <sys/resource.h>

#include <chrono>
#include <iostream>

#include "colosla/base/calendar.hpp"
#include "colosla/base/log.hpp"
#include "colosla/services/evaluate.hpp"

using namespace colosla;

namespace {

double peak_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: colosla-bench-evaluate DB AS_OF\n";
    return 2;
  }
  auto as_of = parse_time(argv[2]);
  if (!as_of) {
    std::cerr << as_of.error().msg << "\n";
    return 2;
  }
  auto store = core::Store::open(argv[1], core::Store::Mode::existing);
  if (!store) {
    std::cerr << store.error().to_string() << "\n";
    return 1;
  }
  core::Evaluator evaluator;
  const auto timed = [&](Timestamp t) -> double {
    const auto t0 = std::chrono::steady_clock::now();
    core::EvaluateOptions o;
    o.as_of = t;
    auto r = evaluator.run(**store, o, t);
    const auto t1 = std::chrono::steady_clock::now();
    if (!r) {
      std::cerr << r.error().to_string() << "\n";
      std::exit(1);
    }
    std::cerr << (r->full ? "full" : "incremental") << ": " << r->judged << " judged, " << r->stored
              << " stored, " << r->fresh << " new events\n";
    return std::chrono::duration<double>(t1 - t0).count();
  };
  const double full = timed(*as_of);
  const double full_peak = peak_mib();
  const double incremental = timed(*as_of + std::chrono::seconds{60});
  std::cout << "{\"full_s\": " << full << ", \"full_peak_mib\": " << full_peak
            << ", \"incremental_s\": " << incremental << ", \"peak_mib\": " << peak_mib() << "}\n";
  return 0;
}
