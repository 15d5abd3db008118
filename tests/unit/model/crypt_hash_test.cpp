// The MRTG password hash (Article 6.5): a crypt(3) string only, checked with libxcrypt.
#include "colosla/model/crypt_hash.hpp"

#include <catch2/catch.hpp>

using colosla::core::is_crypt_hash;
using colosla::core::verify_crypt;

namespace {
// The hash of "colosla-mrtg-example" (python3 crypt.crypt with METHOD_SHA512), the example
// inventory's.
constexpr const char* kSha512 =
    "$6$fq6DDFOJAMDTo3.a$YC196LOGOyofXsNqzVBOz2MXgzefLVJBSlyXRLGrwAt77t7Cn2vkCHVMz2j9rnT3a5uLLcLYe"
    "6JfJlI.ZbAfN0";
}  // namespace

TEST_CASE("an MRTG password hash is a whole crypt(3) string", "[model][crypt]") {
  CHECK(is_crypt_hash(kSha512));
  SECTION("a clear-text password is not one, even one DES would take as a salt") {
    CHECK_FALSE(is_crypt_hash("Secret-MRTG-2026"));
    CHECK_FALSE(is_crypt_hash("password"));
    CHECK_FALSE(is_crypt_hash(""));
  }
  SECTION("a bare setting is not a hash") {
    CHECK_FALSE(is_crypt_hash("$6$fq6DDFOJAMDTo3.a"));
    CHECK_FALSE(is_crypt_hash("$6$fq6DDFOJAMDTo3.a$"));
  }
  SECTION("a truncated or altered hash is not one") {
    const std::string h = kSha512;
    CHECK_FALSE(is_crypt_hash(h.substr(0, h.size() - 1)));
    CHECK_FALSE(is_crypt_hash(h + "x"));
  }
  SECTION("a legacy method libxcrypt refuses is not one") {
    CHECK_FALSE(is_crypt_hash("$1$abc$OGyl6dDvZCDiGmIVbeuCq/"));
  }
}

TEST_CASE("a password is verified against its hash", "[model][crypt]") {
  CHECK(verify_crypt("colosla-mrtg-example", kSha512));
  CHECK_FALSE(verify_crypt("colosla-mrtg-exampl", kSha512));
  CHECK_FALSE(verify_crypt("", kSha512));
  CHECK_FALSE(verify_crypt("colosla-mrtg-example", "colosla-mrtg-example"));  // not a hash
}
