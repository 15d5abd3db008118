// The NETCONF client session: the only file that includes libnetconf2 (and libssh, for the
// known_hosts check).
#include <libnetconf2/log.h>
#include <libnetconf2/messages_client.h>
#include <libnetconf2/netconf.h>
#include <libnetconf2/session_client.h>
#include <libssh/libssh.h>
#include <libyang/libyang.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <sstream>

#include "colosla/base/calendar.hpp"
#include "colosla/base/log.hpp"
#include "colosla/netconf/netconf_client.hpp"

namespace colosla::core {

namespace {

namespace fs = std::filesystem;

// libnetconf2 keeps its client settings per thread; colosla connects from one thread at a time.
std::mutex g_client_mutex;
thread_local std::string t_last_error;  // the last error libnetconf2 printed
thread_local std::string t_hostkey_problem;
thread_local std::string t_known_hosts;
thread_local std::string t_password;
thread_local std::uint16_t t_port = 0;

void print_clb(const struct nc_session* /*s*/, NC_VERB_LEVEL level, const char* msg) {
  if (level == NC_VERB_ERROR && msg != nullptr) {
    t_last_error = msg;
  }
}

// The YANG files under the search directories, by module name (name@revision.yang or name.yang).
struct ModuleIndex {
  std::map<std::string, std::map<std::string, fs::path>> by_name;  // name → revision → file

  explicit ModuleIndex(const std::vector<std::string>& dirs) {
    for (const auto& d : dirs) {
      std::error_code ec;
      for (auto it = fs::recursive_directory_iterator(d, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec) || it->path().extension() != ".yang") {
          continue;
        }
        const std::string stem = it->path().stem().string();
        const auto at = stem.find('@');
        const std::string name = stem.substr(0, at);
        const std::string rev = at == std::string::npos ? "" : stem.substr(at + 1);
        by_name[name].try_emplace(rev, it->path());  // the first directory wins
      }
    }
  }

