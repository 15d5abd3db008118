// colosla netconf-check | netconf-listen, and the NETCONF half of colosla poll.
//
// libnetconf2 blocks signals while it waits and can wait minutes (building its schema context, a
// server that stops answering mid-reply), so every step that talks to a device runs under a
// watchdog that ends the process when the step outlives its deadline.
#include <unistd.h>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli.hpp"
#include "colosla/base/log.hpp"
#include "colosla/netconf/netconf_client.hpp"
#include "commands.hpp"

namespace colosla::cli {

namespace {

using Steady = std::chrono::steady_clock;

// Ends the process (exit kFailed, with a message) when an armed step runs past its deadline.
class Watchdog {
 public:
  static Watchdog& instance() {
    static Watchdog* w = new Watchdog;  // never destroyed: its thread outlives main()
    return *w;
  }

  void arm(std::chrono::seconds limit, std::string what) {
    std::lock_guard lock(m_);
    what_ = std::move(what);
    limit_ = limit;
    deadline_ = Steady::now() + limit;
    armed_ = true;
  }
  void disarm() {
    std::lock_guard lock(m_);
    armed_ = false;
  }

 private:
  Watchdog() {
    std::thread([this] {
      for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds{200});
        std::lock_guard lock(m_);
        if (armed_ && Steady::now() > deadline_) {
          const std::string msg =
              what_ + ": no answer within " + std::to_string(limit_.count()) + " s";
          std::cerr << "colosla: " << msg << "\n";
          if (const char* sink = std::getenv("COLOSLA_LOG"); sink != nullptr) {
            log(LogLevel::error, "netconf", msg);  // stderr goes nowhere under colosla-trapd
          }
          std::cout.flush();
          _exit(kFailed);
        }
      }
    }).detach();
  }

  std::mutex m_;
  bool armed_ = false;
  Steady::time_point deadline_;
  std::chrono::seconds limit_{0};
  std::string what_;
};

// The whole of one step (connect and hello, or one RPC) may take this long before the watchdog
// ends the process: the RPC timeout itself, with room for libnetconf2's own waits.
std::chrono::seconds step_limit(const core::NetconfOptions& o) {
  return std::chrono::duration_cast<std::chrono::seconds>(o.rpc_timeout) * 3;
}

// A NETCONF <get> of what the plugin reads, read by the plugin.
core::Ask netconf_ask(core::NetconfSession& session, const core::Device& device,
                      const Clock& clock) {
  return [&session, &device, &clock](const core::DevicePlugin& plugin,
                                     const core::DeviceView& view) -> Result<core::DeviceAnswer> {
    const core::NetconfRequest req = plugin.netconf_request(device, session.server());
    if (req.xpaths.empty()) {
      return core::DeviceAnswer{
          make_error(Errc::not_found, "the server implements none of the modules plugin " +
                                          plugin.info().name + " reads"),
          clock.now()};
    }
    auto answer = session.get(req.xpaths, clock);
    if (!answer) {
      return answer.error();
    }
    return core::DeviceAnswer{plugin.on_netconf(*answer, view), answer->at};
  };
}

core::PollOrigin origin_of(const core::Device& device) {
  return core::PollOrigin{core::Source::netconf, core::netconf_origin(device)};
}

// Stores a reading through an open session (nullptr: the session could not be opened, `why`).
Result<core::PollReport> read_device(core::Store& store, const core::Device& device,
                                     core::NetconfSession* session, const Error& why,
                                     const Clock& clock) {
  const core::Ask failed = [&why](const core::DevicePlugin&,
                                  const core::DeviceView&) -> Result<core::DeviceAnswer> {
    return why;
  };
  return core::poll_device(store, builtin_registry(), device,
                           session != nullptr ? netconf_ask(*session, device, clock) : failed,
                           origin_of(device), clock);
}

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// A NETCONF device of the store's inventory and its plugin.
struct NetconfDevice {
  OneDevice one;
  const core::DevicePlugin* plugin = nullptr;
};

