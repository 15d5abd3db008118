#include "colosla/services/events.hpp"

namespace colosla::core {

Result<std::vector<SlaEvent>> record_sla_events(Store& store, std::vector<SlaEvent> events,
                                                Timestamp recorded) {
  std::vector<NewEvent> log;
  log.reserve(events.size());
  for (const SlaEvent& e : events) {
    log.push_back(
        NewEvent{e.key, std::string(to_string(e.kind)), e.contract, e.time, e.cause_observation});
  }
  auto fresh = store.record_events(
      log, recorded, [&](std::size_t i, std::int64_t id, const std::optional<EntityId>& cause) {
        SlaEvent& e = events[i];
        e.id = id;
        if (cause) {
          e.device = cause->device;
          if (cause->kind == EntityKind::port) {
            e.interface = cause->item;
          } else if (cause->kind == EntityKind::outlet) {
            e.outlet = cause->item;
          }
        }
        return to_json(e);
      });
  if (!fresh) {
    return fresh.error();
  }
  std::vector<SlaEvent> out;
  out.reserve(fresh->size());
  for (const auto& [i, id] : *fresh) {
    out.push_back(std::move(events[i]));
  }
  return out;
}

}  // namespace colosla::core