  // The file of name at revision (or the newest when no revision is asked), or empty.
  fs::path find(const std::string& name, const char* revision) const {
    const auto it = by_name.find(name);
    if (it == by_name.end()) {
      return {};
    }
    if (revision != nullptr && *revision != '\0') {
      const auto r = it->second.find(revision);
      if (r != it->second.end()) {
        return r->second;
      }
      // A file without a revision in its name may still be that revision: let libyang check.
      const auto plain = it->second.find("");
      return plain != it->second.end() ? plain->second : fs::path{};
    }
    return it->second.rbegin()->second;  // revisions sort as text; "" sorts first
  }
};

LY_ERR module_clb(const char* mod_name, const char* mod_rev, const char* submod_name,
                  const char* submod_rev, void* user_data, LYS_INFORMAT* format,
                  const char** module_data, ly_module_imp_data_free_clb* free_module_data) {
  const auto* index = static_cast<const ModuleIndex*>(user_data);
  const fs::path file = submod_name != nullptr ? index->find(submod_name, submod_rev)
                                               : index->find(mod_name, mod_rev);
  if (file.empty()) {
    return LY_ENOTFOUND;
  }
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  *module_data = strdup(text.str().c_str());
  *format = LYS_IN_YANG;
  *free_module_data = [](void* data, void*) { std::free(data); };
  return LY_SUCCESS;
}

// The server's host key against the device's known_hosts file: only a key that is there passes.
int hostkey_clb(const char* hostname, ssh_session session, void* /*priv*/) {
  if (t_known_hosts.empty()) {
    t_hostkey_problem =
        "no known-hosts file is configured for this device, so its host key cannot be checked";
    return 1;
  }
  ssh_options_set(session, SSH_OPTIONS_KNOWNHOSTS, t_known_hosts.c_str());
  std::error_code ec;
  const auto known = fs::exists(t_known_hosts, ec) ? ssh_session_is_known_server(session)
                                                   : SSH_KNOWN_HOSTS_NOT_FOUND;
  switch (known) {
    case SSH_KNOWN_HOSTS_OK:
      return 0;
    case SSH_KNOWN_HOSTS_CHANGED:
      t_hostkey_problem =
          std::string("the host key of ") + hostname + " is not the one in " + t_known_hosts +
          ": it changed (a replaced device, or someone in between); check it and update the file";
      return 1;
    case SSH_KNOWN_HOSTS_OTHER:
      t_hostkey_problem = std::string("the host key of ") + hostname +
                          " is of another type than the one in " + t_known_hosts;
      return 1;
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      t_hostkey_problem = "the known-hosts file " + t_known_hosts +
                          " does not exist (make it: ssh-keyscan -p " + std::to_string(t_port) +
                          " " + hostname + " > " + t_known_hosts +
                          ", after checking the key with the device's console)";
      return 1;
    case SSH_KNOWN_HOSTS_UNKNOWN:
      t_hostkey_problem = std::string("the host key of ") + hostname + " port " +
                          std::to_string(t_port) + " is not in " + t_known_hosts +
                          " (add it: ssh-keyscan -p " + std::to_string(t_port) + " " + hostname +
                          " >> " + t_known_hosts +
                          ", after checking the key with the device's console)";
      return 1;
    case SSH_KNOWN_HOSTS_ERROR:
      break;
  }
  t_hostkey_problem = "cannot read " + t_known_hosts;
  return 1;
}

char* password_clb(const char* /*user*/, const char* /*host*/, void* /*priv*/) {
  return strdup(t_password.c_str());
}

// A libyang data tree as plain DataNodes (every sibling from `first` on).
void copy_tree(const lyd_node* first, std::vector<DataNode>& out) {
  for (const lyd_node* n = first; n != nullptr; n = n->next) {
    if (n->schema == nullptr) {
      continue;  // opaque node: not validated, not ours to read
    }
    DataNode d;
    d.module = n->schema->module->name;
    d.name = n->schema->name;
    if ((n->schema->nodetype & (LYS_LEAF | LYS_LEAFLIST)) != 0) {
      const char* v = lyd_get_value(n);
      d.value = v != nullptr ? v : "";
    }
    copy_tree(lyd_child(n), d.children);
    out.push_back(std::move(d));
  }
}

// The data tree inside a <get> reply's <data>.
const lyd_node* reply_data(const lyd_node* op) {
  for (const lyd_node* n = op; n != nullptr; n = n->next) {
    if (n->schema != nullptr && std::strcmp(n->schema->name, "data") == 0 &&
        (n->schema->nodetype & LYS_ANYDATA) != 0) {
      const auto* any = reinterpret_cast<const lyd_node_any*>(n);
      return any->value_type == LYD_ANYDATA_DATATREE ? any->value.tree : nullptr;
    }
    if (const lyd_node* inner = reply_data(lyd_child(n))) {
      return inner;
    }
  }
  return nullptr;
}

// The <rpc-error>s of a reply, in words.
std::string rpc_errors(const lyd_node* envp) {
  std::string out;
  const lyd_node* n = nullptr;
  LYD_TREE_DFS_BEGIN(envp, n) {
    if (n->schema == nullptr) {
      const auto* o = reinterpret_cast<const lyd_node_opaq*>(n);
      if (std::strcmp(o->name.name, "error-message") == 0 && o->value != nullptr) {
        out += (out.empty() ? "" : "; ") + std::string(o->value);
      }
    }
    LYD_TREE_DFS_END(envp, n);
  }
  return out.empty() ? "the server answered with an error" : out;
}

// A parsed reply (envelope and operation, as libnetconf2 hands them over) as plain trees, or its
// <rpc-error>s; frees both. Sessions and NetconfReplyReader read every reply through this.
Result<std::vector<DataNode>> read_reply(lyd_node* envp, lyd_node* op, const std::string& what) {
  std::vector<DataNode> data;
  if (op == nullptr) {
    // <ok/> or <rpc-error>
    bool ok = false;
    for (const lyd_node* n = lyd_child(envp); n != nullptr; n = n->next) {
      if (n->schema == nullptr &&
          std::strcmp(reinterpret_cast<const lyd_node_opaq*>(n)->name.name, "ok") == 0) {
        ok = true;
      }
    }
    if (!ok) {
      std::string e = rpc_errors(envp);
      lyd_free_all(envp);
      return make_error(Errc::io, what + " failed: " + e);
    }
  } else {
    copy_tree(reply_data(op), data);
  }
  lyd_free_all(envp);
  lyd_free_all(op);
  return data;
}

}  // namespace

