#pragma once

#include <string_view>
#include <vector>

namespace colosla::core {

/// A YANG module of yang/, compiled into the program by cmake/embed_yang.cmake.
struct EmbeddedModule {
  std::string_view name;  ///< file name without revision and extension
  std::string_view text;
};

/// Every module of yang/, in file-name order.
const std::vector<EmbeddedModule>& embedded_yang_modules();

}  // namespace colosla::core
