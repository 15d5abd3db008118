#include "colosla/trap.hpp"

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

std::string to_text(const Trap& t) {
  std::string s = t.version == 1 ? "v1" : t.version == 3 ? "v3" : "v2c";
  s += t.inform ? " inform from " : " trap from ";
  s += t.source_address + ":" + std::to_string(t.source_port);
  if (!t.agent_address.empty() && t.agent_address != t.source_address) {
    s += " (agent " + t.agent_address + ")";
  }
  s += t.version == 3 ? " user " + t.user : " community " + t.community;
  s += " " + t.trap_oid + " [";
  for (std::size_t i = 0; i < t.varbinds.size(); ++i) {
    const Varbind& v = t.varbinds[i];
    s += (i == 0 ? "" : ", ") + v.oid + " = " + std::string(to_string(v.type)) + " " + v.text;
  }
  s += "]";
  return s;
}

}  // namespace colosla::core
