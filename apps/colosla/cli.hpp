#pragma once
// Shared pieces of the colosla command line: exit codes, option parsing, the store, times.

#include <boost/program_options.hpp>
#include <chrono>
#include <iosfwd>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "colosla/base/calendar.hpp"
#include "colosla/base/clock.hpp"
#include "colosla/judge/judge.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/netconf/netconf_client.hpp"
#include "colosla/plugin/registry.hpp"
#include "colosla/services/operations.hpp"
#include "colosla/store/store.hpp"
#include "commands.hpp"

namespace colosla::cli {

namespace po = boost::program_options;

/// Exit codes of every colosla command (the README lists them).
enum Exit : int {
  kOk = 0,        ///< done
  kRejected = 1,  ///< the input was rejected (invalid file or line, conflict); nothing changed
  kUsage = 2,     ///< bad command line
  kFailed = 3,    ///< the store or a file could not be used
};

/// Thrown for a bad command line; main() prints it with a hint and exits kUsage.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What every command gets: its arguments (after the command words), the store path and a clock.
struct Context {
  std::vector<std::string> args;
  std::string command;             ///< "inventory load", for usage messages
  const Command* entry = nullptr;  ///< the command run (its synopsis and summary for --help)
  std::string db;                  ///< from --db, $COLOSLA_DB, else ./colosla.db
  std::string secrets_key;  ///< from --secrets-key, $COLOSLA_SECRETS_KEY, else beside the store
  const Clock* clock = nullptr;
};

/// Options every command accepts (--db, --help).
po::options_description common_options();

/// Parses ctx.args against desc (+ common options) and positional names. Prints help (the
/// command's synopsis and summary from the command table, then the options) and returns nullopt
/// for --help. Throws UsageError.
std::optional<po::variables_map> parse(Context& ctx, const po::options_description& desc,
                                       const po::positional_options_description& pos = {});

/// Opens the store; prints the error and returns nullptr on failure.
std::unique_ptr<core::Store> open_store(const Context& ctx, core::Store::Mode mode);

/// A time option: RFC 3339, or "now". Throws UsageError naming the option.
Timestamp parse_time_option(const std::string& option, const std::string& text, const Clock& clock);

/// --by, else the login name (who enters a record).
std::string entered_by(const po::variables_map& vm);

/// Prints a refused change ("colosla: …" then "colosla: nothing recorded"); returns its exit code.
int refused(const Error& e);

/// Exit code for an error of the core.
int exit_for(const Error& e);
/// Prints "colosla: <where>: <msg>" to stderr and returns exit_for(e).
int report(const Error& e);

/// Checks --format against the allowed words. Throws UsageError.
std::string format_option(const po::variables_map& vm, std::initializer_list<const char*> allowed);

/// The plugins built into colosla.
const core::Registry& builtin_registry();

/// The store's inventory; prints the error (or that none is loaded) and gives nullopt.
std::optional<core::Inventory> inventory_of(core::Store& store,
                                            core::Secrets secrets = core::Secrets::withhold);

/// A command about the store's inventory: the store, and its inventory.
/// The value of a required string option; a usage error ("--device is required") without it.
std::string required(const po::variables_map& vm, const char* name);

/// Long-running commands (netconf-listen, prober): SIGTERM and SIGINT set a flag, and
/// interrupt a sleep, instead of ending the process mid-write.
void stop_on_sigterm();
[[nodiscard]] bool stop_requested();
/// Asks the loop to end as SIGTERM would (prober --rounds).
void request_stop();

struct WithInventory {
  std::unique_ptr<core::Store> store;
  core::Inventory inventory;
};

/// Opens the store and loads its inventory; reports and gives nullopt when either fails. A
/// command that only reads opens it read_only (a user who may only read the store can run it).
/// With Secrets::reveal, the devices' communities and pass phrases are opened with the key
/// (polls, NETCONF sessions), which only colosla's user may read.
std::optional<WithInventory> open_with_inventory(
    const Context& ctx, core::Store::Mode mode = core::Store::Mode::existing,
    core::Secrets secrets = core::Secrets::withhold);

/// A command about one device: the store, its inventory, and the device called name in it.
struct OneDevice : WithInventory {
  const core::Device* device = nullptr;  ///< in inventory
};

/// Opens the store and finds the device, its secrets revealed (it is to be reached); reports and
/// gives nullopt when either is missing.
std::optional<OneDevice> one_device(const Context& ctx, const std::string& name);

/// SNMP settings of the commands that poll devices (poll, rules test --poll).
struct PollOptions {
  std::chrono::milliseconds timeout{2000};
  int retries = 1;
};
/// --timeout MS and --retries N.
void add_poll_options(po::options_description& d);
/// Their values. Throws UsageError.
PollOptions poll_options(const po::variables_map& vm);
/// SNMP GETs and walks with these settings, as colosla poll asks a device.
core::Fetch snmp_fetch_of(const PollOptions& o, const Clock& clock);

/// NETCONF settings of the commands that reach NETCONF devices (--yang-dir, a timeout).
void add_netconf_options(po::options_description& d, const char* timeout_option);
core::NetconfOptions netconf_options(const po::variables_map& vm, const char* timeout_option);

/// Reads a NETCONF device through its plugin (connect, <get> of what the plugin reads) and stores
/// the changes like an SNMP poll (core::poll_device). A watchdog ends the process when the
/// device holds it beyond 3 × the RPC timeout (libnetconf2 blocks signals while it waits).
Result<core::PollReport> poll_netconf(core::Store& store, const core::Device& device,
                                      const core::NetconfOptions& options, const Clock& clock);

/// The options every verb that enters a record takes: --by, --note, and with `corrections`
/// --supersedes.
void add_record_options(po::options_description& d, bool corrections);
/// Enters a record as every `add` verb does: who (--by, else the login name) and when (the
/// clock), the note, what it corrects (--supersedes), then core::add_record (check_record against
/// the inventory and the records in force, in one transaction). Prints "recorded record #N (…): …"
/// on stdout; an error is the caller's to print. On error nothing is stored.
Result<core::Record> enter_record(const Context& ctx, core::Store& store, core::Record r,
                                  const po::variables_map& vm);

/// What a record says, in one line of words (records_cmd.cpp), and its JSON for `list`.
std::string describe(const core::Record& r, const Zone& z);
nlohmann::ordered_json record_json(const core::Record& r, const std::vector<core::Record>& all,
                                   const Zone& z);
/// The store's record N (process_cmd.cpp). Errors: not_found, or the store's.
Result<core::Record> record_of(const core::Store& store, std::int64_t id);
/// The same for the process guarantees' records (process_cmd.cpp).
std::string describe_process(const core::Record& r, const Zone& z);
void add_process_json(nlohmann::ordered_json& j, const core::Record& r, const Zone& z);

}  // namespace colosla::cli
