#pragma once
// What the libyang adapters of core/model share (private to core/model: only the adapters
// include libyang): RAII for libyang's objects, the context over the modules of yang/, and the
// reading of libyang's errors as diagnostics "FILE:LINE: PATH: message".
#include <libyang/libyang.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "colosla/model/inventory.hpp"

namespace colosla::core::yang {

struct CtxDeleter {
  void operator()(ly_ctx* c) const { ly_ctx_destroy(c); }
};
struct TreeDeleter {
  void operator()(lyd_node* n) const { lyd_free_all(n); }
};
struct SetDeleter {
  void operator()(ly_set* s) const { ly_set_free(s, nullptr); }
};
struct CharDeleter {
  void operator()(char* p) const { std::free(p); }  // NOLINT: libyang allocates with malloc
};
using CtxPtr = std::unique_ptr<ly_ctx, CtxDeleter>;
using TreePtr = std::unique_ptr<lyd_node, TreeDeleter>;
using SetPtr = std::unique_ptr<ly_set, SetDeleter>;

/// Keeps libyang's messages in the context (to be read back as diagnostics) instead of printing
/// them, for the lifetime of this object and this thread only.
class QuietLibyang {
 public:
  QuietLibyang() { ly_temp_log_options(&opts_); }
  ~QuietLibyang() { ly_temp_log_options(nullptr); }
  QuietLibyang(const QuietLibyang&) = delete;
  QuietLibyang& operator=(const QuietLibyang&) = delete;

 private:
  uint32_t opts_ = LY_LOSTORE;
};

// Error text libyang gives in its "path" field: `Data location "/a/b", line number 3.`
// or `Schema location "/a/b".`
struct ErrLocation {
  bool data = false;
  std::string path;
  int line = 0;
};

// libyang's messages go to colosla's log sink (once per process).
void route_log();
// A context holding the module `module` of yang/ (and what it imports), with no search
// directory. Throws ConfigError when the module does not compile (a broken build).
CtxPtr make_context(const char* module);
// The data path of a node.
std::string path_of(const lyd_node* n);
ErrLocation parse_location(const char* where);
// Plain words for libyang's messages; `path` is the data path the message is about.
std::string plain(std::string msg, const std::string& path);
bool looks_like_xml(const std::string& name, const std::string& text);
// Collects the context's stored errors as diagnostics for `file`, and clears them. `tree`, when
// given, finds the instance a schema-only location (a missing mandatory node) is about.
void drain_errors(ly_ctx* ctx, const std::string& file, const lyd_node* tree,
                  std::vector<Diagnostic>& out);
// The line of a JSON document where the data path points, found by the path's member names
// and list keys in order (libyang gives no line for what it finds at validation); 0 when the
// text does not show it.
int json_line_of(const std::string& text, const std::string& path);

}  // namespace colosla::core::yang
