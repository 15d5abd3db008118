#pragma once

#include <memory>

#include "colosla/plugin/plugin.hpp"

namespace colosla::plugins::openconfig_interfaces {

/// Switches over NETCONF that speak OpenConfig: /interfaces/interface/state/oper-status by
/// interface name, dated by state/last-change.
std::unique_ptr<core::DevicePlugin> make();

}  // namespace colosla::plugins::openconfig_interfaces
