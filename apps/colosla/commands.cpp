#include "commands.hpp"

#include <algorithm>
#include <array>

#include "cli.hpp"

namespace colosla::cli {

namespace {

constexpr std::string_view kInventory =
    "Inventory (YANG instance data, yang/colosla-inventory.yang):";
constexpr std::string_view kMapping =
    "Port mapping (time-versioned; the inventory's ports hold from the contract's start):";
constexpr std::string_view kObservations = "Observations:";
constexpr std::string_view kRecords =
    "Records (never edited: --supersedes N corrects record N, remove N withdraws it; each add,\n"
    "record and complete takes [--by NAME] (default: your login name) and [--note TEXT]):";
constexpr std::string_view kProcess =
    "Process guarantees (Articles 5-9; records like the above, each add takes [--by NAME],\n"
    "authorize add --entered-by NAME, and [--note TEXT]):";
constexpr std::string_view kReports = "Reports:";
constexpr std::string_view kStatements =
    "Statements (closed months, never changed; later corrections are adjustments):";
constexpr std::string_view kDevices = "Devices (SNMP and NETCONF):";

constexpr std::string_view kRecordList = "[--contract ID] [--format text|json]";
constexpr std::string_view kRecordRemove = "N [--by NAME] [--note TEXT]";
constexpr std::string_view kListSummary = "the records and whether they are in force";
constexpr std::string_view kRemoveSummary = "withdraw record N (by a record that says so)";

// The order is the order of `colosla --help`; a group's commands stay together.
constexpr std::array kCommands{
    Command{kInventory, "inventory", "validate", "FILE...", "check inventory files; change nothing",
            &inventory_validate},
    Command{kInventory, "inventory", "load", "FILE...",
            "validate, then replace the store's inventory (all or nothing)", &inventory_load},
    Command{kInventory, "inventory", "show",
            "[--contract ID] [--format text|json] [--show-secrets]",
            "the store's inventory (its secrets only with --show-secrets)", &inventory_show},

    Command{kMapping, "map", "add", "--contract ID --device D --interface IF [--from T]",
            "map a device's interface to a contract from T", &map_add},
    Command{kMapping, "map", "remove", "--contract ID --device D --interface IF [--at T]",
            "end that mapping at T", &map_remove},
    Command{kMapping, "map", "list", "[--contract ID] [--at T] [--format text|json]",
            "the port mappings (with --at: those that hold at T)", &map_list},

    Command{kObservations, "", "observe", "[FILE|-] [--skip-bad]",
            "import observation JSON lines (one transaction)", &observe},
    Command{kObservations, "", "ship", "--to POSTGRES_URI [--every SECONDS] [--batch N]",
            "copy the store's observations to a PostgreSQL store, each\n"
            "stored there once however many receivers ship it",
            &ship},

    Command{kRecords, "exclude", "add",
            "(--contract ID|--all) --from T --to T --reason R [--guarantee network|power|both]\n"
            "[--approved-by NAME]",
            "a period the SLA does not count", &record_add},
    Command{kRecords, "exclude", "list", kRecordList, kListSummary, &record_list},
    Command{kRecords, "exclude", "remove", kRecordRemove, kRemoveSummary, &record_remove},
    Command{kRecords, "customer-report", "add", "--contract ID --at T --guarantee network|power",
            "the customer reported a problem", &record_add},
    Command{kRecords, "customer-report", "list", kRecordList, kListSummary, &record_list},
    Command{kRecords, "customer-report", "remove", kRecordRemove, kRemoveSummary, &record_remove},
    Command{kRecords, "notify", "record", "--contract ID --at T --channel C --contact NAME",
            "a contact was told", &record_add},
    Command{kRecords, "notify", "send",
            "--contract ID --contact NAME|--contact-address A [--type T] -- COMMAND [ARG...]",
            "tell the contact through COMMAND (the message on stdin); when it\n"
            "exits 0, record the notification (--type: only PROBLEM)",
            &notify_send},
    Command{kRecords, "notify", "list", kRecordList, kListSummary, &record_list},
    Command{kRecords, "notify", "remove", kRecordRemove, kRemoveSummary, &record_remove},
    Command{kRecords, "install", "complete", "--contract ID --at T", "the installation is complete",
            &record_add},
    Command{kRecords, "install", "list", kRecordList, kListSummary, &record_list},
    Command{kRecords, "install", "remove", kRecordRemove, kRemoveSummary, &record_remove},
    Command{kRecords, "contact-invalid", "add", "--contract ID --from T [--to T]",
            "the customer's contact details were wrong", &record_add},
    Command{kRecords, "contact-invalid", "list", kRecordList, kListSummary, &record_list},
    Command{kRecords, "contact-invalid", "remove", kRecordRemove, kRemoveSummary, &record_remove},

    Command{kProcess, "authorize", "add",
            "--contract ID --contact NAME --by written|phone --at T [--mrtg-user U]\n"
            "[--note TEXT] [--entered-by NAME]",
            "an authorization (by phone: the MRTG password on stdin; wrong\n"
            "credentials exit 1 and are recorded as refused)",
            &authorize_add},
    Command{kProcess, "authorize", "feedback", "N --at T", "first feedback on authorization N",
            &authorize_follow_up},
    Command{kProcess, "authorize", "done", "N --at T", "the operation of authorization N ended",
            &authorize_follow_up},
    Command{kProcess, "authorize", "report", "N --at T", "the written operation report on N",
            &authorize_follow_up},
    Command{kProcess, "authorize", "confirm", "N --at T",
            "the written confirmation of phone authorization N", &authorize_follow_up},
    Command{kProcess, "authorize", "list", kRecordList, kListSummary, &process_list},
    Command{kProcess, "authorize", "remove", kRecordRemove, kRemoveSummary, &process_remove},
    Command{kProcess, "complaint", "add",
            "--contract ID --at T --about network|customer-service|technical-support",
            "a written complaint received", &complaint_add},
    Command{kProcess, "complaint", "report", "N --at T", "the written report on complaint N",
            &complaint_add_report},
    Command{kProcess, "complaint", "list", kRecordList, kListSummary, &process_list},
    Command{kProcess, "complaint", "remove", kRecordRemove, kRemoveSummary, &process_remove},
    Command{kProcess, "visit", "add",
            "--contract ID --reason TEXT --activity TEXT --expected-in T --expected-out T\n"
            "[--needs TEXT]",
            "a visit announced", &visit_add},
    Command{kProcess, "visit", "enter", "(N|--contract ID) --at T [--escort NAME] --badge ID",
            "the visitor entered (without N: unannounced)", &visit_enter},
    Command{kProcess, "visit", "leave", "N --at T", "the visitor left (N: the visit or its entry)",
            &visit_leave},
    Command{kProcess, "visit", "list", kRecordList, kListSummary, &process_list},
    Command{kProcess, "visit", "remove", kRecordRemove, kRemoveSummary, &process_remove},

    Command{kReports, "", "report",
            "--month YYYY-MM [--contract ID] [--as-of T] [--format text|json|csv|html|pdf]",
            "the month's SLA report of every contract (or one)", &report_month},
    Command{kReports, "", "evaluate",
            "[--as-of T] [--every N [--lead]] [--event-log FILE] [--status-dir DIR]",
            "every contract's figures this month (published for check_colosla),\n"
            "and the SLA events they show, each recorded once",
            &evaluate},
    Command{kReports, "", "events", "[--after ID]",
            "the recorded SLA events, JSON lines (yang/colosla-events.yang)", &events},
    Command{kReports, "", "nagios-config", "[--host NAME] [--customer-contacts]",
            "Nagios/Icinga host and services of every contract (and a\n"
            "contact per authorized contact, told through notify send)",
            &nagios_config},
    Command{kReports, "zabbix", "discovery", "[--status-dir DIR]",
            "low-level discovery JSON of contracts and guarantees", &zabbix_discovery},
    Command{kReports, "zabbix", "get", "[--status-dir DIR] KEY",
            "an item: colosla.sla[CONTRACT,network|power|emergency,FIELD]", &zabbix_get},
    Command{kReports, "", "check", "--contract ID [...]",
            "check_colosla computing the figures now (its options, output\n"
            "and exit codes are check_colosla's: colosla check --help)",
            &check},

    Command{kStatements, "statement", "close",
            "--month YYYY-MM [--contract ID] [--as-of T] [--by NAME]",
            "freeze each contract's month: its report, a number, a digest\n"
            "chained to the previous statement's (exit 1: closed already)",
            &statement_close},
    Command{kStatements, "statement", "list", "[--contract ID] [--format text|json|csv]",
            "the closed statements, in close order", &statement_list},
    Command{kStatements, "statement", "show",
            "--contract ID --month YYYY-MM [--format text|json|html|pdf]\n"
            "[--language zh|en|both]",
            "one statement (a month not closed: a draft as of now)", &statement_show},
    Command{kStatements, "statement", "verify", "[--last DIGEST]",
            "recompute the chain of digests (exit 1 naming the first\n"
            "statement that does not hold, or when DIGEST is gone)",
            &statement_verify},
    Command{kStatements, "statement", "export", "--month YYYY-MM [--contract ID] [--format csv]",
            "the month's statements for billing, one CSV line each", &statement_export},

    Command{kDevices, "", "poll", "[--device D] [--timeout MS] [--retries N]",
            "ask devices now; record what changed", &poll},
    Command{kDevices, "", "discover", "--device D [--pattern RE] [--apply]",
            "propose port mappings from ifAlias", &discover},
    Command{kDevices, "", "netconf-check", "--device D", "what a NETCONF device offers and reports",
            &netconf_check},
    Command{kDevices, "", "netconf-listen", "--device D", "follow a NETCONF device's notifications",
            &netconf_listen},
    Command{kDevices, "", "probe", "--contract ID [--timeout MS] [--retries N]",
            "probe its targets once (icmp, www, email, ftp)", &probe},
    Command{kDevices, "", "prober", "[--workers N] [--rounds N]",
            "every contract's probes on schedule (trapd runs it)", &prober},
    Command{kDevices, "", "trap-handler", "[--trap-relay ADDR[/PREFIX]]...",
            "snmptrapd's traphandle: one trap on stdin", &trap_handler},
    Command{kDevices, "", "stats", "[--format text|json]",
            "what colosla-trapd did with every packet", &stats},
    Command{kDevices, "", "plugins", "", "the device plugins of this colosla", &plugins},
    Command{kDevices, "rules", "validate", "FILE...",
            "check trap rule files (yang/colosla-trap-rules.yang); change nothing",
            &rules_validate},
    Command{kDevices, "rules", "list", "[FILE...]",
            "the trap rules of these files (default: the package's rules directory)", &rules_list},
    Command{kDevices, "rules", "test",
            "--device D [--rules FILE|DIR]... (--text | -- SNMPTRAP-ARGS... | --poll)\n"
            "| --sys-object-id OID [--rules FILE|DIR]...",
            "what the plugins or rules make of a trap from D, given as\n"
            "snmptrap's arguments (sent to itself on loopback) or as snmptrapd's\n"
            "traphandle text on stdin; with --poll, the poll rules that read D\n"
            "(polled once: its sysObjectID.0, then their objects) and what they\n"
            "observe; with --sys-object-id, the poll rules for that OID; nothing\n"
            "stored (exit 1: nothing reads it)",
            &rules_test},
};

constexpr std::string_view kHead =
    "usage: colosla [--db PATH] [--secrets-key FILE] COMMAND [ARGS] [--help]\n";

constexpr std::string_view kTail =
    R"(
The store is --db PATH, else $COLOSLA_DB, else ./colosla.db: a SQLite file, or a PostgreSQL
database (postgresql://USER@HOST/DB or service=NAME; the password from ~/.pgpass or the service
file, never here). The key that seals the inventory's secrets in it is --secrets-key FILE, else
$COLOSLA_SECRETS_KEY, else (SQLite) the store's path with .key added (made by the first inventory
load; only colosla's user may read it). Times are RFC 3339 with an
offset (2026-11-03T02:00:00+08:00) or "now". Exit: 0 done (also a record accepted with a warning
on stderr that it can no longer count), 1 input rejected (nothing changed), 2 bad command line, 3
the store or a file could not be used. colosla COMMAND --help lists a command's options.
)";

// The column of the summaries in the lists.
constexpr std::size_t kSummaryColumn = 33;

// Appends text, its lines after the first indented to column `indent`.
void append_lines(std::string& out, std::string_view text, std::size_t indent) {
  for (std::size_t at = 0;;) {
    const std::size_t nl = text.find('\n', at);
    out += text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    if (nl == std::string_view::npos) {
      return;
    }
    out += "\n" + std::string(indent, ' ');
    at = nl + 1;
  }
}

// One command in a list: "  words args", its summary at kSummaryColumn (on a line of its own when
// the synopsis reaches that column).
void append_entry(std::string& out, const Command& c) {
  const std::size_t begin = out.size();
  out += "  " + full_name(c);
  if (!c.args.empty()) {
    out += " ";
    append_lines(out, c.args, out.size() - begin);
  }
  if (!c.summary.empty()) {
    const std::size_t nl = out.rfind('\n');
    const std::size_t line_start = nl == std::string::npos ? 0 : nl + 1;
    const std::size_t width = out.size() - line_start;
    if (width + 1 < kSummaryColumn) {
      out += std::string(kSummaryColumn - width, ' ');
    } else {
      out += "\n" + std::string(kSummaryColumn, ' ');
    }
    append_lines(out, c.summary, kSummaryColumn);
  }
  out += "\n";
}

}  // namespace

