#pragma once
// Reading the statement document defensively, and the formats the statement shows (times,
// durations, money). Private to core/render.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "labels.hpp"

namespace colosla::core::statement {

using nlohmann::json;

inline const json kNull;

inline const json& at(const json& j, const char* key) {
  if (j.is_object()) {
    const auto it = j.find(key);
    if (it != j.end()) {
      return *it;
    }
  }
  return kNull;
}

inline std::string str(const json& j, const char* key) {
  const json& v = at(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

inline std::int64_t num(const json& j, const char* key) {
  const json& v = at(j, key);
  return v.is_number_integer() ? v.get<std::int64_t>() : 0;
}

inline bool truth(const json& j, const char* key) {
  const json& v = at(j, key);
  return v.is_boolean() && v.get<bool>();
}

inline const json& list(const json& j, const char* key) {
  static const json kEmpty = json::array();
  const json& v = at(j, key);
  return v.is_array() ? v : kEmpty;
}

// "2026-11-03T02:00:00+08:00" → "2026-11-03 02:00" (":SS" when the seconds are not zero). The
// offset is said once, in the header.
inline std::string local(const std::string& rfc3339) {
  if (rfc3339.size() < 19 || rfc3339[10] != 'T') {
    return rfc3339;
  }
  std::string s = rfc3339.substr(0, 10) + " " + rfc3339.substr(11, 5);
  if (rfc3339.compare(16, 3, ":00") != 0) {
    s += rfc3339.substr(16, 3);
  }
  return s;
}

inline json time_or_false(const json& j, const char* key) {
  const std::string s = str(j, key);
  return s.empty() ? json(false) : json(local(s));
}

inline std::string offset_of(const std::string& rfc3339) {
  if (rfc3339.size() > 19) {
    const std::string o = rfc3339.substr(19);
    return o == "Z" ? "+00:00" : o;
  }
  return "";
}

// A duration as the statement says it: "40 min", "43 min 59 s" (zh: "40 分钟").
inline std::string duration(const Languages& l, std::int64_t s) {
  const bool zh_only = l.zh && !l.en;
  std::string out = std::to_string(s / 60) + (zh_only ? " 分钟" : " min");
  if (s % 60 != 0) {
    out += " " + std::to_string(s % 60) + (zh_only ? " 秒" : " s");
  }
  return out;
}

inline std::string money(const std::string& amount, const std::string& currency) {
  return amount.empty() ? std::string("—") : amount + " " + currency;
}

}  // namespace colosla::core::statement
