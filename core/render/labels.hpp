#pragma once
// The statement's words: each label in Chinese (zh-CN) and English, and the agreement's own words
// (Chinese as written in the agreement, with an English rendering). Private to core/render.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace colosla::core::statement {

/// Which languages a statement shows.
struct Languages {
  bool zh = true;
  bool en = true;
  static Languages of(std::string_view language);  // "zh", "en", anything else: both
};

/// A label object for the template: {"zh": text | false, "en": text | false}.
nlohmann::json label(const Languages& l, std::string_view zh, std::string_view en);

/// The label of `key` from the table (labels.cpp); the key itself in both when it is unknown.
nlohmann::json label(const Languages& l, std::string_view key);

/// Every label of the table, by key: the template's `t`.
nlohmann::json all_labels(const Languages& l);

/// A quote of the agreement: {"article": label, "zh": Chinese as written, "en": English | false}.
/// The Chinese is shown in every language (it is the agreement's text).
nlohmann::json quote(const Languages& l, std::string_view zh, std::string_view en);

}  // namespace colosla::core::statement
