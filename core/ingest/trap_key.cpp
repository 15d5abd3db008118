// The trap identity. SHA-256 is OpenSSL's libcrypto (with the CPU's SHA extensions where it has
// them: colosla-trapd hashes every trap it stores): this is the only file that includes it.
#include "colosla/ingest/trap_key.hpp"

#include <openssl/evp.h>

#include <array>
#include <memory>
#include <span>
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
  [[nodiscard]] std::span<const unsigned char> bytes() const { return bytes_; }

 private:
  std::vector<unsigned char> bytes_;
};

// SHA-256 of the parts one after the other into `out`; false if OpenSSL failed (never seen: the
// identity is then left out, and the trap is stored without it, a possible duplicate in a shared
// store, never a loss).
bool sha256(std::initializer_list<std::span<const unsigned char>> parts,
            std::array<std::uint8_t, 32>& out) {
  struct Free {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  // Fetched once (an implicit fetch at every init costs more than the hash); one context a
  // thread, reused.
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, Free> ctx{EVP_MD_CTX_new()};
  if (md == nullptr || !ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) {
    return false;
  }
  for (const auto part : parts) {
    if (EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) {
      return false;
    }
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> h{};
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(ctx.get(), h.data(), &n) != 1 || n != out.size()) {
    return false;
  }
  std::copy_n(h.begin(), out.size(), out.begin());
  return true;
}

// hex(SHA-256(digest, the bucket as 8 bytes big-endian)): what PostgreSQL's
// sha256(trap_digest || int8send(bucket)) gives (migrations/0002-trap-key.sql).
std::string bucket_digest(const TrapIdentity& id, std::int64_t bucket) {
  std::array<unsigned char, 8> be{};
  auto u = static_cast<std::uint64_t>(bucket);
  for (auto& byte : be) {
    byte = static_cast<unsigned char>(u >> 56);
    u <<= 8;
  }
  std::array<std::uint8_t, 32> h{};
  if (!sha256({id.digest, be}, h)) {
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(64, '0');
  for (std::size_t i = 0; i < h.size(); ++i) {
    out[2 * i] = kHex[h[i] >> 4U];
    out[2 * i + 1] = kHex[h[i] & 15U];
  }
  return out;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

std::optional<TrapIdentity> trap_identity(const Trap& trap, std::string_view device) {
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

  TrapIdentity id;
  id.bucket = bucket;
  id.near = near;
  if (!sha256({e.bytes()}, id.digest)) {
    return std::nullopt;
  }
  return id;
}

TrapKey trap_key(const TrapIdentity& id) {
  TrapKey k;
  k.bucket = id.bucket;
  k.key = bucket_digest(id, id.bucket);
  k.neighbour = bucket_digest(id, id.near);
  return k;
}

TrapKey trap_key(const Trap& trap, std::string_view device) {
  const auto id = trap_identity(trap, device);
  return id ? trap_key(*id) : TrapKey{};
}

}  // namespace colosla::core
