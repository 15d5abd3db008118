#pragma once

#include <memory>

#include "colosla/plugin/plugin.hpp"

namespace colosla::plugins::ups_mib {

/// UPS units by UPS-MIB (RFC 1628): upsOutputSource, on-battery and alarm traps.
std::unique_ptr<core::DevicePlugin> make();

}  // namespace colosla::plugins::ups_mib
