#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace colosla {

enum class LogLevel { debug = 0, info = 1, warning = 2, error = 3 };

/// Where log lines go. main() sets it (stderr, syslog); the default writes to stderr.
using LogSink = std::function<void(LogLevel, std::string_view component, std::string_view msg)>;

/// Replaces the sink; thread-safe with respect to concurrent log() calls.
void set_log_sink(LogSink sink);
/// Messages below this level are dropped before they reach the sink. Default: info.
void set_log_level(LogLevel level);
/// Writes one line; component is a plugin name or a part of the core ("core.store"). Control
/// characters and bytes that are not UTF-8 are escaped on the way (text.hpp), so that nothing a
/// message quotes from the network can forge a line or reach a terminal as a control sequence.
void log(LogLevel level, std::string_view component, std::string_view msg);

/// Lines that may come once per datagram or per failed commit (a malformed packet, a refused
/// sender, the store failing), limited by kind: at most `per_second` lines of a kind are written
/// a second; the rest are counted, and flush(), called once a second, writes one line with what
/// was left out ("in the last second, not logged: 1234 malformed datagrams, 3 SNMPv3 refusals").
/// Used by one thread.
class LogLimiter {
 public:
  explicit LogLimiter(std::string component, int per_second = 10);
  /// Lines a second for one kind (the default for the others is the constructor's).
  void set_limit(std::string_view kind, int per_second);
  /// Writes msg unless this second's lines of `kind` (a plural noun: "malformed datagrams") are
  /// spent; then it is only counted.
  void log(LogLevel level, std::string_view kind, std::string_view msg);
  /// Writes the line of what was left out since the last flush (nothing when nothing was), and
  /// starts a new second.
  void flush();

 private:
  struct Kind {
    int limit = 0;
    int written = 0;
    std::int64_t left_out = 0;
    LogLevel level = LogLevel::info;
  };
  Kind& kind(std::string_view name);
  std::string component_;
  int per_second_;
  std::map<std::string, Kind, std::less<>> kinds_;
};

/// A sink that writes "level component: msg" lines to stderr.
LogSink stderr_log_sink();

/// A sink that writes to syslog (facility daemon) as `ident`, with the process id.
LogSink syslog_sink(const char* ident);

/// "debug", "info", "warning", "error".
std::string_view to_string(LogLevel level);

}  // namespace colosla
