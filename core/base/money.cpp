#include "colosla/base/money.hpp"

#include <unicode/ucurr.h>
#include <unicode/uenum.h>

#include <array>
#include <limits>
#include <set>
#include <string>

namespace colosla::core {

namespace {

// Where the table comes from: ICU's currency data (CLDR's supplemental currencyData, kept with
// ICU and updated with Debian's libicu), so that a new or changed currency needs no change here.
// CLDR's `digits` are what its locales display, and for a few currencies that is not ISO 4217's
// minor unit (CLDR shows whole dinars, rials and kip): the SPEC rounds to ISO 4217's (§7a), so
// for these the ISO 4217 list (SIX, amendment 176) is followed. Checked against ICU in the unit
// test: an ICU that comes to agree with ISO makes the test say so.
struct Departure {
  std::string_view code;
  int iso;  // ISO 4217's minor unit
};
constexpr std::array<Departure, 13> kCldrDeparts{{{"AFN", 2},
                                                  {"ALL", 2},
                                                  {"IQD", 3},
                                                  {"IRR", 2},
                                                  {"KPW", 2},
                                                  {"LAK", 2},
                                                  {"LBP", 2},
                                                  {"MGA", 2},
                                                  {"MMK", 2},
                                                  {"RSD", 2},
                                                  {"SOS", 2},
                                                  {"SYP", 2},
                                                  {"YER", 2}}};

// ISO 4217 codes with no minor unit ("N.A."): precious metals, bond-market units, the SDR and the
// testing and "no currency" codes. Not money a fee is paid in.
constexpr std::array<std::string_view, 13> kNoMinorUnit{
    "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"};

// The ISO 4217 codes ICU knows as in use today (common, and uncommon such as funds codes), once.
const std::set<std::string, std::less<>>& current_codes() {
  static const std::set<std::string, std::less<>> codes = [] {
    std::set<std::string, std::less<>> out;
    UErrorCode status = U_ZERO_ERROR;
    UEnumeration* all = ucurr_openISOCurrencies(UCURR_ALL, &status);
    const char* code = nullptr;
    std::int32_t len = 0;
    while (U_SUCCESS(status) && (code = uenum_next(all, &len, &status)) != nullptr) {
      out.emplace(code, static_cast<std::size_t>(len));
    }
    uenum_close(all);
    for (const std::uint32_t deprecated : {UCURR_COMMON, UCURR_UNCOMMON}) {
      status = U_ZERO_ERROR;
      UEnumeration* old = ucurr_openISOCurrencies(deprecated | UCURR_DEPRECATED, &status);
      while (U_SUCCESS(status) && (code = uenum_next(old, &len, &status)) != nullptr) {
        out.erase(std::string(code, static_cast<std::size_t>(len)));
      }
      uenum_close(old);
    }
    return out;
  }();
  return codes;
}

}  // namespace

Result<int> currency_minor_unit(std::string_view currency) {
  const std::string shown = "\"" + std::string(currency) + "\"";
  if (currency.size() != 3 || !current_codes().contains(currency)) {
    return make_error(Errc::invalid_input,
                      shown + " is not an ISO 4217 currency in use (such as CNY, USD, EUR)");
  }
  for (const auto c : kNoMinorUnit) {
    if (c == currency) {
      return make_error(Errc::invalid_input,
                        shown + " has no minor unit in ISO 4217: not a currency a fee is paid in");
    }
  }
  for (const auto& d : kCldrDeparts) {
    if (d.code == currency) {
      return d.iso;
    }
  }
  return icu_fraction_digits(currency);
}

int icu_fraction_digits(std::string_view currency) {
  std::array<UChar, 4> code{};
  for (std::size_t i = 0; i < 3 && i < currency.size(); ++i) {
    code[i] = static_cast<UChar>(static_cast<unsigned char>(currency[i]));
  }
  UErrorCode status = U_ZERO_ERROR;
  const std::int32_t digits = ucurr_getDefaultFractionDigits(code.data(), &status);
  return U_SUCCESS(status) ? digits : 2;
}

int currency_exponent(std::string_view currency) {
  const auto unit = currency_minor_unit(currency);
  return unit ? *unit : 2;
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
  const auto unit = currency_minor_unit(currency);
  if (!unit) {
    return unit.error();
  }
  const int exp = *unit;
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
