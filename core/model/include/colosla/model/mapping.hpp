#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "colosla/base/calendar.hpp"
#include "colosla/model/inventory.hpp"

/// Time-versioned mapping of switch ports to contracts. Engineers re-patch ports; a port's state
/// counts for a contract only while it is mapped to it. The inventory's `port` entries map from
/// the contract's start; `colosla map add/remove` records change that from a given time.
namespace colosla::core {

enum class MappingAction : std::uint8_t { add, remove };
std::string_view to_string(MappingAction a);

/// A recorded change of the mapping (`colosla map add|remove`). Records are never edited.
struct MappingChange {
  std::int64_t id = 0;  ///< Assigned by the store; also orders changes at the same instant.
  std::string contract;
  PortRef port;
  MappingAction action = MappingAction::add;
  Timestamp at;  ///< From when (add) or as of when (remove) the change holds.
  std::string entered_by;
  Timestamp entered_at;
  std::string note;
};

/// A span during which a port is mapped to a contract, clipped to the contract's [start, end).
struct MappingRange {
  std::string contract;
  PortRef port;
  Window span;
  std::int64_t opened_by = 0;  ///< The change that opened it; 0 for the inventory.
  std::int64_t closed_by = 0;  ///< The change that closed it; 0 when it runs to the contract's end.
};

/// Replays the inventory's ports and the changes (in order of `at`, then `id`) into ranges,
/// ordered by contract, port and start. Changes for contracts the inventory no longer has are
/// ignored. Errors: conflict when a change adds a port already mapped (to this contract or to
/// another), removes one that is not mapped, or falls after the contract's end; and when the
/// inventory gives one port to two contracts at the same time. The message names the port,
/// both contracts and the times; `where` names the record ("mapping record #7") or, for the
/// inventory's own ports, the YANG data path of the later contract's port entry.
Result<std::vector<MappingRange>> resolve_mappings(const Inventory& inventory,
                                                   const std::vector<MappingChange>& changes);

/// How errors name a recorded change: "mapping record #7".
std::string mapping_record_name(std::int64_t id);

/// The ranges of `ranges` that hold at instant t.
std::vector<MappingRange> mapped_at(const std::vector<MappingRange>& ranges, Timestamp t);

}  // namespace colosla::core
