#include "postgresql/pq.hpp"

#include <algorithm>
#include <charconv>

namespace colosla::core::pg {

std::int64_t Rows::integer(int row, int col) const {
  if (null(row, col)) {
    return 0;
  }
  const std::string_view t = text(row, col);
  std::int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

std::int64_t Rows::affected() const {
  const char* n = r_ ? PQcmdTuples(r_.get()) : "";
  std::int64_t v = 0;
  std::from_chars(n, n + std::char_traits<char>::length(n), v);
  return v;
}

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> p;
  p.reserve(values_.size());
  for (const auto& v : values_) {
    p.push_back(v ? v->c_str() : nullptr);
  }
  return p;
}

namespace {

// One element of an array literal: double-quoted, with " and \ escaped.
void append_element(std::string& out, std::string_view v) {
  out += '"';
  for (const char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  out += '"';
}

// libpq's message without its trailing newline.
std::string message_of(const char* m) {
  std::string s = m != nullptr ? m : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

}  // namespace

std::string text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    append_element(out, values[i]);
  }
  out += '}';
  return out;
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * bytes.size(), '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHex[bytes[i] >> 4U];
    out[2 * i + 1] = kHex[bytes[i] & 15U];
  }
  return out;
}

bool Rows::bytes(int row, int col, std::span<std::uint8_t> out) const {
  // bytea in text format, as bytea_output = hex (the default since PostgreSQL 9.0) gives it.
  const std::string_view t = text(row, col);
  if (null(row, col) || t.size() != 2 + 2 * out.size() || t.substr(0, 2) != "\\x") {
    return false;
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    unsigned v = 0;
    const char* first = t.data() + 2 + 2 * i;
    if (std::from_chars(first, first + 2, v, 16).ptr != first + 2) {
      return false;
    }
    out[i] = static_cast<std::uint8_t>(v);
  }
  return true;
}

std::string int_array(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += std::to_string(values[i]);
  }
  out += '}';
  return out;
}

std::string without_password(const std::string& conninfo) {
  // A URI keeps its form: the password of its user info and any password= parameter dropped.
  for (const char* scheme : {"postgresql://", "postgres://"}) {
    if (conninfo.rfind(scheme, 0) != 0) {
      continue;
    }
    std::string uri = conninfo;
    const std::size_t start = std::string_view(scheme).size();
    const std::size_t end = std::min(uri.find_first_of("/?", start), uri.size());
    const std::size_t at = uri.rfind('@', end);
    if (at != std::string::npos && at >= start) {
      const std::size_t colon = uri.find(':', start);
      if (colon < at) {
        uri.erase(colon, at - colon);
      }
    }
    const std::size_t query = uri.find('?');
    if (query == std::string::npos) {
      return uri;
    }
    std::string kept;
    std::size_t i = query + 1;
    while (i <= uri.size()) {
      const std::size_t amp = std::min(uri.find('&', i), uri.size());
      const std::string param = uri.substr(i, amp - i);
      if (!param.empty() && param.rfind("password=", 0) != 0) {
        kept += (kept.empty() ? "?" : "&") + param;
      }
      i = amp + 1;
    }
    return uri.substr(0, query) + kept;
  }
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), nullptr);
  if (opts == nullptr) {
    return "(a PostgreSQL location that libpq cannot parse)";
  }
  std::string out;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::string_view(o->keyword) == "password") {
      continue;
    }
    out += (out.empty() ? "" : " ") + std::string(o->keyword) + "=" + o->val;
  }
  PQconninfoFree(opts);
  return out;
}

bool has_password(const std::string& conninfo) {
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), nullptr);
  if (opts == nullptr) {
    return false;  // libpq cannot parse it: connect() says so
  }
  bool found = false;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val != nullptr && o->val[0] != '\0') {
      found = true;
    }
  }
  PQconninfoFree(opts);
  return found;
}

Result<std::unique_ptr<Connection>> Connection::connect(const std::string& conninfo) {
  // The parameters colosla sets for every session, after the caller's (a URI or key=value).
  static constexpr const char* kKeys[] = {"dbname", "application_name", "client_encoding",
                                          "options", nullptr};
  const std::string options = "-c TimeZone=UTC -c statement_timeout=0 -c bytea_output=hex";
  const char* values[] = {conninfo.c_str(), "colosla", "UTF8", options.c_str(), nullptr};
  PGconn* c = PQconnectdbParams(kKeys, values, /*expand_dbname=*/1);
  if (c == nullptr) {
    return make_error(Errc::store, "out of memory opening a PostgreSQL connection");
  }
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = message_of(PQerrorMessage(c));
    PQfinish(c);
    return make_error(Errc::store, msg, without_password(conninfo));
  }
  return std::unique_ptr<Connection>(new Connection(c));
}

Connection::~Connection() { PQfinish(c_); }

Result<Rows> Connection::check(PGresult* r, std::string_view sql) {
  const ExecStatusType st = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY ||
      st == PGRES_COPY_IN) {
    sqlstate_.clear();
    return Rows(r);
  }
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  sqlstate_ = state != nullptr ? state : "";
  std::string msg = message_of(r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(c_));
  if (msg.empty()) {
    msg = message_of(PQerrorMessage(c_));
  }
  PQclear(r);
  std::string where(sql.substr(0, 200));
  return make_error(Errc::store, msg + (sqlstate_.empty() ? "" : " (SQLSTATE " + sqlstate_ + ")"),
                    where);
}

Result<Rows> Connection::exec(std::string_view sql) {
  const std::string s(sql);
  return check(PQexec(c_, s.c_str()), sql);
}

Result<Rows> Connection::exec(std::string_view sql, const Params& params) {
  const std::string s(sql);
  const auto p = params.pointers();
  return check(PQexecParams(c_, s.c_str(), static_cast<int>(p.size()), nullptr, p.data(), nullptr,
                            nullptr, 0),
               sql);
}

bool Connection::in_transaction() const {
  const PGTransactionStatusType t = PQtransactionStatus(c_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

bool Connection::broken() const { return PQstatus(c_) == CONNECTION_BAD; }

}  // namespace colosla::core::pg
