// The PostgreSQL backend: the event log and the sinks' cursors (EventLog). Written by pg2: replace
// this file wholly. A STUB so that the backend links: every method fails with "not written yet".
#include "postgresql/pg_store.hpp"

namespace colosla::core::pg {

namespace {
Error not_written() { return make_error(Errc::internal, "not written yet"); }
}  // namespace

Result<std::vector<std::pair<std::size_t, std::int64_t>>> PgStore::record_events(
    const std::vector<NewEvent>& /*events*/, Timestamp /*recorded*/, const EventBody& /*body*/) {
  return not_written();
}
Result<std::vector<std::pair<std::int64_t, std::string>>> PgStore::events_after(
    std::int64_t /*after_id*/) const {
  return not_written();
}
Result<std::vector<std::pair<std::int64_t, std::string>>> PgStore::undelivered(
    const std::string& /*sink*/) const {
  return not_written();
}
Result<std::int64_t> PgStore::sink_cursor(const std::string& /*sink*/) const {
  return not_written();
}
Result<void> PgStore::set_sink_cursor(const std::string& /*sink*/, std::int64_t /*last_id*/) {
  return not_written();
}

}  // namespace colosla::core::pg
