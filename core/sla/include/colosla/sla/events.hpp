#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/sla/sla.hpp"

/// The SLA events (yang/colosla-events.yang, mibs/COLOSLA-MIB.txt): derived from a contract's
/// month report, each occurrence named by a key so that it is emitted once, also across restarts.
namespace colosla::core {

enum class EventKind : std::uint8_t {
  port_down,
  port_up,
  power_lost,
  power_restored,
  emergency_declared,
  notification_due,
  notification_missed,
  budget_warning,
  sla_breached,
  installation_overdue,
  emergency_cleared,
  // The process guarantees (Articles 5-9, guarantee "process"): a clock opened, its due time
  // passed without the record that stops it; a visit's finding.
  feedback_due,
  feedback_missed,
  operation_report_due,
  operation_report_missed,
  written_confirmation_due,
  written_confirmation_missed,
  complaint_report_due,
  complaint_report_missed,
  visit_unannounced,
  visit_unescorted,
  visit_overstayed,
};
/// The YANG notification's name: "port-down".
std::string_view to_string(EventKind k);

struct SlaEvent {
  std::int64_t id = 0;  ///< the event-id, assigned when the store records it
  std::string key;      ///< one occurrence: "port-down C-001 1793676000"
  EventKind kind = EventKind::port_down;
  std::string contract;
  std::string guarantee;               ///< network, power, emergency, installation
  Timestamp time;                      ///< when it happened
  std::string zone;                    ///< the contract's time zone, for writing times
  std::string month;                   ///< "2026-11"
  std::int64_t cause_observation = 0;  ///< port and power events: the observation behind it
  // The entity: a port or power source (filled from cause_observation), or a probe.
  std::string device, interface, outlet, target, service;
  bool power_source = false;  ///< the device/outlet is a power source (else a port)
  // The figures behind it.
  std::optional<std::int64_t> counted_minutes, budget_minutes, pending_minutes;
  std::optional<std::int64_t> availability_milli, share_used_milli, threshold_milli;
  std::optional<Timestamp> deadline;
  std::string reason;
};

/// Every event a contract's report shows at `as_of`: outages that began (port-down, power-lost)
/// and ended (port-up, power-restored), emergencies declared (with the customer's port, the
/// uplinks or the power already down as the reason, when they were) and cleared, notifications
/// due (5 minutes before the deadline, or at the declaration when the deadline is nearer; while
/// not yet given and the deadline not passed) and missed,
/// `budget_warning_percent` of an outage budget used, a guarantee breached, the installation
/// overdue; the process clocks opened (`*-due`, while not done and not yet due) and missed
/// (`*-missed`, at the due time), and the visits' findings. Pure; the store keeps each key once.
std::vector<SlaEvent> derive_events(const Contract& c, const ContractReport& r, Timestamp as_of,
                                    int budget_warning_percent);

/// The event as its YANG notification in RFC 7951 JSON, on one line:
/// {"colosla-events:port-down":{"event-id":"7","contract":"C-001",…}}.
std::string to_json(const SlaEvent& e);

}  // namespace colosla::core
