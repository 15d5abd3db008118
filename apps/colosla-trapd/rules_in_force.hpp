#pragma once
// colosla-trapd's trap and poll rules in force, and a copy of them in its state directory: the
// bytes of every rule file it loaded, which its poll children read (`colosla poll --rules`). A
// rule file broken or changed after a load is then read again by the daemon alone (SIGHUP), and
// until a load succeeds the traps and the polls both keep the rules in force.

#include <functional>
#include <string>
#include <vector>

#include "colosla/rules/trap_rules.hpp"

namespace colosla::trapd {

class RulesInForce {
 public:
  /// `dir`: where the copies are kept (STATE-DIR/rules-in-force), one directory a load; made
  /// when missing, in a state directory that exists.
  explicit RulesInForce(std::string dir) : dir_(std::move(dir)) {}

  /// Reads the rule files and directories as TrapRuleLoader::load_all does (a directory's *.json
  /// and *.xml files in name order), loads the text it read and writes that text to a new copy.
  /// All or nothing: when a file is not valid or the copy cannot be written, the rules and the
  /// copy in force stay, and the log says why. Returns whether the rules were loaded.
  bool load(const std::vector<std::string>& paths);

  [[nodiscard]] const core::TrapRules& rules() const { return rules_; }
  /// The directory of the copy in force; empty before the first load.
  [[nodiscard]] const std::string& copy() const { return copy_; }
  /// `colosla poll`'s arguments that name the copy in force: `--rules FILE` for each file, or
  /// `--rules DIR` when there is none (so that the poll does not read the package's rules).
  [[nodiscard]] std::vector<std::string> poll_args() const;
  /// Removes the copies other than the one in force that no poll reads any more (`in_use`).
  void prune(const std::function<bool(const std::string& copy)>& in_use) const;

 private:
  std::string dir_;
  unsigned generation_ = 0;
  core::TrapRules rules_;
  std::string copy_;
  std::vector<std::string> files_;  // in copy_, in the order loaded
};

}  // namespace colosla::trapd
