// colosla: the command line of the SLA suite (SPEC §8). Thin: it parses options, calls the
// core, and renders what comes back.
#include <cstdlib>
#include <iostream>

#include "cli.hpp"
#include "colosla/base/log.hpp"
#include "colosla/store/store.hpp"

namespace {

constexpr const char* kUsage =
    R"(usage: colosla [--db PATH] [--secrets-key FILE] COMMAND [ARGS] [--help]

Inventory (YANG instance data, yang/colosla-inventory.yang):
  inventory validate FILE...     check inventory files; change nothing
  inventory load FILE...         validate, then replace the store's inventory (all or nothing)
  inventory show [--contract ID] [--format text|json] [--show-secrets]

Port mapping (time-versioned; the inventory's ports hold from the contract's start):
  map add --contract ID --device D --interface IF [--from T]
  map remove --contract ID --device D --interface IF [--at T]
  map list [--contract ID] [--at T] [--format text|json]

Observations:
  observe [FILE|-] [--skip-bad]  import observation JSON lines (one transaction)

Records (never edited: --supersedes N corrects record N, remove N withdraws it):
  exclude add (--contract ID|--all) --from T --to T --reason R [--guarantee network|power|both]
              [--approved-by NAME]
  exclude list|remove
  customer-report add --contract ID --at T --guarantee network|power;  customer-report list|remove
  notify record --contract ID --at T --channel C --contact NAME;        notify list|remove
  install complete --contract ID --at T;                                install list|remove
  contact-invalid add --contract ID --from T [--to T];                  contact-invalid list|remove
  Each takes [--by NAME] (default: your login name) and [--note TEXT].
  notify send --contract ID --contact NAME|--contact-address A [--type T] -- COMMAND [ARG...]
                                 tell the contact through COMMAND (the message on stdin); when it
                                 exits 0, record the notification (--type: only PROBLEM)

Reports:
  report --month YYYY-MM [--contract ID] [--as-of T] [--format text|json|csv|html]
  evaluate [--as-of T] [--event-log FILE] [--budget-warning PCT]
                                 every contract's figures this month (for check_colosla),
                                 and the SLA events they show, each recorded once
  events [--after ID]            the recorded SLA events, JSON lines (yang/colosla-events.yang)
  nagios-config [--host NAME] [--customer-contacts]
                                 Nagios/Icinga host and services of every contract (and a
                                 contact per authorized contact, told through notify send)
  zabbix discovery               low-level discovery JSON of contracts and guarantees
  zabbix get KEY                 an item: colosla.sla[CONTRACT,network|power|emergency,FIELD]
  check --contract ID [...]      check_colosla computing the figures now (check_colosla --help)

Devices (SNMP and NETCONF):
  poll [--device D] [--timeout MS] [--retries N]   ask devices now; record what changed
  discover --device D [--pattern RE] [--apply]      propose port mappings from ifAlias
  netconf-check --device D                          what a NETCONF device offers and reports
  netconf-listen --device D                         follow a NETCONF device's notifications
  probe --contract ID [--timeout MS] [--retries N]  probe its targets once (icmp, www, email, ftp)
  prober [--workers N] [--rounds N]                 every contract's probes on schedule (trapd runs it)
  trap-handler                                      snmptrapd's traphandle: one trap on stdin
  stats [--format text|json]                        what colosla-trapd did with every packet
  plugins                                           the device plugins of this colosla

The store is --db PATH, else $COLOSLA_DB, else ./colosla.db. The key that seals the inventory's
secrets in it is --secrets-key FILE, else $COLOSLA_SECRETS_KEY, else the store's path with .key
added (made by the first inventory load; only colosla's user may read it). Times are RFC 3339 with an
offset (2026-11-03T02:00:00+08:00) or "now". Exit: 0 done, 1 input rejected (nothing
changed), 2 bad command line, 3 the store or a file could not be used.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace colosla;
  set_log_sink(stderr_log_sink());
  std::vector<std::string> args(argv + 1, argv + argc);
  cli::Context ctx;
  const char* env_db = std::getenv("COLOSLA_DB");
  ctx.db = env_db != nullptr && *env_db != '\0' ? env_db : "colosla.db";
  // A path, not a secret: the key itself is only ever in that file.
  if (const char* key = std::getenv("COLOSLA_SECRETS_KEY"); key != nullptr && *key != '\0') {
    ctx.secrets_key = key;
  }
  SystemClock clock;
  ctx.clock = &clock;
  // Started by colosla-trapd as a daemon (a poll, a NETCONF listener): log where it logs.
  if (const char* sink = std::getenv("COLOSLA_LOG");
      sink != nullptr && std::string_view(sink) == "syslog") {
    set_log_sink(syslog_sink("colosla"));
  }

  // Options before the command word: --db PATH, --db=PATH, --help, --version.
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--db" && i + 1 < args.size()) {
      ctx.db = args[++i];
    } else if (a.rfind("--db=", 0) == 0) {
      ctx.db = a.substr(5);
    } else if (a == "--secrets-key" && i + 1 < args.size()) {
      ctx.secrets_key = args[++i];
    } else if (a.rfind("--secrets-key=", 0) == 0) {
      ctx.secrets_key = a.substr(14);
    } else if (a == "-h" || a == "--help" || a == "help") {
      std::cout << kUsage;
      return cli::kOk;
    } else if (a == "--version" || a == "version") {
      std::cout << "colosla 0.1.0 (store schema " << core::Store::kSchemaVersion << ")\n";
      return cli::kOk;
    } else {
      break;
    }
  }
  if (i >= args.size()) {
    std::cerr << kUsage;
    return cli::kUsage;
  }
  const std::string command = args[i++];
  try {
    if (command == "inventory" || command == "map" || cli::is_zabbix_command(command) ||
        cli::is_record_command(command)) {
      if (i >= args.size() || args[i].rfind("-", 0) == 0) {
        throw cli::UsageError("colosla " + command + " needs a subcommand");
      }
      const std::string sub = args[i++];
      ctx.args.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      ctx.command = command + " " + sub;
      if (command == "inventory") {
        return cli::run_inventory(ctx, sub);
      }
      if (command == "map") {
        return cli::run_map(ctx, sub);
      }
      if (cli::is_zabbix_command(command)) {
        return cli::run_zabbix(ctx, sub);
      }
      return cli::run_records(ctx, command, sub);
    }
    ctx.args.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
    ctx.command = command;
    if (command == "observe") {
      return cli::run_observe(ctx);
    }
    if (command == "report") {
      return cli::run_report(ctx);
    }
    if (cli::is_probe_command(command)) {
      return cli::run_probe(ctx, command);
    }
    if (cli::is_nagios_command(command)) {
      return cli::run_nagios(ctx, command);
    }
    if (cli::is_check_command(command)) {
      return cli::run_check(ctx, command);
    }
    if (cli::is_netconf_command(command)) {
      return cli::run_netconf(ctx, command);
    }
    if (cli::is_snmp_command(command)) {
      return cli::run_snmp(ctx, command);
    }
    throw cli::UsageError("unknown command \"" + command + "\"");
  } catch (const cli::UsageError& e) {
    std::cerr << "colosla: " << e.what() << "\n(colosla --help lists the commands; colosla "
              << (ctx.command.empty() ? std::string("COMMAND") : ctx.command)
              << " --help lists the options)\n";
    return cli::kUsage;
  } catch (const ConfigError& e) {
    std::cerr << "colosla: " << e.what() << "\n";
    return cli::kFailed;
  }
}
