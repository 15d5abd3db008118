// The PostgreSQL backend: the inventory (InventoryStore).
// A STUB so that the backend links: every method fails with "not written yet".
#include "postgresql/pg_store.hpp"

namespace colosla::core::pg {

namespace {
Error not_written() { return make_error(Errc::internal, "not written yet"); }
}  // namespace

Result<std::int64_t> PgStore::save_inventory(const ValidatedInventory& /*v*/,
                                             const std::string& /*by*/, Timestamp /*at*/) {
  return not_written();
}
Result<std::optional<std::int64_t>> PgStore::version_holding(
    const std::string& /*document*/) const {
  return not_written();
}
Result<std::optional<Inventory>> PgStore::load_inventory(Secrets /*secrets*/) const {
  return not_written();
}
Result<std::optional<Inventory>> PgStore::load_contract(const std::string& /*id*/) const {
  return not_written();
}
Result<std::vector<Device>> PgStore::devices(Secrets /*secrets*/) const { return not_written(); }
Result<std::optional<InventoryRecord>> PgStore::inventory_record(Secrets /*secrets*/) const {
  return not_written();
}

}  // namespace colosla::core::pg
