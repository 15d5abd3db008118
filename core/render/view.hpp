#pragma once
// The statement document turned into what the template shows (statement_view.cpp): every
// value preformatted, every label in the statement's languages. Private to core/render.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "colosla/base/calendar.hpp"
#include "labels.hpp"

namespace colosla::core::statement {

/// The view of one statement document; `index` makes its SVG ids unique on a page.
nlohmann::json statement_view(const nlohmann::json& document, std::size_t index);

/// One guarantee ("network" or "power") of a report: figures, timeline (SVG data), outages.
nlohmann::json guarantee_view(const Languages& l, const nlohmann::json& report, const char* which,
                              std::size_t index, const Zone& zone);

/// Text without the provider's internal identifiers ("(record #8)", "(observation #3)",
/// "record #17: ", "authorization #12 "), for the statement's body; the appendix keeps them.
std::string without_ids(const std::string& text);

}  // namespace colosla::core::statement
