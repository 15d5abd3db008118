#include "colosla/base/oid.hpp"

#include <charconv>
#include <string>

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

std::string v1_trap_oid(std::string_view enterprise, std::uint32_t specific) {
  std::string out;
  out.reserve(enterprise.size() + 13);
  out.append(enterprise).append(".0.").append(std::to_string(specific));
  return out;
}

std::optional<std::string> v1_form(std::string_view declared) {
  const auto last = declared.rfind('.');
  if (last == std::string_view::npos || last == 0) {
    return std::nullopt;
  }
  const std::string_view enterprise = declared.substr(0, last);
  const auto before = enterprise.rfind('.');
  if (before == std::string_view::npos || enterprise.substr(before + 1) == "0") {
    return std::nullopt;  // E.0.N already, or a single arc before N
  }
  std::string out;
  out.reserve(declared.size() + 2);
  out.append(enterprise).append(".0").append(declared.substr(last));
  return out;
}

bool same_notification(std::string_view declared, std::string_view received) {
  if (declared == received) {
    return true;
  }
  // received = E.0.N and declared = E.N, with E's last arc not 0: compare without building it.
  if (received.size() != declared.size() + 2) {
    return false;
  }
  const auto last = declared.rfind('.');
  if (last == std::string_view::npos || last == 0) {
    return false;
  }
  const std::string_view enterprise = declared.substr(0, last);
  const auto before = enterprise.rfind('.');
  return before != std::string_view::npos && enterprise.substr(before + 1) != "0" &&
         received.substr(0, last) == enterprise && received.substr(last, 2) == ".0" &&
         received.substr(last + 2) == declared.substr(last);
}

}  // namespace colosla::core
