// Store::open: which backend a location names.
#include "colosla/store/store.hpp"

#include "colosla/store/postgresql.hpp"
#include "colosla/store/sqlite.hpp"

namespace colosla::core {

Result<std::unique_ptr<Store>> Store::open(const std::string& location, Mode mode,
                                           const std::string& key_path) {
  if (is_postgresql_location(location)) {
    return open_postgresql(location, mode, key_path);
  }
  return open_sqlite(location, mode, key_path);
}

}  // namespace colosla::core
