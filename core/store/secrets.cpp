// The libsodium adapter: the only file that includes sodium.h.
#include "colosla/store/secrets.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "colosla/store/postgresql.hpp"

namespace colosla::core {

namespace {

constexpr std::string_view kPrefix = "colosla-sealed:1:";
constexpr int kBase64 = sodium_base64_VARIANT_ORIGINAL;

bool ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

Error io_error(const std::string& path, const std::string& what) {
  return make_error(Errc::io, what + ": " + std::strerror(errno), path);
}

}  // namespace

std::string default_key_path(const std::string& store) {
  // A PostgreSQL location is no path: nothing beside it to put the key in.
  return is_postgresql_location(store) ? std::string() : store + ".key";
}

bool is_sealed(std::string_view value) { return value.substr(0, kPrefix.size()) == kPrefix; }

Result<SecretKey> SecretKey::read(const std::string& path) {
  if (!ready()) {
    return make_error(Errc::io, "libsodium cannot start (no entropy source?)", path);
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) {
      return make_error(Errc::not_found,
                        "no secrets key (colosla inventory load creates it; without it the store's "
                        "communities and pass phrases cannot be opened)",
                        path);
    }
    return io_error(path, "cannot read the secrets key (only colosla's user may)");
  }
  struct stat st {};
  char text[80] = {};
  const ssize_t n = ::fstat(fd, &st) == 0 ? ::read(fd, text, sizeof text - 1) : -1;
  const int saved = errno;
  ::close(fd);
  errno = saved;
  if (n < 0) {
    return io_error(path, "cannot read the secrets key");
  }
  if ((st.st_mode & 077) != 0) {
    return make_error(
        Errc::invalid_input,
        "the secrets key may be read by other users than its owner: chmod 600 it (and "
        "consider the secrets of the inventory known)",
        path);
  }
  SecretKey k;
  k.path_ = path;
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(k.key_.data(), k.key_.size(), text, static_cast<std::size_t>(n), "\n", &len,
                     &end) != 0 ||
      len != k.key_.size()) {
    return make_error(Errc::invalid_input, "not a secrets key (64 hex digits)", path);
  }
  return k;
}

Result<SecretKey> SecretKey::read_or_create(const std::string& path) {
  auto k = read(path);
  if (k || k.error().code != Errc::not_found) {
    return k;
  }
  std::array<unsigned char, 32> key{};
  randombytes_buf(key.data(), key.size());
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, key.data(), key.size());
  sodium_memzero(key.data(), key.size());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return read(path);  // made by another colosla at the same moment
    }
    return io_error(path, "cannot create the secrets key");
  }
  std::string line = std::string(hex) + "\n";
  sodium_memzero(hex, sizeof hex);
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                       ::fsync(fd) == 0;
  sodium_memzero(line.data(), line.size());
  ::close(fd);
  if (!written) {
    ::unlink(path.c_str());
    return io_error(path, "cannot write the secrets key");
  }
  return read(path);
}

std::string SecretKey::seal(std::string_view clear, std::string_view context) const {
  std::vector<unsigned char> box(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + clear.size() +
                                 crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned char* nonce = box.data();
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &written,
      reinterpret_cast<const unsigned char*>(clear.data()), clear.size(),
      reinterpret_cast<const unsigned char*>(context.data()), context.size(), nullptr, nonce,
      key_.data());
  std::string out(kPrefix);
  std::string b64(sodium_base64_ENCODED_LEN(box.size(), kBase64), '\0');
  sodium_bin2base64(b64.data(), b64.size(), box.data(), box.size(), kBase64);
  out.append(b64.c_str());
  return out;
}

Result<std::string> SecretKey::open(std::string_view sealed, std::string_view context) const {
  if (!is_sealed(sealed)) {
    return std::string(sealed);
  }
  const std::string_view b64 = sealed.substr(kPrefix.size());
  std::vector<unsigned char> box(b64.size());
  std::size_t len = 0;
  if (sodium_base642bin(box.data(), box.size(), b64.data(), b64.size(), nullptr, &len, nullptr,
                        kBase64) != 0 ||
      len < crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return make_error(Errc::invalid_input, "a sealed secret is damaged", std::string(context));
  }
  const unsigned char* nonce = box.data();
  const std::size_t cipher_len = len - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string clear(cipher_len - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long clear_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(clear.data()), &clear_len, nullptr,
          nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, cipher_len,
          reinterpret_cast<const unsigned char*>(context.data()), context.size(), nonce,
          key_.data()) != 0) {
    return make_error(Errc::invalid_input,
                      "a sealed secret does not open with the key " + path_ +
                          " (another key, or it was moved or changed)",
                      std::string(context));
  }
  clear.resize(static_cast<std::size_t>(clear_len));
  return clear;
}

std::string SecretKey::digest(std::string_view data) const {
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size(), key_.data(), key_.size());
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

}  // namespace colosla::core
