#include "colosla/base/text.hpp"

#include <cstdint>

namespace colosla {

namespace {

// The length of the valid UTF-8 sequence at in[i] that is not a control character (C1 is
// U+0080..U+009F, encoded C2 80..C2 9F), or 0. Overlong forms, surrogates and code points above
// U+10FFFF are not valid (RFC 3629).
std::size_t printable_sequence(std::string_view in, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<std::uint8_t>(in[i + k]); };
  const std::uint8_t c = b(0);
  if (c >= 0x20 && c < 0x7f) {
    return 1;
  }
  const auto cont = [&](std::size_t k) { return i + k < in.size() && (b(k) & 0xc0) == 0x80; };
  if (c >= 0xc2 && c <= 0xdf && cont(1)) {
    return c == 0xc2 && b(1) < 0xa0 ? 0 : 2;  // C1 controls
  }
  if (c >= 0xe0 && c <= 0xef && cont(1) && cont(2)) {
    if ((c == 0xe0 && b(1) < 0xa0) || (c == 0xed && b(1) >= 0xa0)) {
      return 0;  // overlong, or a surrogate
    }
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4 && cont(1) && cont(2) && cont(3)) {
    if ((c == 0xf0 && b(1) < 0x90) || (c == 0xf4 && b(1) >= 0x90)) {
      return 0;  // overlong, or above U+10FFFF
    }
    return 4;
  }
  return 0;
}

void append(std::string& out, std::string_view in, bool backslash) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < in.size();) {
    // The usual case first: a run of printable ASCII other than the backslash, copied at once.
    std::size_t run = i;
    while (run < in.size() && in[run] >= 0x20 && in[run] < 0x7f && in[run] != '\\') {
      ++run;
    }
    if (run > i) {
      out.append(in, i, run - i);
      i = run;
      continue;
    }
    const char c = in[i];
    if (c == '\\' && backslash) {
      out += "\\\\";
      ++i;
      continue;
    }
    if (const std::size_t n = printable_sequence(in, i); n > 0) {
      out.append(in, i, n);
      i += n;
      continue;
    }
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        const auto u = static_cast<std::uint8_t>(c);
        out += "\\x";
        out += kHex[u >> 4];
        out += kHex[u & 0xf];
      }
    }
    ++i;
  }
}

}  // namespace

bool is_plain(std::string_view in) {
  for (std::size_t i = 0; i < in.size();) {
    if (in[i] == '\\') {
      return false;
    }
    const std::size_t n = printable_sequence(in, i);
    if (n == 0) {
      return false;
    }
    i += n;
  }
  return true;
}

void append_escaped(std::string& out, std::string_view in) { append(out, in, true); }

std::string escaped(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  append(out, in, true);
  return out;
}

std::string without_control(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  append(out, in, false);
  return out;
}

}  // namespace colosla
