// The delivery loop: each sink's events after its durable cursor, the cursor moved only past
// what the sink delivered or refused for good.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "colosla/base/log.hpp"
#include "colosla/base/text.hpp"
#include "colosla/sinks/sink.hpp"

namespace colosla::core {

namespace {

constexpr const char* kComponent = "sinks";

// The cursor a sink starts from. A sink with no cursor of its name yet takes over the furthest
// cursor colosla kept for it under an older name (its options hashed into it): upgrading
// colosla, or a first round under the new names, re-sends nothing. The old rows stay, unused.
Result<std::int64_t> cursor_of(Store& store, const EventSink& sink) {
  auto cursor = store.sink_cursor(sink.name());
  if (!cursor || *cursor != 0) {
    return cursor;
  }
  std::int64_t legacy = 0;
  std::string from;
  for (const auto& old : sink.legacy_cursors()) {
    auto c = store.sink_cursor(old);
    if (!c) {
      return c.error();
    }
    if (*c > legacy) {
      legacy = *c;
      from = old;
    }
  }
  if (legacy != 0) {
    if (auto r = store.set_sink_cursor(sink.name(), legacy); !r) {
      return r.error();
    }
    log(LogLevel::info, kComponent,
        "sink " + sink.name() + " continues after event " + std::to_string(legacy) +
            ", where the cursor " + from + " of an earlier colosla was");
  }
  return legacy;
}

}  // namespace

std::string EventSink::waiting(std::size_t events) const {
  return "; " + std::to_string(events) + (events == 1 ? " event waits" : " events wait") +
         " for the next round";
}

Result<std::vector<SinkRound>> deliver_pending(Store& store,
                                               const std::vector<std::unique_ptr<EventSink>>& sinks,
                                               const DeliveryContext& context,
                                               std::optional<std::int64_t> first_new_id) {
  std::vector<SinkRound> rounds;
  // What the other ends refused quotes them: escaped by log(), and at most 5 lines a sink and
  // round (the rest counted in one line).
  LogLimiter refusals(kComponent, 5);
  for (const auto& sink : sinks) {
    SinkRound round;
    round.sink = sink->name();
    auto cursor = cursor_of(store, *sink);
    if (!cursor) {
      return cursor.error();
    }
    auto pending = store.undelivered(sink->name());
    if (!pending) {
      return pending.error();
    }
    if (*cursor == 0 && !sink->replays_history()) {
      // A new sink of this kind begins with what this round recorded, and its cursor is set
      // there first, so that a failure of this round leaves those events for the next one. (A
      // store with no event before this round has no cursor to set: if the very first write of
      // all fails, the next round takes the events recorded from then on.)
      const std::int64_t first = first_new_id.value_or(INT64_MAX);
      pending->erase(std::remove_if(pending->begin(), pending->end(),
                                    [&](const auto& e) { return e.first < first; }),
                     pending->end());
      if (first_new_id && *first_new_id > 1) {
        if (auto r = store.set_sink_cursor(sink->name(), *first_new_id - 1); !r) {
          return r.error();
        }
      }
    }
    for (std::size_t at = 0; at < pending->size();) {
      const std::size_t end = std::min(pending->size(), at + kDeliveryBatch);
      const EventBatch batch(pending->begin() + static_cast<std::ptrdiff_t>(at),
                             pending->begin() + static_cast<std::ptrdiff_t>(end));
      Delivery d = sink->deliver(batch, context);
      round.total.sent += d.sent;
      round.total.accepted += d.accepted;
      round.total.refused += d.refused;
      if (d.sent > 0) {
        const std::string counter = "sink." + sink->kind();
        if (auto r =
                store.add_counters({{counter + ".sent", static_cast<std::int64_t>(d.sent)},
                                    {counter + ".refused", static_cast<std::int64_t>(d.refused)}},
                                   context.now);
            !r) {
          return r.error();
        }
      }
      for (const auto& why : d.refusals) {
        refusals.log(LogLevel::warning, "refusals of " + sink->name(),
                     "sink " + sink->name() + ": refused: " + escaped(why));
      }
      std::size_t done = 0;
      if (d.last_id >= batch.front().first) {
        if (auto r = store.set_sink_cursor(sink->name(), d.last_id); !r) {
          return r.error();
        }
        round.total.last_id = d.last_id;
        done = static_cast<std::size_t>(std::count_if(
            batch.begin(), batch.end(), [&](const auto& e) { return e.first <= d.last_id; }));
      }
      at += done;
      if (d.failure || done < batch.size()) {
        round.waiting = pending->size() - at;
        round.total.failure =
            d.failure ? d.failure : make_error(Errc::io, "delivered only part", sink->name());
        log(LogLevel::warning, kComponent,
            escaped(round.total.failure->to_string()) + sink->waiting(round.waiting));
        break;
      }
    }
    if (round.total.sent > 0) {
      round.line = sink->describe(round.total);
    }
    rounds.push_back(std::move(round));
    refusals.flush();
  }
  return rounds;
}

std::optional<EventHeader> event_header(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.empty() || !j.begin().value().is_object()) {
    return std::nullopt;
  }
  std::string kind = j.begin().key();
  kind = kind.substr(kind.find(':') + 1);
  const auto& n = j.begin().value();
  return EventHeader{kind, n.value("contract", ""), n.value("guarantee", ""), n.value("time", "")};
}

}  // namespace colosla::core
