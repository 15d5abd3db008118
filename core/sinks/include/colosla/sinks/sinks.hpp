#pragma once
// The four sinks (sink.hpp says how they are named and delivered to).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "colosla/sinks/sink.hpp"

namespace colosla::core {

/// Nagios' external command file: one PROCESS_SERVICE_CHECK_RESULT a contract and guarantee an
/// event touched, judged on the round's figures (a contract not in force is left out), written
/// in whole lines of at most PIPE_BUF bytes a write, so that no line is cut or mixed with
/// another writer's. A FIFO without a reader (Nagios stopped) is a failure that passes.
class NagiosSink : public EventSink {
 public:
  NagiosSink(std::string name, std::string command_file, std::string host);
  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] std::string kind() const override { return "nagios"; }
  Delivery deliver(const EventBatch& batch, const DeliveryContext& context) override;
  [[nodiscard]] std::string describe(const Delivery& total) const override;
  [[nodiscard]] std::string waiting(std::size_t events) const override;
  /// "nagios:" and the command file's canonical path.
  [[nodiscard]] std::vector<std::string> legacy_cursors() const override;

 private:
  std::string name_, command_file_, host_;
};

/// A Zabbix server's reply to "sender data": {"response":"success","info":"processed: N;
/// failed: M; total: T; seconds spent: S"}.
struct ZabbixReply {
  bool success = false;
  std::string info;  ///< as the server wrote it
  std::optional<std::int64_t> processed, failed, total;
};
/// Reads a reply's JSON. Errors: invalid_input when it is not an object with a "response".
Result<ZabbixReply> parse_zabbix_reply(std::string_view json);

/// One value of a trapper item colosla.sla[CONTRACT,GUARANTEE,FIELD] (the keys `colosla zabbix
/// get` answers too) from a contract's figures. Errors: invalid_input for a guarantee or field
/// it does not know.
Result<std::string> zabbix_item_value(const ContractStatus& s, const std::string& guarantee,
                                      const std::string& field);

/// A Zabbix server or proxy (HOST[:PORT], default port 10051), through the sender protocol
/// ("ZBXD" 0x01, little-endian length, JSON "sender data"): each event as
/// colosla.event[CONTRACT,GUARANTEE] (its JSON, at its time) and the figures of each contract and
/// guarantee the events touched (colosla.sla[…]), for host `host`: the keys of the trapper items
/// of examples/zabbix-template-colosla.yaml, for the guarantees it discovers (network, power,
/// emergency; an installation event is not sent). The server's reply is read: "failed: M"
/// values (no such host or trapper item, a value of the wrong type) are refused for good,
/// counted (sink.zabbix.refused) and logged once a batch with the keys sent (the reply does not
/// say which it refused); a reply other than success, or none, is a failure that passes.
class ZabbixSink : public EventSink {
 public:
  ZabbixSink(std::string name, std::string server, std::string host,
             std::chrono::milliseconds timeout = std::chrono::milliseconds{5000});
  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] std::string kind() const override { return "zabbix"; }
  Delivery deliver(const EventBatch& batch, const DeliveryContext& context) override;
  [[nodiscard]] std::string describe(const Delivery& total) const override;
  [[nodiscard]] std::string waiting(std::size_t events) const override;
  /// "zabbix:" and the server as given.
  [[nodiscard]] std::vector<std::string> legacy_cursors() const override;

 private:
  std::string name_, server_, host_;
  std::chrono::milliseconds timeout_;
};

/// COLOSLA-MIB notifications to one trap receiver (snmp_notify.hpp's send_sla_notifications),
/// given as snmptrap's options; an inform nobody acknowledges is a failure that passes.
class SnmpNotifySink : public EventSink {
 public:
  /// `receiver`: snmptrap's options and HOST:PORT, without a name= word.
  SnmpNotifySink(std::string name, std::string receiver);
  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] std::string kind() const override { return "snmp"; }
  Delivery deliver(const EventBatch& batch, const DeliveryContext& context) override;
  [[nodiscard]] std::string describe(const Delivery& total) const override;
  [[nodiscard]] std::string waiting(std::size_t events) const override;
  /// "snmp:ADDRESS:" and std::hash of the receiver's text modulo 1000000 (colosla before named
  /// sinks; std::hash<std::string> of libstdc++ has not changed, so the name is found again).
  [[nodiscard]] std::vector<std::string> legacy_cursors() const override;
  /// The default name of a receiver: snmp:[VERSION:][USER@]ADDRESS (sink.hpp).
  static std::string default_name(const std::string& receiver);
  /// The receiver's address (its last word).
  static std::string address_of(const std::string& receiver);

 private:
  std::string name_, receiver_, address_;
};

/// A file each event is appended to as one JSON line (the RFC 7951 notification); a new log
/// takes the events recorded from its first round on, not the history.
class JsonLinesSink : public EventSink {
 public:
  JsonLinesSink(std::string name, std::string path);
  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] std::string kind() const override { return "event-log"; }
  Delivery deliver(const EventBatch& batch, const DeliveryContext& context) override;
  [[nodiscard]] std::string describe(const Delivery& total) const override;
  [[nodiscard]] bool replays_history() const override { return false; }

 private:
  std::string name_, path_;
};

}  // namespace colosla::core
