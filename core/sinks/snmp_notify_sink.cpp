// COLOSLA-MIB notifications to a trap receiver, through the notifier of core/snmp.
#include <algorithm>
#include <functional>
#include <sstream>

#include "colosla/sinks/sinks.hpp"
#include "colosla/snmp/snmp_notify.hpp"

namespace colosla::core {

namespace {

std::string notifications(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " notification" : " notifications");
}

}  // namespace

SnmpNotifySink::SnmpNotifySink(std::string name, std::string receiver)
    : name_(std::move(name)), receiver_(std::move(receiver)), address_(address_of(receiver_)) {}

std::string SnmpNotifySink::address_of(const std::string& receiver) {
  std::istringstream in(receiver);
  std::string last;
  for (std::string w; in >> w;) {
    last = w;
  }
  return last;
}

std::string SnmpNotifySink::default_name(const std::string& receiver) {
  // -v VERSION / -vVERSION, -u USER / -uUSER: the words of snmptrap's options that say who
  // receives as whom; the community and pass phrases are options (and secrets: never a name).
  std::vector<std::string> words;
  std::istringstream in(receiver);
  for (std::string w; in >> w;) {
    words.push_back(w);
  }
  std::string version, user;
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    for (const auto& [flag, into] : {std::pair{"-v", &version}, std::pair{"-u", &user}}) {
      if (words[i] == flag) {
        *into = words[i + 1];
      } else if (words[i].rfind(flag, 0) == 0 && words[i].size() > 2) {
        *into = words[i].substr(2);
      }
    }
  }
  return "snmp:" + (version.empty() ? "" : version + ":") + (user.empty() ? "" : user + "@") +
         address_of(receiver);
}

Delivery SnmpNotifySink::deliver(const EventBatch& batch, const DeliveryContext& /*context*/) {
  Delivery d;
  std::string problem;
  auto last = send_sla_notifications(receiver_, batch, problem);
  if (!last) {
    // A session that cannot be opened (the receiver's options, its address). The notifier's
    // message quotes the options, pass phrases and all: the log gets the address instead.
    std::string msg = last.error().msg;
    if (const auto at = msg.find(receiver_); at != std::string::npos) {
      msg.replace(at, receiver_.size(), address_);
    }
    d.failure = make_error(last.error().code, msg);
    return d;
  }
  d.last_id = *last;
  d.sent = d.accepted = static_cast<std::size_t>(
      std::count_if(batch.begin(), batch.end(), [&](const auto& e) { return e.first <= *last; }));
  if (d.sent < batch.size()) {
    d.failure = make_error(Errc::io, problem, "trap sink " + address_);
  }
  return d;
}

std::string SnmpNotifySink::describe(const Delivery& total) const {
  return notifications(total.sent) + " to " + address_;
}

std::string SnmpNotifySink::waiting(std::size_t events) const {
  return "; " + notifications(events) + (events == 1 ? " waits" : " wait") +
         " for the next evaluation";
}

std::vector<std::string> SnmpNotifySink::legacy_cursors() const {
  return {"snmp:" + address_ + ":" + std::to_string(std::hash<std::string>{}(receiver_) % 1000000)};
}

}  // namespace colosla::core
