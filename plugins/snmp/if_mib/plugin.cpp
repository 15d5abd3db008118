// if-mib: port connectivity from IF-MIB (RFC 2863) and the generic traps of SNMPv2-MIB.
#include "plugins/snmp/if_mib/plugin.hpp"

#include <array>
#include <map>

#include "colosla/base/oid.hpp"

namespace colosla::plugins::if_mib {

namespace {

using core::State;
using core::Varbind;
using core::VarType;

// SNMPv2-MIB generic notifications (v1 traps arrive translated, RFC 3584). coldStart and
// warmStart are the core's (core::restart_meaning): this record asks it to walk again.
constexpr const char* kLinkDown = "1.3.6.1.6.3.1.1.5.3";
constexpr const char* kLinkUp = "1.3.6.1.6.3.1.1.5.4";
// IF-MIB columns (append .ifIndex).
constexpr const char* kIfIndex = "1.3.6.1.2.1.2.2.1.1";        // ifIndex
constexpr const char* kIfDescr = "1.3.6.1.2.1.2.2.1.2";        // ifDescr
constexpr const char* kIfAdminStatus = "1.3.6.1.2.1.2.2.1.7";  // ifAdminStatus
constexpr const char* kIfOperStatus = "1.3.6.1.2.1.2.2.1.8";   // ifOperStatus
constexpr const char* kIfLastChange = "1.3.6.1.2.1.2.2.1.9";   // ifLastChange
constexpr const char* kIfName = "1.3.6.1.2.1.31.1.1.1.1";      // ifName
constexpr const char* kIfAlias = "1.3.6.1.2.1.31.1.1.1.18";    // ifAlias
constexpr const char* kSysUpTime = "1.3.6.1.2.1.1.3.0";        // sysUpTime.0

// ifOperStatus → port state. up(1) carries traffic; down(2), dormant(5), notPresent(6) and
// lowerLayerDown(7) do not; testing(3) and unknown(4) say nothing about the customer's link.
Result<State> oper_state(const Varbind& v) {
  if (v.type != VarType::integer) {
    return make_error(Errc::invalid_input, v.oid + " is " + std::string(to_string(v.type)) +
                                               ", not an INTEGER (ifOperStatus)");
  }
  switch (v.number) {
    case 1:
      return State::up;
    case 2:
    case 5:
    case 6:
    case 7:
      return State::down;
    case 3:
    case 4:
      return State::unknown;
    default:
      return make_error(Errc::invalid_input,
                        "ifOperStatus " + std::to_string(v.number) + " is not one of 1..7");
  }
}

class IfMib final : public core::DevicePlugin {
 public:
  IfMib() {
    info_.name = "if-mib";
    info_.stability = core::Stability::stable;
    info_.summary = "switch ports by ifName: ifOperStatus polls, linkUp/linkDown traps";
    info_.kind = core::PluginKind::snmp;
    info_.mibs = {"IF-MIB", "SNMPv2-MIB"};
    info_.trap_oids = {kLinkDown, kLinkUp};
    info_.polls = core::PollRequest{{kSysUpTime},
                                    {kIfName, kIfDescr, kIfOperStatus, kIfLastChange, kIfAlias}};
    info_.on_restart = core::OnRestart::walk;  // ifIndex may have been renumbered
  }

  [[nodiscard]] const core::PluginRecord& info() const override { return info_; }