// Finds the device and its plugin; when it cannot (no store, no such device, not a NETCONF
// device, no such plugin) it reports why and sets `rc` to the exit code.
std::optional<NetconfDevice> netconf_device(const Context& ctx, const std::string& name, int& rc) {
  auto one = one_device(ctx, name);
  if (!one) {
    rc = kFailed;
    return std::nullopt;
  }
  const core::Device& dev = *one->device;
  if (!dev.netconf) {
    rc = report(
        make_error(Errc::invalid_input,
                   name + " is read over SNMP, not NETCONF (colosla poll --device " + name + ")"));
    return std::nullopt;
  }
  // A device may name several plugins: the one that reads it over NETCONF.
  const auto plugins = builtin_registry().plugins_of(dev);
  if (!plugins.missing.empty()) {
    rc = report(make_error(
        Errc::not_found, "no plugin " + plugins.missing.front() + " (colosla plugins lists them)"));
    return std::nullopt;
  }
  const core::DevicePlugin* plugin = nullptr;
  for (const core::DevicePlugin* p : plugins.found) {
    if (plugin == nullptr && p->info().kind == core::PluginKind::netconf) {
      plugin = p;
    }
  }
  if (plugin == nullptr && !plugins.found.empty()) {
    plugin = plugins.found.front();
  }
  if (plugin == nullptr) {
    rc = report(make_error(Errc::not_found, dev.name + " names no plugin"));
    return std::nullopt;
  }
  return NetconfDevice{std::move(*one), plugin};
}

}  // namespace

// Connects to a NETCONF device and shows what colosla can read there: the capabilities that
// matter, the modules its plugins read, and the interfaces or power supplies with their states.
int netconf_check(Context& ctx) {
  po::options_description d("netconf-check");
  d.add_options()("device", po::value<std::string>(), "the NETCONF device");
  add_netconf_options(d, "timeout");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  const std::string name = required(*vm, "device");
  const core::NetconfOptions o = netconf_options(*vm, "timeout");
  int rc = kOk;
  auto found = netconf_device(ctx, name, rc);
  if (!found) {
    return rc;
  }
  const core::Device* dev = found->one.device;
  const core::DevicePlugin* plugin = found->plugin;
  // The whole check: connect, one <get>.
  Watchdog::instance().arm(step_limit(o), name);
  auto session = core::NetconfSession::connect(*dev, o);
  if (!session) {
    return report(session.error());
  }
  const core::NetconfServerInfo& server = (*session)->server();
  std::cout << name << ": NETCONF session established (" << server.capabilities.size()
            << " capabilities, " << server.modules.size() << " modules)\n";
  for (const auto& [uri, what] : std::vector<std::pair<std::string, std::string>>{
           {"urn:ietf:params:netconf:base:1.1", "NETCONF 1.1"},
           {"urn:ietf:params:netconf:capability:notification:1.0", "notifications (RFC 5277)"},
           {"urn:ietf:params:netconf:capability:interleave:1.0", "interleave"}}) {
    std::cout << "  " << (server.has_capability(uri) ? "yes" : "no ") << "  " << what << "\n";
  }
  std::cout << "  " << (server.nmda() ? "yes" : "no ") << "  NMDA (ietf-netconf-nmda)\n";
  for (const auto& m : plugin->info().module_names()) {
    std::cout << "  " << (server.implements(m) ? "yes" : "no ") << "  " << m;
    if (server.implements(m) && !server.revision(m).empty()) {
      std::cout << "@" << server.revision(m);
    }
    std::cout << "\n";
  }
  const core::NetconfRequest req = plugin->netconf_request(*dev, server);
  if (req.xpaths.empty()) {
    return report(make_error(
        Errc::not_found,
        "the server implements none of the modules plugin " + plugin->info().name + " reads",
        name));
  }
  auto answer = (*session)->get(req.xpaths, *ctx.clock);
  if (!answer) {
    return report(answer.error());
  }
  const std::map<std::int64_t, std::string> no_names;
  auto meaning = plugin->on_netconf(*answer, core::DeviceView{*dev, no_names});
  if (!meaning) {
    return report(make_error(meaning.error().code, meaning.error().msg, name));
  }
  std::cout << "plugin " << plugin->info().name << " reads " << meaning->states.size()
            << " states:\n";
  for (const auto& s : meaning->states) {
    std::cout << "  " << core::describe(s.entity) << " " << to_string(s.state) << " (" << s.detail
              << ")\n";
  }
  return kOk;
}

