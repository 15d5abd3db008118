#pragma once
// colosla-trapd --user USER: started as root, it binds its sockets (udp:162) and opens its pid
// file, then becomes USER (as snmptrapd and snmpd do), keeping CAP_NET_RAW alone, and only when
// its prober needs it for ICMP. Every child it starts runs as USER.

#include <sys/types.h>

#include <optional>
#include <string>

namespace colosla::trapd {

struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
};

/// The user named `name` (getpwnam), or nullopt when there is none.
std::optional<Account> find_account(const std::string& name);

/// Becomes `a`: its groups (initgroups), its group, its user; then the capabilities are
/// CAP_NET_RAW alone when `keep_net_raw` (permitted, effective, inheritable and ambient, so that
/// the children it starts have it too), else none. HOME, USER and LOGNAME become a's. Call it
/// before any thread starts (capabilities are a thread's). Throws ConfigError when a step fails
/// or root could be had back.
void become(const Account& a, bool keep_net_raw);

/// Throws ConfigError, naming the path and the user, when this process (as the user it is now)
/// cannot write `db` (or create it in its directory), or read `key` when it exists.
void check_store_access(const std::string& db, const std::string& key, const std::string& user);

/// Throws ConfigError, naming the directory and the user, when this process cannot write `dir`
/// (Net-SNMP's state: the SNMPv3 engine's boots, saved at every start and at the end).
void check_state_dir(const std::string& dir, const std::string& user);

}  // namespace colosla::trapd
