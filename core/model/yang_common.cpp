// What the libyang adapters of core/model share (yang_common.hpp).
#include "yang_common.hpp"

#include <cstring>
#include <mutex>
#include <regex>

#include "colosla/base/log.hpp"
#include "colosla/model/yang_modules.hpp"

namespace colosla::core::yang {

namespace {

const lyd_node* child(const lyd_node* parent, const std::string& name) {
  for (const lyd_node* c = lyd_child(parent); c; c = c->next) {
    if (c->schema != nullptr && name == c->schema->name) {
      return c;
    }
  }
  return nullptr;
}

// Whether n has a child called name, or one in a case of its choice called name.
bool has(const lyd_node* n, const std::string& name) {
  if (child(n, name) != nullptr) {
    return true;
  }
  for (const lyd_node* c = lyd_child(n); c; c = c->next) {
    for (const lysc_node* s = c->schema ? c->schema->parent : nullptr; s && s != n->schema;
         s = s->parent) {
      if (s->nodetype == LYS_CHOICE && name == s->name) {
        return true;
      }
    }
  }
  return false;
}

// For a schema path /m:a/b/c of a missing node c, the data path of the first b without a c.
std::optional<std::string> missing_instance_path(const lyd_node* tree,
                                                 const std::string& schema_path) {
  const auto slash = schema_path.rfind('/');
  if (slash == std::string::npos || slash == 0) {
    return std::nullopt;
  }
  const std::string parent = schema_path.substr(0, slash);
  const std::string leaf = schema_path.substr(slash + 1);
  ly_set* raw = nullptr;
  if (lyd_find_xpath(tree, parent.c_str(), &raw) != LY_SUCCESS) {
    return std::nullopt;
  }
  SetPtr set(raw);
  for (uint32_t i = 0; i < set->count; ++i) {
    const lyd_node* n = set->dnodes[i];
    if (!has(n, leaf)) {
      return path_of(n) + "/" + leaf;
    }
  }
  return std::nullopt;
}

}  // namespace

// libyang's messages go to colosla's log sink. Errors are also read back from the context as
// diagnostics, so here they are only worth a debug line.
void libyang_log(LY_LOG_LEVEL level, const char* msg, const char* path) {
  std::string line = msg != nullptr ? msg : "";
  if (path != nullptr) {
    line += std::string(" (") + path + ")";
  }
  (void)level;
  log(LogLevel::debug, "libyang", line);
}

// Serves the embedded modules of yang/ to libyang's import resolution.
LY_ERR import_embedded(const char* mod_name, const char* /*mod_rev*/, const char* /*submod_name*/,
                       const char* /*submod_rev*/, void* /*user_data*/, LYS_INFORMAT* format,
                       const char** module_data, void (**free_module_data)(void*, void*)) {
  for (const auto& m : embedded_yang_modules()) {
    if (m.name == mod_name) {
      *format = LYS_IN_YANG;
      *module_data = m.text.data();
      *free_module_data = nullptr;
      return LY_SUCCESS;
    }
  }
  return LY_ENOTFOUND;
}

std::string path_of(const lyd_node* n) {
  std::unique_ptr<char, CharDeleter> p(lyd_path(n, LYD_PATH_STD, nullptr, 0));
  return p ? std::string(p.get()) : std::string();
}

// libyang's messages and locations quote the document's values, which may be of any length.
// libstdc++'s std::regex matches (.*) recursively, one stack frame per character: a value of a few
// hundred kilobytes overflowed the stack. Longer texts are not parsed with the regexes below.
constexpr std::size_t kMaxRegexText = 2000;

ErrLocation parse_location(const char* where) {
  ErrLocation loc;
  if (where == nullptr || std::strlen(where) > kMaxRegexText) {
    return loc;
  }
  static const std::regex re(R"(^(Data|Schema) location \"(.*)\"(, line number ([0-9]+))?\.?$)");
  std::cmatch m;
  if (std::regex_match(where, m, re)) {
    loc.data = m[1].str() == "Data";
    loc.path = m[2].str();
    if (m[4].matched) {
      loc.line = std::stoi(m[4].str());
    }
  } else {
    static const std::regex line_re(R"(line number ([0-9]+))");
    if (std::regex_search(where, m, line_re)) {
      loc.line = std::stoi(m[1].str());
    }
  }
  return loc;
}

// Plain words for the libyang messages that are hard to read for someone who only writes the
// document (and does not know YANG). `path` is the data path the message is about.
std::string plain(std::string msg, const std::string& path) {
  if (msg.size() > kMaxRegexText) {
    msg.resize(kMaxRegexText);
    msg += "...";
  }
  // libyang quotes the input it stopped at, newlines and all: keep the message on one line.
  static const std::regex newline(R"(\s*\n\s*)");
  msg = std::regex_replace(msg, newline, " ");
  std::smatch m;
  static const std::regex non_string(
      R"(Invalid non-string-encoded (decimal64|int64|uint64) value \"(.*)\"\.)");
  if (std::regex_match(msg, m, non_string)) {
    return "the number " + m[2].str() + " must be written as a JSON string: \"" + m[2].str() +
           "\" (RFC 7951 encodes " + m[1].str() + " values as strings)";
  }
  static const std::regex leafref(
      R"(Invalid leafref value \"(.*)\" - no target instance \"(.*)\" with the same value\.)");
  if (std::regex_match(msg, m, leafref)) {
    return "\"" + m[1].str() + "\" names no " +
           (m[2].str().find("device") != std::string::npos ? std::string("device")
                                                           : std::string("entry")) +
           " of the inventory (" + m[2].str() + ")";
  }
  static const std::regex choice(R"(Mandatory choice \"(.*)\" data do not exist\.)");
  if (std::regex_match(msg, m, choice)) {
    return "one of the members of \"" + m[1].str() + "\" is missing (it is mandatory)";
  }
  static const std::regex mandatory(R"(Mandatory node \"(.*)\" instance does not exist\.)");
  if (std::regex_match(msg, m, mandatory)) {
    return "\"" + m[1].str() + "\" is missing (it is mandatory)";
  }
  static const std::regex unknown(R"(Node \"(.*)\" not found as a child of \"(.*)\" node\.)");
  if (std::regex_match(msg, m, unknown)) {
    return "unknown member \"" + m[1].str() + "\" in \"" + m[2].str() + "\"";
  }
  static const std::regex pattern(
      R"(Unsatisfied pattern - \"(.*)\" does not conform to \"(.*)\"\.?)");
  if (std::regex_match(msg, m, pattern)) {
    if (m[2].str().find(R"(\d{4}-\d{2}-\d{2}T)") != std::string::npos) {
      return "\"" + m[1].str() +
             "\" is not an RFC 3339 date-and-time with a UTC offset, such as "
             "2026-11-01T00:00:00+08:00";
    }
    return "\"" + m[1].str() + "\" does not have the expected form (" + m[2].str() + ")";
  }
  static const std::regex range(
      R"(Unsatisfied range - value \"(.*)\" is out of the allowed range\.?)");
  if (std::regex_match(msg, m, range)) {
    return "\"" + m[1].str() + "\" is out of the allowed range";
  }
  static const std::regex union_value(
      R"(Invalid union value \"(.*)\" - no matching subtype found.*)");
  if (std::regex_match(msg, m, union_value)) {
    const bool address = path.size() >= 8 && path.compare(path.size() - 8, 8, "/address") == 0;
    return "\"" + m[1].str() + "\" is not " +
           (address ? std::string("an IPv4 or IPv6 address") : std::string("a valid value here"));
  }
  if (!msg.empty() && msg.back() == '.') {
    msg.pop_back();
  }
  return msg;
}

bool looks_like_xml(const std::string& name, const std::string& text) {
  auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".xml")) {
    return true;
  }
  if (ends_with(".json")) {
    return false;
  }
  const auto first = text.find_first_not_of(" \t\r\n");
  return first != std::string::npos && text[first] == '<';
}

