// The Net-SNMP adapter, part one: Net-SNMP's initialisation and log, and the conversions of its
// values into neutral ones that the client and the receiver share.
#include "net_snmp.hpp"

namespace colosla::core {

namespace net_snmp {

// The conversions write into strings that already exist, so that a receiver reusing its traps
// reuses their buffers too (no allocation per varbind once warmed up).
void oid_text(const oid* name, std::size_t len, std::string& out) {
  char buf[MAX_OID_LEN * 21];
  char* p = buf;
  char* const end = buf + sizeof buf;
  for (std::size_t i = 0; i < len && i < MAX_OID_LEN; ++i) {
    if (i != 0) {
      *p++ = '.';
    }
    p = std::to_chars(p, end, name[i]).ptr;
  }
  out.assign(buf, p);
}

std::string oid_text(const oid* name, std::size_t len) {
  std::string s;
  oid_text(name, len, s);
  return s;
}

void number_text(std::int64_t n, std::string& out) {
  char buf[24];
  out.assign(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
}

bool same_oid(const oid* a, std::size_t alen, const oid* b, std::size_t blen) {
  return snmp_oid_compare(a, alen, b, blen) == 0;
}

void bytes_text(const u_char* p, std::size_t n, std::string& out) {
  bool printable = true;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char c = p[i];
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      printable = false;
      break;
    }
  }
  if (printable) {
    out.assign(reinterpret_cast<const char*>(p), n);
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out = "0x";
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 0xf];
  }
}

void convert(const netsnmp_variable_list* v, Varbind& b) {
  oid_text(v->name, v->name_length, b.oid);
  b.number = 0;
  b.text.clear();
  switch (v->type) {
    case ASN_INTEGER:
      b.type = VarType::integer;
      b.number = *v->val.integer;
      number_text(b.number, b.text);
      break;
    case ASN_OCTET_STR:
      b.type = VarType::octet_string;
      bytes_text(v->val.string, v->val_len, b.text);
      break;
    case ASN_OBJECT_ID:
      b.type = VarType::oid;
      oid_text(v->val.objid, v->val_len / sizeof(oid), b.text);
      break;
    case ASN_IPADDRESS:
      b.type = VarType::ip_address;
      if (v->val_len == 4) {
        const u_char* a = v->val.string;
        b.text = std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) +
                 "." + std::to_string(a[3]);
      } else {
        bytes_text(v->val.string, v->val_len, b.text);
      }
      break;
    case ASN_COUNTER:
    case ASN_GAUGE:
    case ASN_TIMETICKS:
      b.type = v->type == ASN_COUNTER ? VarType::counter32
               : v->type == ASN_GAUGE ? VarType::gauge32
                                      : VarType::timeticks;
      b.number =
          static_cast<std::int64_t>(static_cast<unsigned long>(*v->val.integer) & 0xffffffffUL);
      number_text(b.number, b.text);
      break;
    case ASN_COUNTER64: {
      b.type = VarType::counter64;
      const std::uint64_t c = (static_cast<std::uint64_t>(v->val.counter64->high) << 32) |
                              (v->val.counter64->low & 0xffffffffUL);
      b.number = static_cast<std::int64_t>(c);
      b.text = std::to_string(c);
      break;
    }
    case ASN_OPAQUE:
      b.type = VarType::opaque;
      bytes_text(v->val.string, v->val_len, b.text);
      break;
    case ASN_NULL:
      b.type = VarType::null;
      break;
    case SNMP_NOSUCHOBJECT:
      b.type = VarType::no_such_object;
      break;
    case SNMP_NOSUCHINSTANCE:
      b.type = VarType::no_such_instance;
      break;
    case SNMP_ENDOFMIBVIEW:
      b.type = VarType::end_of_mib_view;
      break;
    default:
      b.type = VarType::other;
      bytes_text(v->val.string, v->val_len, b.text);
      break;
  }
}

