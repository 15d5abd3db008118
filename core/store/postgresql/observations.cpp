// The PostgreSQL backend: the observations (ObservationLog). Written by pg2: replace this file
// wholly. A STUB so that the backend links: every method fails with "not written yet".
#include "postgresql/pg_store.hpp"

namespace colosla::core::pg {

namespace {
Error not_written() { return make_error(Errc::internal, "not written yet"); }
}  // namespace

Result<std::size_t> PgStore::add_observations(const std::vector<Observation>& /*obs*/) {
  return not_written();
}
Result<std::vector<Observation>> PgStore::observations(const EntityId& /*e*/) const {
  return not_written();
}
Result<std::vector<Observation>> PgStore::observations_between(Timestamp /*from*/,
                                                               Timestamp /*to*/) const {
  return not_written();
}
Result<std::int64_t> PgStore::observation_count() const { return not_written(); }
Result<History> PgStore::history(Timestamp /*until*/) const { return not_written(); }
Result<History> PgStore::history_of(const std::vector<EntityId>& /*entities*/, Timestamp /*from*/,
                                    Timestamp /*until*/) const {
  return not_written();
}
Result<LatestStates> PgStore::latest_states(std::int64_t /*after*/) const { return not_written(); }
Result<std::vector<std::pair<EntityId, StateChange>>> PgStore::latest_states_of(
    const std::string& /*device*/) const {
  return not_written();
}
Result<std::int64_t> PgStore::last_observation_seq() const { return not_written(); }

}  // namespace colosla::core::pg
