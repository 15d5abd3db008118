#pragma once
// The command table of colosla: every command's words, synopsis and summary, and the function
// that runs it. Dispatch (main.cpp), `colosla --help`, `colosla GROUP --help` and the first lines
// of every command's --help (cli::parse) all come from this one table (commands.cpp).

#include <span>
#include <string>
#include <string_view>

namespace colosla::cli {

struct Context;

/// One command of colosla: one word ("observe") or two ("inventory load").
struct Command {
  std::string_view section;  ///< the heading `colosla --help` lists it under
  std::string_view group;    ///< the first of two words ("inventory"); empty for a one-word command
  std::string_view name;     ///< the last word ("load", "observe")
  std::string_view args;     ///< its synopsis after the words; '\n' continues it on a new line
  std::string_view summary;  ///< what it does; '\n' continues it on a new line; may be empty
  int (*run)(Context&);      ///< runs it with ctx.args (the words after the command's words)
};

/// Every command, in the order `colosla --help` lists them.
std::span<const Command> commands();

/// The command called `group name`, or the one-word command `name` when group is empty; nullptr
/// when there is none.
const Command* find_command(std::string_view group, std::string_view name);

/// True when word is the first word of two-word commands ("inventory", "map", "exclude", …).
bool is_group(std::string_view word);

/// "inventory load", "observe".
std::string full_name(const Command& c);

/// `colosla --help` (and the usage an empty or unknown command prints on stderr).
std::string usage();

/// `colosla GROUP --help`: the commands of a group.
std::string group_usage(std::string_view group);

/// The last words of a group's commands: "validate, load, show" with separator ", ".
std::string group_words(std::string_view group, std::string_view separator = ", ");

/// The first lines of a command's --help: "usage: colosla WORDS ARGS", then its summary.
std::string command_usage(const Command& c);

// The commands, one function each (in the *_cmd.cpp file of their area).
int inventory_validate(Context& ctx);
int inventory_load(Context& ctx);
int inventory_show(Context& ctx);
int map_add(Context& ctx);
int map_remove(Context& ctx);
int map_list(Context& ctx);
int observe(Context& ctx);
int ship(Context& ctx);
/// The record families (exclude, customer-report, notify, install, contact-invalid): the family
/// is the command's group.
int record_add(Context& ctx);
int record_list(Context& ctx);
int record_remove(Context& ctx);
int notify_send(Context& ctx);
/// The process guarantees (authorize_cmd.cpp, process_cmd.cpp); list and remove take the kinds
/// of their group.
int authorize_add(Context& ctx);
int authorize_follow_up(Context& ctx);
int complaint_add(Context& ctx);
int complaint_add_report(Context& ctx);
int visit_add(Context& ctx);
int visit_enter(Context& ctx);
int visit_leave(Context& ctx);
int process_list(Context& ctx);
int process_remove(Context& ctx);
int report_month(Context& ctx);
int evaluate(Context& ctx);
int events(Context& ctx);
int nagios_config(Context& ctx);
int zabbix_discovery(Context& ctx);
int zabbix_get(Context& ctx);
int check(Context& ctx);
int statement_close(Context& ctx);
int statement_list(Context& ctx);
int statement_show(Context& ctx);
int statement_verify(Context& ctx);
int statement_export(Context& ctx);
int poll(Context& ctx);
int discover(Context& ctx);
int netconf_check(Context& ctx);
int netconf_listen(Context& ctx);
int probe(Context& ctx);
int prober(Context& ctx);
int trap_handler(Context& ctx);
int stats(Context& ctx);
int plugins(Context& ctx);
int rules_validate(Context& ctx);
int rules_list(Context& ctx);
int rules_test(Context& ctx);

}  // namespace colosla::cli
