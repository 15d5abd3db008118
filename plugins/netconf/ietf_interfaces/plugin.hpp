#pragma once

#include <memory>

#include "colosla/plugin/plugin.hpp"

namespace colosla::plugins::ietf_interfaces {

/// Switches over NETCONF: ietf-interfaces oper-status by interface name, from
/// /interfaces/interface on NMDA servers (RFC 8343) and /interfaces-state/interface on older ones
/// (RFC 7223); yuma123's link-up/link-down notifications.
std::unique_ptr<core::DevicePlugin> make();

}  // namespace colosla::plugins::ietf_interfaces
