#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/inventory.hpp"
#include "colosla/mapping.hpp"
#include "colosla/model.hpp"
#include "colosla/store.hpp"

/// What the front ends do with the store, each step either committed whole or not at all.
namespace colosla::core {

/// Who is entering a record when --by is not given: the login name of the session
/// (getlogin), else the effective user's name.
std::string default_user();

struct CommitOutcome {
  std::int64_t version = 0;  ///< the store's inventory version after the call
  bool changed = false;      ///< false when the document equals the current one (nothing written)
};

/// Replaces the store's inventory with v, after checking that the store's recorded port
/// mapping changes still fit it. Loading the document the store already has writes nothing.
/// Errors: conflict (with the record named) when a recorded change contradicts the new
/// inventory; store when SQLite fails. On any error the store is unchanged.
Result<CommitOutcome> commit_inventory(Store& store, const ValidatedInventory& v,
                                       const std::string& by, Timestamp now);

/// Checks a mapping change against the inventory and every recorded change, then records it.
/// Returns the change with its id. Errors: not_found (no inventory, unknown contract or device),
/// invalid_input (the device is not a switch, the port is an uplink), conflict (see
/// resolve_mappings). On any error nothing is recorded.
Result<MappingChange> record_mapping_change(Store& store, MappingChange change);

/// The mapping ranges of the store's inventory and records.
Result<std::vector<MappingRange>> current_mappings(const Store& store);

/// Parses one line of `colosla observe` input (SPEC §8) and checks it against the inventory:
/// the device or probe target exists, the member names fit the device's role, the state word
/// fits the entity. The observation's source is `import`; received, origin and evidence are
/// left for the caller. Errors: invalid_input or not_found, with the reason in plain words.
Result<Observation> parse_observation(std::string_view line, const Inventory& inventory);

struct LineError {
  std::size_t line = 0;
  std::string reason;
};

struct ImportOutcome {
  std::size_t lines = 0;    ///< non-blank lines read
  std::size_t stored = 0;   ///< observations committed
  std::vector<LineError> bad;
};

/// Reads observation lines from `in` and stores them in one transaction. Without skip_bad a
/// single bad line stores nothing; with it, the good lines are stored and the bad ones
/// reported. Each observation keeps "name:line" as its origin and the line as its evidence.
/// Errors: not_found when no inventory is loaded; store when SQLite fails (nothing stored).
Result<ImportOutcome> import_observations(Store& store, std::istream& in, const std::string& name,
                                          bool skip_bad, Timestamp received);

}  // namespace colosla::core
