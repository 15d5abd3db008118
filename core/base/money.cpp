#include "colosla/base/money.hpp"

#include <array>
#include <limits>

namespace colosla::core {

int currency_exponent(std::string_view currency) {
  // ISO 4217 currencies whose minor unit is not 1/100 (the list 4217 publishes).
  static constexpr std::array<std::string_view, 16> kZero{"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                                          "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                                                          "VND", "VUV", "XAF", "XOF"};
  static constexpr std::array<std::string_view, 7> kThree{"BHD", "IQD", "JOD", "KWD",
                                                          "LYD", "OMR", "TND"};
  for (auto c : kZero) {
    if (c == currency) {
      return 0;
    }
  }
  for (auto c : kThree) {
    if (c == currency) {
      return 3;
    }
  }
  return 2;
}

namespace {

// Parses a non-negative decimal scaled by 10^exp; `too_precise` is what the message says when
// the text has more significant decimals than exp.
Result<std::int64_t> parse_scaled(std::string_view text, int exp, const std::string& too_precise) {
  const std::string shown = "\"" + std::string(text) + "\"";
  const auto not_decimal = [&] {
    return make_error(Errc::invalid_input, shown + " is not a decimal number such as 3000.00");
  };
  if (text.empty()) {
    return make_error(Errc::invalid_input, "the amount is empty");
  }
  if (text.front() == '-') {
    return make_error(Errc::invalid_input, shown + " is negative");
  }
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && frac.empty())) {
    return not_decimal();
  }
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  std::int64_t v = 0;
  const auto push = [&](int digit) {
    if (v > (kMax - digit) / 10) {
      return false;
    }
    v = v * 10 + digit;
    return true;
  };
  for (char c : whole) {
    if (c < '0' || c > '9') {
      return not_decimal();
    }
    if (!push(c - '0')) {
      return make_error(Errc::invalid_input, shown + " is too large");
    }
  }
  for (std::size_t i = 0; i < frac.size(); ++i) {
    if (frac[i] < '0' || frac[i] > '9') {
      return not_decimal();
    }
    if (i >= static_cast<std::size_t>(exp) && frac[i] != '0') {
      return make_error(Errc::invalid_input, shown + " has " + too_precise);
    }
  }
  for (std::size_t i = 0; i < static_cast<std::size_t>(exp); ++i) {
    if (!push(i < frac.size() ? frac[i] - '0' : 0)) {
      return make_error(Errc::invalid_input, shown + " is too large");
    }
  }
  return v;
}

}  // namespace

Result<std::int64_t> parse_money(std::string_view text, std::string_view currency) {
  const int exp = currency_exponent(currency);
  return parse_scaled(
      text, exp,
      "more decimals than " + std::string(currency) + " has (" + std::to_string(exp) + ")");
}

Result<std::int64_t> parse_decimal(std::string_view text, int decimals) {
  return parse_scaled(text, decimals, "more than " + std::to_string(decimals) + " decimals");
}

std::string format_decimal(std::int64_t scaled, int decimals) {
  const bool negative = scaled < 0;
  // Work on the magnitude as unsigned so that the most negative value formats too.
  const std::uint64_t m =
      negative ? 0 - static_cast<std::uint64_t>(scaled) : static_cast<std::uint64_t>(scaled);
  std::string digits = std::to_string(m);
  if (decimals > 0) {
    const auto d = static_cast<std::size_t>(decimals);
    if (digits.size() <= d) {
      digits.insert(0, d + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - d, ".");
  }
  return negative ? "-" + digits : digits;
}

std::string format_money(std::int64_t minor, std::string_view currency) {
  return format_decimal(minor, currency_exponent(currency));
}

}  // namespace colosla::core
