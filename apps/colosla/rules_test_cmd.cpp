// colosla rules test: what the plugins and trap rules make of one trap from a device, nothing
// stored. The trap is built by Net-SNMP's own snmptrap, sent to a socket of this process on
// loopback and decoded as colosla-trapd decodes it, or read as snmptrapd's traphandle text.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli.hpp"
#include "colosla/base/child_process.hpp"
#include "colosla/base/text.hpp"
#include "colosla/ingest/ingest.hpp"
#include "colosla/ingest/trap_processor.hpp"
#include "colosla/ingest/traphandle.hpp"
#include "colosla/rules/trap_rules.hpp"
#include "colosla/snmp/trap_receiver.hpp"
#include "commands.hpp"
#include "rules_cmd.hpp"

namespace colosla::cli {

namespace {

constexpr std::string_view kTrapArgs =
    "snmptrap's arguments: its options, [AGENT], then for -v 1 ENTERPRISE AGENT-ADDR GENERIC "
    "SPECIFIC UPTIME, for -v 2c UPTIME TRAP-OID, then OID TYPE VALUE for each varbind";

// Net-SNMP's options that take a value (snmp_parse_args' and snmptrap's -C), read as getopt
// reads them: the rest of the word, else the next word.
constexpr std::string_view kWithValue = "YmMOIPDvrtcZeEnulxXaApTL3sSkKC";

// snmptrap's arguments with the destination put in: AGENT, when they hold one (their positional
// words are then a multiple of 3: AGENT + 5 for v1 or AGENT + 2 for v2c, + 3 a varbind), is
// replaced; else it is inserted before the first positional word. Throws UsageError.
std::vector<std::string> with_agent(std::vector<std::string> args, const std::string& agent) {
  std::vector<std::size_t> positional;
  bool options = true;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!options || a.size() < 2 || a[0] != '-') {
      positional.push_back(i);
      continue;
    }
    if (a == "--") {
      options = false;
      continue;
    }
    for (std::size_t k = 1; k < a.size(); ++k) {
      if (kWithValue.find(a[k]) != std::string_view::npos) {
        i += k + 1 == a.size() ? 1 : 0;  // the value is the next word
        break;
      }
    }
  }
  if (positional.size() % 3 == 1) {
    throw UsageError("after --: " + std::string(kTrapArgs) + " (" +
                     std::to_string(positional.size()) + " positional words)");
  }
  if (positional.size() % 3 == 0 && !positional.empty()) {
    args[positional.front()] = agent;
  } else {
    args.insert(args.begin() + static_cast<std::ptrdiff_t>(positional.empty() ? args.size()
                                                                              : positional.front()),
                agent);
  }
  return args;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) {
      ::close(fd);
    }
  }
};

