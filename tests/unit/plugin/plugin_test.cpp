// What the plugin interface does for what a plugin does not speak.
#include "colosla/plugin/plugin.hpp"
#include "plugins/netconf/ietf_hardware/plugin.hpp"
#include "plugins/snmp/if_mib/plugin.hpp"
#include "unit/plugins/netconf/support_netconf.hpp"

using namespace colosla;
using namespace colosla::core;
using namespace colosla::test::netconf;
using colosla::test::at;

TEST_CASE("a plugin says what it does not speak", "[plugin][netconf]") {
  const auto snmp = plugins::if_mib::make();
  const DeviceView view{kSwitch, kNoNames};
  CHECK(snmp->netconf_request(kSwitch, server({{"ietf-interfaces", ""}})).xpaths.empty());
  const auto m = snmp->on_netconf(NetconfAnswer{}, view);
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().msg == "plugin if-mib does not read NETCONF data");
  const auto nc = plugins::ietf_hardware::make();
  CHECK(nc->poll_request(kShelf).walk.empty());
  const auto t = nc->on_trap(Trap{}, DeviceView{kShelf, kNoNames});
  REQUIRE_FALSE(t.has_value());
  CHECK(t.error().msg == "plugin ietf-hardware does not read SNMP traps");
}