Varbind convert(const netsnmp_variable_list* v) {
  Varbind b;
  convert(v, b);
  return b;
}

}  // namespace net_snmp

namespace {

int log_callback(int /*major*/, int /*minor*/, void* server_arg, void* /*client_arg*/) {
  const auto* m = static_cast<const snmp_log_message*>(server_arg);
  if (m == nullptr || m->msg == nullptr) {
    return 0;
  }
  // Net-SNMP writes a line for every bad SNMPv3 packet: a flood of them must not flood the log.
  static auto window = std::chrono::steady_clock::now();
  static int in_window = 0, suppressed = 0;
  const auto now = std::chrono::steady_clock::now();
  if (now - window > std::chrono::seconds{10}) {
    if (suppressed > 0) {
      log(LogLevel::warning, "net-snmp", std::to_string(suppressed) + " more messages suppressed");
    }
    window = now;
    in_window = suppressed = 0;
  }
  if (++in_window > 20) {
    ++suppressed;
    return 0;
  }
  std::string msg = m->msg;
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) {
    msg.pop_back();
  }
  // Its notices ("Created directory: …") are for debugging.
  const LogLevel level = m->priority <= LOG_ERR       ? LogLevel::error
                         : m->priority == LOG_WARNING ? LogLevel::warning
                                                      : LogLevel::debug;
  log(level, "net-snmp", msg);
  return 0;
}

}  // namespace

void init_net_snmp(const std::string& state_dir) {
  // Net-SNMP is configured here, not by /etc/snmp, ~/.snmp or the environment: no system
  // configuration files, no MIB files (colosla names the OIDs it uses), numeric OIDs, its log
  // into colosla's. A receiver keeps the engine ID and boots of its SNMPv3 engine in state_dir.
  static std::once_flag once;
  std::call_once(once, [&] {
    for (const char* v :
         {"SNMPCONFPATH", "SNMP_PERSISTENT_FILE", "SNMP_PERSISTENT_DIR", "MIBFILES", "PREFIX"}) {
      unsetenv(v);
    }
    // An empty MIBS list loads no module; an empty MIB directory keeps Net-SNMP from scanning
    // /usr/share/snmp/mibs at start-up.
    setenv("MIBS", "", 1);
    const std::string type = state_dir.empty() ? "colosla" : "colosla-trapd";
    std::string mibdir =
        state_dir.empty() ? "/nonexistent/colosla-no-mibs" : state_dir + "/empty-mib-dir";
    if (!state_dir.empty()) {
      ::mkdir(state_dir.c_str(), 0700);
      ::mkdir(mibdir.c_str(), 0700);
    }
    setenv("MIBDIRS", mibdir.c_str(), 1);
    netsnmp_set_mib_directory(mibdir.c_str());
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_callback, nullptr);
    snmp_enable_calllog();
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_LOAD_HOST_FILES, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_NO_TOKEN_WARNINGS, 1);
    // RFC 5343 context engine discovery is for command responders, not for a receiver.
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_NO_DISCOVERY, 1);
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OID_OUTPUT_FORMAT,
                       NETSNMP_OID_OUTPUT_NUMERIC);
    if (state_dir.empty()) {
      netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
      netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    } else {
      netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_PERSISTENT_DIR,
                            state_dir.c_str());
      netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_CONFIGURATION_DIR,
                            state_dir.c_str());
      // DONT_READ_CONFIGS also skips Net-SNMP's own state file, so the engine ID would change
      // and the boots restart at 1 on every start (and v3 senders would be out of their time
      // window). An optional configuration file is still read: give it exactly that file.
      const std::string persist = state_dir + "/" + type + ".conf";
      struct stat st {};
      if (::stat(persist.c_str(), &st) == 0) {
        netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OPTIONALCONFIG,
                              persist.c_str());
      }
    }
    init_snmp(type.c_str());
    if (!state_dir.empty()) {
      snmp_store(type.c_str());  // the boots just incremented, now rather than at shutdown
    }
  });
}

}  // namespace colosla::core