  [[nodiscard]] Result<core::TrapMeaning> on_trap(const core::Trap& t,
                                                  const core::DeviceView& d) const override {
    core::TrapMeaning m;
    const bool down = t.trap_oid == kLinkDown;
    const char* what = down ? "linkDown" : "linkUp";
    // The port: ifIndex.n (whose value is n), else the instance of any column of the row.
    std::optional<std::int64_t> index;
    if (const Varbind* v = core::find_varbind(t.varbinds, kIfIndex)) {
      if (v->type != VarType::integer) {
        return make_error(Errc::invalid_input, std::string(what) + ": " + v->oid + " is " +
                                                   std::string(to_string(v->type)) +
                                                   ", not an INTEGER (ifIndex)");
      }
      index = v->number;
    }
    for (const char* column : {kIfOperStatus, kIfAdminStatus, kIfName}) {
      if (index) {
        break;
      }
      if (const Varbind* v = core::find_varbind(t.varbinds, column)) {
        index = core::oid_index(v->oid, column);
      }
    }
    if (!index || *index <= 0) {
      return make_error(Errc::invalid_input, std::string(what) + " without an ifIndex");
    }
    // Its name: carried in the trap, else as last walked.
    std::string name;
    if (const Varbind* v = core::find_varbind(t.varbinds, kIfName, *index)) {
      if (v->type == VarType::octet_string && !v->text.empty()) {
        name = v->text;
      }
    }
    if (name.empty()) {
      const auto it = d.if_names.find(*index);
      if (it == d.if_names.end()) {
        m.refresh = true;
        m.poll = true;
        m.summary = std::string(what) + " ifIndex " + std::to_string(*index) +
                    " (no name known for it yet: walking the device)";
        return m;
      }
      name = it->second;
    }
    // The direction comes from the notification; a linkUp may still land in a state that does
    // not carry traffic (lowerLayerDown, dormant), which its ifOperStatus then says.
    State state = down ? State::down : State::up;
    std::string detail = std::string(what) + " ifIndex " + std::to_string(*index);
    if (const Varbind* v = core::find_varbind(t.varbinds, kIfOperStatus, *index)) {
      auto s = oper_state(*v);
      if (!s) {
        return make_error(Errc::invalid_input, std::string(what) + ": " + s.error().msg);
      }
      detail += ", ifOperStatus " + std::to_string(v->number);
      if (!down && v->number != 2) {
        state = *s;  // a linkUp carries the state the port left down for
      } else if (!down) {
        m.poll = true;  // a linkUp that says down(2) contradicts itself: ask the device
      }
    }
    m.states.push_back(
        core::StateReport{core::EntityId::port(d.device.name, name), state, std::nullopt, detail});
    m.summary = std::string(what) + " " + name;
    return m;
  }

  [[nodiscard]] Result<core::PollMeaning> on_poll(const core::PollAnswer& a,
                                                  const core::DeviceView& d) const override {
    struct Row {
      std::string name, descr, alias;
      std::optional<State> state;
      std::int64_t oper = 0;
      std::optional<std::uint32_t> last_change;
    };
    std::map<std::int64_t, Row> rows;
    std::optional<std::uint32_t> uptime;
    enum Column { kName, kDescr, kAlias, kOper, kLastChange };
    static constexpr std::array<std::pair<const char*, Column>, 5> kColumns{
        {{kIfName, kName},
         {kIfDescr, kDescr},
         {kIfAlias, kAlias},
         {kIfOperStatus, kOper},
         {kIfLastChange, kLastChange}}};
    for (const auto& v : a.varbinds) {
      if (v.oid == kSysUpTime) {
        if (v.type == VarType::timeticks) {
          uptime = static_cast<std::uint32_t>(v.number);
        }
        continue;
      }
      for (const auto& [prefix, column] : kColumns) {
        const auto index = core::oid_index(v.oid, prefix);
        if (!index) {
          continue;
        }
        Row& row = rows[*index];
        switch (column) {
          case kName:
            row.name = v.text;
            break;
          case kDescr:
            row.descr = v.text;
            break;
          case kAlias:
            row.alias = v.text;
            break;
          case kOper: {
            auto s = oper_state(v);
            if (!s) {
              return s.error();
            }
            row.state = *s;
            row.oper = v.number;
            break;
          }
          case kLastChange:
            if (v.type == VarType::timeticks) {
              row.last_change = static_cast<std::uint32_t>(v.number);
            }
            break;
        }
        break;
      }
    }
    core::PollMeaning m;
    bool any_state = false;
    for (const auto& [index, row] : rows) {
      // ifName is the port's name; an agent without ifXTable only has ifDescr.
      const std::string name = !row.name.empty() ? row.name : row.descr;
      if (name.empty() || !row.state) {
        continue;
      }
      any_state = true;
      m.ports.push_back(core::PortInfo{index, name, row.alias, *row.state});
      std::optional<Timestamp> since;
      if (uptime && row.last_change) {
        since = core::since_uptime(a.at, *uptime, *row.last_change);
      }
      std::string detail =
          "ifOperStatus." + std::to_string(index) + " = " + std::to_string(row.oper);
      if (row.last_change && uptime) {
        detail += ", ifLastChange " + std::to_string(*row.last_change) + " at sysUpTime " +
                  std::to_string(*uptime);
      }
      m.states.push_back(
          core::StateReport{core::EntityId::port(d.device.name, name), *row.state, since, detail});
    }
    if (!any_state) {
      return make_error(Errc::invalid_input, "the agent gave no ifOperStatus with a name");
    }
    return m;
  }

 private:
  core::PluginRecord info_;
};

}  // namespace

std::unique_ptr<core::DevicePlugin> make() { return std::make_unique<IfMib>(); }

}  // namespace colosla::plugins::if_mib