// Waits for the snmptrap it started; an inform's sender waits for an answer that will not come:
// it is ended.
void reap(pid_t pid, bool end_it) {
  if (end_it) {
    ::kill(pid, SIGTERM);
  }
  int status = 0;
  for (int i = 0; i < 200 && ::waitpid(pid, &status, WNOHANG) == 0; ++i) {
    ::poll(nullptr, 0, 10);
  }
  if (::waitpid(pid, &status, WNOHANG) == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
}

// Runs snmptrap with these arguments to a socket of its own on 127.0.0.1 and decodes the
// datagram it sends with colosla-trapd's decoder. Reports and gives nullopt (and *code) when
// there is none.
std::optional<core::Trap> trap_from_snmptrap(const Context& ctx,
                                             const std::vector<std::string>& trap_args, int* code) {
  Fd sock{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (sock.fd < 0 || ::bind(sock.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(sock.fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::cerr << "colosla: cannot open a UDP socket on 127.0.0.1: " << std::strerror(errno) << "\n";
    *code = kFailed;
    return std::nullopt;
  }
  std::vector<std::string> args{"snmptrap"};
  for (auto& a : with_agent(trap_args, "udp:127.0.0.1:" + std::to_string(ntohs(addr.sin_port)))) {
    args.push_back(std::move(a));
  }
  auto pid = start_child(args);
  if (!pid) {
    *code = report(pid.error());
    return std::nullopt;
  }
  std::array<unsigned char, 65536> buf{};
  sockaddr_in peer{};
  ssize_t got = -1;
  int status = 0;
  bool exited = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (got < 0 && std::chrono::steady_clock::now() < deadline) {
    pollfd p{sock.fd, POLLIN, 0};
    if (::poll(&p, 1, exited ? 0 : 50) > 0) {
      socklen_t plen = sizeof peer;
      got =
          ::recvfrom(sock.fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&peer), &plen);
    } else if (exited) {
      break;
    } else if (::waitpid(*pid, &status, WNOHANG) == *pid) {
      exited = true;  // one more look: it may have sent before it ended
    }
  }
  if (got < 0) {
    if (!exited) {
      reap(*pid, true);
      std::cerr << "colosla: snmptrap sent nothing in 10 s\n";
      *code = kFailed;
      return std::nullopt;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
      std::cerr << "colosla: snmptrap could not be run (Debian's package snmp has it); or give "
                   "the trap with --text\n";
      *code = kFailed;
      return std::nullopt;
    }
    std::cerr << "colosla: snmptrap sent no trap (" << describe_exit(status) << "): after --, "
              << kTrapArgs << "\n";
    *code = kUsage;
    return std::nullopt;
  }
  core::TrapReceiver receiver(core::TrapReceiver::Options{}, *ctx.clock);
  core::ReceiveCounters counters;
  auto traps = receiver.decode(std::span<const unsigned char>(buf.data(), std::size_t(got)),
                               "127.0.0.1", ntohs(peer.sin_port), counters);
  const bool inform = !traps.empty() && traps.front().inform != 0;
  if (!exited) {
    reap(*pid, inform);
  }
  if (traps.empty()) {
    std::cerr << "colosla: "
              << (counters.usm + counters.discovery != 0
                      ? "an SNMPv3 notification: give it as -v 2c (a rule reads v2c and v3 "
                        "traps alike)"
                      : "snmptrap sent no notification colosla-trapd reads")
              << "\n";
    *code = kUsage;
    return std::nullopt;
  }
  if (inform) {
    receiver.release(traps.front().inform);
  }
  return traps.front().trap;
}

// Who reads the trap: "plugin NAME", "rule NAME (OBJECT) in FILE:LINE (MIB REVISION)", or empty.
std::string reader_of(const core::Registry& registry, const core::Device& device,
                      const core::TrapRules& rules, const core::Trap& trap) {
  std::string out;
  for (const auto& r : registry.for_trap(registry.plugins_of(device).found, trap.trap_oid)) {
    out += (out.empty() ? "plugin " : ", plugin ") + r.plugin->info().name;
  }
  if (!out.empty()) {
    return out;
  }
  const core::TrapRule* rule = rules.find(trap);
  if (rule == nullptr) {
    return out;
  }
  out = "rule " + rule->name + " (" + rule->object + ")";
  if (const auto* f = rules.file_of(rule)) {
    out += " in " + f->path + (rule->line > 0 ? ":" + std::to_string(rule->line) : "") + " (" +
           f->mib + " " + f->revision + ")";
  }
  return out;
}

}  // namespace

std::optional<core::TrapRules> rules_of_options(const po::variables_map& vm, int* code,
                                                std::string_view refused) {
  const auto rule_paths = core::rule_paths_or_default(
      vm.count("rules") != 0 ? vm["rules"].as<std::vector<std::string>>()
                             : std::vector<std::string>{});
  if (rule_paths.empty()) {
    return core::TrapRules{};
  }
  core::TrapRuleLoader loader;
  auto loaded = loader.load_all(rule_paths);
  if (!loaded) {
    bool unreadable = false;
    for (const auto& problem : loaded.error()) {
      std::cerr << problem.to_string() << "\n";
      unreadable = unreadable || problem.unreadable;
    }
    std::cerr << "colosla: " << refused << "\n";
    *code = unreadable ? kFailed : kRejected;
    return std::nullopt;
  }
  return std::move(*loaded);
}

int rules_test(Context& ctx) {
  const auto dashes = std::find(ctx.args.begin(), ctx.args.end(), "--");
  std::vector<std::string> trap_args;
  const bool given = dashes != ctx.args.end();
  if (given) {
    trap_args.assign(dashes + 1, ctx.args.end());
    ctx.args.erase(dashes, ctx.args.end());
  }
  po::options_description d("rules test");
  d.add_options()("device", po::value<std::string>(),
                  "the inventory device (in the store) the trap comes from, or that --poll polls")(
      "rules", po::value<std::vector<std::string>>(),
      "trap rule file or directory; repeatable (default: the package's rules directory, when it "
      "exists)")("text", po::bool_switch(),
                 "read the trap on stdin, as snmptrapd gives it to a traphandle "
                 "(colosla trap-handler), instead of snmptrap's arguments after --")(
      "poll", po::bool_switch(),
      "no trap: poll the device once by the poll rules that match its sysObjectID.0 (as "
      "colosla poll polls a device whose plugin is \"rules\")")(
      "sys-object-id", po::value<std::string>(),
      "no trap, no device: the poll rules that apply to a device with this sysObjectID.0");
  add_poll_options(d);
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  const bool text = (*vm)["text"].as<bool>();
  const bool poll = (*vm)["poll"].as<bool>() || vm->count("sys-object-id") != 0;
  if (poll && (text || given)) {
    throw UsageError("--poll and --sys-object-id take no trap (--text, -- SNMPTRAP-ARGS)");
  }
  if (!poll && text == given) {
    throw UsageError(text ? "--text reads the trap on stdin: no snmptrap arguments with it"
                          : "give the trap: -- SNMPTRAP-ARGS..., or --text; or --poll");
  }
  if (given && trap_args.empty()) {
    throw UsageError("after --: " + std::string(kTrapArgs));
  }
  const std::string name = poll ? std::string() : required(*vm, "device");
  int code = kFailed;
  auto loaded = rules_of_options(*vm, &code, "the rules are not valid");
  if (!loaded) {
    return code;
  }
  const core::TrapRules rules = std::move(*loaded);
  if (poll) {
    return rules_test_poll(ctx, *vm, rules);
  }

  auto with = open_with_inventory(ctx, core::Store::Mode::read_only);
  if (!with) {
    return kFailed;
  }
  const auto dev = std::find_if(with->inventory.devices.begin(), with->inventory.devices.end(),
                                [&](const core::Device& x) { return x.name == name; });
  if (dev == with->inventory.devices.end()) {
    throw UsageError("--device: no device \"" + escaped(name) + "\" in the store's inventory");
  }

  std::optional<core::Trap> trap;
  if (text) {
    auto parsed = core::parse_traphandle_input(std::cin, ctx.clock->now());
    if (!parsed) {
      return report(parsed.error());
    }
    trap = std::move(*parsed);
  } else {
    trap = trap_from_snmptrap(ctx, trap_args, &code);
    if (!trap) {
      return code;
    }
  }
  // It is the device's, whatever address it came from.
  trap->source_address = dev->address;
  if (trap->version == 1) {
    trap->agent_address = dev->address;
  }

  core::Inventory inv;
  inv.devices.push_back(*dev);
  core::TrapProcessor::Options options;
  options.check_community = false;
  options.rules = &rules;
  core::TrapProcessor proc(inv, builtin_registry(), *ctx.clock, options);
  core::load_port_names(proc, *with->store);
  const auto p = proc.process(*trap);

  std::string reader = reader_of(builtin_registry(), inv.devices.front(), rules, *trap);
  if (reader.empty() && (p.refresh || !p.observations.empty())) {
    reader = "colosla's core (a restart trap)";
  }
  std::cout << "trap: " << core::to_text(*trap) << "\n";
  std::cout << "device: " << dev->name << " (plugin " << dev->plugin << ", " << rules.size()
            << (rules.size() == 1 ? " trap rule)" : " trap rules)") << "\n";
  std::cout << "read by: " << (reader.empty() ? "nothing" : reader) << "\n";
  std::cout << "meaning: " << (p.log.empty() ? std::string(to_string(p.disposition)) : p.log)
            << "\n";
  for (const auto& o : p.observations) {
    std::cout << "observation: " << core::describe(o.entity) << " " << core::to_string(o.state)
              << "\n";
  }
  if (p.refresh) {
    std::cout << "walk the device: yes (its ifIndex names)\n";
  }
  std::cout << "poll to confirm: " << (p.poll || p.refresh ? "yes" : "no") << "\n";
  std::cout << "nothing stored\n";
  const bool read = !reader.empty() && p.disposition != core::Disposition::malformed &&
                    (!p.observations.empty() || p.poll || p.refresh);
  return read ? kOk : kRejected;
}

}  // namespace colosla::cli
