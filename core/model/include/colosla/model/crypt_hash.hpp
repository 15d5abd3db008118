#pragma once

#include <string_view>

/// crypt(3) strings, through libxcrypt: the MRTG password hash of a contract (Article 6.5) is
/// checked when the inventory is read and verified when a caller authorizes by phone.
namespace colosla::core {

/// Whether `value` is a whole crypt(3) hash ("$y$…", "$6$…", "$5$…", "$2b$…") of a method that
/// libxcrypt accepts (crypt_checksalt says CRYPT_SALT_OK) and not a bare setting: hashing any
/// phrase with it as the setting gives a string of the same length and prefix. A clear-text
/// password is not one. Never throws.
bool is_crypt_hash(std::string_view value);

/// Whether `password` hashed with `hash` as the setting (crypt_rn) gives `hash`, compared in
/// constant time. False when `hash` is not a crypt(3) hash or libxcrypt fails. Neither argument
/// is logged or kept.
bool verify_crypt(std::string_view password, std::string_view hash);

}  // namespace colosla::core
