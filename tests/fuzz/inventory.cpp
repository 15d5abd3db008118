// An inventory document, as JSON and as XML, through the validator colosla inventory load uses.
#include "colosla/inventory.hpp"
#include "fuzz_support.hpp"

using namespace colosla;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Made once: building the YANG context costs far more than one document.
  static core::InventoryValidator* const validator = [] {
    fuzz::quiet_log();
    return new core::InventoryValidator();
  }();
  const std::string doc(fuzz::text(data, size));
  for (const char* name : {"fuzz.json", "fuzz.xml"}) {
    auto r = validator->validate({{name, doc}});
    if (r) {
      (void)r->document.size();
    } else {
      for (const auto& d : r.error()) {
        (void)d.to_string();
      }
    }
  }
  return 0;
}
