// Store::open: which backend a location names; the default wait_for_change.
#include "colosla/store/store.hpp"

#include <thread>

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

Result<bool> Store::wait_for_change(std::chrono::milliseconds timeout) {
  std::this_thread::sleep_for(timeout);
  return false;
}

}  // namespace colosla::core
