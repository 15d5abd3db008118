// colosla-test-netconf-server: a small NETCONF server for integration tests, built on the
// libnetconf2 2.0.x server API (Unix socket endpoint, no SSH/TLS).
//
//   colosla-test-netconf-server --unix PATH --yang-dir DIR [--yang-dir DIR ...] --control FIFO
//
// Serves <get> (no filter, XPath filter or a simple subtree filter) over ietf-interfaces
// (interfaces-state), openconfig-interfaces (test subset), ietf-hardware (hardware-state) and
// the ietf-yang-library data of its context; <create-subscription> (RFC 5277) for
// interfaces-notifications link-up/link-down and ietf-hardware hardware-state-oper-*, with
// replay from a startTime of every notification since the server started.
// Line commands on the control FIFO change the state; see tests/netconf/README.md.
#include <libnetconf2/log.h>
#include <libnetconf2/messages_server.h>
#include <libnetconf2/netconf.h>
#include <libnetconf2/session_server.h>
#include <libyang/libyang.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

volatile std::sig_atomic_t g_signalled = 0;
std::atomic<bool> g_stop{false};
ly_ctx* g_ctx = nullptr;

std::mutex g_out_mtx;
void say(const std::string& line) {
  std::lock_guard lock(g_out_mtx);
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

bool stopping() { return g_stop || g_signalled; }

// ---- state ----------------------------------------------------------------------------------

struct Iface {
  std::string name;
  uint32_t ifindex;
  bool up;
  uint64_t last_change_ns;
};
struct Component {
  std::string name;
  std::string cls;  // iana-hardware identity
  bool enabled;
};

std::vector<Iface> g_ifaces;
std::vector<Component> g_comps;
std::string g_sock;  // the Unix socket's path

// Every notification sent (or due while nobody listened), for RFC 5277 replay: time, event.
std::vector<std::pair<uint64_t, lyd_node*>> g_replay_log;
// Sessions that asked for a replay (session id → startTime), served after the <ok> went out.
std::vector<std::pair<uint32_t, uint64_t>> g_pending_replays;

uint64_t now_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::string datetime(uint64_t ns) {
  auto secs = static_cast<time_t>(ns / 1000000000U);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// "2026-11-24T10:00:05Z" or with fractions or an offset (seconds precision is enough here).
std::optional<uint64_t> parse_datetime(const char* text) {
  std::tm tm{};
  const char* rest = text ? strptime(text, "%Y-%m-%dT%H:%M:%S", &tm) : nullptr;
  if (!rest) return std::nullopt;
  long offset = 0;
  while (*rest == '.' || std::isdigit(static_cast<unsigned char>(*rest))) ++rest;
  if (*rest == '+' || *rest == '-') {
    int h = 0, m = 0;
    if (std::sscanf(rest + 1, "%d:%d", &h, &m) != 2) return std::nullopt;
    offset = (*rest == '+' ? 1 : -1) * (h * 3600L + m * 60L);
  } else if (*rest != 'Z') {
    return std::nullopt;
  }
  return static_cast<uint64_t>(timegm(&tm) - offset) * 1000000000U;
}

Iface* find_iface(const std::string& name) {
  for (auto& i : g_ifaces)
    if (i.name == name) return &i;
  return nullptr;
}
Component* find_comp(const std::string& name) {
  for (auto& c : g_comps)
    if (c.name == name) return &c;
  return nullptr;
}

// ---- data tree ------------------------------------------------------------------------------

// Adds PATH=VALUE below the top-level tree ROOT (created on first use).
bool add(lyd_node*& root, const std::string& path, const char* value) {
  LY_ERR r = lyd_new_path(root, g_ctx, path.c_str(), value, 0, root ? nullptr : &root);
  if (r != LY_SUCCESS && r != LY_EEXIST) {
    std::fprintf(stderr, "[server] lyd_new_path %s: %s\n", path.c_str(), ly_errmsg(g_ctx));
    return false;
  }
  return true;
}

lyd_node* build_data() {
  lyd_node* all = nullptr;
  lyd_node *ietf = nullptr, *oc = nullptr, *hw = nullptr;
  for (const auto& i : g_ifaces) {
    std::string b = "/ietf-interfaces:interfaces-state/interface[name='" + i.name + "']/";
    add(ietf, b + "type", "iana-if-type:ethernetCsmacd");
    add(ietf, b + "admin-status", "up");
    add(ietf, b + "oper-status", i.up ? "up" : "down");
    add(ietf, b + "last-change", datetime(i.last_change_ns).c_str());
    add(ietf, b + "if-index", std::to_string(i.ifindex).c_str());
    add(ietf, b + "statistics/discontinuity-time", datetime(i.last_change_ns).c_str());

    std::string o = "/openconfig-interfaces:interfaces/interface[name='" + i.name + "']/";
    add(oc, o + "config/name", i.name.c_str());
    add(oc, o + "config/description", ("test " + i.name).c_str());
    add(oc, o + "config/enabled", "true");
    add(oc, o + "state/name", i.name.c_str());
    add(oc, o + "state/description", ("test " + i.name).c_str());
    add(oc, o + "state/ifindex", std::to_string(i.ifindex).c_str());
    add(oc, o + "state/oper-status", i.up ? "UP" : "DOWN");
    add(oc, o + "state/last-change", std::to_string(i.last_change_ns).c_str());
  }
  for (const auto& c : g_comps) {
    std::string b = "/ietf-hardware:hardware/component[name='" + c.name + "']/";
    add(hw, b + "class", c.cls.c_str());
    add(hw, b + "state/admin-state", "unlocked");
    add(hw, b + "state/oper-state", c.enabled ? "enabled" : "disabled");
  }
  lyd_node* ylib = nullptr;
  if (ly_ctx_get_yanglib_data(g_ctx, &ylib, "%u", ly_ctx_get_change_count(g_ctx)) != LY_SUCCESS)
    ylib = nullptr;
  for (lyd_node* t : {ietf, oc, hw, ylib})
    if (t) lyd_insert_sibling(all, t, &all);
  return all;
}

// ---- filters --------------------------------------------------------------------------------

std::string trim(const char* s) {
  std::string v = s ? s : "";
  auto b = v.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return v.substr(b, v.find_last_not_of(" \t\r\n") - b + 1);
}

std::string quote(const std::string& v) {
  return v.find('\'') == std::string::npos ? "'" + v + "'" : "\"" + v + "\"";
}

// Name of a filter node as "module:name" (opaque nodes carry the XML namespace).
std::optional<std::string> qname(const lyd_node* n, std::string& value, std::string& ns_mod) {
  if (n->schema) {
    ns_mod = n->schema->module->name;
    value = lyd_get_value(n) ? trim(lyd_get_value(n)) : "";
    return ns_mod + ":" + n->schema->name;
  }
  auto o = reinterpret_cast<const lyd_node_opaq*>(n);
  const lys_module* mod = nullptr;
  if (o->name.module_ns) mod = ly_ctx_get_module_implemented_ns(g_ctx, o->name.module_ns);
  if (mod) ns_mod = mod->name;  // else inherit the parent's module
  if (ns_mod.empty()) return std::nullopt;
  value = trim(o->value);
  return ns_mod + ":" + o->name.name;
}

// RFC 6241 subtree filter -> XPath expressions (selection and containment nodes become path
// steps, content-match nodes become predicates).
bool subtree_to_xpath(const lyd_node* n, const std::string& prefix, std::string ns_mod,
                      std::vector<std::string>& out) {
  std::string value;
  auto q = qname(n, value, ns_mod);
  if (!q) return false;
  std::string path = prefix + "/" + *q;
  const lyd_node* first = lyd_child(n);
  if (!first) {
    out.push_back(path);  // selection node (content match at top level is not supported)
    return true;
  }
  std::vector<const lyd_node*> sub;
  for (const lyd_node* c = first; c; c = c->next) {
    std::string cv, cm = ns_mod;
    auto cq = qname(c, cv, cm);
    if (!cq) return false;
    if (!lyd_child(c) && !cv.empty())
      path += "[" + *cq + "=" + quote(cv) + "]";
    else
      sub.push_back(c);
  }
  if (sub.empty()) {
    out.push_back(path);
    return true;
  }
  for (const lyd_node* c : sub)
    if (!subtree_to_xpath(c, path, ns_mod, out)) return false;
  return true;
}

// Copies the nodes matching XPATH (with their parents) into RESULT.
bool select_xpath(const lyd_node* data, const std::string& xpath, lyd_node*& result) {
  if (!data) return true;
  ly_set* set = nullptr;
  if (lyd_find_xpath(data, xpath.c_str(), &set) != LY_SUCCESS) return false;
  for (uint32_t i = 0; i < set->count; ++i) {
    lyd_node* dup = nullptr;
    if (lyd_dup_single(set->dnodes[i], nullptr, LYD_DUP_RECURSIVE | LYD_DUP_WITH_PARENTS, &dup))
      continue;
    while (dup->parent) dup = lyd_parent(dup);
    if (!result)
      result = dup;
    else
      lyd_merge_siblings(&result, dup, LYD_MERGE_DESTRUCT);
  }
  ly_set_free(set, nullptr);
  return true;
}

const char* meta_or_attr(const lyd_node* n, const char* name) {
  for (const lyd_meta* m = n->meta; m; m = m->next)
    if (!std::strcmp(m->name, name)) return lyd_get_meta_value(m);
  if (!n->schema) {
    for (const lyd_attr* a = reinterpret_cast<const lyd_node_opaq*>(n)->attr; a; a = a->next)
      if (!std::strcmp(a->name.name, name)) return a->value;
  }
  return nullptr;
}

nc_server_reply* error_reply(nc_session* session, NC_ERR tag, const std::string& msg) {
  lyd_node* e = nc_err(nc_session_get_ctx(session), tag, NC_ERR_TYPE_APP);
  nc_err_set_msg(e, msg.c_str(), "en");
  return nc_server_reply_err(e);
}

nc_server_reply* reply_get(lyd_node* rpc, nc_session* session) {
  // <get> has "filter" (type/select attributes); NMDA <get-data> has "xpath-filter" or
  // "subtree-filter"
  lyd_node *filter = nullptr, *xfilter = nullptr;
  for (lyd_node* c = lyd_child(rpc); c; c = c->next) {
    if (!c->schema) continue;
    if (!std::strcmp(c->schema->name, "filter") || !std::strcmp(c->schema->name, "subtree-filter"))
      filter = c;
    if (!std::strcmp(c->schema->name, "xpath-filter")) xfilter = c;
  }
  lyd_node* data = build_data();
  lyd_node* result = nullptr;
  bool ok = true;
  std::string what = "none";
  if (xfilter) {
    what = std::string("xpath ") + lyd_get_value(xfilter);
    ok = select_xpath(data, lyd_get_value(xfilter), result);
  } else if (!filter) {
    result = data;
    data = nullptr;
  } else {
    const char* type = meta_or_attr(filter, "type");
    if (type && !std::strcmp(type, "xpath")) {
      const char* select = meta_or_attr(filter, "select");
      what = std::string("xpath ") + (select ? select : "(none)");
      ok = select && select_xpath(data, select, result);
    } else {
      auto any = reinterpret_cast<const lyd_node_any*>(filter);
      std::vector<std::string> paths;
      if (any->value_type == LYD_ANYDATA_DATATREE) {
        for (const lyd_node* n = any->value.tree; n && ok; n = n->next)
          ok = subtree_to_xpath(n, "", "", paths);
      } else if (any->value.str && !trim(any->value.str).empty()) {
        ok = false;
      }
      what = "subtree";
      for (const auto& p : paths) {
        what += " " + p;
        if (ok) ok = select_xpath(data, p, result);
      }
    }
  }
  lyd_free_all(data);
  std::fprintf(stderr, "[server] <%s> session %u filter %s -> %s\n", rpc->schema->name,
               nc_session_get_id(session), what.c_str(), ok ? "ok" : "error");
  if (!ok) {
    lyd_free_all(result);
    return error_reply(session, NC_ERR_INVALID_VALUE, "unsupported or invalid filter: " + what);
  }
  lyd_node* out = nullptr;
  if (lyd_dup_single(rpc, nullptr, 0, &out) ||
      lyd_new_any(out, nullptr, "data", result, 1, LYD_ANYDATA_DATATREE, 1, nullptr)) {
    lyd_free_all(out);
    return error_reply(session, NC_ERR_OP_FAILED, "cannot build reply");
  }
  return nc_server_reply_data(out, NC_WD_EXPLICIT, NC_PARAMTYPE_FREE);
}

nc_server_reply* rpc_clb(lyd_node* rpc, nc_session* session) {
  const char* name = rpc->schema->name;
  if (!std::strcmp(name, "get") || !std::strcmp(name, "get-data")) return reply_get(rpc, session);
  if (!std::strcmp(name, "create-subscription")) {
    if (nc_session_get_notif_status(session))
      return error_reply(session, NC_ERR_IN_USE, "already subscribed");
    lyd_node* start = nullptr;
    lyd_find_path(rpc, "startTime", 0, &start);
    std::optional<uint64_t> from;
    if (start) {
      from = parse_datetime(lyd_get_value(start));
      if (!from)
        return error_reply(session, NC_ERR_INVALID_VALUE, "startTime is not a date-and-time");
      if (*from > now_ns())
        return error_reply(session, NC_ERR_BAD_ELEM, "startTime is in the future");
    }
    nc_session_inc_notif_status(session);
    if (from) g_pending_replays.emplace_back(nc_session_get_id(session), *from);
    std::fprintf(stderr, "[server] session %u subscribed%s%s\n", nc_session_get_id(session),
                 from ? ", replay from " : "", from ? lyd_get_value(start) : "");
    return nc_server_reply_ok();
  }
  return nc_server_reply_err(
      nc_err(nc_session_get_ctx(session), NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_PROT));
}

// libnetconf2 2.0.24's built-in <get-schema> hands the module text to lyd_new_any(use_value=1)
// and libyang 2.1.30 frees it: garbage on the wire. Own callback that copies the text; per-RPC
// callbacks live in lysc_node::priv in 2.0.x and must be set before nc_server_init().
nc_server_reply* get_schema_clb(lyd_node* rpc, nc_session* session) {
  lyd_node *id = nullptr, *ver = nullptr;
  lyd_find_path(rpc, "identifier", 0, &id);
  lyd_find_path(rpc, "version", 0, &ver);
  const char* mname = id ? lyd_get_value(id) : "";
  const char* rev = ver ? lyd_get_value(ver) : nullptr;
  const lys_module* mod =
      (rev && *rev) ? ly_ctx_get_module(g_ctx, mname, rev) : ly_ctx_get_module_latest(g_ctx, mname);
  if (!mod)
    return error_reply(session, NC_ERR_INVALID_VALUE, "The requested schema was not found.");
  char* text = nullptr;
  lyd_node* out = nullptr;
  if (lys_print_mem(&text, mod, LYS_OUT_YANG, 0) || lyd_dup_single(rpc, nullptr, 0, &out) ||
      lyd_new_any(out, nullptr, "data", text, 0, LYD_ANYDATA_STRING, 1, nullptr)) {
    std::free(text);
    lyd_free_all(out);
    return error_reply(session, NC_ERR_OP_FAILED, "cannot print schema");
  }
  std::free(text);
  return nc_server_reply_data(out, NC_WD_EXPLICIT, NC_PARAMTYPE_FREE);
}

// ---- notifications --------------------------------------------------------------------------

int send_to_subscribers(nc_pollsession* ps, lyd_node* event) {
  const uint64_t ns = now_ns();
  std::string t = datetime(ns);
  lyd_node* copy = nullptr;
  if (lyd_dup_single(event, nullptr, LYD_DUP_RECURSIVE, &copy) == LY_SUCCESS)
    g_replay_log.emplace_back(ns, copy);
  int sent = 0;
  for (uint16_t i = 0; i < nc_ps_session_count(ps); ++i) {
    nc_session* s = nc_ps_get_session(ps, i);
    if (!s || nc_session_get_status(s) != NC_STATUS_RUNNING || !nc_session_get_notif_status(s))
      continue;
    nc_server_notif* n = nc_server_notif_new(event, t.data(), NC_PARAMTYPE_CONST);
    if (nc_server_notif_send(s, n, 2000) == NC_MSG_NOTIF) ++sent;
    nc_server_notif_free(n);
  }
  lyd_free_all(event);
  return sent;
}

// Sends a session that asked for it every logged notification from its startTime on (to the
// second: the log's times are whole seconds on the wire), then replayComplete.
void serve_replays(nc_pollsession* ps) {
  for (const auto& [id, from] : g_pending_replays) {
    nc_session* s = nullptr;
    for (uint16_t i = 0; i < nc_ps_session_count(ps); ++i) {
      if (nc_ps_get_session(ps, i) && nc_session_get_id(nc_ps_get_session(ps, i)) == id)
        s = nc_ps_get_session(ps, i);
    }
    if (!s || nc_session_get_status(s) != NC_STATUS_RUNNING) continue;
    int sent = 0;
    for (const auto& [ns, event] : g_replay_log) {
      if (ns / 1000000000U < from / 1000000000U) continue;
      std::string t = datetime(ns);
      nc_server_notif* n = nc_server_notif_new(event, t.data(), NC_PARAMTYPE_CONST);
      if (nc_server_notif_send(s, n, 2000) == NC_MSG_NOTIF) ++sent;
      nc_server_notif_free(n);
    }
    lyd_node* done = nullptr;
    if (lyd_new_path(nullptr, g_ctx, "/nc-notifications:replayComplete", nullptr, 0, &done) ==
        LY_SUCCESS) {
      std::string t = datetime(now_ns());
      nc_server_notif* n = nc_server_notif_new(done, t.data(), NC_PARAMTYPE_CONST);
      nc_server_notif_send(s, n, 2000);
      nc_server_notif_free(n);
      lyd_free_all(done);
    }
    say("replayed " + std::to_string(sent) + " to session " + std::to_string(id));
  }
  g_pending_replays.clear();
}

lyd_node* make_event(const std::string& path,
                     const std::vector<std::pair<std::string, std::string>>& leaves) {
  lyd_node* ev = nullptr;
  if (lyd_new_path(nullptr, g_ctx, path.c_str(), nullptr, 0, &ev)) return nullptr;
  for (const auto& [leaf, value] : leaves) {
    if (lyd_new_path(ev, g_ctx, (path + "/" + leaf).c_str(), value.c_str(), 0, nullptr)) {
      std::fprintf(stderr, "[server] %s/%s: %s\n", path.c_str(), leaf.c_str(), ly_errmsg(g_ctx));
      lyd_free_all(ev);
      return nullptr;
    }
  }
  return ev;
}

// ---- control commands -----------------------------------------------------------------------

std::mutex g_queue_mtx;
std::deque<std::string> g_queue;

void control_reader(std::string fifo) {
  // O_RDWR: the FIFO never reports EOF when writers come and go, and open() does not block.
  int fd = -1;
  std::string buf;
  while (!stopping()) {
    if (fd < 0) {
      fd = open(fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0) {
        say("error control fifo " + fifo + ": " + std::strerror(errno));
        return;
      }
    }
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, 100);
    if (r <= 0) continue;
    char chunk[512];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {  // EOF: reopen
      close(fd);
      fd = -1;
      continue;
    }
    if (n < 0) continue;
    buf.append(chunk, static_cast<size_t>(n));
    for (auto nl = buf.find('\n'); nl != std::string::npos; nl = buf.find('\n')) {
      std::string line = trim(buf.substr(0, nl).c_str());
      buf.erase(0, nl + 1);
      if (line.empty()) continue;
      std::lock_guard lock(g_queue_mtx);
      g_queue.push_back(line);
    }
  }
  if (fd >= 0) close(fd);
}

// Runs one command in the server thread; returns the stall length in seconds (0 = none).
double run_command(const std::string& line, nc_pollsession* ps) {
  std::istringstream in(line);
  std::string cmd, a, b;
  in >> cmd >> a >> b;
  if (cmd == "quit") {
    say("ok quit");
    g_stop = true;
  } else if (cmd == "if" || cmd == "notify-link") {
    Iface* i = find_iface(a);
    if (!i || (b != "up" && b != "down")) {
      say("error " + line + ": usage " + cmd + " NAME up|down (known interface)");
      return 0;
    }
    i->up = b == "up";
    i->last_change_ns = now_ns();
    if (cmd == "if") {
      say("ok " + line);
    } else {
      std::string path = std::string("/interfaces-notifications:link-") + (i->up ? "up" : "down");
      lyd_node* ev = make_event(path, {{"if-name", i->name}});
      if (!ev) {
        say("error " + line + ": cannot build notification");
        return 0;
      }
      say("ok " + line + " sent=" + std::to_string(send_to_subscribers(ps, ev)));
    }
  } else if (cmd == "psu" || cmd == "notify-psu") {
    Component* c = find_comp(a);
    if (!c || (b != "enabled" && b != "disabled")) {
      say("error " + line + ": usage " + cmd + " NAME enabled|disabled (known component)");
      return 0;
    }
    c->enabled = b == "enabled";
    if (cmd == "psu") {
      say("ok " + line);
    } else {
      std::string path = std::string("/ietf-hardware:hardware-state-oper-") +
                         (c->enabled ? "enabled" : "disabled");
      lyd_node* ev =
          make_event(path, {{"name", c->name}, {"admin-state", "unlocked"}, {"alarm-state", ""}});
      if (!ev) {
        say("error " + line + ": cannot build notification");
        return 0;
      }
      say("ok " + line + " sent=" + std::to_string(send_to_subscribers(ps, ev)));
    }
  } else if (cmd == "stall") {
    char* end = nullptr;
    double secs = std::strtod(a.c_str(), &end);
    if (a.empty() || *end || secs <= 0) {
      say("error " + line + ": usage stall SECONDS");
      return 0;
    }
    say("ok " + line);
    return secs;
  } else if (cmd == "refuse") {
    // on: the socket's name is moved aside, so that connecting fails as with a server gone;
    // off: it is back.
    const std::string aside = g_sock + ".refused";
    if ((a != "on" && a != "off") || rename(a == "on" ? g_sock.c_str() : aside.c_str(),
                                            a == "on" ? aside.c_str() : g_sock.c_str()) != 0) {
      say("error " + line + ": usage refuse on|off (" + std::strerror(errno) + ")");
      return 0;
    }
    say("ok " + line);
  } else if (cmd == "drop") {
    uint16_t n = nc_ps_session_count(ps);
    nc_ps_clear(ps, 1, nullptr);
    say("ok drop " + std::to_string(n));
  } else {
    say("error " + line + ": unknown command");
  }
  return 0;
}

// ---- server loop ----------------------------------------------------------------------------

void server_loop() {
  nc_pollsession* ps = nc_ps_new();
  while (!stopping()) {
    std::deque<std::string> cmds;
    {
      std::lock_guard lock(g_queue_mtx);
      cmds.swap(g_queue);
    }
    double stall = 0;
    while (!cmds.empty() && !stopping()) {
      stall = run_command(cmds.front(), ps);
      cmds.pop_front();
      if (stall > 0) break;
    }
    if (!cmds.empty()) {  // commands after a stall run after it
      std::lock_guard lock(g_queue_mtx);
      g_queue.insert(g_queue.begin(), cmds.begin(), cmds.end());
    }
    if (stall > 0) {
      auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(stall);
      while (!stopping() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }

    nc_session* ns = nullptr;
    if (nc_accept(20, &ns) == NC_MSG_HELLO) {
      std::fprintf(stderr, "[server] accepted session %u\n", nc_session_get_id(ns));
      nc_ps_add_session(ps, ns);
    }
    // poll until nothing is pending, then go back to accept/commands
    for (int k = 0; k < 64 && !stopping(); ++k) {
      nc_session* s = nullptr;
      int r = nc_ps_poll(ps, k == 0 ? 30 : 0, &s);
      if (r & (NC_PSPOLL_SESSION_TERM | NC_PSPOLL_SESSION_ERROR)) {
        std::fprintf(stderr, "[server] session %u closed\n", nc_session_get_id(s));
        nc_ps_del_session(ps, s);
        nc_session_free(s, nullptr);
      }
      if (r & (NC_PSPOLL_TIMEOUT | NC_PSPOLL_NOSESSIONS | NC_PSPOLL_ERROR)) break;
    }
    if (!g_pending_replays.empty()) serve_replays(ps);
  }
  nc_ps_clear(ps, 1, nullptr);
  nc_ps_free(ps);
}

extern "C" void on_signal(int) { g_signalled = 1; }

bool load(const char* name, const char* rev, const char** features) {
  if (ly_ctx_load_module(g_ctx, name, rev, features)) return true;
  std::fprintf(stderr, "cannot load YANG module %s: %s\n", name, ly_errmsg(g_ctx));
  return false;
}

int usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s --unix PATH --yang-dir DIR [--yang-dir DIR ...] --control FIFO\n",
               argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string sock, fifo;
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    bool has = i + 1 < argc;
    if (a == "--unix" && has)
      sock = argv[++i];
    else if (a == "--yang-dir" && has)
      dirs.emplace_back(argv[++i]);
    else if (a == "--control" && has)
      fifo = argv[++i];
    else if (a == "--nmda") {
      std::fprintf(stderr, "--nmda is not implemented (the server is non-NMDA: <get> only)\n");
      return 2;
    } else
      return usage(argv[0]);
  }
  if (sock.empty() || fifo.empty() || dirs.empty()) return usage(argv[0]);

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  nc_verbosity(NC_VERB_WARNING);
  ly_log_level(LY_LLERR);

  if (ly_ctx_new(nullptr, 0, &g_ctx)) return 1;
  for (const auto& d : dirs) ly_ctx_set_searchdir(g_ctx, d.c_str());
  const char* nc_feats[] = {"writable-running",
                            "candidate",
                            "rollback-on-error",
                            "validate",
                            "startup",
                            "url",
                            "xpath",
                            nullptr};
  const char* if_feats[] = {"if-mib", nullptr};
  const char* hw_feats[] = {"hardware-state", nullptr};
  bool ok = load("ietf-netconf", nullptr, nc_feats) &&
            load("ietf-netconf-monitoring", nullptr, nullptr) &&
            load("ietf-netconf-with-defaults", nullptr, nullptr) &&
            load("notifications", nullptr, nullptr) && load("nc-notifications", nullptr, nullptr) &&
            load("ietf-interfaces", nullptr, if_feats) && load("iana-if-type", nullptr, nullptr) &&
            load("iana-hardware", nullptr, nullptr) &&
            load("ietf-hardware", "2018-03-13", hw_feats) &&
            load("openconfig-interfaces", nullptr, nullptr) &&
            load("interfaces-notifications", nullptr, nullptr) &&
            // <get-data> (operational view only): libnetconf2 clients read the yang-library with
            // it, and YANG 1.1 modules are announced only in the yang-library, not in <hello>
            load("ietf-netconf-nmda", nullptr, nullptr);
  if (!ok) {
    say("error cannot load the YANG modules (check --yang-dir)");
    ly_ctx_destroy(g_ctx);
    return 1;
  }
  auto gs = const_cast<lysc_node*>(
      lys_find_path(g_ctx, nullptr, "/ietf-netconf-monitoring:get-schema", 0));
  if (gs) gs->priv = reinterpret_cast<void*>(get_schema_clb);
  if (nc_server_init(g_ctx)) {
    say("error nc_server_init failed");
    return 1;
  }
  nc_server_set_capability("urn:ietf:params:netconf:capability:notification:1.0");
  nc_server_set_capability("urn:ietf:params:netconf:capability:interleave:1.0");
  nc_set_global_rpc_clb(rpc_clb);

  uint64_t t0 = now_ns();
  g_ifaces = {{"eth0", 1, true, t0}, {"eth1", 2, true, t0}, {"eth2", 3, false, t0}};
  g_comps = {{"chassis", "iana-hardware:chassis", true},
             {"PSU1", "iana-hardware:power-supply", true},
             {"PSU2", "iana-hardware:power-supply", true},
             {"fan1", "iana-hardware:fan", true}};

  bool made_fifo = false;
  struct stat st {};
  if (stat(fifo.c_str(), &st) != 0) {
    if (mkfifo(fifo.c_str(), 0600) != 0) {
      say("error mkfifo " + fifo + ": " + std::strerror(errno));
      return 1;
    }
    made_fifo = true;
  } else if (!S_ISFIFO(st.st_mode)) {
    say("error " + fifo + " exists and is not a FIFO");
    return 1;
  }

  g_sock = sock;
  unlink(sock.c_str());
  if (nc_server_add_endpt("unix", NC_TI_UNIX) ||
      nc_server_endpt_set_address("unix", sock.c_str())) {
    say("error cannot listen on " + sock);
    return 1;
  }
  std::thread control(control_reader, fifo);
  say("ready");
  server_loop();
  g_stop = true;
  control.join();

  nc_server_destroy();
  for (auto& [ns, event] : g_replay_log) lyd_free_all(event);
  ly_ctx_destroy(g_ctx);
  unlink(sock.c_str());
  if (made_fifo) unlink(fifo.c_str());
  std::fprintf(stderr, "[server] exit\n");
  return 0;
}
