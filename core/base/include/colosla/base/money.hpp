#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "colosla/base/result.hpp"

/// Money in integer minor units of an ISO 4217 currency; never binary floating point.
namespace colosla::core {

/// The number of decimals of a currency's minor unit (ISO 4217): 2 for CNY, 0 for JPY and XPF,
/// 3 for KWD and IQD, 4 for CLF. From ICU's currency data, where ISO 4217 differs from it
/// (money.cpp says where) from ISO 4217. Errors: invalid_input for a code that is not an ISO 4217
/// currency in use, or one without a minor unit (XAU, XXX).
Result<int> currency_minor_unit(std::string_view currency);

/// What ICU (CLDR) says alone, for the unit test that watches the departures; 2 if ICU fails.
int icu_fraction_digits(std::string_view currency);

/// currency_minor_unit, or 2 for a code it refuses (for amounts of a contract already validated).
int currency_exponent(std::string_view currency);

/// Parses a non-negative decimal ("99.9") into an integer scaled by 10^decimals (99900 for 3).
/// Trailing zeros beyond `decimals` are accepted.
/// Errors: invalid_input when the text is not a non-negative decimal, has more significant
/// decimals, or does not fit.
Result<std::int64_t> parse_decimal(std::string_view text, int decimals);

/// Parses a non-negative decimal amount ("3000.00", "3000", "3000.5") into minor units of the
/// currency. Trailing zeros beyond the currency's decimals are accepted ("3000.000" CNY).
/// Errors: invalid_input when the text is not a decimal, is negative, has more significant
/// decimals than the currency, or does not fit, or the currency is refused (currency_minor_unit).
Result<std::int64_t> parse_money(std::string_view text, std::string_view currency);

/// Formats an integer scaled by 10^decimals: (99900, 3) → "99.900".
std::string format_decimal(std::int64_t scaled, int decimals);

/// Formats minor units with the currency's decimals: 300000 CNY → "3000.00".
std::string format_money(std::int64_t minor, std::string_view currency);

}  // namespace colosla::core
