#pragma once

#include <string>

namespace colosla {

/// Where another colosla program is: beside the running one (installed together), else in the
/// build tree (apps/<name>/<name>, next to this program's own folder), else `fallback` (a name
/// the PATH resolves, or an installed path).
std::string program_path(const std::string& name, const std::string& fallback);

}  // namespace colosla
