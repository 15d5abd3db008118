#pragma once
// Word tables for enumerations: one table per enum gives both directions, so the words a
// parser accepts and the words a printer writes cannot drift apart.

#include <array>
#include <string>
#include <string_view>

#include "colosla/base/result.hpp"

namespace colosla::core::detail {

template <class E>
struct Word {
  E value;
  std::string_view word;
};

template <class E, std::size_t N>
constexpr std::string_view word_of(const std::array<Word<E>, N>& table, E value) {
  for (const auto& w : table) {
    if (w.value == value) {
      return w.word;
    }
  }
  return "?";
}

template <class E, std::size_t N>
std::string word_list(const std::array<Word<E>, N>& table) {
  std::string s;
  for (const auto& w : table) {
    if (!s.empty()) {
      s += ", ";
    }
    s += w.word;
  }
  return s;
}

/// Errors: invalid_input "unknown <what> "x" (expected one of a, b, c)".
template <class E, std::size_t N>
Result<E> parse_word(const std::array<Word<E>, N>& table, std::string_view word,
                     std::string_view what) {
  for (const auto& w : table) {
    if (w.word == word) {
      return w.value;
    }
  }
  return make_error(Errc::invalid_input, "unknown " + std::string(what) + " \"" +
                                             std::string(word) + "\" (expected one of " +
                                             word_list(table) + ")");
}

}  // namespace colosla::core::detail
