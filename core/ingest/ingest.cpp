#include "colosla/ingest/ingest.hpp"

namespace colosla::core {

bool stores(const Processed& p) {
  return p.disposition == Disposition::observation || p.disposition == Disposition::evidence ||
         p.disposition == Disposition::malformed;
}

bool answers_inform(const Processed& p) {
  return p.disposition != Disposition::unknown_source &&
         p.disposition != Disposition::bad_community;
}

bool any(const TrapCounters& d) {
  for (const auto& [name, n] : d.named()) {
    if (n != 0) {
      return true;
    }
  }
  return false;
}

bool IngestBatch::add(Processed& p) {
  switch (p.disposition) {
    case Disposition::observation:
      for (auto& o : p.observations) {
        observations.push_back(std::move(o));
      }
      return true;
    case Disposition::evidence:
    case Disposition::malformed:
      evidence.push_back(std::move(p.evidence));
      return true;
    default:
      return false;
  }
}

bool IngestBatch::empty() const {
  return observations.empty() && evidence.empty() && !any(counters);
}

Result<void> write_batch(Store& store, const IngestBatch& batch, bool merge) {
  if (batch.empty() && !merge) {
    return {};
  }
  return store.write([&]() -> Result<void> {
    if (!batch.observations.empty()) {
      COLOSLA_TRY(store.add_observations(batch.observations));
    }
    if (merge) {
      COLOSLA_TRY(store.maintain());  // inside write(): the merge only
    }
    if (!batch.evidence.empty()) {
      COLOSLA_TRY(store.add_evidence(batch.evidence));
    }
    return any(batch.counters) ? store.add_counters(batch.counters.named(), batch.at)
                               : Result<void>{};
  });
}

void load_port_names(TrapProcessor& proc, const ReceiverState& store) {
  if (auto index = store.port_index()) {
    for (auto& [dev, names] : *index) {
      proc.set_port_names(dev, std::move(names));
    }
  }
}

}  // namespace colosla::core
