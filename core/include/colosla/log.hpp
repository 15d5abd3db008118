#pragma once

#include <functional>
#include <string_view>

namespace colosla {

enum class LogLevel { debug = 0, info = 1, warning = 2, error = 3 };

/// Where log lines go. main() sets it (stderr, syslog); the default writes to stderr.
using LogSink = std::function<void(LogLevel, std::string_view component, std::string_view msg)>;

/// Replaces the sink; thread-safe with respect to concurrent log() calls.
void set_log_sink(LogSink sink);
/// Messages below this level are dropped before they reach the sink. Default: info.
void set_log_level(LogLevel level);
/// Writes one line; component is a plugin name or a part of the core ("core.store").
void log(LogLevel level, std::string_view component, std::string_view msg);

/// A sink that writes "level component: msg" lines to stderr.
LogSink stderr_log_sink();

/// A sink that writes to syslog (facility daemon) as `ident`, with the process id.
LogSink syslog_sink(const char* ident);

/// "debug", "info", "warning", "error".
std::string_view to_string(LogLevel level);

}  // namespace colosla
