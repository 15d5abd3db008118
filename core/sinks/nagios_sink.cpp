// Nagios' external command file: passive check results (PROCESS_SERVICE_CHECK_RESULT). The only
// place colosla writes that format.
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "colosla/sinks/sinks.hpp"

namespace colosla::core {

namespace {

// Writes whole lines, at most PIPE_BUF bytes a write: each write reaches the FIFO whole, never
// cut or mixed with another writer's command. A full pipe is waited for, 5 s at most.
Result<void> write_commands(const std::string& command_file, const std::string& lines) {
  // Nagios' command file is a FIFO: without a reader (Nagios stopped) opening it fails, and the
  // events wait in the store for the next round.
  const int fd = ::open(command_file.c_str(), O_WRONLY | O_NONBLOCK | O_APPEND | O_CLOEXEC);
  if (fd < 0) {
    return make_error(Errc::io, "cannot write to Nagios' command file " + command_file + ": " +
                                    std::strerror(errno));
  }
  std::string failure;
  for (std::size_t at = 0; at < lines.size() && failure.empty();) {
    std::size_t end = at;
    while (end < lines.size()) {
      const std::size_t nl = lines.find('\n', end) + 1;
      if (nl - at > PIPE_BUF && end > at) {
        break;
      }
      end = nl;
    }
    const ssize_t n = ::write(fd, lines.data() + at, end - at);
    if (n == static_cast<ssize_t>(end - at)) {
      at = end;
    } else if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 5000) != 1) {
        failure = "Nagios does not read its command file";
      }
    } else if (n < 0 && errno != EINTR) {
      failure = std::strerror(errno);
    } else if (n >= 0) {
      failure = "short write";
    }
  }
  ::close(fd);
  if (!failure.empty()) {
    return make_error(Errc::io,
                      "cannot write to Nagios' command file " + command_file + ": " + failure);
  }
  return {};
}

}  // namespace

NagiosSink::NagiosSink(std::string name, std::string command_file, std::string host)
    : name_(std::move(name)), command_file_(std::move(command_file)), host_(std::move(host)) {}

Delivery NagiosSink::deliver(const EventBatch& batch, const DeliveryContext& context) {
  Delivery d;
  // One result per service an event touched, judged on the figures just computed.
  std::set<std::pair<std::string, std::string>> services;
  for (const auto& [id, body] : batch) {
    if (const auto e = event_header(body); e && e->checked()) {
      services.emplace(e->contract, e->guarantee);
    }
  }
  std::string lines;
  const std::string stamp = "[" + std::to_string(context.now.time_since_epoch().count()) + "] ";
  for (const auto& [contract, guarantee] : services) {
    const ContractStatus* figures = context.figures ? context.figures(contract) : nullptr;
    if (figures == nullptr) {
      continue;  // not in force this month any more
    }
    CheckOptions o;
    o.guarantees = {*parse_checked_guarantee(guarantee)};
    const CheckResult r = judge(*figures, o);
    const std::string first = r.output.substr(0, r.output.find('\n'));
    lines += stamp + "PROCESS_SERVICE_CHECK_RESULT;" + host_ + ";" + contract + " " + guarantee +
             ";" + std::to_string(static_cast<int>(r.status)) + ";" + first + "\n";
  }
  if (!lines.empty()) {
    if (auto w = write_commands(command_file_, lines); !w) {
      d.failure = w.error();
      return d;
    }
  }
  d.last_id = batch.back().first;
  d.sent = d.accepted = services.size();
  return d;
}

std::string NagiosSink::describe(const Delivery& total) const {
  return std::to_string(total.sent) + (total.sent == 1 ? " passive result" : " passive results") +
         " to Nagios";
}

std::string NagiosSink::waiting(std::size_t /*events*/) const {
  return " (the results wait for the next evaluation)";
}

std::vector<std::string> NagiosSink::legacy_cursors() const {
  std::error_code ec;
  const auto canonical = std::filesystem::weakly_canonical(command_file_, ec);
  return {"nagios:" + (ec ? command_file_ : canonical.string())};
}

}  // namespace colosla::core
