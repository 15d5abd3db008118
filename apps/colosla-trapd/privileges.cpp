#include "privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <type_traits>
#include <vector>

#include "colosla/base/result.hpp"

namespace colosla::trapd {

namespace {

[[noreturn]] void fail(const std::string& what, int error) {
  throw ConfigError("--user: cannot " + what + ": " + std::strerror(error));
}

}  // namespace

std::optional<Account> find_account(const std::string& name) {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (name.empty() || getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 ||
      found == nullptr) {
    return std::nullopt;
  }
  return Account{found->pw_name, found->pw_uid, found->pw_gid, found->pw_dir};
}

void become(const Account& a, bool keep_net_raw) {
  if (initgroups(a.name.c_str(), a.gid) != 0) {
    fail("take the groups of " + a.name, errno);
  }
  if (setgid(a.gid) != 0) {
    fail("become group " + std::to_string(a.gid), errno);
  }
  // libcap's cap_setuid keeps the permitted set across the change of user (PR_SET_KEEPCAPS);
  // the sets are then made exactly what is kept.
  if (cap_setuid(a.uid) != 0) {
    fail("become user " + a.name, errno);
  }
  const std::unique_ptr<std::remove_pointer_t<cap_t>, int (*)(void*)> caps(cap_init(), cap_free);
  if (!caps) {
    fail("make a capability set", errno);
  }
  cap_value_t raw[] = {CAP_NET_RAW};
  if (keep_net_raw) {
    for (const cap_flag_t set : {CAP_PERMITTED, CAP_EFFECTIVE, CAP_INHERITABLE}) {
      if (cap_set_flag(caps.get(), set, 1, raw, CAP_SET) != 0) {
        fail("keep CAP_NET_RAW", errno);
      }
    }
  }
  if (cap_set_proc(caps.get()) != 0) {
    fail("drop the capabilities", errno);
  }
  if (cap_reset_ambient() != 0 || (keep_net_raw && cap_set_ambient(CAP_NET_RAW, CAP_SET) != 0)) {
    fail("set the ambient capabilities", errno);
  }
  // No child gains privileges by exec (a set-user-ID program, file capabilities): what the user
  // has is all it ever has. The ambient CAP_NET_RAW still passes to the prober.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    fail("set no_new_privs", errno);
  }
  // Had any of it not taken, root would be back.
  if ((a.uid != 0 && setuid(0) == 0) || (a.gid != 0 && setgid(0) == 0)) {
    throw ConfigError("--user: root could be had back after becoming " + a.name);
  }
  setenv("HOME", a.home.c_str(), 1);
  setenv("USER", a.name.c_str(), 1);
  setenv("LOGNAME", a.name.c_str(), 1);
}

namespace {

// "PATH (owner O, mode M) is not NEED by user U: …"
[[noreturn]] void refuse(const std::string& path, const std::string& need, const std::string& user,
                         const std::string& remedy) {
  struct stat st {};
  std::string owner;
  if (::stat(path.c_str(), &st) == 0) {
    const passwd* pw = getpwuid(st.st_uid);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    owner = " (owner " + (pw != nullptr ? std::string(pw->pw_name) : std::to_string(st.st_uid)) +
            ", mode " + mode + ")";
  }
  throw ConfigError(path + owner + " is not " + need + " by user " + user + ": " + remedy);
}

}  // namespace

void check_store_access(const std::string& db, const std::string& key, const std::string& user) {
  const std::string remedy = "give it to that user (chown), or choose another --db";
  if (::access(db.c_str(), F_OK) == 0) {
    if (::access(db.c_str(), R_OK | W_OK) != 0) {
      refuse(db, "readable and writable", user, remedy);
    }
  } else {
    auto dir = std::filesystem::path(db).parent_path();
    if (dir.empty()) {
      dir = ".";
    }
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
      refuse(dir.string(), "writable (to create the store " + db + " in it)", user, remedy);
    }
  }
  if (::access(key.c_str(), F_OK) == 0 && ::access(key.c_str(), R_OK) != 0) {
    refuse(key, "readable", user, remedy);
  }
}

void check_state_dir(const std::string& dir, const std::string& user) {
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    refuse(dir, "writable (the SNMPv3 engine's boots are saved there)", user,
           "give it to that user (chown), or choose another --state-dir");
  }
}

}  // namespace colosla::trapd
