// apc-pdu: APC switched rack PDUs by PowerNet-MIB (enterprise 318).
#include "plugins/snmp/apc_pdu/plugin.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>

#include "colosla/base/oid.hpp"

namespace colosla::plugins::apc_pdu {

namespace {

using core::State;
using core::Varbind;
using core::VarType;

// SMIv1 traps of enterprise apc (1.3.6.1.4.1.318): snmpTrapOID 1.3.6.1.4.1.318.0.<n>.
constexpr const char* kRpduOutletOn = "1.3.6.1.4.1.318.0.268";   // rPDUOutletOn
constexpr const char* kRpduOutletOff = "1.3.6.1.4.1.318.0.269";  // rPDUOutletOff
constexpr const char* kOutletOn = "1.3.6.1.4.1.318.0.41";        // outletOn (MasterSwitch)
constexpr const char* kOutletOff = "1.3.6.1.4.1.318.0.42";       // outletOff (MasterSwitch)
constexpr const char* kInputLost = "1.3.6.1.4.1.318.0.218";      // pduUPSInputVoltageLost
constexpr const char* kInputRestored = "1.3.6.1.4.1.318.0.219";  // pduUPSInputVoltageRestored
// rpduCriticalCondition(750), …Cleared(751), rpduWarningCondition(752), …Cleared(753),
// rpduInformationalCondition(754), …Cleared(755)
constexpr std::array<const char*, 6> kConditions{"1.3.6.1.4.1.318.0.750", "1.3.6.1.4.1.318.0.751",
                                                 "1.3.6.1.4.1.318.0.752", "1.3.6.1.4.1.318.0.753",
                                                 "1.3.6.1.4.1.318.0.754", "1.3.6.1.4.1.318.0.755"};
// Objects.
constexpr const char* kRpduOutletControlIndex =
    "1.3.6.1.4.1.318.1.1.12.3.3.1.1.1";  // rPDUOutletControlIndex
constexpr const char* kSpduOutletControlIndex =
    "1.3.6.1.4.1.318.1.1.4.4.2.1.1";  // sPDUOutletControlIndex
// mtrapargs = apcmgmt 3: the arguments APC traps carry beside those their TRAP-TYPE names.
// Devices send outletOn/outletOff (and some firmware rPDUOutletOn/Off) with the outlet number
// here, not in the index column the trap's VARIABLES name.
constexpr const char* kMtrapargsInteger = "1.3.6.1.4.1.318.2.3.1.0";  // mtrapargsInteger.0
constexpr const char* kRpduOutletState =
    "1.3.6.1.4.1.318.1.1.12.3.5.1.1.4";  // rPDUOutletStatusOutletState: on(1) off(2)
constexpr const char* kRpdu2OutletNumber =
    "1.3.6.1.4.1.318.1.1.26.9.2.3.1.4";  // rPDU2OutletSwitchedStatusNumber
constexpr const char* kRpdu2OutletState =
    "1.3.6.1.4.1.318.1.1.26.9.2.3.1.5";  // rPDU2OutletSwitchedStatusState: off(1) on(2)
constexpr const char* kRpdu2PhaseVoltage =
    "1.3.6.1.4.1.318.1.1.26.6.3.1.6";  // rPDU2PhaseStatusVoltage

// The outlet a trap names: the index column its TRAP-TYPE names (any instance), else
// mtrapargsInteger.0, as the devices send it.
Result<std::int64_t> outlet_index(const core::Trap& t) {
  for (const char* column : {kRpduOutletControlIndex, kSpduOutletControlIndex}) {
    if (const Varbind* v = core::find_varbind(t.varbinds, column)) {
      if (v->type != VarType::integer) {
        return make_error(Errc::invalid_input, v->oid + " is " + std::string(to_string(v->type)) +
                                                   ", not an INTEGER (outlet index)");
      }
      if (v->number < 0) {
        return make_error(Errc::invalid_input, "outlet index " + std::to_string(v->number));
      }
      return v->number;
    }
  }
  for (const auto& v : t.varbinds) {
    if (v.oid != kMtrapargsInteger) {
      continue;
    }
    if (v.type != VarType::integer) {
      return make_error(Errc::invalid_input, "mtrapargsInteger.0 is " +
                                                 std::string(to_string(v.type)) +
                                                 ", not an INTEGER (outlet number)");
    }
    if (v.number < 0) {
      return make_error(Errc::invalid_input, "outlet number " + std::to_string(v.number));
    }
    return v.number;
  }
  return make_error(Errc::invalid_input,
                    "an outlet trap without an outlet index or mtrapargsInteger.0");
}

// The phase an input-voltage trap names: mtrapargsInteger.0 ("the third argument is the phase
// number", PowerNet-MIB pduUPSInputVoltageLost/Restored), when it is an INTEGER 1..3.
std::optional<std::int64_t> input_phase(const core::Trap& t) {
  for (const auto& v : t.varbinds) {
    if (v.oid == kMtrapargsInteger && v.type == VarType::integer && v.number >= 1 &&
        v.number <= 3) {
      return v.number;
    }
  }
  return std::nullopt;
}

class ApcPdu final : public core::DevicePlugin {
 public:
  ApcPdu() {
    info_.name = "apc-pdu";
    info_.stability = core::Stability::alpha;
    info_.summary = "APC rack PDU outlets (rPDU, rPDU2), outlet and input-power traps";
    info_.kind = core::PluginKind::snmp;
    info_.mibs = {"PowerNet-MIB"};
    info_.trap_oids = {kRpduOutletOn, kRpduOutletOff, kOutletOn,
                       kOutletOff,    kInputLost,     kInputRestored};
    info_.trap_oids.insert(info_.trap_oids.end(), kConditions.begin(), kConditions.end());
    info_.polls = core::PollRequest{
        {}, {kRpduOutletState, kRpdu2OutletNumber, kRpdu2OutletState, kRpdu2PhaseVoltage}};
  }
  [[nodiscard]] const core::PluginRecord& info() const override { return info_; }

