#pragma once
// Shared by the fuzz targets: libFuzzer's entry point, and a log sink that drops every line (a
// fuzzer feeds millions of bad inputs, each worth a warning).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "colosla/base/log.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace colosla::fuzz {

/// Drops every log line; the code under test still formats the lines it would write.
inline void quiet_log() {
  set_log_level(LogLevel::error);
  set_log_sink([](LogLevel, std::string_view, std::string_view) {});
}

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// COLOSLA_FUZZ_DEBUG set: the targets print what each input came to (to check that the seeds
/// reach what they should).
inline bool debug() {
  static const bool on = std::getenv("COLOSLA_FUZZ_DEBUG") != nullptr;
  return on;
}

/// The repository's own files (examples/, tests/data/): the source directory the target was
/// built from.
inline std::string source_file(const std::string& relative) {
  return std::string(COLOSLA_SOURCE_DIR) + "/" + relative;
}

}  // namespace colosla::fuzz