namespace {

// Sleeps up to `d`, or less when asked to stop.
void nap(std::chrono::milliseconds d) {
  const auto until = Steady::now() + d;
  while (!stop_requested() && Steady::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
}

}  // namespace

// A long-lived listener for one device (colosla-trapd runs one per NETCONF device): subscribes
// to the server's notifications (RFC 5277), reads the full state after every (re)connect so that
// nothing missed while disconnected is lost, asks for a replay from the last change it knows
// where the server keeps a log, stores what each notification says, and reconnects with
// backoff when the session breaks. A device it cannot reach becomes unknown, as in a poll.
int netconf_listen(Context& ctx) {
  po::options_description d("netconf-listen");
  d.add_options()("device", po::value<std::string>(), "the NETCONF device")(
      "max-backoff", po::value<int>()->default_value(60), "seconds between reconnects at most");
  add_netconf_options(d, "timeout");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  const std::string name = required(*vm, "device");
  const core::NetconfOptions o = netconf_options(*vm, "timeout");
  const std::chrono::seconds max_backoff{std::max(1, (*vm)["max-backoff"].as<int>())};
  int rc = kOk;
  auto found = netconf_device(ctx, name, rc);
  if (!found) {
    return rc;
  }
  const core::Device& dev = *found->one.device;
  const std::vector<const core::DevicePlugin*> plugins = builtin_registry().plugins_of(dev).found;
  core::Store& store = *found->one.store;
  stop_on_sigterm();
  Watchdog& watchdog = Watchdog::instance();
  const core::PollOrigin origin = origin_of(dev);
  const std::string component = "netconf " + name;

  // Replay starts from the device's last change the store knows (older replayed news is
  // superseded and left out: core::record_notification).
  std::optional<Timestamp> last_seen;
  if (auto latest = store.latest_states_of(name); latest) {
    for (const auto& [e, s] : *latest) {
      last_seen = last_seen ? std::max(*last_seen, s.time) : s.time;
    }
  }
  // Reads the whole state; logs what changed. False when the store failed.
  const auto read_all = [&](core::NetconfSession* session, const Error& why) {
    watchdog.arm(step_limit(o), name);
    auto r = read_device(store, dev, session, why, *ctx.clock);
    watchdog.disarm();
    if (!r) {
      log(LogLevel::error, component, r.error().to_string());
      return false;
    }
    if (!r->recorded.empty() || !r->problem.empty()) {
      log(r->problem.empty() ? LogLevel::info : LogLevel::warning, component,
          (r->problem.empty() ? plural(r->states, "state") : r->problem) + "; " +
              plural(r->recorded.size(), "change") + " recorded");
    }
    return true;
  };

  // Stores what one notification says; false when the store failed. Sets read_again when the
  // plugin needs the full state to make sense of it.
  bool read_again = false;
  const auto handle = [&](const core::NetconfNotification& note) {
    last_seen = last_seen ? std::max(*last_seen, note.event_time) : note.event_time;
    if (core::Registry::for_notification(plugins, note.node.module, note.node.name).empty()) {
      log(LogLevel::debug, component, "ignored " + note.node.module + ":" + note.node.name);
      return true;
    }
    auto r = core::record_notification(store, builtin_registry(), dev, note, origin, *ctx.clock);
    if (!r) {
      log(r.error().code == Errc::store ? LogLevel::error : LogLevel::warning, component,
          r.error().to_string());
      return r.error().code != Errc::store;
    }
    log(LogLevel::info, component,
        r->summary + " at " + format_time_utc(note.event_time) + ": " +
            plural(r->recorded.size(), "change") + " recorded" +
            (r->superseded > 0 ? ", " + std::to_string(r->superseded) + " superseded" : ""));
    read_again = read_again || r->poll;
    return true;
  };

  auto backoff = std::chrono::seconds{1};
  bool was_down = false;
  while (!stop_requested()) {
    watchdog.arm(step_limit(o), name);
    auto session = core::NetconfSession::connect(dev, o);
    watchdog.disarm();
    if (!session) {
      if (!was_down) {
        if (!read_all(nullptr, session.error())) {
          return kFailed;
        }
        was_down = true;
      }
      log(LogLevel::info, component,
          "connecting again in " + std::to_string(backoff.count()) + " s");
      nap(backoff);
      backoff = std::min(backoff * 2, max_backoff);
      continue;
    }
    core::NetconfSession& s = **session;
    const auto connected = Steady::now();
    if (!s.server().has_capability("urn:ietf:params:netconf:capability:notification:1.0")) {
      log(LogLevel::warning, component,
          "the server sends no notifications (no RFC 5277 capability): colosla-trapd polls it "
          "only");
      return read_all(&s, Error{}) ? kOk : kFailed;
    }
    watchdog.arm(step_limit(o), name);
    bool replay = last_seen.has_value();
    auto subscribed = s.subscribe(last_seen);
    if (!subscribed && replay) {
      log(LogLevel::info, component,
          "no replay from " + format_time_utc(*last_seen) + " (" + subscribed.error().msg +
              "); subscribing from now");
      replay = false;
      subscribed = s.subscribe(std::nullopt);
    }
    watchdog.disarm();
    if (!subscribed) {
      log(LogLevel::warning, component, subscribed.error().msg);
      nap(backoff);
      backoff = std::min(backoff * 2, max_backoff);
      continue;
    }
    log(LogLevel::info, component,
        std::string("subscribed to notifications") +
            (replay ? ", replay from " + format_time_utc(*last_seen) : ""));
    // What happened while nobody listened comes first (up to replayComplete), so that each
    // change keeps its own time; then the full state, read after the subscription so that a
    // change in between arrives as a notification and is not lost.
    bool broken = false;
    const auto until = Steady::now() + o.rpc_timeout;
    while (replay && !stop_requested() && Steady::now() < until) {
      auto n = s.next_notification(std::chrono::milliseconds{200});
      if (!n) {
        log(LogLevel::warning, component, n.error().msg + "; connecting again");
        broken = true;
        break;
      }
      if (n->has_value() && (**n).node.name == "replayComplete") {
        break;
      }
      if (n->has_value() && !handle(**n)) {
        return kFailed;
      }
    }
    if (!broken && !read_all(&s, Error{})) {
      return kFailed;
    }
    was_down = false;
    while (!broken && !stop_requested()) {
      auto n = s.next_notification(std::chrono::milliseconds{1000});
      if (!n) {
        log(LogLevel::warning, component, n.error().msg + "; connecting again");
        break;
      }
      if (n->has_value() && !handle(**n)) {
        return kFailed;
      }
      if (read_again && !read_all(&s, Error{})) {
        return kFailed;
      }
      read_again = false;
    }
    // A server that drops sessions soon after it opens them is not hammered with reconnects.
    if (!stop_requested() && Steady::now() - connected < std::chrono::seconds{30}) {
      log(LogLevel::info, component,
          "connecting again in " + std::to_string(backoff.count()) + " s");
      nap(backoff);
      backoff = std::min(backoff * 2, max_backoff);
    } else {
      backoff = std::chrono::seconds{1};
    }
  }
  log(LogLevel::info, component, "stopping");
  return kOk;
}

void add_netconf_options(po::options_description& d, const char* timeout_option) {
  d.add_options()(
      "yang-dir", po::value<std::vector<std::string>>(),
      "a directory of YANG modules to search first (repeatable; then $COLOSLA_YANG_PATH, "
      "/usr/share/colosla/yang, /usr/share/yuma/modules)")(
      timeout_option, po::value<int>()->default_value(10),
      "seconds for each NETCONF RPC; a step that takes 3 times that ends the command");
}

core::NetconfOptions netconf_options(const po::variables_map& vm, const char* timeout_option) {
  core::NetconfOptions o;
  if (vm.count("yang-dir") != 0) {
    o.yang_dirs = vm["yang-dir"].as<std::vector<std::string>>();
  }
  for (auto& dir : core::default_yang_dirs()) {
    o.yang_dirs.push_back(dir);
  }
  const int timeout = vm[timeout_option].as<int>();
  if (timeout <= 0) {
    throw UsageError(std::string("--") + timeout_option + " must be positive");
  }
  o.rpc_timeout = std::chrono::seconds{timeout};
  return o;
}

Result<core::PollReport> poll_netconf(core::Store& store, const core::Device& device,
                                      const core::NetconfOptions& options, const Clock& clock) {
  Watchdog::instance().arm(step_limit(options), device.name);
  auto session = core::NetconfSession::connect(device, options);
  auto r = read_device(store, device, session ? session->get() : nullptr,
                       session ? Error{} : session.error(), clock);
  Watchdog::instance().disarm();
  return r;
}

}  // namespace colosla::cli
