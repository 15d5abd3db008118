// The PostgreSQL backend: the figures of the contracts (StatusCache) and the input marks.
// A STUB so that the backend links: every method fails with "not written yet".
#include "postgresql/pg_store.hpp"

namespace colosla::core::pg {

namespace {
Error not_written() { return make_error(Errc::internal, "not written yet"); }
}  // namespace

Result<void> PgStore::save_contract_statuses(
    const std::vector<std::pair<std::string, std::string>>& /*statuses*/,
    Timestamp /*computed_at*/) {
  return not_written();
}
Result<void> PgStore::update_contract_statuses(
    const std::vector<std::pair<std::string, std::string>>& /*changed*/,
    Timestamp /*computed_at*/) {
  return not_written();
}
Result<std::optional<std::pair<Timestamp, std::string>>> PgStore::contract_status(
    const std::string& /*contract*/) const {
  return not_written();
}
Result<InputMarks> PgStore::input_marks() const { return not_written(); }

}  // namespace colosla::core::pg
