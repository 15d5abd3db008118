#pragma once

// The SQLite store's migrations, from migrations/NNNN-name.sql (cmake/embed_sql.cmake).
#include <vector>

namespace colosla::core::sqlite {

/// One forward migration: `sql` brings a store from schema version N - 1 to N, where N is the
/// migration's place in migrations(), counted from 1. Never edit a migration that has shipped;
/// add the next one.
struct Migration {
  const char* name;  ///< "0001-foundation"
  const char* sql;
};

/// Every migration, in order (generated at build time).
const std::vector<Migration>& migrations();

}  // namespace colosla::core::sqlite
