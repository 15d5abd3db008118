#pragma once
// systemd's service notifications (sd_notify, libsystemd), so that a unit of Type=notify knows
// when colosla-trapd listens, reloads and stops. Each is a no-op when NOTIFY_SOCKET is not set
// (not started by systemd).

#include <string>

namespace colosla::trapd {

/// READY=1 with STATUS=`status`: every socket is bound, the store is open.
void notify_ready(const std::string& status);
/// RELOADING=1 with MONOTONIC_USEC (systemd 253's reload protocol; READY=1 follows).
void notify_reloading();
/// STOPPING=1: it is shutting down.
void notify_stopping();

}  // namespace colosla::trapd
