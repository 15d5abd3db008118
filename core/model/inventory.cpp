#include "colosla/model/inventory.hpp"

#include <algorithm>

#include "names.hpp"

namespace colosla::core {

namespace {

using detail::Word;

constexpr std::array<Word<Role>, 3> kRoles{
    {{Role::network_switch, "switch"}, {Role::pdu, "pdu"}, {Role::ups, "ups"}}};
constexpr std::array<Word<ServiceType>, 3> kServices{
    {{ServiceType::server_rental, "server-rental"},
     {ServiceType::colocation, "colocation"},
     {ServiceType::cabinet_rental, "cabinet-rental"}}};
constexpr std::array<Word<PortMode>, 2> kPortModes{
    {{PortMode::any, "any"}, {PortMode::all, "all"}}};
constexpr std::array<Word<ProbeService>, 4> kProbeServices{{{ProbeService::icmp, "icmp"},
                                                            {ProbeService::www, "www"},
                                                            {ProbeService::email, "email"},
                                                            {ProbeService::ftp, "ftp"}}};
constexpr std::array<Word<Channel>, 5> kChannels{{{Channel::office_phone, "office-phone"},
                                                  {Channel::mobile, "mobile"},
                                                  {Channel::pager, "pager"},
                                                  {Channel::fax, "fax"},
                                                  {Channel::email, "email"}}};

}  // namespace

std::string_view to_string(Role r) { return detail::word_of(kRoles, r); }
std::string_view to_string(ServiceType s) { return detail::word_of(kServices, s); }
std::string_view to_string(PortMode m) { return detail::word_of(kPortModes, m); }
std::string_view to_string(ProbeService s) { return detail::word_of(kProbeServices, s); }
std::string_view to_string(Channel c) { return detail::word_of(kChannels, c); }

Result<Role> parse_role(std::string_view w) { return detail::parse_word(kRoles, w, "role"); }
Result<ServiceType> parse_service_type(std::string_view w) {
  return detail::parse_word(kServices, w, "service");
}
Result<PortMode> parse_port_mode(std::string_view w) {
  return detail::parse_word(kPortModes, w, "port-mode");
}
Result<ProbeService> parse_probe_service(std::string_view w) {
  return detail::parse_word(kProbeServices, w, "probe service");
}
Result<Channel> parse_channel(std::string_view w) {
  return detail::parse_word(kChannels, w, "channel");
}

const Device* Inventory::find_device(std::string_view name) const {
  const auto it =
      std::find_if(devices.begin(), devices.end(), [&](const Device& d) { return d.name == name; });
  return it == devices.end() ? nullptr : &*it;
}

const Contract* Inventory::find_contract(std::string_view id) const {
  const auto it = std::find_if(contracts.begin(), contracts.end(),
                               [&](const Contract& c) { return c.id == id; });
  return it == contracts.end() ? nullptr : &*it;
}

std::string Diagnostic::to_string() const {
  std::string s = file;
  if (line > 0) {
    s += ":" + std::to_string(line);
  }
  s += ": ";
  if (!path.empty()) {
    s += path + ": ";
  }
  s += message;
  return s;
}

std::vector<std::string> plugin_names(const Device& d) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= d.plugin.size()) {
    const std::size_t end = std::min(d.plugin.find(' ', start), d.plugin.size());
    if (end > start) {
      out.push_back(d.plugin.substr(start, end - start));
    }
    start = end + 1;
  }
  return out;
}

}  // namespace colosla::core
