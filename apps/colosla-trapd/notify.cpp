#include "notify.hpp"

#include <systemd/sd-daemon.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "colosla/base/log.hpp"

namespace colosla::trapd {

namespace {

void notify(const std::string& state) {
  // 0: NOTIFY_SOCKET is not set. The environment keeps it: the reload and the stop tell too.
  if (const int r = sd_notify(0, state.c_str()); r < 0) {
    log(LogLevel::warning, "trapd",
        "cannot tell systemd \"" + state.substr(0, state.find('\n')) + "\": " + std::strerror(-r));
  }
}

}  // namespace

void notify_ready(const std::string& status) { notify("READY=1\nSTATUS=" + status); }

void notify_reloading() {
  // systemd compares MONOTONIC_USEC with the time it sent SIGHUP (CLOCK_MONOTONIC, which
  // steady_clock is on Linux).
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
  notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(now.count()));
}

void notify_stopping() { notify("STOPPING=1"); }

}  // namespace colosla::trapd
