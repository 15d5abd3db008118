#include "colosla/base/oid.hpp"

#include <charconv>

namespace colosla::core {

bool oid_under(std::string_view oid, std::string_view prefix) {
  if (oid.size() < prefix.size() || oid.compare(0, prefix.size(), prefix) != 0) {
    return false;
  }
  return oid.size() == prefix.size() || oid[prefix.size()] == '.';
}

std::optional<std::string_view> oid_instance(std::string_view oid, std::string_view prefix) {
  if (!oid_under(oid, prefix) || oid.size() == prefix.size()) {
    return std::nullopt;
  }
  return oid.substr(prefix.size() + 1);
}

std::optional<std::int64_t> oid_index(std::string_view oid, std::string_view prefix) {
  const auto inst = oid_instance(oid, prefix);
  if (!inst || inst->empty()) {
    return std::nullopt;
  }
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(inst->data(), inst->data() + inst->size(), v);
  if (ec != std::errc{} || end != inst->data() + inst->size() || v < 0) {
    return std::nullopt;
  }
  return v;
}

}  // namespace colosla::core
