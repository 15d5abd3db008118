#include "colosla/base/money.hpp"

#include <limits>

#include "support.hpp"

using namespace colosla::core;

TEST_CASE("amounts are parsed into integer minor units of the currency", "[money]") {
  CHECK(parse_money("3000.00", "CNY").value() == 300'000);
  CHECK(parse_money("3000", "CNY").value() == 300'000);
  CHECK(parse_money("3000.5", "CNY").value() == 300'050);
  CHECK(parse_money("0.01", "CNY").value() == 1);
  CHECK(parse_money("3000.000", "CNY").value() ==
        300'000);  // libyang's canonical form may add zeros
  CHECK(parse_money("3000", "JPY").value() == 3'000);
  CHECK(parse_money("1.234", "KWD").value() == 1'234);

  CHECK(parse_money("3000.005", "CNY").error().msg ==
        "\"3000.005\" has more decimals than CNY has (2)");
  CHECK(parse_money("3000.5", "JPY").error().msg ==
        "\"3000.5\" has more decimals than JPY has (0)");
  CHECK(parse_money("-1.00", "CNY").error().msg == "\"-1.00\" is negative");
  for (const char* bad : {"", "1e3", "1.", ".5", "3,000.00", "12a"}) {
    INFO(bad);
    CHECK_FALSE(parse_money(bad, "CNY").has_value());
  }
  CHECK(parse_money("92233720368547758.07", "CNY").value() ==
        std::numeric_limits<std::int64_t>::max());
  CHECK(parse_money("92233720368547758.08", "CNY").error().msg.find("too large") !=
        std::string::npos);
}

TEST_CASE("amounts are written with the currency's decimals", "[money]") {
  CHECK(format_money(300'000, "CNY") == "3000.00");
  CHECK(format_money(33'333, "CNY") == "333.33");
  CHECK(format_money(5, "CNY") == "0.05");
  CHECK(format_money(0, "CNY") == "0.00");
  CHECK(format_money(-5, "CNY") == "-0.05");
  CHECK(format_money(3'000, "JPY") == "3000");
  CHECK(format_money(1'234, "KWD") == "1.234");
  CHECK(format_money(std::numeric_limits<std::int64_t>::min(), "CNY") == "-92233720368547758.08");
  CHECK(currency_exponent("CNY") == 2);
  CHECK(currency_exponent("JPY") == 0);
  CHECK(currency_exponent("BHD") == 3);
}

TEST_CASE("decimals scaled by a power of ten", "[money]") {
  CHECK(parse_decimal("99.9", 3).value() == 99'900);
  CHECK(parse_decimal("100", 3).value() == 100'000);
  CHECK(parse_decimal("99.9999", 3).error().msg == "\"99.9999\" has more than 3 decimals");
  CHECK(format_decimal(99'900, 3) == "99.900");
  CHECK(format_decimal(7, 3) == "0.007");
}
