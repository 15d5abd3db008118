#pragma once

#include <chrono>
#include <string>

#include "colosla/base/clock.hpp"
#include "colosla/base/result.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/plugin/plugin.hpp"

namespace colosla::core {

/// Net-SNMP's start-up, once per process: no system configuration files, no MIB files, numeric
/// OIDs, its log into colosla's. `state_dir` keeps its persistent state (the engine boots an
/// SNMPv3 receiver needs); empty: keep none (a client).
void init_net_snmp(const std::string& state_dir);

struct SnmpTarget {
  std::string address;  ///< IPv4 or IPv6
  SnmpAccess access;    ///< version, port, community or v3 user and keys
  std::chrono::milliseconds timeout{2000};
  int retries = 1;
};

/// Asks a device for a poll's objects: GET for the scalars, GETBULK walks (GETNEXT for v1) for
/// the columns, each walk bounded (it stops at the end of its subtree, at endOfMibView, or after
/// 100,000 rows). Errors: io when the device does not answer (with address, timeout, tries),
/// invalid_input for an SNMPv3 authentication or privacy failure or a refused request.
Result<PollAnswer> snmp_fetch(const SnmpTarget& target, const PollRequest& request,
                              const Clock& clock);

}  // namespace colosla::core
