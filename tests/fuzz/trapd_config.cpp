// colosla-trapd's configuration file: any text either gives settings or is refused with a
// ConfigError; any other exception (or a crash) is a bug.
#include <sstream>

#include "colosla/base/result.hpp"
#include "fuzz_support.hpp"
#include "settings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in{std::string(colosla::fuzz::text(data, size))};
  try {
    const colosla::trapd::Settings s = colosla::trapd::settings_from_config(in, "fuzz.conf");
    (void)s.prober_options();
  } catch (const colosla::ConfigError&) {
    // refused, with its reason: what a bad file should get
  }
  return 0;
}
