// An inventory document, JSON or XML, through the validator colosla inventory load uses.
#include "colosla/model/inventory.hpp"
#include "fuzz_support.hpp"

using namespace colosla;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Made once: building the YANG context costs far more than one document.
  static core::InventoryValidator* const validator = [] {
    fuzz::quiet_log();
    return new core::InventoryValidator();
  }();
  // A name without an extension: the validator takes XML when the first character is '<', else
  // JSON, so one parse per input reaches both parsers (and the choice between them).
  auto r = validator->validate({{"fuzz", std::string(fuzz::text(data, size))}});
  if (r) {
    (void)r->document.size();
  } else {
    for (const auto& d : r.error()) {
      (void)d.to_string();
    }
  }
  return 0;
}
