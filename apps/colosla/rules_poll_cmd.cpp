// colosla rules test --poll | --sys-object-id: which poll rules read a device, and what they
// would make of its answer, nothing stored. The device is polled as colosla poll polls a device
// whose plugin is "rules" (core::ask_poll_rules), over a store opened read-only.
#include <algorithm>
#include <iostream>
#include <map>

#include "colosla/base/text.hpp"
#include "colosla/services/operations.hpp"
#include "colosla/snmp/snmp_client.hpp"
#include "commands.hpp"
#include "rules_cmd.hpp"

namespace colosla::cli {

namespace {

bool is_oid(const std::string& s) {
  bool digit = false;
  for (const char c : s) {
    if (c == '.') {
      if (!digit) {
        return false;
      }
      digit = false;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      return false;
    }
  }
  return digit;
}

// "poll rule NAME (OBJECT) in FILE:LINE (MIB REVISION): what it reads" for each; how many.
std::size_t print_matching(const core::TrapRules& rules, const std::string& sys_object_id) {
  const auto polls = rules.polls_for(sys_object_id);
  for (const core::PollRule* p : polls) {
    std::cout << "poll rule: " << p->name << " in " << where_of(rules, *p) << ": "
              << poll_rule_text(*p) << "\n";
  }
  if (polls.empty()) {
    std::cout << "poll rule: none matches (" << rules.poll_count() << " poll rules in force)\n";
  }
  return polls.size();
}

}  // namespace

int rules_test_poll(Context& ctx, const po::variables_map& vm, const core::TrapRules& rules) {
  if (vm.count("sys-object-id") != 0) {
    const std::string id = vm["sys-object-id"].as<std::string>();
    if (vm["poll"].as<bool>() || vm.count("device") != 0) {
      throw UsageError("--sys-object-id names no device: without --poll and --device");
    }
    if (!is_oid(id)) {
      throw UsageError("--sys-object-id: not a numeric OID: \"" + escaped(id) + "\"");
    }
    std::cout << "sysObjectID: " << id << "\n";
    return print_matching(rules, id) != 0 ? kOk : kRejected;
  }
  const std::string name = required(vm, "device");
  const PollOptions o = poll_options(vm);
  // Read-only: the device's community is opened with the key, and nothing is written.
  auto with = open_with_inventory(ctx, core::Store::Mode::read_only, core::Secrets::reveal);
  if (!with) {
    return kFailed;
  }
  const core::Device* dev = with->inventory.find_device(name);
  if (dev == nullptr) {
    throw UsageError("--device: no device \"" + escaped(name) + "\" in the store's inventory");
  }
  if (dev->netconf) {
    throw UsageError("--poll: " + dev->name + " is a NETCONF device; poll rules read SNMP agents");
  }
  const auto plugins = core::plugin_names(*dev);
  const bool by_rules = std::find(plugins.begin(), plugins.end(), "rules") != plugins.end();
  std::cout << "device: " << dev->name << " (plugin " << dev->plugin
            << (by_rules ? "" : "; its polls read the poll rules only with plugin \"rules\"")
            << ", " << rules.poll_count()
            << (rules.poll_count() == 1 ? " poll rule)" : " poll rules)") << "\n";

  // The sysObjectID.0 the rules were chosen by, seen on its way through.
  std::string sys_object_id;
  const core::Fetch snmp = snmp_fetch_of(o, *ctx.clock);
  const core::Fetch fetch = [&](const core::Device& d, const core::PollRequest& req) {
    auto answer = snmp(d, req);
    for (const auto& v : answer ? answer->varbinds : std::vector<core::Varbind>{}) {
      if (sys_object_id.empty() && v.oid == core::kSysObjectId && v.type == core::VarType::oid) {
        sys_object_id = v.text;
      }
    }
    return answer;
  };
  std::map<std::int64_t, std::string> names;
  if (auto index = with->store->port_index(); index && index->count(dev->name) != 0) {
    names = index->at(dev->name);
  }
  core::init_net_snmp("");
  const auto answer = core::ask_poll_rules(rules, fetch, core::DeviceView{*dev, names});
  if (!sys_object_id.empty()) {
    std::cout << "sysObjectID: " << sys_object_id << "\n";
    print_matching(rules, sys_object_id);
  }
  int code = kOk;
  if (!answer) {
    std::cout << "answer: none: " << escaped(answer.error().msg) << "\n";
    code = kFailed;
  } else if (!answer->meaning) {
    std::cout << "answer: could not be read: " << answer->meaning.error().msg << "\n";
    code = kRejected;
  } else {
    for (const auto& s : answer->meaning->states) {
      std::cout << "observation: " << core::describe(s.entity) << " " << core::to_string(s.state)
                << " (" << s.detail << ")\n";
    }
    code = answer->meaning->states.empty() ? kRejected : kOk;
  }
  std::cout << "nothing stored\n";
  return code;
}

}  // namespace colosla::cli
