#include "colosla/sla/events.hpp"

#include <nlohmann/json.hpp>

#include "colosla/base/calendar.hpp"

namespace colosla::core {

namespace {

std::int64_t minutes_of(std::int64_t seconds) { return seconds / 60; }

// "99.931": a decimal64 with three fraction digits, as RFC 7951 writes one (a string).
std::string decimal_milli(std::int64_t milli) {
  std::string s = std::to_string(milli / 1000) + ".";
  const std::string frac = std::to_string(milli % 1000);
  return s + std::string(3 - frac.size(), '0') + frac;
}

std::int64_t epoch(Timestamp t) { return t.time_since_epoch().count(); }

struct Builder {
  const Contract& c;
  const ContractReport& r;
  std::string month;
  std::vector<SlaEvent> out;

  SlaEvent& add(EventKind kind, const std::string& guarantee, Timestamp time,
                const std::string& key) {
    SlaEvent e;
    e.kind = kind;
    e.contract = c.id;
    e.guarantee = guarantee;
    e.time = time;
    e.zone = r.time_zone;
    e.month = month;
    e.key = std::string(to_string(kind)) + " " + c.id + " " + key;
    out.push_back(std::move(e));
    return out.back();
  }
};

void figures(SlaEvent& e, const GuaranteeReport& g, std::int64_t budget_seconds) {
  e.counted_minutes = minutes_of(g.counted_seconds);
  e.budget_minutes = minutes_of(budget_seconds);
  e.pending_minutes = minutes_of(g.pending_seconds);
  e.availability_milli = g.availability_milli;
}

// Why a probe may fail with the customer's equipment fine: the contract's network or power
// already out when the emergency was declared ("" when neither was). The emergency counts all
// the same (it is what the customer sees); the reason keeps the NOC off the customer's server.
std::string dependency(const ContractReport& r, Timestamp at, const Zone& z) {
  const auto covering = [&](const GuaranteeReport& g) -> const OutageReport* {
    for (const auto& o : g.outages) {
      if (o.start <= at && (!o.end || at < *o.end)) {
        return &o;
      }
    }
    return nullptr;
  };
  std::string why;
  if (const OutageReport* o = covering(r.network)) {
    why += "; the network was already out (" +
           (o->cause.empty() ? std::string("disconnected") : o->cause) + " since " +
           format_time(o->start, z) + ")";
  }
  if (const OutageReport* o = covering(r.power)) {
    why += "; the power was already out (" +
           (o->cause.empty() ? std::string("no power") : o->cause) + " since " +
           format_time(o->start, z) + ")";
  }
  if (!why.empty()) {
    why += ": look there before the customer's equipment";
  }
  return why;
}

// The process guarantees (Articles 5-9): each clock's opening while it runs, its miss at its
// due time; each visit's findings. Keyed by the record they belong to.
void process_events(Builder& b, const ProcessReport& p, Timestamp as_of, const Zone& z) {
  const auto kinds = [](ClockKind k) -> std::pair<EventKind, EventKind> {
    switch (k) {
      case ClockKind::feedback:
        return {EventKind::feedback_due, EventKind::feedback_missed};
      case ClockKind::operation_report:
        return {EventKind::operation_report_due, EventKind::operation_report_missed};
      case ClockKind::written_confirmation:
        return {EventKind::written_confirmation_due, EventKind::written_confirmation_missed};
      case ClockKind::complaint_report:
        break;
    }
    return {EventKind::complaint_report_due, EventKind::complaint_report_missed};
  };
  for (const auto& k : p.clocks) {
    const auto [due, missed] = kinds(k.kind);
    const std::string what = std::to_string(k.record);
    const std::string article = " (Article " + std::string(article_of(k.kind)) + ")";
    if (!k.done && k.opened <= as_of && as_of <= k.due) {
      SlaEvent& e = b.add(due, "process", k.opened, what);
      e.deadline = k.due;
      e.reason = std::string(to_string(k.kind)) + " of " + k.subject + " due " +
                 format_time(k.due, z) + article;
    }
    if (k.status == ClockStatus::missed) {
      SlaEvent& e = b.add(missed, "process", k.due, what);
      e.deadline = k.due;
      e.reason = std::string(to_string(k.kind)) + " of " + k.subject + " not done by " +
                 format_time(k.due, z) +
                 (k.done ? "; done late, " + format_time(*k.done, z) : std::string()) + article;
    }
  }
  for (const auto& v : p.visits) {
    const std::string what = std::to_string(v.record);
    for (const auto f : v.findings) {
      const std::string who = "visit #" + what + " (badge " + v.badge + ")";
      if (f == VisitFinding::overstayed) {
        SlaEvent& e = b.add(EventKind::visit_overstayed, "process", *v.expected_out, what);
        e.deadline = *v.expected_out;
        e.reason = who + " announced to leave by " + format_time(*v.expected_out, z) +
                   (v.left ? ", left " + format_time(*v.left, z) : std::string(", still in")) +
                   " (Article 9)";
        continue;
      }
      const bool unannounced = f == VisitFinding::unannounced;
      SlaEvent& e = b.add(unannounced ? EventKind::visit_unannounced : EventKind::visit_unescorted,
                          "process", *v.entered, what);
      e.reason = who + (unannounced ? " entered without announcement" : " entered without escort") +
                 " at " + format_time(*v.entered, z) + " (Article 9)";
    }
  }
}

}  // namespace

std::string_view to_string(EventKind k) {
  switch (k) {
    case EventKind::port_down:
      return "port-down";
    case EventKind::port_up:
      return "port-up";
    case EventKind::power_lost:
      return "power-lost";
    case EventKind::power_restored:
      return "power-restored";
    case EventKind::emergency_declared:
      return "emergency-declared";
    case EventKind::notification_due:
      return "notification-due";
    case EventKind::notification_missed:
      return "notification-missed";
    case EventKind::budget_warning:
      return "budget-warning";
    case EventKind::sla_breached:
      return "sla-breached";
    case EventKind::installation_overdue:
      return "installation-overdue";
    case EventKind::emergency_cleared:
      return "emergency-cleared";
    case EventKind::feedback_due:
      return "feedback-due";
    case EventKind::feedback_missed:
      return "feedback-missed";
    case EventKind::operation_report_due:
      return "operation-report-due";
    case EventKind::operation_report_missed:
      return "operation-report-missed";
    case EventKind::written_confirmation_due:
      return "written-confirmation-due";
    case EventKind::written_confirmation_missed:
      return "written-confirmation-missed";
    case EventKind::complaint_report_due:
      return "complaint-report-due";
    case EventKind::complaint_report_missed:
      return "complaint-report-missed";
    case EventKind::visit_unannounced:
      return "visit-unannounced";
    case EventKind::visit_unescorted:
      return "visit-unescorted";
    case EventKind::visit_overstayed:
      return "visit-overstayed";
  }
  return "?";
}

std::vector<SlaEvent> derive_events(const Contract& c, const ContractReport& r, Timestamp as_of,
                                    int budget_warning_percent) {
  auto zone = Zone::locate(r.time_zone);
  const Zone z = zone ? *zone : Zone::utc();
  const auto first = z.local_day(r.period.begin);
  Builder b{c, r, format_month(first.year() / first.month()), {}};
  const std::int64_t power_budget =
      r.period_seconds * (100'000 - static_cast<std::int64_t>(c.sla.availability_target_milli)) /
      100'000;

  // Outages: the beginning of each that began in the period, the end of each that ended.
  const auto outages = [&](const GuaranteeReport& g, std::int64_t budget, EventKind down,
                           EventKind up, const char* guarantee, bool power) {
    for (const auto& o : g.outages) {
      const std::string when = std::to_string(epoch(o.start));
      if (r.period.contains(o.start)) {
        SlaEvent& e = b.add(down, guarantee, o.start, when);
        figures(e, g, budget);
        e.counted_minutes =
            minutes_of(g.counted_seconds - o.counted_seconds);  // before this outage
        e.pending_minutes.reset();
        if (!power) {
          e.availability_milli.reset();
        }
        e.cause_observation = o.cause_observation;
        e.power_source = power;
        if (!power) {
          e.reason = o.cause;  // "every uplink down" tells the NOC where to look
        }
      }
      if (o.end && r.period.contains(*o.end) && *o.end <= as_of) {
        SlaEvent& e = b.add(up, guarantee, *o.end, when);
        figures(e, g, budget);
        e.cause_observation = o.cause_observation;
        e.power_source = power;
      }
    }
  };
  outages(r.network, r.network.limit, EventKind::port_down, EventKind::port_up, "network", false);
  outages(r.power, power_budget, EventKind::power_lost, EventKind::power_restored, "power", true);

  for (const auto& em : r.emergencies) {
    const std::string what = em.target + " " + std::string(to_string(em.service)) + " " +
                             std::to_string(epoch(em.declared));
    const auto probe = [&](SlaEvent& e) {
      e.target = em.target;
      e.service = std::string(to_string(em.service));
      e.deadline = em.deadline;
    };
    if (em.declared <= as_of) {
      SlaEvent& e = b.add(EventKind::emergency_declared, "emergency", em.declared, what);
      probe(e);
      e.reason = "two consecutive failed " + e.service + " probes of " + em.target +
                 dependency(r, em.declared, z);
    }
    if (em.cleared && *em.cleared <= as_of) {
      SlaEvent& e = b.add(EventKind::emergency_cleared, "emergency", *em.cleared, what);
      probe(e);
      e.reason = "the " + e.service + " probe of " + em.target + " passed again after " +
                 std::to_string(minutes_of((*em.cleared - em.declared).count())) + " minutes";
    }
    const Timestamp due = std::max(em.declared, em.deadline - std::chrono::minutes{5});
    if (!em.notified && em.status == EmergencyStatus::open && due <= as_of && as_of < em.deadline) {
      probe(b.add(EventKind::notification_due, "emergency", due, what));
    }
    if (em.status == EmergencyStatus::missed) {
      probe(b.add(EventKind::notification_missed, "emergency", em.deadline, what));
    }
  }

  // A share of a budget used, and a breach: once a month each, dated when colosla saw it.
  const auto budget = [&](const GuaranteeReport& g, std::int64_t budget_seconds,
                          const char* guarantee) {
    if (budget_seconds > 0 && g.counted_seconds * 100 >= budget_seconds * budget_warning_percent) {
      SlaEvent& e = b.add(EventKind::budget_warning, guarantee, as_of,
                          std::string(guarantee) + " " + b.month);
      figures(e, g, budget_seconds);
      e.share_used_milli = g.counted_seconds * 100'000 / budget_seconds;
      e.threshold_milli = std::int64_t{budget_warning_percent} * 1000;
    }
    if (g.breached) {
      SlaEvent& e =
          b.add(EventKind::sla_breached, guarantee, as_of, std::string(guarantee) + " " + b.month);
      figures(e, g, budget_seconds);
      e.pending_minutes.reset();
      e.reason =
          std::string(guarantee) == "network"
              ? "counted outage reached " + std::to_string(c.sla.max_outage_minutes) + " minutes"
              : "availability " + decimal_milli(g.availability_milli) + " % is below the target " +
                    decimal_milli(c.sla.availability_target_milli) + " %";
    }
  };
  budget(r.network, r.network.limit, "network");
  budget(r.power, power_budget, "power");

  const InstallationReport& inst = r.installation;
  if (!inst.completed && inst.deadline <= as_of && r.period.contains(inst.deadline)) {
    SlaEvent& e = b.add(EventKind::installation_overdue, "installation", inst.deadline,
                        std::to_string(epoch(inst.deadline)));
    e.deadline = inst.deadline;
  }
  process_events(b, r.process, as_of, z);
  return std::move(b.out);
}

std::string to_json(const SlaEvent& e) {
  using nlohmann::ordered_json;
  auto zone = Zone::locate(e.zone);
  const Zone z = zone ? *zone : Zone::utc();
  ordered_json n;
  n["event-id"] = std::to_string(e.id);  // uint64: a string in RFC 7951
  n["contract"] = e.contract;
  n["guarantee"] = e.guarantee;
  n["time"] = format_time(e.time, z);
  n["month"] = e.month;
  if (!e.device.empty()) {
    ordered_json entity;
    if (e.power_source) {
      entity["device"] = e.device;
      if (!e.outlet.empty()) {
        entity["outlet"] = e.outlet;
      }
      n["entity"]["power-source"] = entity;
    } else {
      entity["device"] = e.device;
      entity["interface"] = e.interface;
      n["entity"]["port"] = entity;
    }
  } else if (!e.target.empty()) {
    n["entity"]["probe"] = ordered_json{{"target", e.target}, {"service", e.service}};
  }
  if (e.share_used_milli) {
    n["budget-share-used"] = decimal_milli(*e.share_used_milli);
  }
  if (e.threshold_milli) {
    n["budget-threshold"] = decimal_milli(*e.threshold_milli);
  }
  if (e.counted_minutes) {
    n["counted-minutes"] = *e.counted_minutes;
  }
  if (e.budget_minutes) {
    n["budget-minutes"] = *e.budget_minutes;
  }
  if (e.pending_minutes) {
    n["pending-minutes"] = *e.pending_minutes;
  }
  if (e.availability_milli) {
    n["availability"] = decimal_milli(*e.availability_milli);
  }
  if (e.deadline) {
    n["deadline"] = format_time(*e.deadline, z);
  }
  if (!e.reason.empty()) {
    n["reason"] = e.reason.substr(0, 255);
  }
  ordered_json out;
  out["colosla-events:" + std::string(to_string(e.kind))] = n;
  return out.dump();
}

}  // namespace colosla::core
