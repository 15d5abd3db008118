// The trap identity key. SHA-256 is libsodium's (already the store's dependency, for the
// secrets): this and store/secrets.cpp are the only files that include sodium.h.
#include "colosla/ingest/trap_key.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <array>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

namespace colosla::core {

namespace {

// Varbinds that are not what the device said but what the path added (RFC 3584 §3.1: a proxy
// or relay appends them, a v1-to-v2 translation too), and the two the receiver takes apart.
constexpr std::array<std::string_view, 5> kNotTheDevices = {
    "1.3.6.1.6.3.18.1.3.0",   // snmpTrapAddress.0
    "1.3.6.1.6.3.18.1.4.0",   // snmpTrapCommunity.0
    "1.3.6.1.6.3.1.1.4.3.0",  // snmpTrapEnterprise.0
    "1.3.6.1.2.1.1.3.0",      // sysUpTime.0
    "1.3.6.1.6.3.1.1.4.1.0",  // snmpTrapOID.0
};

bool left_out(std::string_view oid) {
  for (const auto o : kNotTheDevices) {
    if (oid == o) {
      return true;
    }
  }
  return false;
}

// Integer-like types are compared by number, the others by text (Varbind says which holds the
// value).
bool numeric(VarType t) {
  switch (t) {
    case VarType::integer:
    case VarType::counter32:
    case VarType::gauge32:
    case VarType::timeticks:
    case VarType::counter64:
      return true;
    default:
      return false;
  }
}

// The bytes hashed: every field with its length before it, so that no two different traps
// make the same stream ("ab"+"c" against "a"+"bc").
class Encoder {
 public:
  Encoder() { bytes_.reserve(256); }
  void tag(char c) { bytes_.push_back(static_cast<unsigned char>(c)); }
  void field(std::string_view s) {
    number(static_cast<std::int64_t>(s.size()));
    bytes_.insert(bytes_.end(), s.begin(), s.end());
  }
  void number(std::int64_t n) {
    auto u = static_cast<std::uint64_t>(n);
    for (int i = 0; i < 8; ++i) {
      bytes_.push_back(static_cast<unsigned char>(u >> 56));
      u <<= 8;
    }
  }
  /// The digests of the bytes so far followed by number(a), and by number(b): the bytes so far
  /// are hashed once, and the state copied for the two endings. OpenSSL's SHA-256 (with the
  /// CPU's SHA extensions where it has them; colosla-trapd computes this for every trap it
  /// stores), else libsodium's: the same digests either way.
  [[nodiscard]] std::pair<std::string, std::string> digests(std::int64_t a, std::int64_t b) const {
    struct Free {
      void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
    };
    // Fetched once (an implicit fetch at every init costs more than the hash); one pair of
    // contexts a thread, reused.
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    thread_local const std::unique_ptr<EVP_MD_CTX, Free> common{EVP_MD_CTX_new()};
    thread_local const std::unique_ptr<EVP_MD_CTX, Free> other{EVP_MD_CTX_new()};
    Digest ha{};
    Digest hb{};
    unsigned int la = 0;
    unsigned int lb = 0;
    const Tail ta = tail(a);
    const Tail tb = tail(b);
    const bool done = md != nullptr && common && other &&
                      EVP_DigestInit_ex(common.get(), md, nullptr) == 1 &&
                      EVP_DigestUpdate(common.get(), bytes_.data(), bytes_.size()) == 1 &&
                      EVP_MD_CTX_copy_ex(other.get(), common.get()) == 1 &&
                      EVP_DigestUpdate(common.get(), ta.data(), ta.size()) == 1 &&
                      EVP_DigestFinal_ex(common.get(), ha.data(), &la) == 1 &&
                      EVP_DigestUpdate(other.get(), tb.data(), tb.size()) == 1 &&
                      EVP_DigestFinal_ex(other.get(), hb.data(), &lb) == 1 && la == 32 && lb == 32;
    if (!done) {  // never seen; libsodium needs no context (sodium_init: idempotent, no entropy)
      static const int init = sodium_init();
      static_cast<void>(init);
      crypto_hash_sha256_state st;
      crypto_hash_sha256_init(&st);
      crypto_hash_sha256_update(&st, bytes_.data(), bytes_.size());
      crypto_hash_sha256_state st2 = st;
      crypto_hash_sha256_update(&st, ta.data(), ta.size());
      crypto_hash_sha256_final(&st, ha.data());
      crypto_hash_sha256_update(&st2, tb.data(), tb.size());
      crypto_hash_sha256_final(&st2, hb.data());
    }
    return {hex(ha), hex(hb)};
  }

 private:
  using Digest = std::array<unsigned char, EVP_MAX_MD_SIZE>;
  using Tail = std::array<unsigned char, 8>;
  static Tail tail(std::int64_t n) {
    Tail t{};
    auto u = static_cast<std::uint64_t>(n);
    for (auto& byte : t) {
      byte = static_cast<unsigned char>(u >> 56);
      u <<= 8;
    }
    return t;
  }
  static std::string hex(const Digest& h) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(64, '0');
    for (std::size_t i = 0; i < 32; ++i) {
      out[2 * i] = kHex[h[i] >> 4U];
      out[2 * i + 1] = kHex[h[i] & 15U];
    }
    return out;
  }

  std::vector<unsigned char> bytes_;
};

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

TrapKey trap_key(const Trap& trap, std::string_view device) {
  Encoder e;
  e.field("colosla-trap-key-1");  // bumped if what is hashed changes
  if (!device.empty()) {
    e.tag('d');
    e.field(device);
  } else {
    e.tag('a');
    e.field(trap.version == 1 && !trap.agent_address.empty() ? trap.agent_address
                                                             : trap.source_address);
  }
  e.field(trap.trap_oid);
  e.number(trap.uptime);
  std::int64_t n = 0;
  for (const auto& v : trap.varbinds) {
    n += left_out(v.oid) ? 0 : 1;
  }
  e.number(n);
  for (const auto& v : trap.varbinds) {
    if (left_out(v.oid)) {
      continue;
    }
    e.number(static_cast<std::int64_t>(v.type));
    e.field(v.oid);
    if (numeric(v.type)) {
      e.number(v.number);
    } else {
      e.field(v.text);
    }
  }
  if (trap.version == 3) {
    e.tag('3');
    e.field(trap.context_engine_id);
    e.number(trap.inform ? -1 : trap.engine_boots);
  }

  // The device's boot time in hundredths of a second, as this receiver sees it. Without a
  // sysUpTime the device gave no time of its own: the narrow bucket keeps two traps with the same
  // content apart once 2 s lie between them, well inside what one receiver already folds into
  // one (duplicate-window), so that the key merges nothing that one receiver would keep twice.
  const std::int64_t width =
      (trap.uptime != 0 ? kTrapKeyBucket : kTrapKeyBucketWithoutUptime).count() * 100;
  const std::int64_t boot =
      std::int64_t{trap.received.time_since_epoch().count()} * 100 - std::int64_t{trap.uptime};
  const std::int64_t bucket = floor_div(boot, width);
  const std::int64_t near = boot - bucket * width < width / 2 ? bucket - 1 : bucket + 1;

  TrapKey k;
  k.bucket = bucket;
  std::tie(k.key, k.neighbour) = e.digests(bucket, near);
  return k;
}

}  // namespace colosla::core
