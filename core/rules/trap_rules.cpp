#include "colosla/rules/trap_rules.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "colosla/base/oid.hpp"
#include "colosla/base/text.hpp"

namespace colosla::core {

namespace {

constexpr const char* kModule = "colosla-trap-rules";
constexpr const char* kTop = "trap-rules";

EntityKind kind_of(RuleEntity e) {
  switch (e) {
    case RuleEntity::port:
      return EntityKind::port;
    case RuleEntity::outlet:
      return EntityKind::outlet;
    case RuleEntity::ups:
      break;
  }
  return EntityKind::ups;
}

// A varbind's value as a non-negative integer (an ifIndex, an outlet number).
std::optional<std::int64_t> index_value(const Varbind& v) {
  switch (v.type) {
    case VarType::integer:
    case VarType::gauge32:
    case VarType::counter32:
    case VarType::counter64:
    case VarType::timeticks:
      if (v.number >= 0) {
        return v.number;
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::string_view to_string(RuleEntity e) {
  switch (e) {
    case RuleEntity::ups:
      return "ups";
    case RuleEntity::port:
      return "port";
    case RuleEntity::outlet:
      return "outlet";
  }
  return "?";
}

void TrapRules::add(TrapRuleFile file) {
  const std::size_t f = files_.size();
  for (std::size_t r = 0; r < file.rules.size(); ++r) {
    const std::string& oid = file.rules[r].trap_oid;
    index_[oid].emplace_back(f, r);
    if (const auto v1 = v1_form(oid)) {
      index_[*v1].emplace_back(f, r);
    }
  }
  files_.push_back(std::move(file));
}

std::size_t TrapRules::size() const {
  std::size_t n = 0;
  for (const auto& f : files_) {
    n += f.rules.size();
  }
  return n;
}

const TrapRule* TrapRules::find(const Trap& trap) const {
  if (index_.empty()) {
    return nullptr;
  }
  const auto it = index_.find(trap.trap_oid);
  if (it == index_.end()) {
    return nullptr;
  }
  for (const auto& [f, r] : it->second) {
    const TrapRule& rule = files_[f].rules[r];
    const bool holds =
        std::all_of(rule.conditions.begin(), rule.conditions.end(), [&](const auto& c) {
          const Varbind* v = find_varbind(trap.varbinds, c.oid);
          return v != nullptr && v->text == c.equals;
        });
    if (holds) {
      return &rule;
    }
  }
  return nullptr;
}

const TrapRuleFile* TrapRules::file_of(const TrapRule* rule) const {
  for (const auto& f : files_) {
    if (!f.rules.empty() && rule >= f.rules.data() && rule < f.rules.data() + f.rules.size()) {
      return &f;
    }
  }
  return nullptr;
}

std::vector<const PollRule*> TrapRules::polls_for(std::string_view sys_object_id) const {
  std::vector<const PollRule*> out;
  for (const auto& f : files_) {
    for (const auto& p : f.polls) {
      const bool below =
          sys_object_id == p.sys_object_id || (sys_object_id.size() > p.sys_object_id.size() &&
                                               sys_object_id.starts_with(p.sys_object_id) &&
                                               sys_object_id[p.sys_object_id.size()] == '.');
      const bool taken = std::any_of(out.begin(), out.end(),
                                     [&](const PollRule* o) { return o->entity == p.entity; });
      if (below && !taken) {
        out.push_back(&p);
      }
    }
  }
  return out;
}

std::size_t TrapRules::poll_count() const {
  std::size_t n = 0;
  for (const auto& f : files_) {
    n += f.polls.size();
  }
  return n;
}

Result<PollMeaning> read_polls(const std::vector<const PollRule*>& rules, const PollAnswer& answer,
                               const DeviceView& device) {
  PollMeaning m;
  for (const PollRule* rule : rules) {
    const auto v = std::find_if(answer.varbinds.begin(), answer.varbinds.end(),
                                [&](const Varbind& b) { return b.oid == rule->oid; });
    if (v == answer.varbinds.end() || v->type == VarType::no_such_object ||
        v->type == VarType::no_such_instance || v->type == VarType::end_of_mib_view) {
      return make_error(Errc::invalid_input,
                        "the agent has no " + rule->object + " (" + rule->oid + ")");
    }
    const auto entry = std::find_if(rule->map.begin(), rule->map.end(),
                                    [&](const auto& e) { return e.first == v->text; });
    if (entry == rule->map.end()) {
      return make_error(Errc::invalid_input, rule->object + " = " + escaped(v->text) +
                                                 " is not in poll rule " + rule->name +
                                                 "'s state map");
    }
    // Only a UPS today (the YANG module's entity choice).
    m.states.push_back(
        StateReport{EntityId::ups(device.device.name), entry->second, std::nullopt,
                    rule->object + " = " + escaped(v->text) + " (poll rule " + rule->name + ")"});
  }
  return m;
}

Result<TrapMeaning> apply(const TrapRule& rule, const Trap& trap, const DeviceView& device) {
  TrapMeaning m;
  m.poll = rule.poll;
  const std::string& dev = device.device.name;
  std::string detail = rule.object;

  // The state, first: a value the map does not list makes no observation.
  State state = State::unknown;
  if (rule.state) {
    state = *rule.state;
  } else {
    const Varbind* v = find_varbind(trap.varbinds, rule.map_varbind);
    if (v == nullptr) {
      return make_error(Errc::invalid_input,
                        rule.object + " without its state varbind " + rule.map_varbind);
    }
    const auto entry = std::find_if(rule.map.begin(), rule.map.end(),
                                    [&](const auto& e) { return e.first == v->text; });
    if (entry == rule.map.end()) {
      m.summary = rule.object + ": " + v->oid + " = " + escaped(v->text) + " is not in rule " +
                  rule.name + "'s state map";
      return m;
    }
    state = entry->second;
    detail += " " + v->oid + " = " + escaped(v->text);
  }

  EntityId entity;
  switch (rule.entity) {
    case RuleEntity::ups:
      entity = EntityId::ups(dev);
      m.summary = rule.object;
      break;
    case RuleEntity::outlet:
    case RuleEntity::port: {
      const Varbind* v = find_varbind(trap.varbinds, rule.entity_varbind);
      const char* what = rule.entity == RuleEntity::port ? "ifIndex" : "outlet number";
      if (v == nullptr) {
        return make_error(Errc::invalid_input,
                          rule.object + " without its " + what + " varbind " + rule.entity_varbind);
      }
      const auto index = index_value(*v);
      if (!index) {
        return make_error(Errc::invalid_input, rule.object + ": the " + what + " " + v->oid +
                                                   " is " + std::string(to_string(v->type)) + " " +
                                                   escaped(v->text) +
                                                   ", not a non-negative integer");
      }
      if (rule.entity == RuleEntity::outlet) {
        entity = EntityId::outlet(dev, std::to_string(*index));
        m.summary = rule.object + " outlet " + std::to_string(*index);
        break;
      }
      const auto name = device.if_names.find(*index);
      if (name == device.if_names.end()) {
        m.refresh = true;
        m.poll = true;
        m.summary = rule.object + " ifIndex " + std::to_string(*index) +
                    " (no name known for it yet: walking the device)";
        return m;
      }
      entity = EntityId::port(dev, name->second);
      m.summary = rule.object + " " + name->second;
      break;
    }
  }
  m.states.push_back(StateReport{std::move(entity), state, std::nullopt, detail});
  return m;
}

std::string default_rules_dir() { return COLOSLA_RULES_DIR; }

std::vector<std::string> rule_paths_or_default(std::vector<std::string> given) {
  std::error_code ec;
  if (given.empty() && std::filesystem::is_directory(default_rules_dir(), ec)) {
    given.push_back(default_rules_dir());
  }
  return given;
}

TrapRuleLoader::TrapRuleLoader() : validator_(kModule, kTop) {}

Result<TrapRuleFile, std::vector<Diagnostic>> TrapRuleLoader::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!in || std::filesystem::is_directory(path, ec)) {
    auto why = validator_.validate_file(path);  // says why it cannot be read
    return Unexpected{why ? std::vector<Diagnostic>{{path, 0, "", "cannot be read", true}}
                          : std::move(why.error())};
  }
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return load(path, text);
}

Result<TrapRuleFile, std::vector<Diagnostic>> TrapRuleLoader::load(const std::string& name,
                                                                   const std::string& text) {
  auto doc = validator_.validate(name, text);
  if (!doc) {
    return Unexpected{std::move(doc.error())};
  }
  // libyang has checked every type, pattern, key and mandatory node: the canonical document
  // has the form the module says.
  const auto j = nlohmann::json::parse(*doc);
  const auto& top = j.at(std::string(kModule) + ":" + kTop);
  TrapRuleFile file;
  file.path = name;
  file.mib = top.at("mib").at("name").get<std::string>();
  file.revision = top.at("mib").at("revision").get<std::string>();
  std::vector<Diagnostic> diags;
  const std::string base = std::string("/") + kModule + ":" + kTop + "/rule[name='";
  for (const auto& r : top.value("rule", nlohmann::json::array())) {
    TrapRule rule;
    rule.name = r.at("name").get<std::string>();
    rule.object = r.at("object").get<std::string>();
    rule.description = r.value("description", "");
    rule.trap_oid = r.at("match").at("trap-oid").get<std::string>();
    for (const auto& c : r.at("match").value("varbind", nlohmann::json::array())) {
      rule.conditions.push_back(
          {c.at("oid").get<std::string>(), c.at("equals").get<std::string>()});
    }
    const auto& e = r.at("entity");
    if (e.contains("port")) {
      rule.entity = RuleEntity::port;
      rule.entity_varbind = e.at("port").at("if-index-varbind").get<std::string>();
    } else if (e.contains("outlet")) {
      rule.entity = RuleEntity::outlet;
      rule.entity_varbind = e.at("outlet").at("number-varbind").get<std::string>();
    }
    rule.poll = r.value("poll-to-confirm", false);
    const std::string at = base + rule.name + "']";
    rule.line = json_line_of(text, at);
    const auto fits = [&](const std::string& word,
                          const std::string& path) -> std::optional<State> {
      auto s = word == "unknown" ? Result<State>(State::unknown)
                                 : parse_state(kind_of(rule.entity), word);
      if (!s) {
        diags.push_back(Diagnostic{name, json_line_of(text, path), path,
                                   "\"" + word + "\" is not a state of a " +
                                       std::string(to_string(rule.entity)) + ": " + s.error().msg});
        return std::nullopt;
      }
      return *s;
    };
    if (r.contains("state")) {
      rule.state = fits(r.at("state").get<std::string>(), at + "/state");
    } else {
      const auto& sm = r.at("state-map");
      rule.map_varbind = sm.at("varbind").get<std::string>();
      for (const auto& v : sm.at("value")) {
        const std::string equals = v.at("equals").get<std::string>();
        if (auto s = fits(v.at("state").get<std::string>(),
                          at + "/state-map/value[equals='" + equals + "']/state")) {
          rule.map.emplace_back(equals, *s);
        }
      }
    }
    file.rules.push_back(std::move(rule));
  }
  const std::string poll_base = std::string("/") + kModule + ":" + kTop + "/poll[name='";
  for (const auto& p : top.value("poll", nlohmann::json::array())) {
    PollRule rule;
    rule.name = p.at("name").get<std::string>();
    rule.object = p.at("object").get<std::string>();
    rule.description = p.value("description", "");
    rule.sys_object_id = p.at("sys-object-id").get<std::string>();
    rule.oid = p.at("oid").get<std::string>();
    rule.entity = RuleEntity::ups;  // the module's only poll entity yet
    const auto map = p.value("state-map", nlohmann::json::object());
    for (const auto& v : map.value("value", nlohmann::json::array())) {
      const std::string equals = v.at("equals").get<std::string>();
      const std::string word = v.at("state").get<std::string>();
      auto s = word == "unknown" ? Result<State>(State::unknown)
                                 : parse_state(kind_of(rule.entity), word);
      if (!s) {
        const std::string path =
            poll_base + rule.name + "']/state-map/value[equals='" + equals + "']/state";
        diags.push_back(Diagnostic{name, json_line_of(text, path), path,
                                   "\"" + word + "\" is not a state of a " +
                                       std::string(to_string(rule.entity)) + ": " + s.error().msg});
        continue;
      }
      rule.map.emplace_back(equals, *s);
    }
    file.polls.push_back(std::move(rule));
  }
  if (!diags.empty()) {
    return Unexpected{std::move(diags)};
  }
  return file;
}

Result<TrapRules, std::vector<Diagnostic>> TrapRuleLoader::load_all(
    const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!std::filesystem::is_directory(p, ec)) {
      files.push_back(p);
      continue;
    }
    std::vector<std::string> in_dir;
    for (const auto& entry : std::filesystem::directory_iterator(p, ec)) {
      const auto ext = entry.path().extension();
      if (entry.is_regular_file(ec) && (ext == ".json" || ext == ".xml")) {
        in_dir.push_back(entry.path().string());
      }
    }
    if (ec) {
      return Unexpected{
          std::vector<Diagnostic>{{p, 0, "", "cannot be read: " + ec.message(), true}}};
    }
    std::sort(in_dir.begin(), in_dir.end());
    files.insert(files.end(), in_dir.begin(), in_dir.end());
  }
  TrapRules rules;
  std::vector<Diagnostic> diags;
  for (const auto& f : files) {
    auto loaded = load_file(f);
    if (!loaded) {
      diags.insert(diags.end(), loaded.error().begin(), loaded.error().end());
    } else {
      rules.add(std::move(*loaded));
    }
  }
  if (!diags.empty()) {
    return Unexpected{std::move(diags)};
  }
  return rules;
}

}  // namespace colosla::core
