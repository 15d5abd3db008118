// Store::open: which backend a location names.
#include "colosla/store/store.hpp"

#include "colosla/store/sqlite.hpp"

namespace colosla::core {

Result<std::unique_ptr<Store>> Store::open(const std::string& location, Mode mode,
                                           const std::string& key_path) {
  for (const char* scheme : {"postgresql://", "postgres://"}) {
    if (location.rfind(scheme, 0) == 0) {
      return make_error(Errc::store,
                        "this colosla is not built with PostgreSQL yet; give a store file",
                        location);
    }
  }
  return open_sqlite(location, mode, key_path);
}

}  // namespace colosla::core
