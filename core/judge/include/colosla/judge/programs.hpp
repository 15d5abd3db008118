#pragma once

#include <string>

namespace colosla {

/// Where another colosla program is: beside the running one (installed together), else in the
/// build tree (apps/<name>/<name>, next to this program's own folder), else `fallback` (a name
/// the PATH resolves, or an installed path).
std::string program_path(const std::string& name, const std::string& fallback);

/// The Monitoring Plugins' timeout (-t): when `seconds` pass, "COLOSLA UNKNOWN: no verdict
/// within N s (-t)" on stdout and exit 3. An alarm already pending (check_colosla's, kept
/// across its exec of `colosla check`) is kept rather than extended.
void arm_check_timeout(int seconds);

}  // namespace colosla