  [[nodiscard]] Result<core::TrapMeaning> on_trap(const core::Trap& t,
                                                  const core::DeviceView& d) const override {
    core::TrapMeaning m;
    const std::string& pdu = d.device.name;
    if (t.trap_oid == kInputLost || t.trap_oid == kInputRestored) {
      const bool lost = t.trap_oid == kInputLost;
      std::string detail = lost ? "pduUPSInputVoltageLost" : "pduUPSInputVoltageRestored";
      const auto phase = input_phase(t);
      if (phase) {
        detail += " phase " + std::to_string(*phase);
      }
      // A phase the inventory maps outlets to is that phase only; otherwise, as before, the
      // whole inlet (an inventory that does not say which outlets a phase feeds).
      const bool by_phase = phase && !d.device.outlet_phases.empty();
      m.states.push_back(
          core::StateReport{by_phase ? core::EntityId::phase(pdu, static_cast<unsigned>(*phase))
                                     : core::EntityId::inlet(pdu),
                            lost ? State::off : State::on, std::nullopt, detail});
      m.summary = std::string(lost ? "input power lost" : "input power restored") +
                  (by_phase ? " on phase " + std::to_string(*phase) : std::string());
      return m;
    }
    if (t.trap_oid == kRpduOutletOn || t.trap_oid == kRpduOutletOff || t.trap_oid == kOutletOn ||
        t.trap_oid == kOutletOff) {
      const bool on = t.trap_oid == kRpduOutletOn || t.trap_oid == kOutletOn;
      auto index = outlet_index(t);
      if (!index) {
        return index.error();
      }
      if (*index == 0) {
        m.poll = true;  // MasterSwitch: 0 means every outlet
        m.summary = std::string("all outlets ") + (on ? "on" : "off");
        return m;
      }
      const std::string outlet = std::to_string(*index);
      m.states.push_back(
          core::StateReport{core::EntityId::outlet(pdu, outlet), on ? State::on : State::off,
                            std::nullopt, std::string(on ? "outlet on " : "outlet off ") + outlet});
      m.summary = "outlet " + outlet + (on ? " on" : " off");
      return m;
    }
    // rpduCritical/Warning/InformationalCondition: which error numbers mean outlet or inlet
    // changes is not documented in the MIB; ask the device.
    m.poll = true;
    m.summary = "condition trap " + t.trap_oid;
    return m;
  }

