// Trap and poll rules in force: which rule reads a trap, which poll rules read a device, and
// what they mean. Reading the files is rule_loader.cpp.
#include <algorithm>
#include <filesystem>

#include "colosla/base/oid.hpp"
#include "colosla/base/text.hpp"
#include "colosla/rules/trap_rules.hpp"

namespace colosla::core {

namespace {

// A varbind's value as a non-negative integer (an ifIndex, an outlet or a phase number).
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

// The `position`th sub-identifier of `oid` after `prefix` (1 the first), when there is one.
std::optional<std::int64_t> suffix_of(std::string_view oid, std::string_view prefix,
                                      unsigned position) {
  if (oid.size() <= prefix.size() + 1 || !oid.starts_with(prefix) || oid[prefix.size()] != '.') {
    return std::nullopt;
  }
  std::string_view rest = oid.substr(prefix.size() + 1);
  for (unsigned i = 1;; ++i) {
    const auto dot = rest.find('.');
    const std::string_view part = rest.substr(0, dot);
    if (i == position) {
      if (part.empty() || part.size() > 10 ||
          !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
      }
      return std::stoll(std::string(part));
    }
    if (dot == std::string_view::npos) {
      return std::nullopt;
    }
    rest = rest.substr(dot + 1);
  }
}

// A name from the network that may name an entity: printable, not empty, at most 64 bytes
// (an inventory name's limit).
bool usable_name(std::string_view s) {
  return !s.empty() && s.size() <= 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::string phase_summary(const Device& d, std::int64_t phase) {
  return d.outlet_phases.empty() ? " phase " + std::to_string(phase) +
                                       " (the inventory puts no outlet on a phase: the whole inlet)"
                                 : " phase " + std::to_string(phase);
}

// A phase of this PDU: one item of its inlet when the inventory says which outlets each phase
// feeds, else the whole inlet (as the APC plugin reads an input-voltage trap).
EntityId phase_entity(const Device& d, std::int64_t phase) {
  return d.outlet_phases.empty() ? EntityId::inlet(d.name)
                                 : EntityId::phase(d.name, static_cast<unsigned>(phase));
}

bool is_row_missing(const Varbind& v) {
  return v.type == VarType::no_such_object || v.type == VarType::no_such_instance ||
         v.type == VarType::end_of_mib_view;
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
    case RuleEntity::inlet:
      return "inlet";
    case RuleEntity::phase:
      return "phase";
  }
  return "?";
}

std::string describe(const EntityRef& e) {
  std::string s(to_string(e.kind));
  const std::string what = e.kind == RuleEntity::port ? "ifIndex" : "number";
  const std::string pos =
      e.position == 1 ? "" : " (sub-identifier " + std::to_string(e.position) + ")";
  switch (e.from) {
    case IndexFrom::none:
      break;
    case IndexFrom::value:
      s += " by the " + what + " in " + e.oid;
      break;
    case IndexFrom::suffix:
      s += e.oid.empty() ? " by the row's index" + pos
                         : " by the " + what + " suffix of " + e.oid + pos;
      break;
    case IndexFrom::name:
      s += " by the name in " + e.oid;
      break;
    case IndexFrom::constant:
      s += " " + std::to_string(e.number);
      break;
  }
  return s;
}

std::optional<State> StateMap::find(std::string_view text) const {
  const auto it =
      std::find_if(values.begin(), values.end(), [&](const auto& e) { return e.first == text; });
  return it != values.end() ? std::optional<State>(it->second) : otherwise;
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
  // The first rule whose match holds and whose entity and state varbinds the trap carries (a
  // vendor sends one trap in two forms: APC's outlet number in the MIB's index column or in
  // mtrapargsInteger.0); else the first whose match holds, which finds the trap malformed.
  const TrapRule* first = nullptr;
  for (const auto& [f, r] : it->second) {
    const TrapRule& rule = files_[f].rules[r];
    const bool holds =
        std::all_of(rule.conditions.begin(), rule.conditions.end(), [&](const auto& c) {
          const Varbind* v = find_varbind(trap.varbinds, c.oid);
          return v != nullptr && v->text == c.equals;
        });
    if (!holds) {
      continue;
    }
    const IndexFrom from = rule.entity.from;
    const bool indexed =
        from == IndexFrom::value || from == IndexFrom::suffix || from == IndexFrom::name;
    const bool named = !indexed || find_varbind(trap.varbinds, rule.entity.oid) != nullptr;
    const bool stated = rule.state || find_varbind(trap.varbinds, rule.map_varbind) != nullptr;
    if (named && stated) {
      return &rule;
    }
    if (first == nullptr) {
      first = &rule;
    }
  }
  return first;
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
      const bool taken = std::any_of(out.begin(), out.end(), [&](const PollRule* o) {
        return o->entity.kind == p.entity.kind;
      });
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

PollRequest request_of(const std::vector<const PollRule*>& rules) {
  PollRequest request;
  for (const PollRule* p : rules) {
    auto& list = p->column ? request.walk : request.get;
    list.push_back(p->oid);
    if (p->column && p->entity.from == IndexFrom::name) {
      request.walk.push_back(p->entity.oid);
    }
  }
  return request;
}

namespace {

// One scalar's entity: a UPS, an inlet, or a phase the rule gives.
EntityId scalar_entity(const PollRule& rule, const Device& d) {
  switch (rule.entity.kind) {
    case RuleEntity::inlet:
      return EntityId::inlet(d.name);
    case RuleEntity::phase:
      return phase_entity(d, rule.entity.number);
    default:
      return EntityId::ups(d.name);
  }
}

// One row's entity: by a sub-identifier of its index, or by the name in another column.
Result<EntityId> row_entity(const PollRule& rule, std::string_view index, const PollAnswer& answer,
                            const DeviceView& view) {
  const Device& d = view.device;
  if (rule.entity.from == IndexFrom::name) {
    const std::string name_oid = rule.entity.oid + "." + std::string(index);
    const auto v = std::find_if(answer.varbinds.begin(), answer.varbinds.end(),
                                [&](const Varbind& b) { return b.oid == name_oid; });
    if (v == answer.varbinds.end() || !usable_name(v->text)) {
      return make_error(Errc::invalid_input,
                        rule.object + "." + std::string(index) + ": no usable name in " + name_oid +
                            (v == answer.varbinds.end() ? "" : " (" + escaped(v->text) + ")"));
    }
    return EntityId::outlet(d.name, v->text);
  }
  const auto n = suffix_of(rule.oid + "." + std::string(index), rule.oid, rule.entity.position);
  if (!n) {
    return make_error(Errc::invalid_input, rule.object + "." + std::string(index) +
                                               ": the index has no sub-identifier " +
                                               std::to_string(rule.entity.position));
  }
  switch (rule.entity.kind) {
    case RuleEntity::phase:
      if (*n < 1 || *n > 3) {
        return make_error(Errc::invalid_input, rule.object + "." + std::string(index) + ": phase " +
                                                   std::to_string(*n) + " is not 1, 2 or 3");
      }
      return phase_entity(d, *n);
    case RuleEntity::port: {
      const auto name = view.if_names.find(*n);
      if (name == view.if_names.end()) {
        return make_error(Errc::not_found, "ifIndex " + std::to_string(*n) + " has no name");
      }
      return EntityId::port(d.name, name->second);
    }
    default:
      return EntityId::outlet(d.name, std::to_string(*n));
  }
}

std::string not_in_map(const PollRule& rule, const Varbind& v) {
  return rule.object + " = " + escaped(v.text) + (v.oid != rule.oid ? " (" + v.oid + ")" : "") +
         " is not in poll rule " + rule.name + "'s state map";
}

// The rows of one phase column that all became the whole inlet (a PDU whose inventory puts no
// outlet on a phase): one inlet state, off when a phase is off (as a phase trap of such a PDU
// is), else on when a phase is on, else unknown; its detail names every row.
void merge_phases(PollMeaning& m, std::size_t first) {
  if (m.states.size() - first < 2 ||
      !std::all_of(m.states.begin() + static_cast<std::ptrdiff_t>(first), m.states.end(),
                   [&](const StateReport& r) {
                     return r.entity == m.states[first].entity &&
                            r.entity.kind == EntityKind::inlet && r.entity.item.empty();
                   })) {
    return;
  }
  const auto any = [&](State s) {
    return std::any_of(m.states.begin() + static_cast<std::ptrdiff_t>(first), m.states.end(),
                       [&](const StateReport& r) { return r.state == s; });
  };
  StateReport inlet = m.states[first];
  inlet.state = any(State::off) ? State::off : any(State::on) ? State::on : State::unknown;
  for (std::size_t i = first + 1; i < m.states.size(); ++i) {
    inlet.detail += "; " + m.states[i].detail;
  }
  m.states.resize(first);
  m.states.push_back(std::move(inlet));
}

}  // namespace

Result<PollMeaning> read_polls(const std::vector<const PollRule*>& rules, const PollAnswer& answer,
                               const DeviceView& device) {
  PollMeaning m;
  // A rule whose object the agent does not have (a scalar it lacks, a column without rows) is
  // not this kind of device: a rack PDU under the vendor's UPS rule, a metered PDU under the
  // switched outlets' column. The poll fails only when no rule read anything.
  std::optional<Error> absent;
  for (const PollRule* rule : rules) {
    if (!rule->column) {
      const auto v = std::find_if(answer.varbinds.begin(), answer.varbinds.end(),
                                  [&](const Varbind& b) { return b.oid == rule->oid; });
      if (v == answer.varbinds.end() || is_row_missing(*v)) {
        if (!absent) {
          absent = make_error(Errc::invalid_input,
                              "the agent has no " + rule->object + " (" + rule->oid + ")");
        }
        continue;
      }
      const auto state = rule->map.find(v->text);
      if (!state) {
        return make_error(Errc::invalid_input, not_in_map(*rule, *v));
      }
      m.states.push_back(
          StateReport{scalar_entity(*rule, device.device), *state, std::nullopt,
                      rule->object + " = " + escaped(v->text) + " (poll rule " + rule->name + ")"});
      continue;
    }
    std::size_t rows = 0;
    const std::size_t first_row = m.states.size();
    for (const Varbind& v : answer.varbinds) {
      if (v.oid.size() <= rule->oid.size() + 1 || !v.oid.starts_with(rule->oid) ||
          v.oid[rule->oid.size()] != '.' || is_row_missing(v)) {
        continue;
      }
      ++rows;
      const std::string_view index = std::string_view(v.oid).substr(rule->oid.size() + 1);
      auto entity = row_entity(*rule, index, answer, device);
      if (!entity) {
        if (entity.error().code == Errc::not_found) {
          continue;  // a port the device's walk has not named: not one the inventory maps
        }
        return entity.error();
      }
      const auto state = rule->map.find(v.text);
      if (!state) {
        return make_error(Errc::invalid_input, not_in_map(*rule, v));
      }
      m.states.push_back(StateReport{std::move(*entity), *state, std::nullopt,
                                     rule->object + "." + std::string(index) + " = " +
                                         escaped(v.text) + " (poll rule " + rule->name + ")"});
    }
    merge_phases(m, first_row);
    if (rows == 0 && !absent) {
      absent = make_error(Errc::invalid_input,
                          "the agent has no rows of " + rule->object + " (" + rule->oid + ")");
    }
  }
  if (m.states.empty() && absent) {
    return *absent;
  }
  return m;
}

namespace {

// The number a trap gives for the rule's port, outlet or phase: a varbind's value, or its OID's
// suffix.
Result<std::int64_t> number_in(const TrapRule& rule, const Trap& trap, const char* what) {
  const EntityRef& e = rule.entity;
  const Varbind* v = find_varbind(trap.varbinds, e.oid);
  if (v == nullptr) {
    return make_error(Errc::invalid_input,
                      rule.object + " without its " + what + " varbind " + e.oid);
  }
  if (e.from == IndexFrom::suffix) {
    const auto n = suffix_of(v->oid, e.oid, e.position);
    if (!n) {
      return make_error(Errc::invalid_input, rule.object + ": the varbind " + v->oid + " has no " +
                                                 what + " after " + e.oid);
    }
    return *n;
  }
  const auto n = index_value(*v);
  if (!n) {
    return make_error(Errc::invalid_input, rule.object + ": the " + what + " " + v->oid + " is " +
                                               std::string(to_string(v->type)) + " " +
                                               escaped(v->text) + ", not a non-negative integer");
  }
  return *n;
}

// The name a trap gives in the rule's name varbind.
Result<std::string> name_in(const TrapRule& rule, const Trap& trap, const char* what) {
  const Varbind* v = find_varbind(trap.varbinds, rule.entity.oid);
  if (v == nullptr) {
    return make_error(Errc::invalid_input,
                      rule.object + " without its " + what + " varbind " + rule.entity.oid);
  }
  if (v->type != VarType::octet_string || !usable_name(v->text)) {
    return make_error(Errc::invalid_input, rule.object + ": the " + what + " " + v->oid + " is " +
                                               std::string(to_string(v->type)) + " " +
                                               escaped(v->text) + ", not a name");
  }
  return v->text;
}

bool names_a_port(const std::map<std::int64_t, std::string>& names, const std::string& name) {
  return std::any_of(names.begin(), names.end(), [&](const auto& e) { return e.second == name; });
}

}  // namespace

Result<TrapMeaning> apply(const TrapRule& rule, const Trap& trap, const DeviceView& device) {
  TrapMeaning m;
  m.poll = rule.poll;
  const Device& d = device.device;
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
    const auto found = rule.map.find(v->text);
    if (!found) {
      m.summary = rule.object + ": " + v->oid + " = " + escaped(v->text) + " is not in rule " +
                  rule.name + "'s state map";
      return m;
    }
    state = *found;
    detail += " " + v->oid + " = " + escaped(v->text);
  }

  EntityId entity;
  switch (rule.entity.kind) {
    case RuleEntity::ups:
      entity = EntityId::ups(d.name);
      m.summary = rule.object;
      break;
    case RuleEntity::inlet:
      entity = EntityId::inlet(d.name);
      m.summary = rule.object + " inlet";
      break;
    case RuleEntity::phase: {
      std::int64_t phase = rule.entity.number;
      if (rule.entity.from != IndexFrom::constant) {
        auto n_r = number_in(rule, trap, "phase");
        if (!n_r) {
          return n_r.error();
        }
        const auto& n = *n_r;
        phase = n;
      }
      if (phase < 1 || phase > 3) {
        return make_error(Errc::invalid_input,
                          rule.object + ": phase " + std::to_string(phase) + " is not 1, 2 or 3");
      }
      entity = phase_entity(d, phase);
      m.summary = rule.object + phase_summary(d, phase);
      break;
    }
    case RuleEntity::outlet: {
      if (rule.entity.from == IndexFrom::name) {
        auto name_r = name_in(rule, trap, "outlet name");
        if (!name_r) {
          return name_r.error();
        }
        const auto& name = *name_r;
        entity = EntityId::outlet(d.name, name);
        m.summary = rule.object + " outlet " + name;
        break;
      }
      auto n_r = number_in(rule, trap, "outlet number");
      if (!n_r) {
        return n_r.error();
      }
      const auto& n = *n_r;
      entity = EntityId::outlet(d.name, std::to_string(n));
      m.summary = rule.object + " outlet " + std::to_string(n);
      break;
    }
    case RuleEntity::port: {
      if (rule.entity.from == IndexFrom::name) {
        auto name_r = name_in(rule, trap, "port name");
        if (!name_r) {
          return name_r.error();
        }
        const auto& name = *name_r;
        if (!names_a_port(device.if_names, name)) {
          m.refresh = true;
          m.poll = true;
          m.summary = rule.object + " " + name +
                      " (not a name the device's walk gave: walking the device again)";
          return m;
        }
        entity = EntityId::port(d.name, name);
        m.summary = rule.object + " " + name;
        break;
      }
      auto index_r = number_in(rule, trap, "ifIndex");
      if (!index_r) {
        return index_r.error();
      }
      const auto& index = *index_r;
      const auto name = device.if_names.find(index);
      if (name == device.if_names.end()) {
        m.refresh = true;
        m.poll = true;
        m.summary = rule.object + " ifIndex " + std::to_string(index) +
                    " (no name known for it yet: walking the device)";
        return m;
      }
      entity = EntityId::port(d.name, name->second);
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

}  // namespace colosla::core
