// colosla notify send: tells the customer's contact through a command (the NMS's mail or pager
// program, the message on stdin) and records the notification when the command succeeded, so that
// the record says when the customer was told (Article 4), without anybody typing it in.
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"

extern char** environ;

namespace colosla::cli {

namespace {

// The command line as the messages name it.
std::string command_text(const std::vector<std::string>& command) {
  std::string s;
  for (const auto& a : command) {
    const bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\$`") == std::string::npos;
    s += (s.empty() ? "" : " ") + (plain ? a : "'" + a + "'");
  }
  return s;
}

// Runs the command (PATH searched as execvp does, no shell) with colosla's stdin, stdout and
// stderr, and waits for it. Errors name the command and what became of it.
Result<void> run_command(const std::vector<std::string>& command) {
  std::vector<char*> argv;
  for (const auto& a : command) {
    argv.push_back(const_cast<char*>(a.c_str()));
  }
  argv.push_back(nullptr);
  std::cout.flush();
  pid_t pid = 0;
  // glibc's posix_spawnp reports a command that cannot be run (not found, not executable) here,
  // rather than as an exit status of 127 that a command could also give.
  if (const int rc = ::posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
      rc != 0) {
    return make_error(Errc::io,
                      "cannot run " + command_text({command.front()}) + ": " + std::strerror(rc));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return make_error(Errc::io,
                        "cannot wait for " + command_text(command) + ": " + std::strerror(errno));
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    return {};
  }
  if (WIFEXITED(status)) {
    return make_error(Errc::io, command_text(command) + " exited with status " +
                                    std::to_string(WEXITSTATUS(status)));
  }
  const int sig = WTERMSIG(status);
  const char* name = ::sigabbrev_np(sig);
  return make_error(Errc::io,
                    command_text(command) + " was killed by signal " + std::to_string(sig) +
                        (name != nullptr ? std::string(" (SIG") + name + ")" : std::string()));
}

// An address as written for comparison: an e-mail address in lower case; a number by its digits
// (and a leading +), so that "+86 138 0000 0000" is "+8613800000000".
std::string address_key(const std::string& a) {
  std::string k;
  if (a.find('@') != std::string::npos) {
    for (const char ch : a) {
      const auto c = static_cast<unsigned char>(ch);
      if (!std::isspace(c)) {
        k += static_cast<char>(std::tolower(c));
      }
    }
    return k;
  }
  for (const char ch : a) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isdigit(c) || (c == '+' && k.empty())) {
      k += static_cast<char>(c);
    }
  }
  return k;
}

bool is_problem(std::string type) {
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return type == "PROBLEM";
}

// The record of the notification, dated when the command finished: the contact named, or the one
// of the contract whose address the message went to; the channel given, else the contact's own.
Result<core::Record> notification(core::Store& store, const std::string& contract,
                                  const std::string& contact, const std::string& address,
                                  const std::optional<core::Channel>& channel, Timestamp at) {
  core::Record r;
  r.kind = core::RecordKind::notification;
  r.contract = contract;
  r.contact = contact;
  r.at = at;
  r.channel = channel;
  if (r.channel && address.empty()) {
    return r;
  }
  auto inv = store.load_inventory();
  if (!inv) {
    return inv.error();
  }
  if (!inv->has_value()) {
    return make_error(Errc::not_found, "no inventory is loaded (colosla inventory load FILE)");
  }
  if (const auto* c = (*inv)->find_contract(contract)) {
    for (const auto& k : c->contacts) {
      if (address.empty() ? k.name == contact : address_key(k.address) == address_key(address)) {
        r.contact = k.name;
        r.channel = channel ? *channel : k.channel;
        return r;
      }
    }
    if (!address.empty()) {
      return make_error(Errc::invalid_input, contract + " has no contact at " + address);
    }
  }
  // No such contract or contact to take the channel from: the core's check says which, in the
  // words `notify record` uses (the channel here only gets the record past its own check).
  core::Record probe = r;
  probe.channel = core::Channel::email;
  if (auto ok = core::check_record(probe, **inv, {}); !ok) {
    return ok.error();
  }
  return make_error(Errc::internal, "no channel for " + contact);
}

}  // namespace

int notify_send(Context& ctx) {
  // Options up to "--", the command after it.
  const auto dashes = std::find(ctx.args.begin(), ctx.args.end(), "--");
  std::vector<std::string> command;
  if (dashes != ctx.args.end()) {
    command.assign(dashes + 1, ctx.args.end());
    ctx.args.erase(dashes, ctx.args.end());
  }
  po::options_description d(
      "notify send --contract ID --contact NAME|--contact-address ADDR [options] -- COMMAND "
      "[ARG...]");
  d.add_options()("contract", po::value<std::string>(), "contract id")(
      "contact", po::value<std::string>(),
      "the contact told (an authorized contact of the contract)")(
      "contact-address", po::value<std::string>(),
      "instead of --contact: the address the message goes to, as the inventory has it (an e-mail "
      "address, or a number: spaces and dashes do not matter)")(
      "channel", po::value<std::string>(),
      "office-phone, mobile, pager, fax or email (default: the contact's channel in the "
      "inventory)")(
      "type", po::value<std::string>(),
      "the NMS's notification type ($NOTIFICATIONTYPE$, {EVENT.STATUS}): only PROBLEM is recorded");
  add_record_options(d, false);
  auto vm = parse(ctx, d);
  if (!vm) {
    std::cout
        << "\nRuns COMMAND (no shell) with this program's stdin, the message. When it exits 0, "
           "records\n"
           "the notification as `notify record` does, at the time it finished. Exit: 0 sent (and\n"
           "recorded, unless --type is not PROBLEM), 1 sent but not recorded (not an authorized\n"
           "contact), 2 bad command line, 3 not sent, or sent but the store failed.\n";
    return kOk;
  }
  const std::string contract = required(*vm, "contract");
  if (vm->count("contact") + vm->count("contact-address") != 1) {
    throw UsageError("give --contact NAME or --contact-address ADDRESS");
  }
  if (command.empty()) {
    throw UsageError(
        "give the command that sends the message after --: notify send ... -- COMMAND [ARG...]");
  }
  std::optional<core::Channel> channel;
  if (vm->count("channel") != 0) {
    auto ch = core::parse_channel((*vm)["channel"].as<std::string>());
    if (!ch) {
      throw UsageError("--channel: " + ch.error().msg);
    }
    channel = *ch;
  }
  const std::string contact = vm->count("contact") != 0 ? (*vm)["contact"].as<std::string>() : "";
  const std::string address =
      vm->count("contact-address") != 0 ? (*vm)["contact-address"].as<std::string>() : "";

  // The customer is told first, whatever the store says: a store that cannot be used must not
  // keep the message from the customer.
  if (auto sent = run_command(command); !sent) {
    std::cerr << "colosla: " << sent.error().msg << "; nothing recorded\n";
    return kFailed;
  }
  const Timestamp at = ctx.clock->now();
  std::cout << "sent: " << command_text(command) << "\n";
  if (vm->count("type") != 0 && !is_problem((*vm)["type"].as<std::string>())) {
    std::cout << "not recorded: a " << (*vm)["type"].as<std::string>()
              << " notification tells of no emergency (only PROBLEM is recorded)\n";
    return kOk;
  }

  // Sent: from here on every failure says so, and the exit code tells a refused record (1: the
  // contact does not count) from a store that could not be used (3).
  auto store = core::Store::open(ctx.db, core::Store::Mode::existing);
  if (!store) {
    std::cerr << "colosla: sent, but not recorded: " << store.error().to_string()
              << " (record it with colosla notify record)\n";
    return kFailed;
  }
  auto r = notification(**store, contract, contact, address, channel, at);
  auto added = r ? enter_record(ctx, **store, *r, *vm) : Result<core::Record>(r.error());
  if (added) {
    return kOk;
  }
  if (exit_for(added.error()) == kRejected) {
    std::cerr << "colosla: warning: sent, but not recorded: " << added.error().to_string()
              << " (this notification does not count for Article 4)\n";
    return kRejected;
  }
  std::cerr << "colosla: sent, but not recorded: " << added.error().to_string()
            << " (record it with colosla notify record)\n";
  return kFailed;
}

}  // namespace colosla::cli
