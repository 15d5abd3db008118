// The inventory's secrets as every backend seals them (sealing.hpp).
#include "sealing.hpp"

namespace colosla::core {

// The secrets of a device: where each is, and the context it is sealed under (the same as its
// leaf in the document: see each_secret_leaf).
std::vector<std::pair<std::string*, std::string>> secrets_of(Device& d) {
  std::vector<std::pair<std::string*, std::string>> out{
      {&d.snmp.community, "device " + d.name + " snmp community"},
      {&d.snmp.auth_password, "device " + d.name + " snmp auth-password"},
      {&d.snmp.priv_password, "device " + d.name + " snmp priv-password"}};
  if (d.netconf) {
    out.emplace_back(&d.netconf->password, "device " + d.name + " netconf password");
  }
  return out;
}

// The document with each secret leaf sealed (those sealed already stay as they are).
Result<std::string> seal_document(const std::string& document, const SecretKey& key) {
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(document);
  } catch (const nlohmann::json::exception& e) {
    return make_error(Errc::store,
                      std::string("an inventory document that is not JSON: ") + e.what());
  }
  (void)each_secret_leaf(doc, [&](std::string& v, const std::string& context) -> Result<void> {
    if (!is_sealed(v)) {
      v = key.seal(v, context);
    }
    return {};
  });
  return doc.dump();
}

Result<const SecretKey*> StoreKey::get(bool create) {
  if (!key_) {
    if (path_.empty()) {
      return make_error(Errc::not_found, missing_, where_);
    }
    auto k = create ? SecretKey::read_or_create(path_) : SecretKey::read(path_);
    if (!k) {
      return k.error();
    }
    key_ = std::move(*k);
  }
  return &*key_;
}

Result<const SecretKey*> StoreKey::get(Secrets secrets) {
  if (secrets == Secrets::withhold) {
    return static_cast<const SecretKey*>(nullptr);
  }
  return get(false);
}

std::function<Result<const SecretKey*>()> StoreKey::reader(Secrets secrets) {
  if (secrets == Secrets::withhold) {
    return {};
  }
  return [this] { return get(false); };
}

}  // namespace colosla::core
