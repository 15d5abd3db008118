#include "process_records.hpp"

#include <algorithm>

namespace colosla::core::detail {

namespace {

Error invalid(std::string msg) { return make_error(Errc::invalid_input, std::move(msg)); }

std::string kind_word(RecordKind k) { return std::string(to_string(k)); }

// The record `r` refers to, in force, of kind `want` and of r's contract.
Result<const Record*> referred(const Record& r, RecordKind want,
                               const std::vector<Record>& existing) {
  if (r.refers_to == 0) {
    return invalid("a " + kind_word(r.kind) + " record names the " + kind_word(want) +
                   " record it belongs to");
  }
  const auto it = std::find_if(existing.begin(), existing.end(),
                               [&](const Record& e) { return e.id == r.refers_to; });
  if (it == existing.end()) {
    return make_error(Errc::not_found, "there is no " + record_name(r.refers_to));
  }
  if (it->kind != want) {
    return invalid(record_name(r.refers_to) + " is a " + kind_word(it->kind) + " record, not a " +
                   kind_word(want) + " record");
  }
  const auto in_force = effective_records(existing);
  if (std::none_of(in_force.begin(), in_force.end(),
                   [&](const Record& e) { return e.id == r.refers_to; })) {
    return invalid(record_name(r.refers_to) + " is " + record_status(*it, existing) +
                   "; refer to the record in force");
  }
  if (it->contract != r.contract) {
    return invalid(record_name(r.refers_to) + " is for " + it->contract + ", not " + r.contract);
  }
  // One follow-up of a kind per record: a second one corrects the first (--supersedes).
  for (const auto& e : in_force) {
    if (e.kind == r.kind && e.refers_to == r.refers_to && e.id != r.supersedes) {
      return make_error(Errc::conflict, record_name(r.refers_to) + " already has its " +
                                            kind_word(r.kind) + " record, " + record_name(e.id));
    }
  }
  return &*it;
}

}  // namespace

Result<void> check_process_record(const Record& r, const Contract& contract,
                                  const std::vector<Record>& existing) {
  switch (r.kind) {
    case RecordKind::authorization: {
      const auto& contacts = contract.contacts;
      const auto k = std::find_if(contacts.begin(), contacts.end(),
                                  [&](const Contact& c) { return c.name == r.contact; });
      if (k == contacts.end()) {
        return make_error(Errc::not_found, contract.id + " has no contact \"" + r.contact + "\"");
      }
      if (!r.method) {
        return invalid("an authorization says how it was given: --by written or phone");
      }
      if (!r.accepted) {
        return invalid("an authorization is accepted or refused");
      }
      if (*r.accepted && !k->authorized) {
        return invalid(r.contact + " is not an authorized contact of " + contract.id +
                       " (Article 6.5: only the customer's authorized person may authorize)");
      }
      if (*r.accepted && *r.method == AuthorizationMethod::phone && r.mrtg_user.empty()) {
        return invalid("a phone authorization is accepted only with the contract's MRTG user");
      }
      return {};
    }
    case RecordKind::authorization_feedback:
    case RecordKind::authorization_done:
    case RecordKind::authorization_report:
    case RecordKind::authorization_confirm: {
      auto a = referred(r, RecordKind::authorization, existing);
      if (!a) {
        return a.error();
      }
      if ((*a)->accepted != true) {
        return invalid(record_name(r.refers_to) + " was a refused authorization");
      }
      if (r.kind == RecordKind::authorization_confirm &&
          (*a)->method != AuthorizationMethod::phone) {
        return invalid(record_name(r.refers_to) +
                       " was given in writing; only a phone authorization is confirmed");
      }
      return {};
    }
    case RecordKind::complaint:
      if (!r.about) {
        return invalid(
            "a complaint says what about: --about network, customer-service or "
            "technical-support");
      }
      return {};
    case RecordKind::complaint_report: {
      auto c = referred(r, RecordKind::complaint, existing);
      return c ? Result<void>{} : Result<void>{c.error()};
    }
    case RecordKind::visit:
      if (r.purpose.empty() || r.activity.empty()) {
        return invalid("a visit is announced with its --reason and --activity");
      }
      if (!r.until || *r.until <= r.at) {
        return invalid("a visit's --expected-out must be after its --expected-in");
      }
      return {};
    case RecordKind::visit_enter:
      if (r.badge.empty()) {
        return invalid("an entry records the --badge shown");
      }
      if (r.refers_to != 0) {
        auto v = referred(r, RecordKind::visit, existing);
        return v ? Result<void>{} : Result<void>{v.error()};
      }
      return {};
    case RecordKind::visit_leave: {
      auto e = referred(r, RecordKind::visit_enter, existing);
      if (!e) {
        return e.error();
      }
      if (r.at < (*e)->at) {
        return invalid("the departure is before the entry (" + record_name(r.refers_to) + ")");
      }
      return {};
    }
    default:
      return {};
  }
}

}  // namespace colosla::core::detail
