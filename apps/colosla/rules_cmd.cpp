// colosla rules validate|list: trap rule files (yang/colosla-trap-rules.yang)
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "rules_cmd.hpp"

namespace colosla::cli {

namespace {

std::vector<std::string> files_of(const po::variables_map& vm) {
  return vm.count("file") != 0 ? vm["file"].as<std::vector<std::string>>()
                               : std::vector<std::string>{};
}

// Every diagnostic, then how many; kFailed when a file could not be read at all, else kRejected.
int print_problems(const std::vector<core::Diagnostic>& diags) {
  bool unreadable = false;
  for (const auto& d : diags) {
    std::cerr << d.to_string() << "\n";
    unreadable = unreadable || d.unreadable;
  }
  std::cerr << "colosla: " << diags.size() << (diags.size() == 1 ? " problem" : " problems")
            << "; the rules are not valid\n";
  return unreadable ? kFailed : kRejected;
}

// "map: 1=on 2=off, otherwise off"
std::string map_of(const core::StateMap& m) {
  std::string s = "map:";
  for (const auto& [value, state] : m.values) {
    s += " " + value + "=" + std::string(core::to_string(state));
  }
  if (m.otherwise) {
    s += ", otherwise " + std::string(core::to_string(*m.otherwise));
  }
  return s;
}

std::string state_of(const core::TrapRule& r) {
  if (r.state) {
    return std::string(core::to_string(*r.state));
  }
  return "map of " + r.map_varbind + ": " + map_of(r.map).substr(5);
}

}  // namespace

std::string poll_rule_text(const core::PollRule& p) {
  return p.object + " " + p.oid + (p.column ? " (column)" : "") + " on sysObjectID " +
         p.sys_object_id + " => " + core::describe(p.entity) + " " + map_of(p.map);
}

std::string where_of(const core::TrapRules& rules, const core::PollRule& p) {
  for (const auto& f : rules.files()) {
    if (!f.polls.empty() && &p >= f.polls.data() && &p < f.polls.data() + f.polls.size()) {
      return f.path + (p.line > 0 ? ":" + std::to_string(p.line) : "") + " (" + f.mib + " " +
             f.revision + ")";
    }
  }
  return "?";
}

int rules_validate(Context& ctx) {
  po::options_description d("rules validate");
  d.add_options()("file", po::value<std::vector<std::string>>(),
                  "rule files (JSON or XML) or directories of them");
  po::positional_options_description pos;
  pos.add("file", -1);
  auto vm = parse(ctx, d, pos);
  if (!vm) {
    return kOk;
  }
  const auto files = files_of(*vm);
  if (files.empty()) {
    throw UsageError("give at least one rule file");
  }
  core::TrapRuleLoader loader;
  auto rules = loader.load_all(files);
  if (!rules) {
    return print_problems(rules.error());
  }
  for (const auto& f : rules->files()) {
    std::cout << f.path << ": valid (" << f.mib << " " << f.revision << ", " << f.rules.size()
              << (f.rules.size() == 1 ? " rule" : " rules") << ")\n";
  }
  return kOk;
}

int rules_list(Context& ctx) {
  po::options_description d("rules list");
  d.add_options()("file", po::value<std::vector<std::string>>(),
                  "rule files or directories (default: the package's rules directory)");
  po::positional_options_description pos;
  pos.add("file", -1);
  auto vm = parse(ctx, d, pos);
  if (!vm) {
    return kOk;
  }
  auto files = files_of(*vm);
  if (files.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(core::default_rules_dir(), ec)) {
      std::cout << "no trap rules: " << core::default_rules_dir() << " does not exist\n";
      return kOk;
    }
    files.push_back(core::default_rules_dir());
  }
  core::TrapRuleLoader loader;
  auto rules = loader.load_all(files);
  if (!rules) {
    return print_problems(rules.error());
  }
  for (const auto& f : rules->files()) {
    std::cout << f.path << ": " << f.mib << " " << f.revision << "\n";
    for (const auto& r : f.rules) {
      std::cout << "  " << r.name << ": " << r.object << " " << r.trap_oid;
      for (const auto& c : r.conditions) {
        std::cout << " [" << c.oid << " = " << c.equals << "]";
      }
      std::cout << " => " << core::describe(r.entity);
      std::cout << " " << state_of(r) << (r.poll ? ", poll to confirm" : "") << "\n";
    }
    for (const auto& p : f.polls) {
      std::cout << "  poll " << p.name << ": " << poll_rule_text(p) << "\n";
    }
  }
  return kOk;
}

}  // namespace colosla::cli