std::vector<std::string> default_yang_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("COLOSLA_YANG_PATH")) {
    std::string s = env;
    for (std::size_t from = 0; from <= s.size();) {
      const auto colon = s.find(':', from);
      const std::string part =
          s.substr(from, colon == std::string::npos ? std::string::npos : colon - from);
      if (!part.empty()) {
        dirs.push_back(part);
      }
      if (colon == std::string::npos) {
        break;
      }
      from = colon + 1;
    }
  }
  dirs.push_back("/usr/share/colosla/yang");
  dirs.push_back("/usr/share/yuma/modules");
  dirs.push_back("/usr/share/yang/modules");
  return dirs;
}

struct NetconfSession::Impl {
  nc_session* session = nullptr;
  ly_ctx* ctx = nullptr;  // ours, shared with the session: libnetconf2 does not free it
  NetconfServerInfo server;
  NetconfOptions options;
  std::unique_ptr<ModuleIndex> modules;

  ~Impl() {
    if (session != nullptr) {
      nc_session_free(session, nullptr);
    }
    if (ctx != nullptr) {
      ly_ctx_destroy(ctx);
    }
  }

  // Sends the RPC and reads its reply's data (none for <ok/>).
  Result<std::vector<DataNode>> call(nc_rpc* rpc, const char* what) {
    const int ms = static_cast<int>(options.rpc_timeout.count());
    std::uint64_t id = 0;
    if (nc_send_rpc(session, rpc, ms, &id) != NC_MSG_RPC) {
      nc_rpc_free(rpc);
      return make_error(Errc::io, std::string("cannot send ") + what + ": " + t_last_error);
    }
    lyd_node* envp = nullptr;
    lyd_node* op = nullptr;
    NC_MSG_TYPE r = NC_MSG_NOTIF;
    while (r ==
           NC_MSG_NOTIF) {  // a notification that overtakes the reply is not lost by libnetconf2
      r = nc_recv_reply(session, rpc, id, ms, &envp, &op);
    }
    nc_rpc_free(rpc);
    if (r == NC_MSG_WOULDBLOCK) {
      return make_error(Errc::io, std::string("no answer to ") + what + " within " +
                                      std::to_string(options.rpc_timeout.count()) + " ms");
    }
    if (r == NC_MSG_REPLY_ERR_MSGID) {
      lyd_free_all(envp);
      lyd_free_all(op);
      return make_error(Errc::io, std::string("the answer to ") + what + " has another message-id");
    }
    if (r != NC_MSG_REPLY) {
      return make_error(Errc::io, std::string("the session broke during ") + what +
                                      (t_last_error.empty() ? "" : ": " + t_last_error));
    }
    return read_reply(envp, op, what);
  }
};

std::string netconf_origin(const Device& d) {
  if (!d.netconf) {
    return "netconf:" + d.address;
  }
  const NetconfAccess& a = *d.netconf;
  return "netconf:" + a.transport + ":" +
         (a.transport == "unix" ? a.socket : d.address + ":" + std::to_string(a.port));
}

NetconfSession::NetconfSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NetconfSession::~NetconfSession() = default;

const NetconfServerInfo& NetconfSession::server() const { return impl_->server; }

