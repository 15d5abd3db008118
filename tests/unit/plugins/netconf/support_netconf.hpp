// What the NETCONF plugins' tests share: two devices, and data trees written by hand (what the
// session layer copies out of libyang's parse of a <get> reply or a notification).
#pragma once

#include <catch2/catch.hpp>

#include "colosla/base/calendar.hpp"
#include "colosla/plugin/plugin.hpp"
#include "support.hpp"

namespace colosla::test::netconf {

using namespace colosla::core;

inline const Device kSwitch{"nsw1", Role::network_switch, "192.0.2.20", "ietf-interfaces", "",
                            {},     NetconfAccess{}};
inline const Device kShelf{"shelf1", Role::pdu, "192.0.2.30",   "ietf-hardware",
                           "",       {},        NetconfAccess{}};
inline const std::map<std::int64_t, std::string> kNoNames;

inline DataNode leaf(const std::string& module, const std::string& name, const std::string& value) {
  return DataNode{module, name, value, {}};
}

inline DataNode node(const std::string& module, const std::string& name,
                     std::vector<DataNode> children) {
  return DataNode{module, name, "", std::move(children)};
}

// An ietf-interfaces interface entry: name, then (leaf, value) pairs.
inline DataNode ietf_if(const std::string& name,
                        std::vector<std::pair<std::string, std::string>> leaves) {
  std::vector<DataNode> c{leaf("ietf-interfaces", "name", name)};
  for (auto& [l, v] : leaves) {
    c.push_back(leaf("ietf-interfaces", l, v));
  }
  return node("ietf-interfaces", "interface", std::move(c));
}

inline NetconfServerInfo server(std::map<std::string, std::string, std::less<>> modules) {
  NetconfServerInfo s;
  s.capabilities = {"urn:ietf:params:netconf:base:1.1",
                    "urn:ietf:params:netconf:capability:notification:1.0"};
  s.modules = std::move(modules);
  return s;
}

}  // namespace colosla::test::netconf
