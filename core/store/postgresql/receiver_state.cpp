// The PostgreSQL backend: what the trap receiver and the poller keep (ReceiverState).
// A STUB so that the backend links: every method fails with "not written yet".
#include "postgresql/pg_store.hpp"

namespace colosla::core::pg {

namespace {
Error not_written() { return make_error(Errc::internal, "not written yet"); }
}  // namespace

Result<void> PgStore::save_port_index(const std::string& /*device*/,
                                      const std::vector<PortName>& /*ports*/,
                                      Timestamp /*walked*/) {
  return not_written();
}
Result<std::map<std::string, std::map<std::int64_t, std::string>>> PgStore::port_index() const {
  return not_written();
}
Result<std::size_t> PgStore::add_evidence(const std::vector<TrapEvidence>& /*items*/) {
  return not_written();
}
Result<void> PgStore::add_counters(const std::map<std::string, std::int64_t>& /*deltas*/,
                                   Timestamp /*at*/) {
  return not_written();
}
Result<std::vector<CounterValue>> PgStore::counters() const { return not_written(); }

}  // namespace colosla::core::pg
