#include "colosla/model/trap.hpp"

#include "colosla/base/text.hpp"
#include "names.hpp"

namespace colosla::core {

namespace {
using detail::Word;
constexpr std::array<Word<VarType>, 14> kTypes{{
    {VarType::integer, "INTEGER"},
    {VarType::octet_string, "STRING"},
    {VarType::oid, "OID"},
    {VarType::ip_address, "IpAddress"},
    {VarType::counter32, "Counter32"},
    {VarType::gauge32, "Gauge32"},
    {VarType::timeticks, "Timeticks"},
    {VarType::counter64, "Counter64"},
    {VarType::opaque, "Opaque"},
    {VarType::null, "NULL"},
    {VarType::no_such_object, "noSuchObject"},
    {VarType::no_such_instance, "noSuchInstance"},
    {VarType::end_of_mib_view, "endOfMibView"},
    {VarType::other, "other"},
}};
}  // namespace

std::string_view to_string(VarType t) { return detail::word_of(kTypes, t); }

std::string to_text(const Trap& t, CommunityCheck community) {
  // Written for every trap stored: appended in place, one allocation.
  // (with room for what a plugin appends to the evidence: " => linkDown ifIndex 12, …")
  std::size_t size =
      128 + t.source_address.size() + t.agent_address.size() + t.user.size() + t.trap_oid.size();
  for (const Varbind& v : t.varbinds) {
    size += v.oid.size() + v.text.size() + 24;
  }
  std::string s;
  s.reserve(size);
  s += t.version == 1 ? "v1" : t.version == 3 ? "v3" : "v2c";
  s += t.inform ? " inform from " : " trap from ";
  s += t.source_address;
  s += ':';
  s += std::to_string(t.source_port);
  if (!t.agent_address.empty() && t.agent_address != t.source_address) {
    s += " (agent ";
    s += t.agent_address;
    s += ')';
  }
  if (t.version == 3) {
    s += " user ";
    append_escaped(s, t.user);
  } else if (community == CommunityCheck::matched) {
    s += " community matched";
  } else if (community == CommunityCheck::refused) {
    s += " community refused";
  }
  s += ' ';
  s += t.trap_oid;
  s += " [";
  for (std::size_t i = 0; i < t.varbinds.size(); ++i) {
    const Varbind& v = t.varbinds[i];
    if (i != 0) {
      s += ", ";
    }
    s += v.oid;
    s += " = ";
    s += to_string(v.type);
    s += ' ';
    append_escaped(s, v.text);
  }
  s += ']';
  return s;
}

}  // namespace colosla::core
