#include "colosla/model/model.hpp"

#include "names.hpp"

namespace colosla::core {

namespace {

using detail::Word;

constexpr std::array<Word<State>, 14> kStates{{
    {State::unknown, "unknown"},
    {State::up, "up"},
    {State::down, "down"},
    {State::on, "on"},
    {State::off, "off"},
    {State::normal, "normal"},
    {State::bypass, "bypass"},
    {State::battery, "battery"},
    {State::booster, "booster"},
    {State::reducer, "reducer"},
    {State::none, "none"},
    {State::other, "other"},
    {State::pass, "pass"},
    {State::fail, "fail"},
}};
constexpr std::array<Word<State>, 3> kPortStates{
    {{State::up, "up"}, {State::down, "down"}, {State::unknown, "unknown"}}};
constexpr std::array<Word<State>, 3> kSwitchedStates{
    {{State::on, "on"}, {State::off, "off"}, {State::unknown, "unknown"}}};
constexpr std::array<Word<State>, 8> kUpsStates{{
    {State::normal, "normal"},
    {State::bypass, "bypass"},
    {State::battery, "battery"},
    {State::booster, "booster"},
    {State::reducer, "reducer"},
    {State::none, "none"},
    {State::other, "other"},
    {State::unknown, "unknown"},
}};
constexpr std::array<Word<State>, 2> kProbeResults{{{State::pass, "pass"}, {State::fail, "fail"}}};

constexpr std::array<Word<EntityKind>, 5> kKinds{{
    {EntityKind::port, "port"},
    {EntityKind::outlet, "outlet"},
    {EntityKind::inlet, "inlet"},
    {EntityKind::ups, "ups"},
    {EntityKind::probe, "probe"},
}};

constexpr std::array<Word<Source>, 5> kSources{{
    {Source::import, "import"},
    {Source::trap, "trap"},
    {Source::poll, "poll"},
    {Source::netconf, "netconf"},
    {Source::probe, "probe"},
}};

}  // namespace

std::string_view to_string(State s) { return detail::word_of(kStates, s); }
std::string_view to_string(EntityKind k) { return detail::word_of(kKinds, k); }
std::string_view to_string(Source s) { return detail::word_of(kSources, s); }

Result<State> parse_state(EntityKind k, std::string_view word) {
  switch (k) {
    case EntityKind::port:
      return detail::parse_word(kPortStates, word, "port state");
    case EntityKind::outlet:
      return detail::parse_word(kSwitchedStates, word, "outlet state");
    case EntityKind::inlet:
      return detail::parse_word(kSwitchedStates, word, "PDU inlet state");
    case EntityKind::ups:
      return detail::parse_word(kUpsStates, word, "UPS output source");
    case EntityKind::probe:
      return detail::parse_word(kProbeResults, word, "probe result");
  }
  return make_error(Errc::internal, "unhandled entity kind");
}

Result<EntityKind> parse_entity_kind(std::string_view word) {
  return detail::parse_word(kKinds, word, "entity kind");
}

Result<State> parse_state_word(std::string_view word) {
  return detail::parse_word(kStates, word, "state");
}

Result<Source> parse_source(std::string_view word) {
  return detail::parse_word(kSources, word, "observation source");
}

bool energized(State s) {
  switch (s) {
    case State::on:
    case State::normal:
    case State::bypass:
    case State::battery:
    case State::booster:
    case State::reducer:
    case State::other:
      return true;
    default:
      return false;
  }
}

std::string describe(const EntityId& e) {
  std::string s(to_string(e.kind));
  s += ' ';
  s += e.device;
  if (!e.item.empty()) {
    s += ' ';
    s += e.item;
  }
  return s;
}

}  // namespace colosla::core
