#pragma once

// The PostgreSQL store's migrations, from migrations/NNNN-name.sql (cmake/embed_sql.cmake).
#include <vector>

namespace colosla::core::pg {

/// One forward migration. The first, 0001-schema, creates the whole schema at version
/// kFirstSchemaVersion (the SQLite backend's version when the PostgreSQL backend was added);
/// each later one brings a store one version up, so that both backends share one number. Never
/// edit a migration that has shipped; add the next one.
struct Migration {
  const char* name;  ///< "0001-schema"
  const char* sql;
};

/// The schema version 0001-schema.sql creates.
inline constexpr int kFirstSchemaVersion = 12;

/// Every migration, in order (generated at build time).
const std::vector<Migration>& migrations();

}  // namespace colosla::core::pg
