// The adapter to libxcrypt (crypt.h): the only file that includes it.
#include "colosla/model/crypt_hash.hpp"

#include <crypt.h>

#include <cstring>
#include <memory>
#include <string>

namespace colosla::core {

namespace {

// The hash of `phrase` with `setting`, or empty when libxcrypt refuses the setting. The work
// area is wiped afterwards: it held the phrase.
std::string hash_with(const std::string& phrase, const std::string& setting) {
  auto data = std::make_unique<crypt_data>();
  std::memset(data.get(), 0, sizeof(crypt_data));
  const char* out = crypt_rn(phrase.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
  std::string result = (out != nullptr && out[0] != '*') ? std::string(out) : std::string();
  explicit_bzero(data.get(), sizeof(crypt_data));
  return result;
}

bool equal_constant_time(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) {
    return false;
  }
  volatile unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = static_cast<unsigned char>(
        diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
  }
  return diff == 0;
}

}  // namespace

bool is_crypt_hash(std::string_view value) {
  const std::string v(value);
  if (v.size() < 4 || v[0] != '$' || v.find('\0') != std::string::npos) {
    return false;  // the traditional DES form takes any two characters: a password would pass
  }
  if (crypt_checksalt(v.c_str()) != CRYPT_SALT_OK) {
    return false;
  }
  // A bare setting ("$6$salt") is accepted by crypt_checksalt too; a whole hash is as long as
  // what the setting gives and starts with the same setting.
  const std::string out = hash_with("colosla", v);
  const std::size_t setting_end = v.rfind('$');
  return !out.empty() && out.size() == v.size() &&
         out.compare(0, setting_end + 1, v, 0, setting_end + 1) == 0;
}

bool verify_crypt(std::string_view password, std::string_view hash) {
  if (!is_crypt_hash(hash)) {
    return false;
  }
  std::string phrase(password);
  const std::string out = hash_with(phrase, std::string(hash));
  explicit_bzero(phrase.data(), phrase.size());
  return !out.empty() && equal_constant_time(out, std::string(hash));
}

}  // namespace colosla::core
