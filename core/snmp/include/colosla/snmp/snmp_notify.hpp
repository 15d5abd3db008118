#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "colosla/base/result.hpp"

/// The SLA events as COLOSLA-MIB notifications (mibs/COLOSLA-MIB.txt), to a trap receiver.
namespace colosla::core {

/// Sends events (id, the RFC 7951 JSON colosla recorded) to one receiver, given as snmptrap's
/// arguments: "-v 2c -c public HOST:PORT" sends SNMPv2 traps; "-Ci" makes them informs, each
/// retried (-r, default 5) with a timeout (-t, default 1 s) until acknowledged; "-v 3 -u USER
/// -l authPriv -a SHA -A … -x AES -X … -Ci HOST:PORT" sends SNMPv3 informs. Stops at the first
/// event that is not sent (an inform nobody acknowledged); returns the id of the last one sent
/// (0: none). Errors: invalid_input for bad arguments; io when the session cannot be opened.
Result<std::int64_t> send_sla_notifications(
    const std::string& receiver, const std::vector<std::pair<std::int64_t, std::string>>& events,
    std::string& problem);

}  // namespace colosla::core
