#pragma once

#include <string_view>

namespace colosla::core {

/// Whether a store location names a PostgreSQL database (a "postgresql://" or "postgres://" URI,
/// or a libpq service, "service=NAME") rather than an SQLite file. Header-only: check_colosla
/// decides by it without linking the store.
inline bool is_postgresql_location(std::string_view location) {
  for (const std::string_view prefix : {"postgresql://", "postgres://", "service="}) {
    if (location.starts_with(prefix)) {
      return true;
    }
  }
  return false;
}

}  // namespace colosla::core
