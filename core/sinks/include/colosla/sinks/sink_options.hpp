#pragma once
// The sinks' options, declared once: colosla-trapd's settings (command line and configuration
// file) and colosla evaluate take the same keys, with the same defaults and checks.

#include <boost/program_options/options_description.hpp>
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "colosla/sinks/sink.hpp"

namespace colosla::core {

struct SinkOptions {
  std::string event_log;            ///< event-log = FILE
  std::string nagios_command_file;  ///< nagios-command-file = FILE
  std::string nagios_host = "colosla";
  std::string zabbix_server;  ///< zabbix-server = HOST[:PORT]
  std::string zabbix_host = "colosla";
  /// trap-sink = [name=NAME] SNMPTRAP-OPTIONS HOST:PORT (repeatable). It holds communities and
  /// pass phrases: a configuration file (or a pipe) only, never a command line.
  std::vector<std::string> trap_sinks;
};

/// The option key that holds secrets (refused on a command line).
inline constexpr const char* kTrapSinkKey = "trap-sink";

/// Adds event-log, nagios-command-file, nagios-host, zabbix-server, zabbix-host and trap-sink to
/// `d`, bound to `o` (its values are the defaults), for a command line or a configuration file.
void add_sink_options(boost::program_options::options_description& d, SinkOptions& o);

/// The sink options of a configuration file in `key = value` lines (colosla-trapd's: its other
/// keys are ignored). Throws ConfigError prefixed with `name` for a value that is not one.
SinkOptions sink_options_from_config(std::istream& in, const std::string& name);

/// The sinks the options configure, each with its name (sink.hpp): event-log, nagios, zabbix,
/// then the trap sinks in order. Throws ConfigError for a trap sink without an address, a
/// `name=` without a name, or two sinks of the same name.
std::vector<std::unique_ptr<EventSink>> make_sinks(const SinkOptions& o);

/// How one process hands the options to a `colosla evaluate` it starts: the arguments (no
/// secret among them) and the text for its standard input (`trap-sink = …` lines, for
/// `--config -`; empty when there is no trap sink, and then no --config).
std::pair<std::vector<std::string>, std::string> sink_command_line(const SinkOptions& o);

/// Splits a leading `name=NAME` word off an option's value: (NAME or empty, the rest).
std::pair<std::string, std::string> split_sink_name(const std::string& value);

}  // namespace colosla::core