std::span<const Command> commands() { return kCommands; }

const Command* find_command(std::string_view group, std::string_view name) {
  const auto it = std::find_if(kCommands.begin(), kCommands.end(), [&](const Command& c) {
    return c.group == group && c.name == name;
  });
  return it == kCommands.end() ? nullptr : &*it;
}

bool is_group(std::string_view word) {
  return !word.empty() && std::any_of(kCommands.begin(), kCommands.end(),
                                      [&](const Command& c) { return c.group == word; });
}

std::string full_name(const Command& c) {
  return c.group.empty() ? std::string(c.name) : std::string(c.group) + " " + std::string(c.name);
}

std::string usage() {
  std::string out(kHead);
  std::string_view section;
  for (const auto& c : kCommands) {
    if (c.section != section) {
      section = c.section;
      out += "\n";
      out += section;
      out += "\n";
    }
    append_entry(out, c);
  }
  out += kTail;
  return out;
}

std::string group_usage(std::string_view group) {
  std::string out = "usage: colosla " + std::string(group) + " " + group_words(group, "|") +
                    " [ARGS] [--help]\n\n";
  for (const auto& c : kCommands) {
    if (c.group == group) {
      append_entry(out, c);
    }
  }
  return out;
}

std::string group_words(std::string_view group, std::string_view separator) {
  std::string out;
  for (const auto& c : kCommands) {
    if (c.group == group) {
      out += (out.empty() ? std::string() : std::string(separator)) + std::string(c.name);
    }
  }
  return out;
}

std::string command_usage(const Command& c) {
  std::string out = "usage: colosla ";
  out += full_name(c);
  if (!c.args.empty()) {
    out += " ";
    append_lines(out, c.args, out.size());
  }
  out += "\n";
  if (!c.summary.empty()) {
    out += "\n";
    append_lines(out, c.summary, 0);
    out += "\n";
  }
  return out;
}

}  // namespace colosla::cli
