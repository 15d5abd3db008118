#include "colosla/base/log.hpp"

#include <syslog.h>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "colosla/base/text.hpp"

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
  const std::string safe_component = without_control(component);
  const std::string safe = without_control(msg);
  std::lock_guard lock(sink_mutex());
  if (sink()) {
    sink()(level, safe_component, safe);
  }
}

LogLimiter::LogLimiter(std::string component, int per_second)
    : component_(std::move(component)), per_second_(per_second) {}

LogLimiter::Kind& LogLimiter::kind(std::string_view name) {
  auto it = kinds_.find(name);
  if (it == kinds_.end()) {
    it = kinds_.emplace(std::string(name), Kind{per_second_, 0, 0, LogLevel::info}).first;
  }
  return it->second;
}

void LogLimiter::set_limit(std::string_view name, int per_second) { kind(name).limit = per_second; }

void LogLimiter::log(LogLevel level, std::string_view name, std::string_view msg) {
  Kind& k = kind(name);
  if (k.written < k.limit) {
    ++k.written;
    colosla::log(level, component_, msg);
    return;
  }
  ++k.left_out;
  k.level = std::max(k.level, level);
}

void LogLimiter::flush() {
  std::string line;
  LogLevel level = LogLevel::debug;
  for (auto& [name, k] : kinds_) {
    if (k.left_out > 0) {
      line += (line.empty() ? "" : ", ") + std::to_string(k.left_out) + " " + name;
      level = std::max(level, k.level);
    }
    k.written = 0;
    k.left_out = 0;
    k.level = LogLevel::info;
  }
  if (!line.empty()) {
    colosla::log(level, component_, "in the last second, not logged: " + line);
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