void route_log() {
  static std::once_flag once;
  std::call_once(once, [] { ly_set_log_clb(libyang_log, 1); });
}

CtxPtr make_context(const char* module) {
  route_log();
  QuietLibyang quiet;
  ly_ctx* raw = nullptr;
  // No search directories: every module comes from the program itself or from libyang's own
  // internal set (ietf-inet-types, ietf-yang-types), so the result never depends on the
  // current directory or on what else is installed.
  if (ly_ctx_new(nullptr, LY_CTX_DISABLE_SEARCHDIRS | LY_CTX_NO_YANGLIBRARY, &raw) != LY_SUCCESS) {
    throw ConfigError("libyang could not create a context");
  }
  CtxPtr ctx(raw);
  ly_ctx_set_module_imp_clb(raw, import_embedded, nullptr);
  if (ly_ctx_load_module(raw, module, nullptr, nullptr) == nullptr) {
    const ly_err_item* e = ly_err_last(raw);
    throw ConfigError(std::string("the YANG module ") + module +
                      " does not compile: " + (e && e->msg ? e->msg : "unknown error"));
  }
  return ctx;
}

void drain_errors(ly_ctx* ctx, const std::string& file, const lyd_node* tree,
                  std::vector<Diagnostic>& out) {
  bool any = false;
  for (ly_err_item* e = ly_err_first(ctx); e; e = e->next) {
    if (e->level != LY_LLERR) {
      continue;
    }
    any = true;
    ErrLocation loc = parse_location(e->path);
    std::string path = loc.path;
    if (!loc.data && !path.empty() && tree != nullptr) {
      // libyang names only the schema node of a missing mandatory node; find the instance.
      path = missing_instance_path(tree, loc.path).value_or(path);
    }
    out.push_back(Diagnostic{file, loc.line, path, plain(e->msg ? e->msg : "invalid data", path)});
  }
  if (!any) {
    out.push_back(Diagnostic{file, 0, "", "libyang rejected the document without a message"});
  }
  ly_err_clean(ctx, nullptr);
}

int json_line_of(const std::string& text, const std::string& path) {
  // "/m:a/b[name='x']/c": look for "m:a", then "b", then "x", then "c", each after the last.
  std::size_t at = std::string::npos;
  std::size_t from = 0;
  const auto find = [&](const std::string& word) {
    const std::size_t found = text.find('"' + word + '"', from);
    if (found == std::string::npos) {
      return false;
    }
    at = found;
    from = found + word.size() + 2;
    return true;
  };
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < path.size() && path[end] != '/' && path[end] != '[') {
      ++end;
    }
    std::string name = path.substr(i, end - i);
    if (from != 0 && name.find(':') != std::string::npos) {
      name = name.substr(name.find(':') + 1);  // only the top member is written with its module
    }
    if (!find(name)) {
      break;
    }
    i = end;
    while (i < path.size() && path[i] == '[') {
      const std::size_t close = path.find(']', i);
      const std::size_t q1 = path.find_first_of("'\"", i);
      if (close == std::string::npos || q1 == std::string::npos || q1 > close) {
        return 0;
      }
      const std::size_t q2 = path.find(path[q1], q1 + 1);
      if (q2 == std::string::npos || !find(path.substr(q1 + 1, q2 - q1 - 1))) {
        i = path.size();
        break;
      }
      i = path.find(']', q2) + 1;
    }
  }
  if (at == std::string::npos) {
    return 0;
  }
  return 1 + static_cast<int>(
                 std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

}  // namespace colosla::core::yang
