#pragma once
// check_record's part for the process guarantees' records (Articles 5-9).

#include <vector>

#include "colosla/model/records.hpp"

namespace colosla::core::detail {

/// The fields a process record's kind needs, and the record it refers to: of the right kind,
/// of the same contract, in force, and not already followed by a record of the same kind.
Result<void> check_process_record(const Record& r, const Contract& contract,
                                  const std::vector<Record>& existing);

}  // namespace colosla::core::detail
