// The PostgreSQL backend: records and port mapping changes (RecordStore).
// A STUB so that the backend links: every method fails with "not written yet".
#include "postgresql/pg_store.hpp"

namespace colosla::core::pg {

namespace {
Error not_written() { return make_error(Errc::internal, "not written yet"); }
}  // namespace

Result<std::vector<Record>> PgStore::records() const { return not_written(); }
Result<std::vector<Record>> PgStore::records_of(const std::string& /*contract*/) const {
  return not_written();
}
Result<std::int64_t> PgStore::add_record(const Record& /*r*/) { return not_written(); }
Result<std::vector<MappingChange>> PgStore::mapping_changes() const { return not_written(); }
Result<std::int64_t> PgStore::add_mapping_change(const MappingChange& /*c*/) {
  return not_written();
}

}  // namespace colosla::core::pg
