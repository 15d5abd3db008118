#pragma once

// What both backends say when a fenced write finds its lease lost (store.hpp, Leases).
#include <optional>
#include <string>

#include "colosla/store/store.hpp"

namespace colosla::core {

/// The conflict error of a fenced write: `now` is the lease row as the transaction found it
/// (nullopt: there is none). Empty optional when the fence holds.
std::optional<Error> fence_broken(const LeaseFence& fence, const std::optional<Lease>& now);

}  // namespace colosla::core
