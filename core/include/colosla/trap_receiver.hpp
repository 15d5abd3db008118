#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "colosla/clock.hpp"
#include "colosla/trap.hpp"

namespace colosla::core {

/// Receives SNMP traps and informs on one or more endpoints with Net-SNMP's library, and hands
/// each on as a neutral Trap. Only one receiver exists per process (Net-SNMP keeps global state).
class TrapReceiver {
 public:
  /// Called for every trap or inform; for an inform, returning true sends the acknowledgement
  /// (so the caller can acknowledge only what it has durably stored).
  using Handler = std::function<bool(const Trap&)>;

  struct Options {
    std::vector<std::string> listen;  ///< "udp:127.0.0.1:11162", "udp6:[::1]:11162"
    std::string state_dir;            ///< where Net-SNMP keeps its persistent state (engine boots)
  };

  /// Opens every endpoint. Throws ConfigError naming the endpoint that cannot be opened.
  TrapReceiver(Options options, Handler handler, const Clock& clock);
  ~TrapReceiver();
  TrapReceiver(const TrapReceiver&) = delete;
  TrapReceiver& operator=(const TrapReceiver&) = delete;

  /// Waits up to `timeout` for packets on the endpoints or for `wake_fd` to become readable,
  /// and dispatches what arrived. Returns true when wake_fd is readable (it is not read here).
  bool poll(std::chrono::milliseconds timeout, int wake_fd);

  /// The endpoints as opened.
  [[nodiscard]] const std::vector<std::string>& endpoints() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace colosla::core
