#pragma once

#include <vector>

#include "colosla/base/result.hpp"
#include "colosla/ingest/trap_processor.hpp"
#include "colosla/store/store.hpp"

/// The one path from processed traps to the store, for colosla-trapd (a batch of many traps,
/// committed by its writer thread) and `colosla trap-handler` (one trap from snmptrapd): what a
/// processed trap stores, whether its inform is answered, and the transaction that writes it all.
namespace colosla::core {

/// What a batch of processed traps writes: their observations and evidence, and what they add
/// to the counters.
struct IngestBatch {
  std::vector<Observation> observations;
  std::vector<TrapEvidence> evidence;
  TrapCounters counters;  ///< added to the stored counters (a delta)
  Timestamp at{};         ///< when the counters were taken

  /// Takes what p stores: its observations (Disposition::observation), or its evidence
  /// (Disposition::evidence, Disposition::malformed). Returns whether it stores anything.
  bool add(Processed& p);
  /// Nothing to write: no row, and no counter that moved.
  [[nodiscard]] bool empty() const;
};

/// Whether a trap processed as p stores anything (IngestBatch::add).
bool stores(const Processed& p);

/// Whether an inform processed as p is answered once its batch is committed. An inform from an
/// unknown sender, or with a refused community, is not ours to answer: it is released, unanswered.
bool answers_inform(const Processed& p);

/// Whether any counter of d is not zero.
bool any(const TrapCounters& d);

/// Writes a batch in one transaction: its observations; the merge of the observations stored
/// since the last one into the history when `merge` (Store::maintain() inside the transaction);
/// its evidence; its counters, if any moved. Nothing of it is stored when it fails. Errors: the
/// store's. With nothing to write and no merge, it does not open a transaction.
Result<void> write_batch(Store& store, const IngestBatch& batch, bool merge = false);

/// Gives the processor every device's ifIndex -> ifName map from the store. A failure to read
/// them leaves the processor's as they were.
void load_port_names(TrapProcessor& proc, const ReceiverState& store);

}  // namespace colosla::core
