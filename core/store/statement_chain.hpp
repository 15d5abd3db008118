#pragma once

// What both backends check before appending a statement (store.hpp, StatementStore), inside the
// append's own transaction.
#include "colosla/base/result.hpp"
#include "colosla/store/store.hpp"

namespace colosla::core {

/// Errors (conflict): the contract's month is closed already, or the chain's end moved since the
/// statement was made (its seq and previous digest are not the next place and the last digest).
Result<void> check_append(const StatementStore& store, const Statement& st);

}  // namespace colosla::core
