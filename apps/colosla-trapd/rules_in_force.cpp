#include "rules_in_force.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "colosla/base/log.hpp"

namespace colosla::trapd {

namespace fs = std::filesystem;

namespace {

// The rule files these paths name, in the order TrapRuleLoader::load_all reads them: a file as
// given, a directory's *.json and *.xml regular files in name order.
std::vector<std::string> files_of(const std::vector<std::string>& paths,
                                  std::vector<core::Diagnostic>& diags) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      files.push_back(p);
      continue;
    }
    std::vector<std::string> in_dir;
    for (const auto& entry : fs::directory_iterator(p, ec)) {
      const auto ext = entry.path().extension();
      if (entry.is_regular_file(ec) && (ext == ".json" || ext == ".xml")) {
        in_dir.push_back(entry.path().string());
      }
    }
    if (ec) {
      diags.push_back({p, 0, "", "cannot be read: " + ec.message(), true});
    }
    std::sort(in_dir.begin(), in_dir.end());
    files.insert(files.end(), in_dir.begin(), in_dir.end());
  }
  return files;
}

bool make_dir(const std::string& dir, std::string& why) {
  if (::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST) {
    return true;
  }
  why = "cannot make " + dir + ": " + std::strerror(errno);
  return false;
}

}  // namespace

bool RulesInForce::load(const std::vector<std::string>& paths) {
  std::vector<core::Diagnostic> diags;
  const auto files = files_of(paths, diags);
  core::TrapRuleLoader loader;
  core::TrapRules rules;
  std::vector<std::string> texts;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::error_code ec;
    if (!in || fs::is_directory(f, ec)) {
      auto why = loader.load_file(f);  // says why it cannot be read
      if (why) {
        diags.push_back({f, 0, "", "cannot be read", true});
      } else {
        diags.insert(diags.end(), why.error().begin(), why.error().end());
      }
      continue;
    }
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto loaded = loader.load(f, text);
    if (!loaded) {
      diags.insert(diags.end(), loaded.error().begin(), loaded.error().end());
      continue;
    }
    rules.add(std::move(*loaded));
    texts.push_back(std::move(text));
  }

  // The copy: the very text loaded, whatever the files hold by now. A new directory each load,
  // as a poll started a moment ago may still be reading the last one (prune).
  std::string why;
  const std::string copy = dir_ + "/" + std::to_string(generation_ + 1);
  std::vector<std::string> copied;
  if (diags.empty() && make_dir(dir_, why)) {
    std::error_code ec;
    fs::remove_all(copy, ec);  // a copy of an earlier run
    const bool made = make_dir(copy, why);
    for (std::size_t i = 0; made && i < files.size(); ++i) {
      // Numbered, so that the poll reads them in this order, whatever their names.
      std::string n = std::to_string(i);
      n.insert(0, n.size() < 3 ? 3 - n.size() : 0, '0');
      copied.push_back(copy + "/" + n + "-" + fs::path(files[i]).filename().string());
      std::ofstream out(copied.back(), std::ios::binary | std::ios::trunc);
      out << texts[i];
      out.close();
      if (!out) {
        why = "cannot write " + copied.back() + ": " + std::strerror(errno);
        break;
      }
    }
    if (!why.empty()) {
      fs::remove_all(copy, ec);
    }
  }
  if (!why.empty()) {
    diags.push_back({dir_, 0, "", "the copy of the rules the polls read: " + why, true});
  }

  if (!diags.empty()) {
    for (const auto& d : diags) {
      log(LogLevel::error, "trapd", d.to_string());
    }
    log(LogLevel::error, "trapd",
        "trap rules not loaded; the " + std::to_string(rules_.size()) + " rules in force are kept");
    return false;
  }
  rules_ = std::move(rules);
  copy_ = copy;
  files_ = std::move(copied);
  ++generation_;
  std::string names;
  for (const auto& f : rules_.files()) {
    names += (names.empty() ? "" : ", ") + f.path + " (" + f.mib + " " + f.revision + ")";
  }
  log(LogLevel::info, "trapd",
      std::to_string(rules_.size()) + " trap rules loaded" +
          (names.empty() ? std::string() : " from " + names));
  return true;
}

std::vector<std::string> RulesInForce::poll_args() const {
  std::vector<std::string> args;
  for (const auto& f : files_) {
    args.insert(args.end(), {"--rules", f});
  }
  if (files_.empty()) {
    args.insert(args.end(), {"--rules", copy_});
  }
  return args;
}

void RulesInForce::prune(const std::function<bool(const std::string& copy)>& in_use) const {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string copy = entry.path().string();
    if (copy != copy_ && !in_use(copy)) {
      fs::remove_all(entry.path(), ec);
    }
  }
}

}  // namespace colosla::trapd