  [[nodiscard]] Result<core::PollMeaning> on_poll(const core::PollAnswer& a,
                                                  const core::DeviceView& d) const override {
    core::PollMeaning m;
    const std::string& pdu = d.device.name;
    std::map<std::int64_t, std::int64_t> rpdu2_number;  // row → outlet number
    std::map<std::int64_t, const Varbind*> rpdu2_state;
    std::vector<std::int64_t> voltages;
    for (const auto& v : a.varbinds) {
      if (auto i = core::oid_index(v.oid, kRpduOutletState)) {
        // rPDU: outletStatusOn(1), outletStatusOff(2)
        if (v.type != VarType::integer || (v.number != 1 && v.number != 2)) {
          return make_error(Errc::invalid_input, v.oid + ": rPDUOutletStatusOutletState " + v.text +
                                                     " is not on(1) or off(2)");
        }
        m.states.push_back(core::StateReport{
            core::EntityId::outlet(pdu, std::to_string(*i)), v.number == 1 ? State::on : State::off,
            std::nullopt, "rPDUOutletStatusOutletState." + std::to_string(*i) + " = " + v.text});
      } else if (auto r = core::oid_index(v.oid, kRpdu2OutletNumber)) {
        if (v.type == VarType::integer) {
          rpdu2_number[*r] = v.number;
        }
      } else if (auto r2 = core::oid_index(v.oid, kRpdu2OutletState)) {
        rpdu2_state[*r2] = &v;
      } else if (core::oid_under(v.oid, kRpdu2PhaseVoltage) && v.type == VarType::integer) {
        voltages.push_back(v.number);
      }
    }
    for (const auto& [row, v] : rpdu2_state) {
      // rPDU2: off(1), on(2), the reverse of rPDU.
      if (v->type != VarType::integer || (v->number != 1 && v->number != 2)) {
        return make_error(Errc::invalid_input, v->oid + ": rPDU2OutletSwitchedStatusState " +
                                                   v->text + " is not off(1) or on(2)");
      }
      const auto n = rpdu2_number.find(row);
      const std::int64_t outlet = n != rpdu2_number.end() ? n->second : row;
      m.states.push_back(core::StateReport{
          core::EntityId::outlet(pdu, std::to_string(outlet)),
          v->number == 2 ? State::on : State::off, std::nullopt,
          "rPDU2OutletSwitchedStatusState." + std::to_string(row) + " = " + v->text});
    }
    // rPDU2 phase voltage: −1 when the model cannot measure; 0 on every phase = no input power.
    const bool measured = !voltages.empty() && std::none_of(voltages.begin(), voltages.end(),
                                                            [](std::int64_t x) { return x < 0; });
    if (measured) {
      const bool dead =
          std::all_of(voltages.begin(), voltages.end(), [](std::int64_t x) { return x == 0; });
      m.states.push_back(core::StateReport{core::EntityId::inlet(pdu),
                                           dead ? State::off : State::on, std::nullopt,
                                           "rPDU2PhaseStatusVoltage"});
    }
    if (m.states.empty()) {
      return make_error(Errc::invalid_input, "the agent has neither rPDU nor rPDU2 outlet status");
    }
    return m;
  }

 private:
  core::PluginRecord info_;
};

}  // namespace

std::unique_ptr<core::DevicePlugin> make() { return std::make_unique<ApcPdu>(); }

}  // namespace colosla::plugins::apc_pdu
