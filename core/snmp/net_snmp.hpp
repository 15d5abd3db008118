#pragma once
// What the Net-SNMP adapter's files (net_snmp.cpp, client.cpp, receiver.cpp) share: the only
// headers of colosla that include Net-SNMP's. Private to core/snmp.

#include <arpa/inet.h>
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <netinet/in.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <charconv>
#include <span>

#include <array>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <regex>
#include <sstream>
#include <unordered_map>

#include "colosla/base/log.hpp"
#include "colosla/base/result.hpp"
#include "colosla/base/text.hpp"
#include "colosla/snmp/snmp_client.hpp"
#include "colosla/snmp/trap_receiver.hpp"

namespace colosla::core::net_snmp {

inline constexpr oid kSysUpTime[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
inline constexpr oid kSnmpTrapOid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

void oid_text(const oid* name, std::size_t len, std::string& out);
std::string oid_text(const oid* name, std::size_t len);
void number_text(std::int64_t n, std::string& out);
bool same_oid(const oid* a, std::size_t alen, const oid* b, std::size_t blen);
void bytes_text(const u_char* p, std::size_t n, std::string& out);
void convert(const netsnmp_variable_list* v, Varbind& b);
Varbind convert(const netsnmp_variable_list* v);

}  // namespace colosla::core::net_snmp
