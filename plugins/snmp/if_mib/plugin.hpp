#pragma once

#include <memory>

#include "colosla/plugin/plugin.hpp"

namespace colosla::plugins::if_mib {

/// Switches and routers: IF-MIB (RFC 2863) ifOperStatus by ifName, linkUp/linkDown traps.
std::unique_ptr<core::DevicePlugin> make();

}  // namespace colosla::plugins::if_mib
