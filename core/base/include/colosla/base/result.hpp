#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace colosla {

/// What kind of failure an Error reports.
enum class Errc {
  invalid_input,  ///< The caller's input (a file, a line, an option value) is wrong.
  not_found,      ///< A named thing (contract, device, file) does not exist.
  conflict,       ///< The request contradicts what is already recorded.
  io,             ///< A file or socket could not be read or written.
  store,          ///< SQLite reported an error.
  yang,           ///< libyang reported an error that is not the input's fault.
  internal,       ///< A bug: an invariant did not hold.
};

/// A failure with the library's or our own text, and where it happened
/// (file:line, a YANG data path, an SQL statement, …).
struct Error {
  Errc code = Errc::internal;
  std::string msg;
  std::string where;

  /// "where: msg", or "msg" when where is empty.
  [[nodiscard]] std::string to_string() const { return where.empty() ? msg : where + ": " + msg; }
};

inline Error make_error(Errc code, std::string msg, std::string where = {}) {
  return Error{code, std::move(msg), std::move(where)};
}

/// Wraps an error so that a Result can be built from it unambiguously,
/// even when T and E are the same type.
template <class E>
struct Unexpected {
  E error;
};
template <class E>
Unexpected(E) -> Unexpected<E>;

/// A value or an error: what processing untrusted input returns instead of throwing.
/// GCC 12 has no std::expected in C++20 mode; this keeps its shape so it can be aliased later.
template <class T, class E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Unexpected<E> e) : v_(std::in_place_index<1>, std::move(e.error)) {}  // NOLINT
  Result(E e) requires(!std::is_same_v<T, E>)
      : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT

  [[nodiscard]] bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const E& error() const { return std::get<1>(v_); }
  E& error() { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

/// Result of an operation that yields nothing but may fail.
template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(E e) : failed_(true), e_(std::move(e)) {}                    // NOLINT
  Result(Unexpected<E> e) : failed_(true), e_(std::move(e.error)) {}  // NOLINT

  [[nodiscard]] bool has_value() const { return !failed_; }
  explicit operator bool() const { return has_value(); }
  const E& error() const { return e_; }

 private:
  bool failed_ = false;
  E e_{};
};

/// Propagates a failure: `COLOSLA_TRY(store.add(x));` evaluates the Result once and, when it
/// holds an error, returns that error from the enclosing function (which returns a Result with
/// the same error type). The value, if any, is dropped.
#define COLOSLA_TRY(expr)                            \
  do {                                               \
    if (auto colosla_try_ = (expr); !colosla_try_) { \
      return colosla_try_.error();                   \
    }                                                \
  } while (false)

/// A configuration or start-up failure (bad config file, unknown plugin, missing module).
/// Only main() catches it: it prints one line and exits non-zero.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace colosla
