#include "colosla/ingest/relay.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace colosla::core {

namespace {

// The 16 bytes of an address; an IPv4 one (or IPv4-mapped IPv6) as IPv4 in the first 4.
bool to_bytes(std::string_view text, bool& v6, std::array<std::uint8_t, 16>& out) {
  const std::string s(text);
  out.fill(0);
  in_addr a4{};
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    v6 = false;
    std::memcpy(out.data(), &a4, 4);
    return true;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, s.c_str(), &a6) != 1) {
    return false;
  }
  static constexpr std::array<std::uint8_t, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped.begin(), kMapped.end(), a6.s6_addr)) {
    v6 = false;
    std::memcpy(out.data(), a6.s6_addr + 12, 4);
    return true;
  }
  v6 = true;
  std::memcpy(out.data(), a6.s6_addr, 16);
  return true;
}

bool bit(const std::array<std::uint8_t, 16>& b, int i) {
  return ((b[static_cast<std::size_t>(i / 8)] >> (7 - i % 8)) & 1) != 0;
}

}  // namespace

std::optional<AddressPrefix> AddressPrefix::parse(std::string_view text) {
  AddressPrefix p;
  const auto slash = text.find('/');
  if (!to_bytes(text.substr(0, slash), p.v6_, p.bytes_)) {
    return std::nullopt;
  }
  // "::ffff:192.0.2.0/120" would be an IPv4 network with a v6 length: refused, say it as IPv4.
  const bool mapped = !p.v6_ && text.substr(0, slash).find(':') != std::string_view::npos;
  const int max = p.v6_ ? 128 : 32;
  p.length_ = max;
  if (slash != std::string_view::npos) {
    if (mapped) {
      return std::nullopt;
    }
    const std::string_view len = text.substr(slash + 1);
    int n = -1;
    const auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), n);
    if (len.empty() || ec != std::errc{} || end != len.data() + len.size() || n < 0 || n > max) {
      return std::nullopt;
    }
    p.length_ = n;
  }
  for (int i = p.length_; i < max; ++i) {
    if (bit(p.bytes_, i)) {
      return std::nullopt;
    }
  }
  return p;
}

bool AddressPrefix::contains(std::string_view address) const {
  bool v6 = false;
  std::array<std::uint8_t, 16> b{};
  if (!to_bytes(address, v6, b) || v6 != v6_) {
    return false;
  }
  for (int i = 0; i < length_; ++i) {
    if (bit(b, i) != bit(bytes_, i)) {
      return false;
    }
  }
  return true;
}

std::string AddressPrefix::text() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (v6_) {
    in6_addr a6{};
    std::memcpy(a6.s6_addr, bytes_.data(), 16);
    inet_ntop(AF_INET6, &a6, buf, sizeof buf);
  } else {
    in_addr a4{};
    std::memcpy(&a4, bytes_.data(), 4);
    inet_ntop(AF_INET, &a4, buf, sizeof buf);
  }
  return std::string(buf) + "/" + std::to_string(length_);
}

RelayVerdict relay_verdict(const Trap& t, const std::vector<AddressPrefix>& relays) {
  RelayVerdict v;
  if (t.version == 1) {
    return v;  // a v1 trap's agent-addr says it (TrapProcessor)
  }
  const auto found = std::find_if(t.varbinds.begin(), t.varbinds.end(),
                                  [](const Varbind& b) { return b.oid == kSnmpTrapAddress; });
  if (found == t.varbinds.end() || found->text == t.source_address) {
    return v;  // a device may name itself
  }
  const bool trusted = std::any_of(relays.begin(), relays.end(), [&](const AddressPrefix& p) {
    return p.contains(t.source_address);
  });
  v.device_address = found->text;
  in_addr a4{};
  if (!trusted) {
    v.kind = RelayVerdict::Kind::untrusted;
  } else if (found->type != VarType::ip_address ||
             inet_pton(AF_INET, found->text.c_str(), &a4) != 1) {
    v.kind = RelayVerdict::Kind::unreadable;
  } else {
    v.kind = RelayVerdict::Kind::relayed;
  }
  return v;
}

}  // namespace colosla::core