Result<std::unique_ptr<NetconfSession>> NetconfSession::connect(const Device& d,
                                                                const NetconfOptions& o) {
  if (!d.netconf) {
    return make_error(Errc::invalid_input,
                      "device " + d.name + " has no netconf access in the inventory");
  }
  const NetconfAccess& a = *d.netconf;
  std::lock_guard lock(g_client_mutex);
  static std::once_flag once;
  std::call_once(once, [] {
    nc_client_init();
    nc_verbosity(NC_VERB_ERROR);
    nc_set_print_clb_session(print_clb);
    ly_log_level(LY_LLERR);
  });
  auto impl = std::make_unique<Impl>();
  impl->options = o;
  impl->modules =
      std::make_unique<ModuleIndex>(o.yang_dirs.empty() ? default_yang_dirs() : o.yang_dirs);
  nc_client_set_schema_callback(module_clb, impl->modules.get());
  // libnetconf2 looks for a module in the context's search directories first, then asks the
  // server (<get-schema>), and only then calls the schema callback: without search directories
  // every session fetches every module from the server.
  if (ly_ctx_new(nullptr, LY_CTX_NO_YANGLIBRARY, &impl->ctx) != LY_SUCCESS) {
    return make_error(Errc::io, "cannot make a YANG context", d.name);
  }
  for (const auto& dir : o.yang_dirs.empty() ? default_yang_dirs() : o.yang_dirs) {
    std::error_code ec;
    if (fs::is_directory(dir, ec)) {
      ly_ctx_set_searchdir(impl->ctx, dir.c_str());
    }
  }
  t_last_error.clear();
  t_hostkey_problem.clear();

  const std::string target =
      a.transport == "unix" ? a.socket : d.address + ":" + std::to_string(a.port);
  if (a.transport == "unix") {
    impl->session = nc_connect_unix(a.socket.c_str(), impl->ctx);
  } else if (a.transport == "tls") {
    nc_client_tls_set_cert_key_paths(a.certificate.c_str(), a.private_key.c_str());
    nc_client_tls_set_trusted_ca_paths(a.ca_file.empty() ? nullptr : a.ca_file.c_str(), nullptr);
    impl->session = nc_connect_tls(d.address.c_str(), a.port, impl->ctx);
  } else {
    t_known_hosts = a.known_hosts;
    t_password = a.password;
    t_port = a.port;
    nc_client_ssh_set_username(a.username.c_str());
    nc_client_ssh_set_auth_hostkey_check_clb(hostkey_clb, nullptr);
    while (nc_client_ssh_get_keypair_count() > 0) {
      nc_client_ssh_del_keypair(0);
    }
    if (!a.private_key.empty()) {
      const std::string pub = a.private_key + ".pub";
      nc_client_ssh_add_keypair(pub.c_str(), a.private_key.c_str());
      nc_client_ssh_set_auth_pref(NC_SSH_AUTH_PUBLICKEY, 10);
    } else {
      nc_client_ssh_set_auth_pref(NC_SSH_AUTH_PUBLICKEY, -1);
    }
    if (!a.password.empty()) {
      nc_client_ssh_set_auth_password_clb(password_clb, nullptr);
      nc_client_ssh_set_auth_pref(NC_SSH_AUTH_PASSWORD, 5);
    } else {
      nc_client_ssh_set_auth_pref(NC_SSH_AUTH_PASSWORD, -1);
    }
    nc_client_ssh_set_auth_pref(NC_SSH_AUTH_INTERACTIVE, -1);
    impl->session = nc_connect_ssh(d.address.c_str(), a.port, impl->ctx);
  }
  nc_client_set_schema_callback(nullptr, nullptr);
  t_password.clear();  // not kept in memory longer than needed
  if (impl->session == nullptr && a.transport == "ssh" && t_hostkey_problem.empty() &&
      t_last_error.find("authenticate") != std::string::npos) {
    t_last_error = "user " + a.username + " was refused (" +
                   (a.private_key.empty() ? "password"
                    : a.password.empty()  ? "key " + a.private_key
                                          : "key " + a.private_key + " and password") +
                   "): " + t_last_error;
  }
  if (impl->session == nullptr) {
    std::string why = !t_hostkey_problem.empty() ? t_hostkey_problem
                      : !t_last_error.empty()    ? t_last_error
                                                 : "no NETCONF session";
    return make_error(Errc::io, "cannot connect to " + target + ": " + why, d.name);
  }
  for (const char* const* c = nc_session_get_cpblts(impl->session); c != nullptr && *c != nullptr;
       ++c) {
    const std::string cap = *c;
    impl->server.capabilities.push_back(cap);
    // "urn:…:ietf-interfaces?module=ietf-interfaces&revision=2014-05-08&features=…"
    const auto m = cap.find("module=");
    if (m == std::string::npos) {
      continue;
    }
    const auto end = cap.find('&', m);
    const std::string name =
        cap.substr(m + 7, end == std::string::npos ? std::string::npos : end - m - 7);
    std::string rev;
    if (const auto r = cap.find("revision="); r != std::string::npos) {
      rev = cap.substr(r + 9, 10);
    }
    impl->server.modules[name] = rev;
  }
  // NETCONF 1.1 servers may announce their modules only in ietf-yang-library: what the context
  // holds is what the session can parse, so read the implemented modules from there too.
  if (const ly_ctx* ctx = nc_session_get_ctx(impl->session)) {
    std::uint32_t i = 0;
    while (const lys_module* mod = ly_ctx_get_module_iter(ctx, &i)) {
      if (mod->implemented != 0) {
        impl->server.modules.try_emplace(mod->name, mod->revision != nullptr ? mod->revision : "");
      }
    }
  }
  return std::unique_ptr<NetconfSession>(new NetconfSession(std::move(impl)));
}

