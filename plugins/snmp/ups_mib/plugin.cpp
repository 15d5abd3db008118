// ups-mib: a UPS's output by UPS-MIB (RFC 1628).
#include "plugins/snmp/ups_mib/plugin.hpp"

#include <array>

#include "colosla/base/oid.hpp"

namespace colosla::plugins::ups_mib {

namespace {

using core::State;
using core::Varbind;
using core::VarType;

// upsTraps = 1.3.6.1.2.1.33.2 (no .0 arc)
constexpr const char* kOnBattery = "1.3.6.1.2.1.33.2.1";         // upsTrapOnBattery
constexpr const char* kAlarmAdded = "1.3.6.1.2.1.33.2.3";        // upsTrapAlarmEntryAdded
constexpr const char* kAlarmRemoved = "1.3.6.1.2.1.33.2.4";      // upsTrapAlarmEntryRemoved
constexpr const char* kAlarmDescr = "1.3.6.1.2.1.33.1.6.2.1.2";  // upsAlarmDescr
constexpr const char* kOutputSource = "1.3.6.1.2.1.33.1.4.1.0";  // upsOutputSource.0
// upsWellKnownAlarms = 1.3.6.1.2.1.33.1.6.3.n
constexpr const char* kAlarms = "1.3.6.1.2.1.33.1.6.3";
constexpr std::int64_t kAlarmOnBattery = 2;
constexpr std::int64_t kAlarmOnBypass = 9;
constexpr std::int64_t kAlarmOutputOffAsRequested = 11;
constexpr std::int64_t kAlarmUpsOffAsRequested = 12;
constexpr std::int64_t kAlarmUpsOutputOff = 14;
constexpr std::int64_t kAlarmUpsSystemOff = 15;

// upsOutputSource: other(1), none(2), normal(3), bypass(4), battery(5), booster(6), reducer(7).
Result<State> output_source(const Varbind& v) {
  if (v.type != VarType::integer) {
    return make_error(Errc::invalid_input,
                      "upsOutputSource is " + std::string(to_string(v.type)) + ", not an INTEGER");
  }
  constexpr std::array<State, 7> kStates{State::other,  State::none,    State::normal,
                                         State::bypass, State::battery, State::booster,
                                         State::reducer};
  if (v.number < 1 || v.number > 7) {
    return make_error(Errc::invalid_input,
                      "upsOutputSource " + std::to_string(v.number) + " is not one of 1..7");
  }
  return kStates[static_cast<std::size_t>(v.number - 1)];
}

// What an alarm means for the output while it is present, if anything.
std::optional<State> alarm_state(std::int64_t alarm) {
  switch (alarm) {
    case kAlarmOnBattery:
      return State::battery;
    case kAlarmOnBypass:
      return State::bypass;
    case kAlarmOutputOffAsRequested:
    case kAlarmUpsOffAsRequested:
    case kAlarmUpsOutputOff:
    case kAlarmUpsSystemOff:
      return State::none;
    default:
      return std::nullopt;
  }
}

class UpsMib final : public core::DevicePlugin {
 public:
  UpsMib() {
    info_.name = "ups-mib";
    info_.stability = core::Stability::stable;
    info_.summary = "UPS output by upsOutputSource; on-battery and alarm traps";
    info_.kind = core::PluginKind::snmp;
    info_.mibs = {"UPS-MIB"};
    info_.trap_oids = {kOnBattery, kAlarmAdded, kAlarmRemoved};
    info_.polls = core::PollRequest{{kOutputSource}, {}};
  }
  [[nodiscard]] const core::PluginRecord& info() const override { return info_; }

  [[nodiscard]] Result<core::TrapMeaning> on_trap(const core::Trap& t,
                                                  const core::DeviceView& d) const override {
    core::TrapMeaning m;
    const auto ups = core::EntityId::ups(d.device.name);
    if (t.trap_oid == kOnBattery) {
      m.states.push_back(core::StateReport{ups, State::battery, std::nullopt, "upsTrapOnBattery"});
      m.summary = "on battery";
      return m;
    }
    const bool added = t.trap_oid == kAlarmAdded;
    const Varbind* descr = core::find_varbind(t.varbinds, kAlarmDescr);
    if (descr == nullptr) {
      return make_error(Errc::invalid_input,
                        std::string(added ? "upsTrapAlarmEntryAdded" : "upsTrapAlarmEntryRemoved") +
                            " without upsAlarmDescr");
    }
    if (descr->type != VarType::oid) {
      return make_error(
          Errc::invalid_input,
          "upsAlarmDescr is " + std::string(to_string(descr->type)) + ", not an OBJECT IDENTIFIER");
    }
    const auto alarm = core::oid_index(descr->text, kAlarms);
    const auto state = alarm ? alarm_state(*alarm) : std::nullopt;
    m.summary = std::string(added ? "alarm added " : "alarm removed ") + descr->text;
    if (!state) {
      return m;  // an alarm that says nothing about the output (battery bad, fan, …)
    }
    if (added) {
      m.states.push_back(
          core::StateReport{ups, *state, std::nullopt, "upsTrapAlarmEntryAdded " + descr->text});
    } else {
      m.poll = true;  // the alarm cleared: ask what the output is now
    }
    return m;
  }

  [[nodiscard]] Result<core::PollMeaning> on_poll(const core::PollAnswer& a,
                                                  const core::DeviceView& d) const override {
    const Varbind* v = core::find_varbind(a.varbinds, kOutputSource);
    if (v == nullptr || v->type == VarType::no_such_object ||
        v->type == VarType::no_such_instance) {
      return make_error(Errc::invalid_input, "the agent has no upsOutputSource.0");
    }
    auto s = output_source(*v);
    if (!s) {
      return s.error();
    }
    core::PollMeaning m;
    m.states.push_back(core::StateReport{core::EntityId::ups(d.device.name), *s, std::nullopt,
                                         "upsOutputSource.0 = " + std::to_string(v->number)});
    return m;
  }

 private:
  core::PluginRecord info_;
};

}  // namespace

std::unique_ptr<core::DevicePlugin> make() { return std::make_unique<UpsMib>(); }

}  // namespace colosla::plugins::ups_mib
