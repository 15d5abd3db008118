#pragma once
// Reading the recordings of tests/data: traps (tests/data/traps/*.trap) and snmpsim data files
// (tests/data/snmpsim/*.snmprec, served by snmpsimd in the integration tests).

#include <fstream>
#include <sstream>
#include <string>

#include "colosla/model/trap.hpp"
#include "colosla/plugin/plugin.hpp"
#include "support.hpp"

namespace colosla::test {

inline core::Varbind varbind(const std::string& oid, const std::string& type,
                             const std::string& value) {
  using core::VarType;
  core::Varbind v;
  v.oid = oid;
  v.text = value;
  if (type == "INTEGER" || type == "2") {
    v.type = VarType::integer;
  } else if (type == "STRING" || type == "4") {
    v.type = VarType::octet_string;
  } else if (type == "OID" || type == "6") {
    v.type = VarType::oid;
  } else if (type == "IpAddress" || type == "64") {
    v.type = VarType::ip_address;
  } else if (type == "Counter32" || type == "65") {
    v.type = VarType::counter32;
  } else if (type == "Gauge32" || type == "66") {
    v.type = VarType::gauge32;
  } else if (type == "Timeticks" || type == "67") {
    v.type = VarType::timeticks;
  } else {
    FAIL("unknown varbind type " << type);
  }
  if (v.type != VarType::octet_string && v.type != VarType::oid && v.type != VarType::ip_address) {
    v.number = std::stoll(value);
  }
  return v;
}

/// A recorded trap (see tests/data/traps/README.md), as the receiver hands it on.
inline core::Trap read_trap(const std::string& name) {
  std::ifstream in(source_file("tests/data/traps/" + name));
  REQUIRE(in.good());
  core::Trap t;
  t.version = 2;
  t.source_address = "192.0.2.10";
  t.community = "public";
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    std::istringstream s(line);
    std::string oid, type;
    s >> oid >> type;
    if (oid == "trap") {
      t.trap_oid = type;
      continue;
    }
    std::string value;
    std::getline(s >> std::ws, value);
    t.varbinds.push_back(varbind(oid, type, value));
  }
  REQUIRE_FALSE(t.trap_oid.empty());
  return t;
}

/// A snmprec recording (OID|tag|value), as a poll's answer.
inline core::PollAnswer read_snmprec(const std::string& name, Timestamp at) {
  std::ifstream in(source_file("tests/data/snmpsim/" + name));
  REQUIRE(in.good());
  core::PollAnswer a;
  a.at = at;
  std::string line;
  while (std::getline(in, line)) {
    const auto p1 = line.find('|');
    const auto p2 = line.find('|', p1 + 1);
    if (p1 == std::string::npos || p2 == std::string::npos) {
      continue;
    }
    a.varbinds.push_back(
        varbind(line.substr(0, p1), line.substr(p1 + 1, p2 - p1 - 1), line.substr(p2 + 1)));
  }
  return a;
}

}  // namespace colosla::test