Result<NetconfAnswer> NetconfSession::get(const std::vector<std::string>& xpaths,
                                          const Clock& clock) {
  NetconfAnswer answer;
  for (const auto& x : xpaths) {
    auto r = impl_->call(nc_rpc_get(x.c_str(), NC_WD_UNKNOWN, NC_PARAMTYPE_DUP_AND_FREE),
                         ("<get> " + x).c_str());
    if (!r) {
      return r.error();
    }
    std::move(r->begin(), r->end(), std::back_inserter(answer.data));
  }
  answer.at = clock.now();
  return answer;
}

Result<void> NetconfSession::subscribe(std::optional<Timestamp> since) {
  const std::string start = since ? format_time_utc(*since) : std::string();
  auto r = impl_->call(nc_rpc_subscribe(nullptr, nullptr, since ? start.c_str() : nullptr, nullptr,
                                        NC_PARAMTYPE_DUP_AND_FREE),
                       "<create-subscription>");
  if (!r) {
    return r.error();
  }
  return {};
}

Result<std::optional<NetconfNotification>> NetconfSession::next_notification(
    std::chrono::milliseconds wait) {
  lyd_node* envp = nullptr;
  lyd_node* op = nullptr;
  const NC_MSG_TYPE r = nc_recv_notif(impl_->session, static_cast<int>(wait.count()), &envp, &op);
  if (r == NC_MSG_WOULDBLOCK) {
    return std::optional<NetconfNotification>{};
  }
  if (r != NC_MSG_NOTIF) {
    return make_error(Errc::io, "the session broke while waiting for notifications" +
                                    (t_last_error.empty() ? std::string() : ": " + t_last_error));
  }
  NetconfNotification n;
  // eventTime is in the envelope; the notification itself is op (a top-level node, or nested
  // in containers for a YANG 1.1 notification inside a data tree).
  const lyd_node* e = nullptr;
  LYD_TREE_DFS_BEGIN(envp, e) {
    if (e->schema == nullptr &&
        std::strcmp(reinterpret_cast<const lyd_node_opaq*>(e)->name.name, "eventTime") == 0) {
      if (auto t = parse_time(reinterpret_cast<const lyd_node_opaq*>(e)->value)) {
        n.event_time = *t;
      }
    }
    LYD_TREE_DFS_END(envp, e);
  }
  const lyd_node* node = op;
  while (node != nullptr && node->schema != nullptr && node->schema->nodetype != LYS_NOTIF) {
    node = lyd_child(node);
  }
  std::vector<DataNode> copied;
  copy_tree(node != nullptr ? node : op, copied);
  lyd_free_all(envp);
  lyd_free_all(op);
  if (copied.empty()) {
    return make_error(Errc::io, "a notification without content");
  }
  n.node = std::move(copied.front());
  return std::optional<NetconfNotification>{std::move(n)};
}

