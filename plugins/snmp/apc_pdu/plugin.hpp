#pragma once

#include <memory>

#include "colosla/plugin/plugin.hpp"

namespace colosla::plugins::apc_pdu {

/// APC switched rack PDUs by PowerNet-MIB: rPDU and rPDU2 outlet state, outlet traps.
std::unique_ptr<core::DevicePlugin> make();

}  // namespace colosla::plugins::apc_pdu
