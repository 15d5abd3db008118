#pragma once

#include <array>
#include <string>
#include <string_view>

#include "colosla/base/result.hpp"

/// The secrets of the inventory (SNMP communities, SNMPv3 pass phrases, NETCONF passwords) are
/// kept in the store sealed: encrypted and authenticated (XChaCha20-Poly1305, libsodium) with a
/// key that is not in the store but in a file beside it that only colosla's user may read. A user
/// who may read the store (a monitoring user) learns none of them.
namespace colosla::core {

/// Where the key of a store lives when none is given: the store's path with ".key" added; none
/// (empty) for a PostgreSQL store, whose key file must be named (an error says so when a
/// secret is sealed or revealed without one).
std::string default_key_path(const std::string& store);

/// Whether a stored value is sealed ("colosla-sealed:1:…"); a store written by an older colosla
/// holds them in clear until it is upgraded.
bool is_sealed(std::string_view value);

/// What a reader of the inventory asks for: the secrets opened with the key, or left out (empty),
/// which needs no key.
enum class Secrets : std::uint8_t { withhold, reveal };

class SecretKey {
 public:
  /// Reads the key file (64 hex digits). Errors: not_found (no such file: an inventory load
  /// creates it), io (cannot be read: only colosla's user may), invalid_input (not a key, or
  /// readable by other users than its owner).
  static Result<SecretKey> read(const std::string& path);
  /// Reads the key, or creates it (32 random bytes, mode 0600) when there is none.
  static Result<SecretKey> read_or_create(const std::string& path);

  /// "colosla-sealed:1:" and base64 of a random nonce and the ciphertext. `context` (where the
  /// value belongs: "device sw1 snmp community") is authenticated with it: a sealed value copied
  /// to another place does not open.
  [[nodiscard]] std::string seal(std::string_view clear, std::string_view context) const;
  /// The clear value. A value that is not sealed (an older store) is returned as it is. Errors:
  /// invalid_input when it does not open (another key, another context, tampered with).
  [[nodiscard]] Result<std::string> open(std::string_view sealed, std::string_view context) const;
  /// A keyed digest, in hex: tells two documents apart without keeping, or letting anyone guess,
  /// the secrets in them.
  [[nodiscard]] std::string digest(std::string_view data) const;

  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  SecretKey() = default;
  std::array<unsigned char, 32> key_{};
  std::string path_;
};

}  // namespace colosla::core
