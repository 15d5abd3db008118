// The process guarantees' clocks (Articles 5-9): each opens at a record's time and is stopped
// by the earliest record that refers to it, both counted only up to as-of.
#include "colosla/sla/process.hpp"

#include <algorithm>
#include <map>

namespace colosla::core {

namespace {

using std::chrono::hours;
using std::chrono::minutes;

ClockStatus judge(Timestamp due, const std::optional<Timestamp>& done, Timestamp as_of) {
  if (done) {
    return *done <= due ? ClockStatus::met : ClockStatus::missed;
  }
  return as_of > due ? ClockStatus::missed : ClockStatus::open;
}

}  // namespace

std::string_view to_string(ClockKind k) {
  switch (k) {
    case ClockKind::feedback:
      return "feedback";
    case ClockKind::operation_report:
      return "operation-report";
    case ClockKind::written_confirmation:
      return "written-confirmation";
    case ClockKind::complaint_report:
      return "complaint-report";
  }
  return "?";
}

std::string_view article_of(ClockKind k) {
  switch (k) {
    case ClockKind::feedback:
    case ClockKind::operation_report:
      return "7.2";
    case ClockKind::written_confirmation:
      return "6.6";
    case ClockKind::complaint_report:
      return "8.3";
  }
  return "?";
}

std::string_view to_string(ClockStatus s) {
  switch (s) {
    case ClockStatus::met:
      return "met";
    case ClockStatus::missed:
      return "missed";
    case ClockStatus::open:
      return "open";
  }
  return "?";
}

std::string_view to_string(VisitFinding f) {
  switch (f) {
    case VisitFinding::unannounced:
      return "unannounced";
    case VisitFinding::unescorted:
      return "unescorted";
    case VisitFinding::overstayed:
      return "overstayed";
  }
  return "?";
}

ProcessReport process_report(const Contract& c, const std::vector<const Record*>& records,
                             Window period, Timestamp as_of) {
  ProcessReport out;
  out.staff = c.staff;
  // The records that count: c's, in force (the caller's list), not after as-of.
  std::vector<const Record*> seen;
  for (const Record* r : records) {
    if (r->contract == c.id && is_process_kind(r->kind) && !r->retraction) {
      seen.push_back(r);
    }
  }
  // The earliest follow-up of each kind for each record it refers to, at or before as-of.
  std::map<std::pair<RecordKind, std::int64_t>, const Record*> first;
  for (const Record* r : seen) {
    if (r->refers_to == 0 || r->at > as_of) {
      continue;
    }
    auto& slot = first[{r->kind, r->refers_to}];
    if (slot == nullptr || r->at < slot->at) {
      slot = r;
    }
  }
  const auto follow = [&](RecordKind k, std::int64_t id) -> const Record* {
    const auto it = first.find({k, id});
    return it == first.end() ? nullptr : it->second;
  };
  const auto at_of = [](const Record* r) {
    return r == nullptr ? std::optional<Timestamp>() : std::optional<Timestamp>(r->at);
  };
  const auto clock = [&](ClockKind kind, const Record& owner, std::string subject, Timestamp opened,
                         std::chrono::seconds within, const Record* stop) {
    ProcessClock k;
    k.kind = kind;
    k.record = owner.id;
    k.subject = std::move(subject);
    k.opened = opened;
    k.due = opened + within;
    k.done = at_of(stop);
    k.status = judge(k.due, k.done, as_of);
    if (period.contains(k.due)) {
      out.clocks.push_back(std::move(k));
    }
  };

  for (const Record* r : seen) {
    if (r->at > as_of) {
      continue;
    }
    switch (r->kind) {
      case RecordKind::authorization: {
        const bool accepted = r->accepted == true;
        const Record* done = accepted ? follow(RecordKind::authorization_done, r->id) : nullptr;
        if (period.contains(r->at)) {
          out.authorizations.push_back(
              AuthorizationItem{r->id, r->contact, r->method.value_or(AuthorizationMethod::written),
                                r->at, accepted, at_of(done)});
        }
        if (!accepted) {
          break;
        }
        const bool phone = r->method == AuthorizationMethod::phone;
        const std::string subject = "authorization #" + std::to_string(r->id) + " by " +
                                    r->contact + " (" + (phone ? "phone" : "written") + ")";
        clock(ClockKind::feedback, *r, subject, r->at, minutes{c.sla.feedback_minutes},
              follow(RecordKind::authorization_feedback, r->id));
        if (done != nullptr) {
          clock(ClockKind::operation_report, *r, subject, done->at,
                hours{c.sla.operation_report_hours},
                follow(RecordKind::authorization_report, r->id));
        }
        if (phone) {
          clock(ClockKind::written_confirmation, *r, subject, r->at,
                hours{c.sla.written_confirmation_hours},
                follow(RecordKind::authorization_confirm, r->id));
        }
        break;
      }
      case RecordKind::complaint:
        if (period.contains(r->at)) {
          out.complaints.push_back(
              ComplaintItem{r->id, r->about.value_or(ComplaintAbout::network), r->at});
        }
        clock(ClockKind::complaint_report, *r,
              "complaint #" + std::to_string(r->id) + " about " +
                  std::string(to_string(r->about.value_or(ComplaintAbout::network))),
              r->at, hours{c.sla.complaint_report_hours},
              follow(RecordKind::complaint_report, r->id));
        break;
      default:
        break;
    }
  }

  // Visits: each announcement with its entry and departure, and each entry without one.
  const auto visit = [&](const Record* announced, const Record* entry) {
    VisitItem v;
    v.record = announced != nullptr ? announced->id : entry->id;
    if (announced != nullptr) {
      v.reason = announced->purpose;
      v.activity = announced->activity;
      v.expected_in = announced->at;
      v.expected_out = announced->until;
    }
    if (entry != nullptr) {
      v.entry = entry->id;
      v.entered = entry->at;
      v.escort = entry->escort;
      v.badge = entry->badge;
      v.left = at_of(follow(RecordKind::visit_leave, entry->id));
      if (announced == nullptr) {
        v.findings.push_back(VisitFinding::unannounced);
      }
      if (entry->escort.empty()) {
        v.findings.push_back(VisitFinding::unescorted);
      }
      if (v.expected_out &&
          ((v.left && *v.left > *v.expected_out) || (!v.left && as_of > *v.expected_out))) {
        v.findings.push_back(VisitFinding::overstayed);
      }
    }
    const Timestamp when = v.entered ? *v.entered : *v.expected_in;
    if (period.contains(when)) {
      out.visits.push_back(std::move(v));
    }
  };
  for (const Record* r : seen) {
    if (r->kind == RecordKind::visit) {
      visit(r, follow(RecordKind::visit_enter, r->id));
    } else if (r->kind == RecordKind::visit_enter && r->refers_to == 0 && r->at <= as_of) {
      visit(nullptr, r);
    }
  }
  std::stable_sort(out.clocks.begin(), out.clocks.end(),
                   [](const ProcessClock& a, const ProcessClock& b) {
                     return a.due != b.due ? a.due < b.due : a.record < b.record;
                   });
  std::stable_sort(out.visits.begin(), out.visits.end(),
                   [](const VisitItem& a, const VisitItem& b) { return a.record < b.record; });
  return out;
}

}  // namespace colosla::core
