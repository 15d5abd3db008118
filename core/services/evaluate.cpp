// colosla evaluate: every contract's figures for its current month and the SLA events they give,
// judged in batches, and after the first run only where something can have changed.
#include "colosla/services/evaluate.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "colosla/base/calendar.hpp"
#include "colosla/judge/published.hpp"
#include "colosla/model/mapping.hpp"
#include "colosla/model/records.hpp"
#include "colosla/services/check.hpp"
#include "colosla/services/events.hpp"
#include "colosla/sla/sla.hpp"

namespace colosla::core {

namespace {

// Whether an entity's state leaves its contract's figures as they are while time passes: a port
// up, power energized, a probe passing. Anything else (down, off, failing, unknown, never
// observed) counts seconds, or may.
bool settled(const EntityId& e, State s) {
  switch (e.kind) {
    case EntityKind::port:
      return s == State::up;
    case EntityKind::probe:
      return s == State::pass;
    default:
      return energized(s);
  }
}

// The state at `at`: the last change at or before it (history lists are in time order).
std::optional<State> state_at(const History& h, const EntityId& e, Timestamp at) {
  const auto it = h.find(e);
  if (it == h.end()) {
    return std::nullopt;
  }
  std::optional<State> s;
  for (const StateChange& c : it->second) {
    if (c.time > at) {
      break;
    }
    s = c.state;
  }
  return s;
}

}  // namespace

// What the evaluator keeps between runs: what it read, while the input marks say it is unchanged,
// and what it learnt.
struct Evaluator::Memory {
  InputMarks marks;
  std::shared_ptr<const Inventory> inventory;
  std::map<std::string, std::chrono::year_month> month_of;       // contract → its month
  std::map<std::string, std::vector<MappingRange>> mappings_of;  // contract → its port ranges
  std::map<std::string, std::vector<EntityId>> inputs;           // contract → what it reads
  std::unordered_map<EntityId, std::vector<std::string>, EntityIdHash> readers;  // not uplinks
  std::set<EntityId> uplinks;
  std::vector<Record> in_force;
  std::set<std::string> moving;  // contracts whose figures move with time alone
  std::set<std::string> stored;  // contracts whose figures are stored
};

Evaluator::Evaluator() = default;
Evaluator::~Evaluator() = default;

Result<Evaluation> Evaluator::run(Store& store, const EvaluateOptions& o, Timestamp now) {
  Evaluation out;
  std::vector<std::pair<std::string, std::string>> statuses;
  std::map<std::chrono::year_month, std::vector<const Contract*>> by_month;
  auto next = std::make_unique<Memory>();
  auto read = store.read([&]() -> Result<void> {
    auto marks = store.input_marks();
    if (!marks) {
      return marks.error();
    }
    next->marks = *marks;
    if (memory_ && memory_->marks.inventory == marks->inventory) {
      next->inventory = memory_->inventory;
    } else {
      auto loaded = store.load_inventory();
      if (!loaded) {
        return loaded.error();
      }
      if (!loaded->has_value()) {
        out.no_inventory = true;
        return {};
      }
      next->inventory = std::make_shared<const Inventory>(std::move(**loaded));
    }
    const Inventory& inv = *next->inventory;
    std::map<std::string, std::chrono::year_month> month_in;  // time zone → its month
    for (const auto& c : inv.contracts) {
      auto it = month_in.find(c.time_zone);
      if (it == month_in.end()) {
        auto zone = Zone::locate(c.time_zone);
        if (!zone) {
          return make_error(zone.error().code, zone.error().msg, c.id);
        }
        const auto day = zone->local_day(o.as_of);
        it = month_in.emplace(c.time_zone, day.year() / day.month()).first;
      }
      next->month_of[c.id] = it->second;
    }
    const bool full = !memory_ || memory_->marks.inventory != marks->inventory ||
                      memory_->marks.mapping != marks->mapping ||
                      memory_->marks.record != marks->record || memory_->month_of != next->month_of;
    out.full = full;
    if (full) {
      auto changes = store.mapping_changes();
      if (!changes) {
        return changes.error();
      }
      auto mappings = resolve_mappings(inv, *changes);
      if (!mappings) {
        return mappings.error();
      }
      for (auto& m : *mappings) {
        next->mappings_of[m.contract].push_back(std::move(m));
      }
      // Who reads what, for the next run's "whose inputs changed".
      for (const auto& u : inv.uplinks) {
        next->uplinks.insert(EntityId::port(u.device, u.interface));
      }
      for (const auto& c : inv.contracts) {
        auto& list = next->inputs[c.id];
        list = contract_inputs(inv, c, next->mappings_of[c.id]);
        for (const auto& e : list) {
          if (next->uplinks.count(e) == 0) {
            next->readers[e].push_back(c.id);
          }
        }
      }
      auto all_records = store.records();
      if (!all_records) {
        return all_records.error();
      }
      next->in_force = effective_records(*all_records);
    } else {
      next->mappings_of = std::move(memory_->mappings_of);
      next->inputs = std::move(memory_->inputs);
      next->readers = std::move(memory_->readers);
      next->uplinks = std::move(memory_->uplinks);
      next->in_force = std::move(memory_->in_force);
    }
    // Which contracts to judge.
    std::set<std::string> judge;
    if (full) {
      for (const auto& c : inv.contracts) {
        judge.insert(c.id);
      }
    } else {
      judge = memory_->moving;
      auto latest = store.latest_states(memory_->marks.observation);
      if (!latest) {
        return latest.error();
      }
      for (const auto& [e, change] : latest->changes) {
        if (next->uplinks.count(e) != 0) {
          for (const auto& c : inv.contracts) {
            judge.insert(c.id);
          }
          break;
        }
        const auto it = next->readers.find(e);
        if (it != next->readers.end()) {
          judge.insert(it->second.begin(), it->second.end());
        }
      }
    }
    // Judged in batches of one month, each with the history of its own entities only.
    for (const auto& c : inv.contracts) {
      if (judge.count(c.id) != 0) {
        by_month[next->month_of.at(c.id)].push_back(&c);
      }
    }
    out.judged = judge.size();
    return {};
  });
  if (!read) {
    memory_.reset();  // judged from scratch next time
    return read.error();
  }
  if (next->month_of.empty()) {
    memory_.reset();  // no inventory (or no contract): nothing to remember
    if (!out.no_inventory && !o.status_dir.empty()) {
      // No contract any more: none is published either.
      auto published = publish(o.status_dir, {}, true, *next->inventory, {}, now);
      if (!published) {
        out.publish_error = published.error();
      }
    }
    return out;
  }
  // Each batch read in a transaction of its own and its new events recorded at once, so that
  // neither a month's history nor its events are ever in memory whole. (An observation stored
  // meanwhile is seen by the batches after it; the next run looks at it again all the same: the
  // marks were read first.)
  const Inventory& inv = *next->inventory;
  for (const auto& [month, contracts] : by_month) {
    for (std::size_t first = 0; first < contracts.size(); first += o.batch) {
      const std::size_t last = std::min(contracts.size(), first + o.batch);
      std::vector<SlaEvent> events;
      auto judged = store.read([&, &month = month, &contracts = contracts]() -> Result<void> {
        Inventory part{inv.devices, inv.uplinks, inv.calendar, {}};
        std::vector<MappingRange> part_mappings;
        std::set<EntityId> entities;
        std::set<std::string> ids;
        Timestamp from = o.as_of;
        for (std::size_t i = first; i < last; ++i) {
          const Contract& c = *contracts[i];
          part.contracts.push_back(c);
          ids.insert(c.id);
          const auto& m = next->mappings_of[c.id];
          part_mappings.insert(part_mappings.end(), m.begin(), m.end());
          const auto& list = next->inputs.at(c.id);
          entities.insert(list.begin(), list.end());
          // What began before the month matters as far as the customer-report window and an
          // emergency's deadline reach back (as for check_colosla: check.cpp).
          auto zone = Zone::locate(c.time_zone);
          if (!zone) {
            return make_error(zone.error().code, zone.error().msg, c.id);
          }
          const Window period = month_window(month, *zone);
          from = std::min(from, period.begin - std::chrono::days{c.sla.report_window_days + 1});
        }
        auto history = store.history_of({entities.begin(), entities.end()}, from, o.as_of);
        if (!history) {
          return history.error();
        }
        std::vector<Record> records;
        for (const auto& r : next->in_force) {
          if (r.contract.empty() || ids.count(r.contract) != 0) {
            records.push_back(r);
          }
        }
        auto r = for_each_contract_report(
            SlaInput{part, part_mappings, *history, records}, month, o.as_of, std::nullopt,
            [&](const ContractReport& cr) {
              const Contract& c = *part.find_contract(cr.id);
              ContractStatus status = status_of(c, cr, o.as_of);
              status.down_now = down_now(part, c, cr, next->mappings_of[c.id], *history, o.as_of);
              statuses.emplace_back(cr.id, to_json(status));
              for (auto& e : derive_events(c, cr, o.as_of, o.budget_warning_percent)) {
                events.push_back(std::move(e));
              }
              bool moving = o.as_of < c.start || cr.network.pending_seconds > 0 ||
                            cr.power.pending_seconds > 0 || !cr.installation.completed;
              for (const auto& e : cr.emergencies) {
                moving = moving || e.status == EmergencyStatus::open;
              }
              // A process clock may be missed, a visitor may overstay, with time alone.
              for (const auto& k : cr.process.clocks) {
                moving = moving || k.status == ClockStatus::open;
              }
              for (const auto& v : cr.process.visits) {
                moving = moving || (v.entered && !v.left && v.expected_out.has_value());
              }
              for (const auto& e : next->inputs.at(c.id)) {
                const auto s = state_at(*history, e, o.as_of);
                moving = moving || !s || !settled(e, *s);
              }
              if (moving) {
                next->moving.insert(c.id);
              }
              out.figures.emplace(cr.id, std::move(status));
            });
        if (!r) {
          return r.error();
        }
        // Contracts judged but not in force this month (not begun): judged again next time.
        for (std::size_t i = first; i < last; ++i) {
          if (out.figures.count(contracts[i]->id) == 0 && o.as_of < contracts[i]->start) {
            next->moving.insert(contracts[i]->id);
          }
        }
        return {};
      });
      if (!judged) {
        memory_.reset();
        return judged.error();
      }
      auto fresh = record_sla_events(store, std::move(events), now);
      if (!fresh) {
        memory_.reset();
        return fresh.error();
      }
      out.fresh += fresh->size();
      if (o.on_fresh) {
        for (const auto& e : *fresh) {
          o.on_fresh(e);
        }
      }
    }
  }
  if (!out.full) {
    next->stored = std::move(memory_->stored);
  }
  for (const auto& [id, _] : out.figures) {
    next->stored.insert(id);
  }
  auto saved = out.full ? store.save_contract_statuses(statuses, now)
                        : store.update_contract_statuses(statuses, now);
  if (!saved) {
    memory_.reset();
    return saved.error();
  }
  out.stored = next->stored.size();
  memory_ = std::move(next);
  if (!o.status_dir.empty()) {
    auto published =
        publish(o.status_dir, statuses, out.full, *memory_->inventory, memory_->stored, now);
    if (published) {
      out.published = *published;
    } else {
      // Published whole by the next run, a full one.
      out.publish_error = published.error();
      memory_.reset();
    }
  }
  return out;
}

// The figures for the monitoring users (judge/published.hpp): those judged by this run, and the
// mark that vouches for the others; a full run also lists the contracts and removes the figures
// of those no longer stored.
Result<std::size_t> Evaluator::publish(
    const std::string& dir, const std::vector<std::pair<std::string, std::string>>& statuses,
    bool full, const Inventory& inventory, const std::set<std::string>& stored, Timestamp now) {
  COLOSLA_TRY(ensure_status_dir(dir));
  const std::int64_t at = now.time_since_epoch().count();
  for (const auto& [id, json] : statuses) {
    COLOSLA_TRY(publish_status(dir, id, json, at));
  }
  if (full) {
    std::vector<std::pair<std::string, std::string>> contracts;
    for (const auto& id : stored) {
      const Contract* c = inventory.find_contract(id);
      contracts.emplace_back(id, c != nullptr ? c->customer : std::string());
    }
    COLOSLA_TRY(publish_contracts(dir, contracts));
    COLOSLA_TRY(remove_stale(dir, stored, at));
  }
  COLOSLA_TRY(publish_evaluation(dir, at));
  return statuses.size();
}

}  // namespace colosla::core
