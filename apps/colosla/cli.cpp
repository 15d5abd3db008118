#include "cli.hpp"

#include <signal.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "colosla/services/operations.hpp"
#include "colosla/snmp/snmp_client.hpp"

namespace colosla::cli {

namespace {
volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop(int /*sig*/) { g_stop = 1; }

// The text of a Boost.Program_options error. Boost 1.74 fills an error's message template in a
// loop that never ends when a value it fills in holds its own placeholder (an option
// "--%canonical_option%" or a value "%value%" hung colosla), so '%' in those values is shown as
// '?'. (colosla-trapd's settings.cpp does the same.)
std::string message(const po::error& e) {
  const auto* named = dynamic_cast<const po::error_with_option_name*>(&e);
  if (named == nullptr) {
    return e.what();
  }
  struct Tamed : po::error_with_option_name {
    explicit Tamed(const po::error_with_option_name& from) : po::error_with_option_name(from) {
      for (auto& [placeholder, value] : m_substitutions) {
        std::replace(value.begin(), value.end(), '%', '?');
      }
    }
  };
  return Tamed(*named).what();
}
}  // namespace

std::string required(const po::variables_map& vm, const char* name) {
  if (vm.count(name) == 0) {
    throw UsageError("--" + std::string(name) + " is required");
  }
  return vm[name].as<std::string>();
}

void stop_on_sigterm() {
  struct sigaction sa {};
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGTERM, SIGINT}) {
    sigaction(sig, &sa, nullptr);
  }
}

bool stop_requested() { return g_stop != 0; }

void request_stop() { g_stop = 1; }

po::options_description common_options() {
  po::options_description d("Common options");
  d.add_options()("db", po::value<std::string>(),
                  "the store: a SQLite file or a postgresql:// URI (default: $COLOSLA_DB, else "
                  "./colosla.db)")(
      "secrets-key", po::value<std::string>(),
      "the key that seals the inventory's secrets (default: $COLOSLA_SECRETS_KEY, else, for "
      "SQLite, the store's path + .key)")("help,h", "show this help");
  return d;
}

std::optional<po::variables_map> parse(Context& ctx, const po::options_description& desc,
                                       const po::positional_options_description& pos) {
  po::options_description all;
  all.add(desc).add(common_options());
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(ctx.args).options(all).positional(pos).run(), vm);
    if (vm.count("help") != 0) {
      if (ctx.entry != nullptr) {
        std::cout << command_usage(*ctx.entry) << all;
      } else {
        std::cout << "usage: colosla " << ctx.command << " [options]\n\n" << all;
      }
      return std::nullopt;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(message(e));
  }
  if (vm.count("db") != 0) {
    ctx.db = vm["db"].as<std::string>();
  }
  if (vm.count("secrets-key") != 0) {
    ctx.secrets_key = vm["secrets-key"].as<std::string>();
  }
  return vm;
}

std::unique_ptr<core::Store> open_store(const Context& ctx, core::Store::Mode mode) {
  auto s = core::Store::open(ctx.db, mode, ctx.secrets_key);
  if (!s) {
    report(s.error());
    return nullptr;
  }
  return std::move(*s);
}

Timestamp parse_time_option(const std::string& option, const std::string& text,
                            const Clock& clock) {
  if (text == "now") {
    return clock.now();
  }
  auto t = parse_time(text);
  if (!t) {
    throw UsageError("--" + option + ": " + t.error().msg);
  }
  return *t;
}

std::string entered_by(const po::variables_map& vm) {
  return vm.count("by") != 0 ? vm["by"].as<std::string>() : core::default_user();
}

int refused(const Error& e) {
  report(e);
  std::cerr << "colosla: nothing recorded\n";
  return exit_for(e);
}

int exit_for(const Error& e) {
  switch (e.code) {
    case Errc::invalid_input:
    case Errc::not_found:
    case Errc::conflict:
      return kRejected;
    default:
      return kFailed;
  }
}

int report(const Error& e) {
  std::cerr << "colosla: " << e.to_string() << "\n";
  return exit_for(e);
}

std::string format_option(const po::variables_map& vm, std::initializer_list<const char*> allowed) {
  const std::string f = vm["format"].as<std::string>();
  std::string list;
  for (const char* a : allowed) {
    if (f == a) {
      return f;
    }
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  throw UsageError("--format must be one of " + list + ", not \"" + f + "\"");
}

const core::Registry& builtin_registry() {
  static const core::Registry r = [] {
    core::Registry x;
    core::register_builtins(x);
    return x;
  }();
  return r;
}

std::optional<core::Inventory> inventory_of(core::Store& store, core::Secrets secrets) {
  auto inv = store.load_inventory(secrets);
  if (!inv) {
    report(inv.error());
    return std::nullopt;
  }
  if (!inv->has_value()) {
    report(make_error(Errc::not_found, "no inventory is loaded (colosla inventory load FILE)"));
    return std::nullopt;
  }
  return std::move(**inv);
}

std::optional<WithInventory> open_with_inventory(const Context& ctx, core::Store::Mode mode,
                                                 core::Secrets secrets) {
  WithInventory w;
  w.store = open_store(ctx, mode);
  if (!w.store) {
    return std::nullopt;
  }
  auto inv = inventory_of(*w.store, secrets);
  if (!inv) {
    return std::nullopt;
  }
  w.inventory = std::move(*inv);
  return w;
}

std::optional<OneDevice> one_device(const Context& ctx, const std::string& name) {
  auto w = open_with_inventory(ctx, core::Store::Mode::existing, core::Secrets::reveal);
  if (!w) {
    return std::nullopt;
  }
  OneDevice d;
  static_cast<WithInventory&>(d) = std::move(*w);
  d.device = d.inventory.find_device(name);
  if (d.device == nullptr) {
    report(make_error(Errc::not_found, "no device " + name + " in the inventory"));
    return std::nullopt;
  }
  return d;
}

void add_poll_options(po::options_description& d) {
  d.add_options()("timeout", po::value<int>()->default_value(2000),
                  "milliseconds to wait for each answer")(
      "retries", po::value<int>()->default_value(1), "how many times to ask again");
}

PollOptions poll_options(const po::variables_map& vm) {
  PollOptions o;
  o.timeout = std::chrono::milliseconds{vm["timeout"].as<int>()};
  o.retries = vm["retries"].as<int>();
  if (o.timeout.count() <= 0 || o.retries < 0) {
    throw UsageError("--timeout must be positive and --retries not negative");
  }
  return o;
}

core::Fetch snmp_fetch_of(const PollOptions& o, const Clock& clock) {
  return [o, &clock](const core::Device& d, const core::PollRequest& req) {
    return core::snmp_fetch(core::SnmpTarget{d.address, d.snmp, o.timeout, o.retries}, req, clock);
  };
}

}  // namespace colosla::cli
