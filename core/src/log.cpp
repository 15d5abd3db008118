#include "colosla/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <syslog.h>

namespace colosla {

namespace {

std::mutex& sink_mutex() {
  static std::mutex m;
  return m;
}
LogSink& sink() {
  static LogSink s = stderr_log_sink();
  return s;
}
std::atomic<int> min_level{static_cast<int>(LogLevel::info)};

}  // namespace

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warning:
      return "warning";
    case LogLevel::error:
      return "error";
  }
  return "?";
}

void set_log_sink(LogSink s) {
  std::lock_guard lock(sink_mutex());
  sink() = std::move(s);
}

void set_log_level(LogLevel level) { min_level = static_cast<int>(level); }

void log(LogLevel level, std::string_view component, std::string_view msg) {
  if (static_cast<int>(level) < min_level) {
    return;
  }
  std::lock_guard lock(sink_mutex());
  if (sink()) {
    sink()(level, component, msg);
  }
}

LogSink stderr_log_sink() {
  return [](LogLevel level, std::string_view component, std::string_view msg) {
    std::string line;
    line.reserve(msg.size() + component.size() + 16);
    line.append(to_string(level)).append(" ").append(component).append(": ").append(msg);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stderr);
  };
}

LogSink syslog_sink(const char* ident) {
  openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
  return [](LogLevel level, std::string_view component, std::string_view msg) {
    const int pri = level == LogLevel::error     ? LOG_ERR
                    : level == LogLevel::warning ? LOG_WARNING
                    : level == LogLevel::info    ? LOG_INFO
                                                 : LOG_DEBUG;
    syslog(pri, "%.*s: %.*s", static_cast<int>(component.size()), component.data(),
           static_cast<int>(msg.size()), msg.data());
  };
}

}  // namespace colosla
