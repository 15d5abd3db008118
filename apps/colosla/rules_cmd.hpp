#pragma once
// Shared pieces of the rules commands: rules validate|list (rules_cmd.cpp), rules test with a
// trap (rules_test_cmd.cpp) and with a poll (rules_poll_cmd.cpp).

#include <optional>
#include <string>

#include "cli.hpp"
#include "colosla/rules/trap_rules.hpp"

namespace colosla::cli {

/// What `rules list` says of a poll rule after its name: "upsBasicOutputStatus
/// 1.3.6.1.4.1.318.1.1.1.4.1.1.0 on sysObjectID 1.3.6.1.4.1.318 => ups map: 1=unknown ...".
std::string poll_rule_text(const core::PollRule& p);

/// "FILE:LINE (MIB REVISION)": where a poll rule of these rules is.
std::string where_of(const core::TrapRules& rules, const core::PollRule& p);

/// The rules of --rules (files or directories; default: the package's directory, when it
/// exists). When a file is not valid: prints its problems, then "colosla: " + `refused`, and
/// gives nullopt and *code (kFailed when a file could not be read, else kRejected).
std::optional<core::TrapRules> rules_of_options(const po::variables_map& vm, int* code,
                                                std::string_view refused);

/// `rules test --poll` (the device of --device, polled once by the poll rules) and `rules test
/// --sys-object-id OID` (the poll rules that apply to it); nothing stored.
int rules_test_poll(Context& ctx, const po::variables_map& vm, const core::TrapRules& rules);

}  // namespace colosla::cli