namespace {

// Keeps libyang's last message in the context (for the error) instead of printing it, for the
// lifetime of this object and this thread.
class LastLibyangMessage {
 public:
  LastLibyangMessage() { ly_temp_log_options(&opts_); }
  ~LastLibyangMessage() { ly_temp_log_options(nullptr); }
  LastLibyangMessage(const LastLibyangMessage&) = delete;
  LastLibyangMessage& operator=(const LastLibyangMessage&) = delete;

 private:
  std::uint32_t opts_ = LY_LOSTORE_LAST;
};

}  // namespace

struct NetconfReplyReader::Impl {
  ModuleIndex modules;
  ly_ctx* ctx = nullptr;

  explicit Impl(const std::vector<std::string>& dirs) : modules(dirs) {}
  ~Impl() {
    if (ctx != nullptr) {
      ly_ctx_destroy(ctx);
    }
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
};

NetconfReplyReader::NetconfReplyReader(const std::vector<std::string>& yang_dirs,
                                       const std::vector<std::string>& modules)
    : impl_(std::make_unique<Impl>(yang_dirs)) {
  LastLibyangMessage quiet;
  // The modules come from the index, as a session's do through its schema callback.
  if (ly_ctx_new(nullptr, LY_CTX_NO_YANGLIBRARY | LY_CTX_DISABLE_SEARCHDIRS, &impl_->ctx) !=
      LY_SUCCESS) {
    throw ConfigError("cannot make a YANG context");
  }
  ly_ctx_set_module_imp_clb(impl_->ctx, module_clb, &impl_->modules);
  const char* all_features[] = {"*", nullptr};
  std::vector<std::string> names{"ietf-netconf"};
  names.insert(names.end(), modules.begin(), modules.end());
  for (const auto& name : names) {
    if (ly_ctx_load_module(impl_->ctx, name.c_str(), nullptr, all_features) == nullptr) {
      const char* why = ly_errmsg(impl_->ctx);
      throw ConfigError("cannot load the YANG module " + name + ": " +
                        (why != nullptr ? why : "not found"));
    }
  }
}

NetconfReplyReader::~NetconfReplyReader() = default;

Result<std::vector<DataNode>> NetconfReplyReader::get_reply(std::string_view xml) const {
  LastLibyangMessage quiet;
  ly_ctx* ctx = impl_->ctx;
  // What nc_recv_reply does for a <get>: a new <get> node, the reply parsed onto it.
  lyd_node* op = nullptr;
  if (lyd_new_inner(nullptr, ly_ctx_get_module_implemented(ctx, "ietf-netconf"), "get", 0, &op) !=
      LY_SUCCESS) {
    return make_error(Errc::internal, "cannot make a <get> node");
  }
  const std::string text(xml);  // libyang reads up to a NUL
  ly_in* in = nullptr;
  if (ly_in_new_memory(text.c_str(), &in) != LY_SUCCESS) {
    lyd_free_tree(op);
    return make_error(Errc::internal, "cannot read the reply");
  }
  lyd_node* envp = nullptr;
  const LY_ERR rc = lyd_parse_op(nullptr, op, in, LYD_XML, LYD_TYPE_REPLY_NETCONF, &envp, nullptr);
  ly_in_free(in, 0);
  if (rc != LY_SUCCESS) {
    const char* why = ly_errmsg(ctx);
    std::string msg =
        std::string("the reply does not parse: ") + (why != nullptr ? why : "unknown error");
    lyd_free_all(envp);
    lyd_free_tree(op);
    return make_error(Errc::invalid_input, std::move(msg));
  }
  if (lyd_child(op) == nullptr) {  // no output: libnetconf2 hands over no operation
    lyd_free_tree(op);
    op = nullptr;
  }
  return read_reply(envp, op, "<get>");
}

}  // namespace colosla::core
