#pragma once

#include <memory>

#include "colosla/plugin/plugin.hpp"

namespace colosla::plugins::rules {

/// A device read by the rule files in force, not by C++: its traps by the trap rules (as any
/// device's traps no plugin declares), its state by the poll rules matching its sysObjectID.0.
std::unique_ptr<core::DevicePlugin> make();

}  // namespace colosla::plugins::rules
