// Reading rule files (yang/colosla-trap-rules.yang): libyang checks the form, this file what
// YANG does not say (a state word that fits the entity, a poll's entity that fits its read).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "colosla/rules/trap_rules.hpp"

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
    case RuleEntity::inlet:
    case RuleEntity::phase:
      return EntityKind::inlet;
    case RuleEntity::ups:
      break;
  }
  return EntityKind::ups;
}

unsigned position_of(const nlohmann::json& j) { return j.value("suffix-position", 1U); }

// A trap rule's `entity`: its kind, and the leaf of its `by` choice.
EntityRef trap_entity(const nlohmann::json& e) {
  EntityRef r;
  const auto by = [&](const nlohmann::json& c, const char* leaf, IndexFrom from) {
    if (c.contains(leaf)) {
      r.from = from;
      r.oid = c.at(leaf).get<std::string>();
    }
  };
  if (e.contains("port")) {
    const auto& c = e.at("port");
    r.kind = RuleEntity::port;
    by(c, "if-index-varbind", IndexFrom::value);
    by(c, "if-index-suffix", IndexFrom::suffix);
    by(c, "name-varbind", IndexFrom::name);
    r.position = position_of(c);
  } else if (e.contains("outlet")) {
    const auto& c = e.at("outlet");
    r.kind = RuleEntity::outlet;
    by(c, "number-varbind", IndexFrom::value);
    by(c, "number-suffix", IndexFrom::suffix);
    by(c, "name-varbind", IndexFrom::name);
    r.position = position_of(c);
  } else if (e.contains("phase")) {
    const auto& c = e.at("phase");
    r.kind = RuleEntity::phase;
    by(c, "number-varbind", IndexFrom::value);
    by(c, "number-suffix", IndexFrom::suffix);
    if (c.contains("number")) {
      r.from = IndexFrom::constant;
      r.number = c.at("number").get<unsigned>();
    }
    r.position = position_of(c);
  } else if (e.contains("inlet")) {
    r.kind = RuleEntity::inlet;
  }
  return r;
}

// A poll rule's `entity`; its number or name comes from the row (column) or the rule (scalar).
EntityRef poll_entity(const nlohmann::json& e) {
  EntityRef r;
  for (const auto kind :
       {RuleEntity::inlet, RuleEntity::outlet, RuleEntity::phase, RuleEntity::port}) {
    const std::string key(to_string(kind));
    if (!e.contains(key)) {
      continue;
    }
    const auto& c = e.at(key);
    r.kind = kind;
    if (kind == RuleEntity::inlet) {
      break;
    }
    r.from = IndexFrom::suffix;
    r.position = position_of(c);
    if (c.contains("name-column")) {
      r.from = IndexFrom::name;
      r.oid = c.at("name-column").get<std::string>();
    }
    if (c.contains("number")) {
      r.from = IndexFrom::constant;
      r.number = c.at("number").get<unsigned>();
    }
  }
  return r;
}

// Whether a poll rule's entity fits how it reads: a scalar is the device's UPS or inlet or a
// phase it names; a column's rows are outlets, phases or ports.
std::optional<std::string> poll_misfit(const PollRule& p) {
  const bool one = p.entity.kind == RuleEntity::ups || p.entity.kind == RuleEntity::inlet ||
                   p.entity.from == IndexFrom::constant;
  if (!p.column && !one) {
    return "a scalar (oid) is one entity: a ups, an inlet or a phase with its number; " +
           std::string(to_string(p.entity.kind)) + "s by row are read from a column";
  }
  if (p.column && one) {
    return "a column's rows are outlets, phases or ports numbered by the row's index: " +
           describe(p.entity) + " is read from a scalar (oid)";
  }
  return std::nullopt;
}

}  // namespace

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
  // libyang has checked every type, pattern, key, choice and mandatory node: the canonical
  // document has the form the module says.
  const auto j = nlohmann::json::parse(*doc);
  const auto& top = j.at(std::string(kModule) + ":" + kTop);
  TrapRuleFile file;
  file.path = name;
  file.mib = top.at("mib").at("name").get<std::string>();
  file.revision = top.at("mib").at("revision").get<std::string>();
  std::vector<Diagnostic> diags;
  const auto problem = [&](const std::string& path, const std::string& message) {
    diags.push_back(Diagnostic{name, json_line_of(text, path), path, message});
  };
  // A state word of the entity, or a diagnostic at `path`.
  const auto fits = [&](RuleEntity entity, const std::string& word,
                        const std::string& path) -> std::optional<State> {
    auto s = word == "unknown" ? Result<State>(State::unknown) : parse_state(kind_of(entity), word);
    if (!s) {
      problem(path, "\"" + word + "\" is not a state of a" +
                        (entity == RuleEntity::inlet || entity == RuleEntity::outlet ? "n " : " ") +
                        std::string(to_string(entity)) + ": " + s.error().msg);
      return std::nullopt;
    }
    return *s;
  };
  const auto state_map = [&](RuleEntity entity, const nlohmann::json& sm, const std::string& at) {
    StateMap map;
    for (const auto& v : sm.value("value", nlohmann::json::array())) {
      const std::string equals = v.at("equals").get<std::string>();
      if (auto s = fits(entity, v.at("state").get<std::string>(),
                        at + "/value[equals='" + equals + "']/state")) {
        map.values.emplace_back(equals, *s);
      }
    }
    if (sm.contains("otherwise")) {
      map.otherwise = fits(entity, sm.at("otherwise").get<std::string>(), at + "/otherwise");
    }
    return map;
  };

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
    rule.entity = trap_entity(r.at("entity"));
    rule.poll = r.value("poll-to-confirm", false);
    const std::string at = base + rule.name + "']";
    rule.line = json_line_of(text, at);
    if (r.contains("state")) {
      rule.state = fits(rule.entity.kind, r.at("state").get<std::string>(), at + "/state");
    } else {
      const auto& sm = r.at("state-map");
      rule.map_varbind = sm.at("varbind").get<std::string>();
      rule.map = state_map(rule.entity.kind, sm, at + "/state-map");
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
    rule.column = p.contains("column");
    rule.oid = p.at(rule.column ? "column" : "oid").get<std::string>();
    rule.entity = poll_entity(p.at("entity"));
    const std::string at = poll_base + rule.name + "']";
    rule.line = json_line_of(text, at);
    if (const auto misfit = poll_misfit(rule)) {
      problem(at + "/entity", *misfit);
    }
    rule.map = state_map(rule.entity.kind, p.value("state-map", nlohmann::json::object()),
                         at + "/state-map");
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
