// colosla observe [FILE|-] [--skip-bad]
#include <cstring>
#include <fstream>
#include <iostream>

#include "cli.hpp"
#include "colosla/services/operations.hpp"
#include "commands.hpp"

namespace colosla::cli {

int observe(Context& ctx) {
  po::options_description d("observe");
  d.add_options()("file", po::value<std::string>()->default_value("-"),
                  "observation JSON lines (- for standard input)")(
      "skip-bad", "store the good lines even when some are bad");
  po::positional_options_description pos;
  pos.add("file", 1);
  auto vm = parse(ctx, d, pos);
  if (!vm) {
    return kOk;
  }
  const std::string file = (*vm)["file"].as<std::string>();
  const bool skip_bad = vm->count("skip-bad") != 0;
  std::ifstream f;
  if (file != "-") {
    f.open(file);
    if (!f) {
      return report(
          make_error(Errc::io, "cannot be read: " + std::string(std::strerror(errno)), file));
    }
  }
  std::istream& in = file == "-" ? std::cin : f;
  const std::string name = file == "-" ? "<stdin>" : file;

  auto store = open_store(ctx, core::Store::Mode::existing);
  if (!store) {
    return kFailed;
  }
  auto out = core::import_observations(*store, in, name, skip_bad, ctx.clock->now());
  if (!out) {
    report(out.error());
    std::cerr << "colosla: nothing stored\n";
    return exit_for(out.error());
  }
  for (const auto& b : out->bad) {
    std::cerr << name << ":" << b.line << ": " << b.reason << "\n";
  }
  if (!out->bad.empty() && !skip_bad) {
    std::cerr << "colosla: " << out->bad.size() << " bad "
              << (out->bad.size() == 1 ? "line" : "lines") << " of " << out->lines
              << "; nothing stored (--skip-bad stores the good lines)\n";
    return kRejected;
  }
  std::cout << "stored " << out->stored << (out->stored == 1 ? " observation" : " observations")
            << " from " << name;
  if (!out->bad.empty()) {
    std::cout << "; skipped " << out->bad.size() << " bad "
              << (out->bad.size() == 1 ? "line" : "lines");
  }
  std::cout << "\n";
  return kOk;
}

}  // namespace colosla::cli
