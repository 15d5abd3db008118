// A NETCONF server's <rpc-reply> to a <get>, read as a session reads it (libyang with the modules
// the NETCONF plugins read), then through each NETCONF plugin.
#include <cstdio>
#include <cstdlib>

#include "colosla/inventory.hpp"
#include "colosla/netconf_client.hpp"
#include "colosla/registry.hpp"
#include "fuzz_support.hpp"

using namespace colosla;
using namespace colosla::core;

namespace {

struct World {
  std::unique_ptr<NetconfReplyReader> reader;
  Registry registry;
  std::vector<std::pair<const DevicePlugin*, Device>> plugins;
  std::map<std::int64_t, std::string> no_names;

  World() {
    fuzz::quiet_log();
    // The test modules (a subset of OpenConfig) first, then yuma123's standard modules.
    reader = std::make_unique<NetconfReplyReader>(
        std::vector<std::string>{fuzz::source_file("tests/data/yang"), "/usr/share/yuma/modules"},
        std::vector<std::string>{"ietf-interfaces", "iana-if-type", "openconfig-interfaces",
                                 "ietf-hardware", "ietf-hardware-state", "iana-hardware"});
    register_builtins(registry);
    for (const auto& [name, role] : {std::pair{"ietf-interfaces", Role::network_switch},
                                     std::pair{"openconfig-interfaces", Role::network_switch},
                                     std::pair{"ietf-hardware", Role::pdu}}) {
      const DevicePlugin* p = registry.find(name);
      if (p == nullptr) {
        std::abort();  // a plugin gone from plugins/: this target must follow
      }
      plugins.emplace_back(
          p, Device{std::string("nc-") + name, role, "192.0.2.40", name, "", {}, NetconfAccess{}});
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World* const w = new World();  // made once: the YANG context is the expensive part
  auto nodes = w->reader->get_reply(fuzz::text(data, size));
  if (!nodes) {
    if (fuzz::debug()) {
      std::fprintf(stderr, "netconf_data: %s\n", nodes.error().msg.c_str());
    }
    return 0;
  }
  const NetconfAnswer answer{std::move(*nodes), Timestamp{std::chrono::seconds{1'795'000'000}}};
  for (const auto& [plugin, device] : w->plugins) {
    auto m = plugin->on_netconf(answer, DeviceView{device, w->no_names});
    if (fuzz::debug()) {
      std::fprintf(
          stderr, "netconf_data: %s: %s\n", plugin->info().name.c_str(),
          m ? (std::to_string(m->states.size()) + " states").c_str() : m.error().msg.c_str());
    }
  }
  return 0;
}
