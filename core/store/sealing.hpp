#pragma once

// The inventory's secrets as every backend keeps them: sealed with the store's key
// (secrets.hpp), in the device rows and in each inventory document.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "colosla/base/result.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/store/secrets.hpp"

namespace colosla::core {

/// The secrets of a device: where each is, and the context it is sealed under (the same as its
/// leaf in the document: see each_secret_leaf).
std::vector<std::pair<std::string*, std::string>> secrets_of(Device& d);

// Calls fn(value, context) for each secret leaf of an RFC 7951 inventory document (a device's
// snmp community, auth-password, priv-password, netconf password).
template <class Fn>
Result<void> each_secret_leaf(nlohmann::ordered_json& doc, Fn fn) {
  const auto top = doc.find("colosla-inventory:inventory");
  if (top == doc.end() || !top->is_object()) {
    return {};
  }
  const auto devices = top->find("device");
  if (devices == top->end() || !devices->is_array()) {
    return {};
  }
  for (auto& d : *devices) {
    const std::string name = d.value("name", "");
    for (const char* block : {"snmp", "netconf"}) {
      const auto b = d.find(block);
      if (b == d.end() || !b->is_object()) {
        continue;
      }
      for (const char* leaf : {"community", "auth-password", "priv-password", "password"}) {
        const auto v = b->find(leaf);
        if (v != b->end() && v->is_string()) {
          if (auto r = fn(v->template get_ref<std::string&>(),
                          "device " + name + " " + block + " " + leaf);
              !r) {
            return r;
          }
        }
      }
    }
  }
  return {};
}
/// The document with each secret leaf sealed (those sealed already stay as they are).
Result<std::string> seal_document(const std::string& document, const SecretKey& key);

/// The key that seals a store's secrets, as every backend keeps it: read from its file the first
/// time a secret is sealed or revealed (made then, for a writer, when there is none).
class StoreKey {
 public:
  StoreKey() = default;
  /// `path` the key's file; when it is empty, `missing` is the not_found error a use gives.
  StoreKey(std::string path, std::string missing, std::string where)
      : path_(std::move(path)), missing_(std::move(missing)), where_(std::move(where)) {}
  /// The key; with `create`, made when there is none (a writer).
  Result<const SecretKey*> get(bool create);
  /// The key for `secrets`: nullptr when they are withheld (no file is read).
  Result<const SecretKey*> get(Secrets secrets);
  /// What reads the key for the device readers: nothing when the secrets are withheld.
  std::function<Result<const SecretKey*>()> reader(Secrets secrets);

 private:
  std::string path_;
  std::string missing_;
  std::string where_;
  std::optional<SecretKey> key_;  // read when first needed
};

}  // namespace colosla::core
