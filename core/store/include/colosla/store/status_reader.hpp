#pragma once
// A contract's stored figures, read straight from the SQLite store's file: what check_colosla
// reads on its usual path. SQLite and the standard library only (library colosla_status_reader):
// check_colosla, started by the NMS for every check of every contract, links this, not the store.

#include <cstdint>
#include <optional>
#include <string>

namespace colosla::core {

/// The query of a contract's figures and when they were computed: the later of the row's own
/// computed_at and the last evaluation's mark (an evaluation that judged only the contracts
/// whose inputs changed marks every contract's figures computed). One parameter, the contract.
/// The SQLite store's StatusCache::contract_status runs the same query on its connection.
extern const char* const kStoredStatusSql;

/// A contract's figures as `colosla evaluate` stored them.
struct StoredStatus {
  std::int64_t computed_at = 0;  ///< Unix seconds: when they were computed (or marked so)
  std::string status;            ///< judge.hpp's ContractStatus as JSON
};

/// Opens the SQLite store at db read-only and reads the contract's stored figures. nullopt when
/// there are none or they cannot be read: no store there, a store older than the figures, no
/// such contract, the store locked beyond 2 s. Never creates or changes the file; never throws.
std::optional<StoredStatus> read_stored_status(const std::string& db, const std::string& contract);

}  // namespace colosla::core
