// A datagram received on colosla-trapd's port: decoded by the receiver (SNMPv1, v2c, v3 with USM
// users, so that authentication and decryption run), then each notification through the trap
// processor over an inventory with a device of each SNMP plugin, and described for the log.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "colosla/ingest/trap_processor.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/plugin/registry.hpp"
#include "colosla/snmp/trap_receiver.hpp"
#include "fuzz_support.hpp"

using namespace colosla;
using namespace colosla::core;

namespace {

// The SNMPv3 engine ID of the receiver (what inform senders discover), fixed so that the seeds'
// informs, encoded for it, authenticate.
constexpr const char* kEngineId = "0x80001f88800102030405060708";

Device snmp_device(std::string name, Role role, std::string plugin, std::string community) {
  Device d{std::move(name), role, "127.0.0.1", std::move(plugin), "", {}, {}};
  d.snmp.community = std::move(community);
  return d;
}

Device v3_device(std::string name, Role role, std::string plugin, std::string user) {
  Device d{std::move(name), role, "127.0.0.1", std::move(plugin), "", {}, {}};
  d.snmp.version = "v3";
  d.snmp.user = std::move(user);
  d.snmp.auth_protocol = "sha";
  d.snmp.auth_password = "authpass123";
  d.snmp.priv_protocol = "aes";
  d.snmp.priv_password = "privpass123";
  return d;
}

struct World {
  std::string state_dir;
  FakeClock clock{Timestamp{std::chrono::seconds{1'795'000'000}}};  // 2026-11-18
  Inventory inventory;
  Registry registry;
  std::unique_ptr<TrapReceiver> receiver;

  World() {
    fuzz::quiet_log();
    // Net-SNMP reads its engine state from a directory at start: a private one, made once and
    // removed as soon as the receiver has read it (so that no crash leaves it behind).
    std::string tmpl = "/tmp/colosla-fuzz-trap.XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) {
      std::abort();
    }
    state_dir = tmpl;
    {
      // Net-SNMP reads the engine ID back from its state file (snmp_store writes it there).
      std::FILE* f = std::fopen((state_dir + "/colosla-trapd.conf").c_str(), "w");
      if (f == nullptr) {
        std::abort();
      }
      std::fprintf(f, "oldEngineID %s\nengineBoots 1\n", kEngineId);
      std::fclose(f);
    }
    register_builtins(registry);
    // Devices behind one address, told apart by community (v1/v2c) or user (v3).
    inventory.devices = {snmp_device("sw1", Role::network_switch, "if-mib", "public"),
                         snmp_device("ups1", Role::ups, "ups-mib", "ups"),
                         snmp_device("pdu1", Role::pdu, "apc-pdu", "pdu"),
                         v3_device("sw3", Role::network_switch, "if-mib", "trapuser"),
                         v3_device("pdu3", Role::pdu, "apc-pdu", "informuser")};
    TrapReceiver::Options o;
    o.state_dir = state_dir;
    o.users = {"-e 0x8000000001020304 trapuser SHA authpass123 AES privpass123",
               "informuser SHA authpass123 AES privpass123"};
    receiver = std::make_unique<TrapReceiver>(o, clock);
    std::filesystem::remove_all(state_dir);
    if (fuzz::debug()) {
      std::fprintf(stderr, "trap_decode: engine ID %s, state in %s\n",
                   receiver->engine_id().c_str(), state_dir.c_str());
    }
  }

  static World& world() {
    static World* const w = new World();  // never destroyed: Net-SNMP's state outlives it anyway
    return *w;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = World::world();
  // A processor per input, so that no input depends on what came before (duplicates, rates).
  // 127.0.0.1, the sender of every input, is a trusted relay: snmpTrapAddress.0 is read too.
  TrapProcessor::Options options;
  options.communities = {"noc-traps"};
  options.relays = {*AddressPrefix::parse("127.0.0.1")};
  TrapProcessor processor(w.inventory, w.registry, w.clock, std::move(options));
  processor.set_port_names("sw1", {{1, "ge-0/0/1"}, {2, "ge-0/0/2"}, {3, "ge-0/0/3"}});
  ReceiveCounters counters;
  for (ReceivedTrap& r : w.receiver->decode({data, size}, "127.0.0.1", 49152, counters)) {
    const Processed p = processor.process(r.trap);
    const std::string line = describe(r.trap, p);
    if (fuzz::debug()) {
      std::fprintf(stderr, "trap_decode: %s: %s\n", std::string(to_string(p.disposition)).c_str(),
                   line.c_str());
    }
    (void)to_text(r.trap).size();
    if (r.inform != 0) {
      w.receiver->release(r.inform);
    }
  }
  // Every datagram ends in exactly one counter, and every accepted trap in one of accepted's.
  TrapCounters all = processor.counters();
  all.take_receiver(counters);
  if (all.received_unaccounted() != 0 || all.accepted_unaccounted() != 0) {
    std::fprintf(stderr, "trap_decode: the counters do not add up (received %lld, accepted %lld)\n",
                 static_cast<long long>(all.received_unaccounted()),
                 static_cast<long long>(all.accepted_unaccounted()));
    std::abort();
  }
  if (fuzz::debug()) {
    std::fprintf(stderr,
                 "trap_decode: malformed %lld usm %lld discovery %lld not-notification %lld\n",
                 static_cast<long long>(counters.malformed), static_cast<long long>(counters.usm),
                 static_cast<long long>(counters.discovery),
                 static_cast<long long>(counters.not_notifications));
  }
  return 0;
}
