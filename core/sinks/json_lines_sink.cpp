// The event log: each event appended to a file as one JSON line.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "colosla/sinks/sinks.hpp"

namespace colosla::core {

JsonLinesSink::JsonLinesSink(std::string name, std::string path)
    : name_(std::move(name)), path_(std::move(path)) {}

Delivery JsonLinesSink::deliver(const EventBatch& batch, const DeliveryContext& /*context*/) {
  Delivery d;
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    d.failure = make_error(
        Errc::io, std::string("cannot append the SLA events: ") + std::strerror(errno), path_);
    return d;
  }
  // One write a line: a line is in the file whole or not at all, and the cursor moves past the
  // lines written (a full disk leaves the rest for the next round, not a line twice).
  for (const auto& [id, body] : batch) {
    const std::string line = body + "\n";
    std::size_t done = 0;
    while (done < line.size()) {
      const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    if (done != line.size()) {
      d.failure = make_error(
          Errc::io, std::string("cannot append the SLA events: ") + std::strerror(errno), path_);
      break;
    }
    d.last_id = id;
    ++d.sent;
    ++d.accepted;
  }
  ::close(fd);
  return d;
}

std::string JsonLinesSink::describe(const Delivery& /*total*/) const {
  return {};  // the events are listed anyway
}

}  // namespace colosla::core
