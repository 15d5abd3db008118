// The fence's verdict and the holder names, shared by both backends.
#include "lease_fence.hpp"

#include <unistd.h>

#include <cstdio>
#include <random>

#include "colosla/base/calendar.hpp"

namespace colosla::core {

std::optional<Error> fence_broken(const LeaseFence& fence, const std::optional<Lease>& now) {
  const std::string who =
      "lease lost: leader " + fence.name + " epoch " + std::to_string(fence.epoch);
  std::string why;
  if (!now) {
    why = " is held by nobody (no lease row)";
  } else if (now->holder != fence.holder || now->epoch != fence.epoch) {
    why = " is now held by " + now->holder + " epoch " + std::to_string(now->epoch) +
          (now->held() ? " until " + format_time_utc(now->expires)
                       : " (expired " + format_time_utc(now->expires) + ")");
  } else if (!now->held()) {
    why = " has expired (" + format_time_utc(now->expires) + ") and must be taken again";
  } else {
    return std::nullopt;
  }
  return make_error(Errc::conflict, who + why + "; nothing was written");
}

std::string lease_holder_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) {
    host[0] = '\0';
  }
  std::random_device random;
  const unsigned tag = random() % 0x10000u;
  char hex[8];
  std::snprintf(hex, sizeof hex, "%04x", tag);
  return std::string(host[0] != '\0' ? host : "localhost") + ":" + std::to_string(getpid()) + ":" +
         hex;
}

}  // namespace colosla::core
