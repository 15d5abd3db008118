#pragma once
// Helpers shared by the unit tests.

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "colosla/base/calendar.hpp"

namespace colosla::test {

/// An RFC 3339 time; the test fails when the text does not parse.
inline Timestamp at(const std::string& text) {
  auto t = parse_time(text);
  INFO(text);
  REQUIRE(t.has_value());
  return *t;
}

/// A temporary directory removed when the object goes out of scope.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "colosla-unit.XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string source_file(const std::string& relative) {
  return std::string(COLOSLA_SOURCE_DIR) + "/" + relative;
}

}  // namespace colosla::test
