#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "colosla/base/clock.hpp"
#include "colosla/base/result.hpp"
#include "colosla/judge/judge.hpp"
#include "colosla/sla/events.hpp"
#include "colosla/store/store.hpp"

/// `colosla evaluate` as a service: every contract's figures for its current month, stored for
/// check_colosla, and the SLA events they give, recorded once each.
namespace colosla::core {

struct EvaluateOptions {
  Timestamp as_of;
  /// Percent of a month's outage budget used that makes a budget-warning event.
  int budget_warning_percent = 50;
  /// Contracts judged together: the history of one batch's ports, power sources, uplinks and
  /// probes is in memory at a time, not the whole store's.
  std::size_t batch = 200;
  /// Where the figures are published for the monitoring users (judge/published.hpp), each
  /// contract's as it changes; empty: not published.
  std::string status_dir;
  /// Called with each event this run recorded (its id given), in order, as it is recorded.
  std::function<void(const SlaEvent&)> on_fresh;
};

struct Evaluation {
  bool no_inventory = false;  ///< none is loaded: nothing was evaluated
  bool full = false;          ///< every contract was judged (else only those that could change)
  std::size_t stored = 0;     ///< contracts whose figures are stored (in force this month)
  std::size_t judged = 0;     ///< contracts judged by this run
  std::size_t fresh = 0;      ///< events this run recorded (EvaluateOptions::on_fresh saw each)
  /// The figures of the contracts judged by this run (the sinks read those of `fresh`).
  std::map<std::string, ContractStatus> figures;
  std::size_t published = 0;  ///< contracts whose figures this run published
  /// Why the figures could not be published (the store's are saved all the same; the next run
  /// publishes every contract's again).
  std::optional<Error> publish_error;
};

/// Evaluates the store, remembering between runs what it needs to judge again only the contracts
/// whose figures can have changed: those whose inputs changed (observations of their ports,
/// power sources, probes or of an uplink; their records) and those whose figures move with time
/// alone (something not up, energized or passing; an open emergency; seconds pending the
/// customer's report; an installation not yet complete; a contract not yet begun). Everything is
/// judged on the first run, and again when the inventory, a port mapping or any contract's
/// month changed. A contract judged by an incremental run gets exactly the figures and events a
/// full run would give it; the others' stored figures are marked computed now (they are what a
/// full run would store).
class Evaluator {
 public:
  Evaluator();
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  /// One evaluation as of o.as_of; `now` is when it is stored (computed_at, recorded).
  Result<Evaluation> run(Store& store, const EvaluateOptions& o, Timestamp now);

 private:
  struct Memory;
  std::unique_ptr<Memory> memory_;

  static Result<std::size_t> publish(
      const std::string& dir, const std::vector<std::pair<std::string, std::string>>& statuses,
      bool full, const Inventory& inventory, const std::set<std::string>& stored, Timestamp now);
};

}  // namespace colosla::core
