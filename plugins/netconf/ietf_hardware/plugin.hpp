#pragma once

#include <memory>

#include "colosla/plugin/plugin.hpp"

namespace colosla::plugins::ietf_hardware {

/// PDUs and power shelves over NETCONF: ietf-hardware (RFC 8348) power-supply components, each
/// a power source named like an outlet (the component's name), on while its oper-state is
/// enabled; the hardware-state notifications.
std::unique_ptr<core::DevicePlugin> make();

}  // namespace colosla::plugins::ietf_hardware
