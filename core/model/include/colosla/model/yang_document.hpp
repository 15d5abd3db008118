#pragma once

#include <memory>
#include <string>
#include <vector>

#include "colosla/base/result.hpp"
#include "colosla/model/inventory.hpp"

namespace colosla::core {

/// Checks documents against one module of yang/ with libyang (RFC 7951 JSON or XML), for files
/// that hold one document each, such as trap rule files (yang/colosla-trap-rules.yang). The
/// inventory, which spans several files and has checks of its own, has InventoryValidator.
class YangDocumentValidator {
 public:
  /// `module`: the module of yang/ ("colosla-trap-rules"); `top`: its top-level container, the
  /// one member a document must have ("trap-rules"). Throws ConfigError when the module does not
  /// compile (a broken build).
  YangDocumentValidator(std::string module, std::string top);
  ~YangDocumentValidator();
  YangDocumentValidator(const YangDocumentValidator&) = delete;
  YangDocumentValidator& operator=(const YangDocumentValidator&) = delete;

  /// Reads and checks one file (JSON unless it ends in .xml or starts with '<'). Gives the
  /// document as canonical RFC 7951 JSON with every default written out, or every problem
  /// found as "FILE:LINE: PATH: message" diagnostics (line 0 when it cannot be told; a file
  /// that cannot be read is `unreadable`).
  Result<std::string, std::vector<Diagnostic>> validate_file(const std::string& path);
  /// Same for a document in memory; `name` is used in the diagnostics.
  Result<std::string, std::vector<Diagnostic>> validate(const std::string& name,
                                                        const std::string& text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The line of a JSON document where a data path ("/m:top/rule[name='x']/state") points, found
/// by the path's member names and list keys in order, for problems found after libyang (which
/// gives no line for them); 0 when the text does not show it.
int json_line_of(const std::string& text, const std::string& path);

}  // namespace colosla::core
