// Each line of the input as a line of `colosla observe` input, against the example inventory.
#include <stdexcept>

#include "colosla/model/inventory.hpp"
#include "colosla/services/operations.hpp"
#include "fuzz_support.hpp"

using namespace colosla;

namespace {

const core::ObservationParser& parser() {
  static const core::Inventory* const inventory = [] {
    fuzz::quiet_log();
    core::InventoryValidator validator;
    auto v = validator.validate_files({fuzz::source_file("examples/inventory.json")});
    if (!v) {
      throw std::runtime_error("examples/inventory.json does not validate");
    }
    return new core::Inventory(std::move(v->inventory));
  }();
  // A fixed "now", so that a run is the same whenever it runs (times after it + 1 day are refused).
  static const core::ObservationParser p(*inventory,
                                         Timestamp{std::chrono::seconds{1'796'083'200}});
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const core::ObservationParser& p = parser();
  std::string_view rest = fuzz::text(data, size);
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    auto r = p.parse(line);
    if (r) {
      (void)r->entity;
    } else {
      (void)r.error().msg.size();
    }
  }
  return 0;
}
