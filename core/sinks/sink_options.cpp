// The sinks' options, declared once (colosla-trapd's settings, colosla evaluate).
#include "colosla/sinks/sink_options.hpp"

#include <boost/program_options.hpp>
#include <set>

#include "colosla/sinks/sinks.hpp"

namespace colosla::core {

namespace po = boost::program_options;

void add_sink_options(po::options_description& d, SinkOptions& o) {
  // clang-format off
  d.add_options()
      ("event-log", po::value(&o.event_log),
       "append every new SLA event to this file, one JSON line each (sink event-log)")
      ("nagios-command-file", po::value(&o.nagios_command_file),
       "Nagios' external command file: passive results of the services SLA events touch (sink nagios)")
      ("nagios-host", po::value(&o.nagios_host)->default_value(o.nagios_host),
       "the Nagios host of those services")
      ("zabbix-server", po::value(&o.zabbix_server),
       "a Zabbix server or proxy, HOST[:PORT]: trapper values of the SLA events (sink zabbix)")
      ("zabbix-host", po::value(&o.zabbix_host)->default_value(o.zabbix_host),
       "the Zabbix host of those trapper items")
      (kTrapSinkKey, po::value(&o.trap_sinks)->composing(),
       "configuration file only (it holds a community or pass phrases): a receiver of the SLA events "
       "as COLOSLA-MIB notifications, as snmptrap's options (\"-v 2c -c public HOST:PORT\"; -Ci: "
       "informs, retried until acknowledged); repeatable (sink snmp:[VERSION:][USER@]HOST:PORT)")
      ;
  // clang-format on
}

SinkOptions sink_options_from_config(std::istream& in, const std::string& name) {
  SinkOptions o;
  po::options_description d;
  add_sink_options(d, o);
  try {
    po::variables_map vm;
    po::store(po::parse_config_file(in, d, true), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw ConfigError(name + ": " + e.what());
  }
  return o;
}

std::pair<std::string, std::string> split_sink_name(const std::string& value) {
  const std::string head = "name=";
  if (value.rfind(head, 0) != 0) {
    return {{}, value};
  }
  const auto space = value.find(' ');
  std::string name = value.substr(
      head.size(), space == std::string::npos ? std::string::npos : space - head.size());
  std::string rest = space == std::string::npos ? std::string() : value.substr(space + 1);
  rest.erase(0, rest.find_first_not_of(' '));
  return {name, rest};
}

std::vector<std::unique_ptr<EventSink>> make_sinks(const SinkOptions& o) {
  std::vector<std::unique_ptr<EventSink>> sinks;
  std::set<std::string> names;
  // name=NAME given or the default; the rest of the value.
  const auto named = [&](const char* key, const std::string& value, const std::string& fallback) {
    auto [name, rest] = split_sink_name(value);
    if (value.rfind("name=", 0) == 0 && name.empty()) {
      throw ConfigError(std::string(key) + ": name= without a name");
    }
    if (rest.empty()) {
      throw ConfigError(std::string(key) + ": nothing after name=" + name);
    }
    return std::pair{name.empty() ? fallback : name, rest};
  };
  const auto add = [&](std::unique_ptr<EventSink> s) {
    if (!names.insert(s->name()).second) {
      throw ConfigError("two sinks are named " + s->name() +
                        ": give one of them another (name=NAME at the start of its value)");
    }
    sinks.push_back(std::move(s));
  };
  if (!o.event_log.empty()) {
    auto [name, path] = named("event-log", o.event_log, "event-log");
    add(std::make_unique<JsonLinesSink>(name, path));
  }
  if (!o.nagios_command_file.empty()) {
    auto [name, file] = named("nagios-command-file", o.nagios_command_file, "nagios");
    add(std::make_unique<NagiosSink>(name, file, o.nagios_host));
  }
  if (!o.zabbix_server.empty()) {
    auto [name, server] = named("zabbix-server", o.zabbix_server, "zabbix");
    add(std::make_unique<ZabbixSink>(name, server, o.zabbix_host));
  }
  for (const auto& value : o.trap_sinks) {
    auto [given, receiver] = named(kTrapSinkKey, value, "");
    if (SnmpNotifySink::address_of(receiver).empty()) {
      throw ConfigError(std::string(kTrapSinkKey) + ": no HOST:PORT");
    }
    const std::string name = given.empty() ? SnmpNotifySink::default_name(receiver) : given;
    add(std::make_unique<SnmpNotifySink>(name, receiver));
  }
  return sinks;
}

std::pair<std::vector<std::string>, std::string> sink_command_line(const SinkOptions& o) {
  std::vector<std::string> args;
  if (!o.event_log.empty()) {
    args.insert(args.end(), {"--event-log", o.event_log});
  }
  if (!o.nagios_command_file.empty()) {
    args.insert(args.end(),
                {"--nagios-command-file", o.nagios_command_file, "--nagios-host", o.nagios_host});
  }
  if (!o.zabbix_server.empty()) {
    args.insert(args.end(), {"--zabbix-server", o.zabbix_server, "--zabbix-host", o.zabbix_host});
  }
  // The trap sinks hold communities and pass phrases: on the child's stdin, never in its argv.
  std::string secrets;
  for (const auto& sink : o.trap_sinks) {
    secrets += std::string(kTrapSinkKey) + " = " + sink + "\n";
  }
  if (!secrets.empty()) {
    args.insert(args.end(), {"--config", "-"});
  }
  return {args, secrets};
}

}  // namespace colosla::core
