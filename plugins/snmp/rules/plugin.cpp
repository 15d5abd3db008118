// rules: a device that the rule files in force read (a vendor UPS without UPS-MIB).
#include "plugins/snmp/rules/plugin.hpp"

namespace colosla::plugins::rules {

namespace {

constexpr const char* kSysObjectId = "1.3.6.1.2.1.1.2.0";  // sysObjectID.0 (SNMPv2-MIB)

class Rules final : public core::DevicePlugin {
 public:
  Rules() {
    info_.name = "rules";
    info_.stability = core::Stability::alpha;
    info_.summary = "read by the rule files in force: poll rules by sysObjectID, trap rules";
    info_.kind = core::PluginKind::snmp;
    info_.mibs = {"SNMPv2-MIB"};
    // The poll asks which device it is; the core then reads the poll rules that match
    // (services' poll_device with the rules in force), not this plugin.
    info_.polls = core::PollRequest{{kSysObjectId}, {}};
  }
  [[nodiscard]] const core::PluginRecord& info() const override { return info_; }

  [[nodiscard]] Result<core::PollMeaning> on_poll(const core::PollAnswer& /*a*/,
                                                  const core::DeviceView& /*d*/) const override {
    return make_error(Errc::invalid_input,
                      "no poll rules are in force (colosla poll reads them with --rules, or from "
                      "the package's rules directory)");
  }

 private:
  core::PluginRecord info_;
};

}  // namespace

std::unique_ptr<core::DevicePlugin> make() { return std::make_unique<Rules>(); }

}  // namespace colosla::plugins::rules
