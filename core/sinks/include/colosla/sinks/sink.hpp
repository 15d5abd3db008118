#pragma once
// The event sinks: one interface, one delivery loop (docs/architecture.md, "sinks").

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "colosla/base/calendar.hpp"
#include "colosla/base/result.hpp"
#include "colosla/judge/judge.hpp"
#include "colosla/store/store.hpp"

/// Where the recorded SLA events go: Nagios' command file, a Zabbix server, SNMP trap receivers,
/// a file of JSON lines. Each sink is a named instance of the configuration, and its name is the
/// name of its durable cursor in the store (the last event-id it took):
///
///   nagios       nagios-command-file (the file and nagios-host are its options)
///   zabbix       zabbix-server (the server and zabbix-host are its options)
///   event-log    event-log (the file is its option)
///   snmp:[VERSION:][USER@]HOST:PORT
///                trap-sink: its version (-v), SNMPv3 user (-u) and address, e.g.
///                snmp:2c:127.0.0.1:162, snmp:3:noc@192.0.2.51:162; its community, pass
///                phrases, -Ci, timeouts and retries are its options
///
/// Any of them may be named explicitly: an option value that starts with `name=NAME ` (e.g.
/// `trap-sink = name=noc -v 3 -u noc … 192.0.2.51:162`) names the sink NAME, and its cursor is
/// NAME, whatever else the value says. Editing a sink's options keeps its name, so it never
/// re-sends what it delivered; a sink with a new name is a new sink, which takes the whole
/// history (but event-log, which takes what is recorded from then on, as it always did).
namespace colosla::core {

/// Events as the store keeps them: (event-id, RFC 7951 JSON), in id order.
using EventBatch = std::vector<std::pair<std::int64_t, std::string>>;

/// What a sink has of a round besides the events: the figures just computed and the time.
struct DeliveryContext {
  /// A contract's figures of its current month (colosla evaluate's), or nullptr when it is not
  /// in force this month (or none are known: no function).
  std::function<const ContractStatus*(const std::string& contract)> figures;
  Timestamp now;
};

/// What a sink did with a batch.
struct Delivery {
  /// Every event up to this id was delivered, or refused for good: the cursor moves here (0 or
  /// less than the batch's first id: none).
  std::int64_t last_id = 0;
  std::size_t sent = 0;  ///< units sent (passive results, values, notifications, lines)
  /// Of those, what the other end took, as far as the sink can know: what a Zabbix server
  /// processed; the notifications sent (a trap has no answer; an inform was acknowledged).
  std::size_t accepted = 0;
  std::size_t refused = 0;  ///< of those, what it refused for good (retrying would not help)
  std::vector<std::string> refusals;  ///< why, as the other end said (logged, rate-limited)
  /// A failure that may pass (no reader, no answer, refused as a whole): the events after
  /// last_id wait for the next round.
  std::optional<Error> failure;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  /// The sink's name, which is also its cursor's name (see above).
  [[nodiscard]] virtual const std::string& name() const = 0;
  /// Delivers what it can of `batch` (non-empty, in id order), in order; never throws.
  virtual Delivery deliver(const EventBatch& batch, const DeliveryContext& context) = 0;
  /// What `sent` units are, for one line of output: "3 passive results to Nagios".
  [[nodiscard]] virtual std::string describe(const Delivery& total) const = 0;
  /// What waits after a failure, appended to its message: "; 2 notifications wait for the next
  /// evaluation".
  [[nodiscard]] virtual std::string waiting(std::size_t events) const;
  /// The cursors colosla gave this sink before sinks had names (its options hashed into the
  /// name): a sink without a cursor of its name takes over the furthest of these.
  [[nodiscard]] virtual std::vector<std::string> legacy_cursors() const { return {}; }
  /// Whether a new sink (no cursor yet) takes the whole history (true), or only the events
  /// recorded from its first round on (the event log).
  [[nodiscard]] virtual bool replays_history() const { return true; }
  /// Its kind, whatever its name: the store's counters sink.KIND.sent and sink.KIND.refused
  /// (colosla stats) sum the sinks of a kind ("zabbix", "nagios", "snmp", "event-log"; by
  /// default its name).
  [[nodiscard]] virtual std::string kind() const { return name(); }
};

/// One sink's round.
struct SinkRound {
  std::string sink;
  Delivery total;           ///< summed over its batches
  std::string line;         ///< describe(total) when something was sent, else empty
  std::size_t waiting = 0;  ///< events left for the next round (after a failure)
};

/// How many events a sink is given at once.
inline constexpr std::size_t kDeliveryBatch = 500;

/// The delivery loop, one round: for each sink, the events after its durable cursor (in batches
/// of kDeliveryBatch), delivered in order; the cursor moves past what was delivered or refused
/// for good (each refusal counted and logged, escaped and rate-limited), and a failure stops
/// that sink until the next round (logged as a warning). What each batch sent and what its
/// receiver refused for good are added to the store's counters sink.KIND.sent and
/// sink.KIND.refused (EventSink::kind), dated context.now. `first_new_id`: the first event
/// recorded in this round, where a new sink that does not replay the history begins (nullopt:
/// none was recorded, so it has nothing to take). Errors: the store's (reading the events or
/// moving a cursor), which end the round; a sink's own failures are not errors.
Result<std::vector<SinkRound>> deliver_pending(
    Store& store, const std::vector<std::unique_ptr<EventSink>>& sinks,
    const DeliveryContext& context, std::optional<std::int64_t> first_new_id = std::nullopt);

/// What the sinks read of a recorded event (its RFC 7951 JSON): contract, guarantee, time.
struct EventHeader {
  std::string kind;  ///< "port-down" (the notification's name without its module)
  std::string contract;
  std::string guarantee;  ///< network, power, emergency, installation
  std::string time;       ///< RFC 3339
  /// Whether a check_colosla service (network, power, emergency, process: Articles 5-9) shows it.
  [[nodiscard]] bool checked() const {
    return guarantee == "network" || guarantee == "power" || guarantee == "emergency" ||
           guarantee == "process";
  }
};
/// nullopt for a body that is not an event's JSON.
std::optional<EventHeader> event_header(const std::string& body);

}  // namespace colosla::core
