#pragma once

#include <vector>

#include "colosla/base/result.hpp"
#include "colosla/sla/events.hpp"
#include "colosla/store/store.hpp"

/// The SLA events as the store's event log keeps them.
namespace colosla::core {

/// Records the events whose key the store has not seen (each occurrence once, also across
/// restarts), giving each its id and, for an outage event, the port or power source of the
/// observation that began it (cause_observation); returns those, in order. All or nothing.
Result<std::vector<SlaEvent>> record_sla_events(Store& store, std::vector<SlaEvent> events,
                                                Timestamp recorded);

}  // namespace colosla::core
