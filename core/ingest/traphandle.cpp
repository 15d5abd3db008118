#include "colosla/ingest/traphandle.hpp"

#include <optional>
#include <regex>
#include <string>

namespace colosla::core {

namespace {

constexpr const char* kSysUpTime = "1.3.6.1.2.1.1.3.0";
constexpr const char* kTrapOid = "1.3.6.1.6.3.1.1.4.1.0";
constexpr const char* kTrapAddress = "1.3.6.1.6.3.18.1.3.0";      // snmpTrapAddress.0
constexpr const char* kTrapCommunity = "1.3.6.1.6.3.18.1.4.0";    // snmpTrapCommunity.0
constexpr const char* kTrapEnterprise = "1.3.6.1.6.3.1.1.4.3.0";  // snmpTrapEnterprise.0

std::string strip_dot(std::string s) {
  if (!s.empty() && s[0] == '.') {
    s.erase(0, 1);
  }
  return s;
}

std::string unquote(const std::string& s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

bool is_integer(const std::string& s) {
  static const std::regex re(R"(^-?[0-9]+$)");
  return std::regex_match(s, re);
}

bool is_oid(const std::string& s) {
  static const std::regex re(R"(^\.?[0-9]+(\.[0-9]+)+$)");
  return std::regex_match(s, re);
}

// "TYPE: value" as Net-SNMP prints it without -Oq.
Varbind typed(const std::string& oid, const std::string& type, std::string value) {
  Varbind v;
  v.oid = oid;
  if (type == "INTEGER" || type == "Gauge32" || type == "Counter32" || type == "Counter64" ||
      type == "Timeticks" || type == "UInteger32") {
    v.type = type == "INTEGER"     ? VarType::integer
             : type == "Gauge32"   ? VarType::gauge32
             : type == "Counter32" ? VarType::counter32
             : type == "Counter64" ? VarType::counter64
             : type == "Timeticks" ? VarType::timeticks
                                   : VarType::gauge32;
    // "Timeticks: (1234) 0:00:12.34", "INTEGER: up(1)": the number is the first one in brackets
    // if there is one.
    std::smatch m;
    static const std::regex bracket(R"(\((-?[0-9]+)\))");
    static const std::regex number(R"(-?[0-9]+)");
    if (std::regex_search(value, m, bracket) || std::regex_search(value, m, number)) {
      v.text = m[1].matched ? m[1].str() : m[0].str();
      v.number = std::stoll(v.text);
    } else {
      v.text = value;
    }
  } else if (type == "OID") {
    v.type = VarType::oid;
    v.text = strip_dot(value);
  } else if (type == "IpAddress") {
    v.type = VarType::ip_address;
    v.text = value;
  } else if (type == "NULL") {
    v.type = VarType::null;
  } else {  // STRING, Hex-STRING, Opaque, …
    v.type = type == "Opaque" ? VarType::opaque : VarType::octet_string;
    v.text = unquote(value);
  }
  return v;
}

Varbind untyped(const std::string& oid, const std::string& value) {
  static const std::regex ip(R"(^[0-9]{1,3}(\.[0-9]{1,3}){3}$)");
  Varbind v;
  v.oid = oid;
  if (is_integer(value)) {
    v.type = VarType::integer;
    v.text = value;
    v.number = std::stoll(value);
  } else if (is_oid(value) && value[0] == '.') {
    v.type = VarType::oid;
    v.text = strip_dot(value);
  } else if (std::regex_match(value, ip)) {
    v.type = VarType::ip_address;
    v.text = value;
  } else {
    v.type = VarType::octet_string;
    v.text = unquote(value);
  }
  return v;
}

}  // namespace

Result<Trap> parse_traphandle_input(std::istream& in, Timestamp received) {
  Trap t;
  t.received = received;
  t.version = 2;
  std::string host, transport, line;
  if (!std::getline(in, host) || !std::getline(in, transport)) {
    return make_error(Errc::invalid_input,
                      "no host and transport lines: not snmptrapd's traphandle input");
  }
  static const std::regex addr(R"(\[([^\]]+)\]:([0-9]+))");
  std::smatch m;
  if (std::regex_search(transport, m, addr)) {
    t.source_address = m[1].str();
    t.source_port = static_cast<std::uint16_t>(std::stoul(m[2].str()));
  } else {
    // 5.9 may print the address without brackets: "UDP: 192.0.2.10:40183->…".
    static const std::regex bare(R"(([0-9.]+):([0-9]+)->)");
    if (std::regex_search(transport, m, bare)) {
      t.source_address = m[1].str();
      t.source_port = static_cast<std::uint16_t>(std::stoul(m[2].str()));
    } else {
      t.source_address = host;
    }
  }
  static const std::regex type_prefix(R"(^([A-Za-z0-9-]+): (.*)$)");
  // snmptrapd's RFC 3584 translation of a v1 trap appends snmpTrapAddress.0 (the agent-addr),
  // snmpTrapCommunity.0 and snmpTrapEnterprise.0. A v2c trap's own snmpTrapAddress.0 (a relay's,
  // without the other two) stays one of its varbinds: only a trusted relay may name the device.
  std::optional<std::size_t> address;  // its index in t.varbinds
  bool converted = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.empty()) {
      continue;
    }
    const auto space = line.find(' ');
    if (space == std::string::npos) {
      return make_error(Errc::invalid_input, "a varbind line without a value: " + line);
    }
    const std::string oid = strip_dot(line.substr(0, space));
    if (!is_oid(oid)) {
      return make_error(Errc::invalid_input,
                        "not a numeric OID: " + line.substr(0, space) +
                            " (run snmptrapd with numeric output: outputOption nte)");
    }
    const std::string value = line.substr(space + 1);
    const Varbind v = std::regex_match(value, m, type_prefix) && !is_oid(value)
                          ? typed(oid, m[1].str(), m[2].str())
                          : untyped(oid, value);
    if (oid == kSysUpTime) {
      t.uptime = static_cast<std::uint32_t>(v.number);
    } else if (oid == kTrapOid) {
      t.trap_oid = v.text;
    } else if (oid == kTrapCommunity) {
      t.community = v.text;
      converted = true;
    } else if (oid == kTrapEnterprise) {
      converted = true;
    } else {
      if (oid == kTrapAddress) {
        address = t.varbinds.size();
      }
      t.varbinds.push_back(v);
    }
  }
  if (converted) {
    t.version = 1;
    if (address) {
      t.agent_address = t.varbinds[*address].text;
      t.varbinds.erase(t.varbinds.begin() + static_cast<std::ptrdiff_t>(*address));
    }
  }
  if (t.trap_oid.empty()) {
    return make_error(Errc::invalid_input, "no snmpTrapOID.0 in the input");
  }
  return t;
}

}  // namespace colosla::core
