#include "colosla/model/records.hpp"

#include <algorithm>
#include <set>

#include "names.hpp"
#include "process_records.hpp"

namespace colosla::core {

namespace {
using detail::Word;
constexpr std::array<Word<Guarantee>, 2> kGuarantees{
    {{Guarantee::network, "network"}, {Guarantee::power, "power"}}};
constexpr std::array<Word<ExclusionReason>, 7> kReasons{{
    {ExclusionReason::approved_maintenance, "approved-maintenance"},
    {ExclusionReason::customer_equipment, "customer-equipment"},
    {ExclusionReason::customer_application, "customer-application"},
    {ExclusionReason::customer_negligence, "customer-negligence"},
    {ExclusionReason::customer_authorized_operation, "customer-authorized-operation"},
    {ExclusionReason::force_majeure, "force-majeure"},
    {ExclusionReason::customer_other, "customer-other"},
}};
constexpr std::array<Word<RecordKind>, 15> kKinds{{
    {RecordKind::exclusion, "exclusion"},
    {RecordKind::customer_report, "customer-report"},
    {RecordKind::notification, "notification"},
    {RecordKind::installation, "installation"},
    {RecordKind::contact_invalid, "contact-invalid"},
    {RecordKind::authorization, "authorization"},
    {RecordKind::authorization_feedback, "authorization-feedback"},
    {RecordKind::authorization_done, "authorization-done"},
    {RecordKind::authorization_report, "authorization-report"},
    {RecordKind::authorization_confirm, "authorization-confirm"},
    {RecordKind::complaint, "complaint"},
    {RecordKind::complaint_report, "complaint-report"},
    {RecordKind::visit, "visit"},
    {RecordKind::visit_enter, "visit-enter"},
    {RecordKind::visit_leave, "visit-leave"},
}};
constexpr std::array<Word<AuthorizationMethod>, 2> kMethods{
    {{AuthorizationMethod::written, "written"}, {AuthorizationMethod::phone, "phone"}}};
constexpr std::array<Word<ComplaintAbout>, 3> kAbouts{
    {{ComplaintAbout::network, "network"},
     {ComplaintAbout::customer_service, "customer-service"},
     {ComplaintAbout::technical_support, "technical-support"}}};

Error invalid(std::string msg) { return make_error(Errc::invalid_input, std::move(msg)); }

}  // namespace

std::string_view to_string(Guarantee g) { return detail::word_of(kGuarantees, g); }
Result<Guarantee> parse_guarantee(std::string_view w) {
  return detail::parse_word(kGuarantees, w, "guarantee");
}
std::string_view to_string(ExclusionReason r) { return detail::word_of(kReasons, r); }
Result<ExclusionReason> parse_exclusion_reason(std::string_view w) {
  return detail::parse_word(kReasons, w, "exclusion reason");
}
std::string_view to_string(RecordKind k) { return detail::word_of(kKinds, k); }
Result<RecordKind> parse_record_kind(std::string_view w) {
  return detail::parse_word(kKinds, w, "record kind");
}

std::string_view to_string(AuthorizationMethod m) { return detail::word_of(kMethods, m); }
Result<AuthorizationMethod> parse_authorization_method(std::string_view w) {
  return detail::parse_word(kMethods, w, "authorization method");
}
std::string_view to_string(ComplaintAbout a) { return detail::word_of(kAbouts, a); }
Result<ComplaintAbout> parse_complaint_about(std::string_view w) {
  return detail::parse_word(kAbouts, w, "complaint subject");
}
bool is_process_kind(RecordKind k) {
  return static_cast<int>(k) >= static_cast<int>(RecordKind::authorization);
}

bool excuses(ExclusionReason r, Guarantee g) {
  if (g == Guarantee::network) {
    return true;
  }
  return r != ExclusionReason::approved_maintenance && r != ExclusionReason::customer_other;
}

std::string record_name(std::int64_t id) { return "record #" + std::to_string(id); }

std::vector<Record> effective_records(const std::vector<Record>& all) {
  std::set<std::int64_t> superseded;
  for (const auto& r : all) {
    if (r.supersedes != 0) {
      superseded.insert(r.supersedes);
    }
  }
  std::vector<Record> out;
  for (const auto& r : all) {
    if (!r.retraction && superseded.count(r.id) == 0) {
      out.push_back(r);
    }
  }
  std::sort(out.begin(), out.end(), [](const Record& a, const Record& b) { return a.id < b.id; });
  return out;
}

std::string record_status(const Record& r, const std::vector<Record>& all) {
  if (r.retraction) {
    return "withdraws " + record_name(r.supersedes);
  }
  for (const auto& o : all) {
    if (o.supersedes == r.id) {
      return (o.retraction ? "withdrawn by " : "superseded by ") + record_name(o.id);
    }
  }
  return "in force";
}

Result<void> check_record(const Record& r, const Inventory& inventory,
                          const std::vector<Record>& existing) {
  const Contract* contract = nullptr;
  if (r.contract.empty()) {
    if (r.kind != RecordKind::exclusion) {
      return invalid("a " + std::string(to_string(r.kind)) + " record needs a contract");
    }
  } else {
    contract = inventory.find_contract(r.contract);
    if (contract == nullptr) {
      return make_error(Errc::not_found, "no contract " + r.contract + " in the inventory");
    }
  }

  if (r.supersedes != 0) {
    const auto target = std::find_if(existing.begin(), existing.end(),
                                     [&](const Record& e) { return e.id == r.supersedes; });
    if (target == existing.end()) {
      return make_error(Errc::not_found, "there is no " + record_name(r.supersedes));
    }
    if (target->kind != r.kind) {
      return invalid(record_name(r.supersedes) + " is a " + std::string(to_string(target->kind)) +
                     " record, not a " + std::string(to_string(r.kind)) + " record");
    }
    if (target->retraction) {
      return invalid(record_name(r.supersedes) +
                     " is itself a withdrawal; it cannot be superseded");
    }
    if (target->contract != r.contract && !r.retraction) {
      return invalid(record_name(r.supersedes) + " is for " +
                     (target->contract.empty() ? std::string("all contracts") : target->contract) +
                     "; a correction keeps the contract (withdraw it and add a new record)");
    }
    for (const auto& e : existing) {
      if (e.supersedes == r.supersedes) {
        return make_error(Errc::conflict, record_name(r.supersedes) + " was already " +
                                              (e.retraction ? "withdrawn" : "superseded") + " by " +
                                              record_name(e.id) +
                                              (e.retraction ? "" : "; correct that one instead"));
      }
    }
  }
  if (r.retraction) {
    if (r.supersedes == 0) {
      return invalid("a withdrawal names the record it withdraws");
    }
    return {};
  }

  switch (r.kind) {
    case RecordKind::exclusion:
      if (!r.until) {
        return invalid("an exclusion needs --to");
      }
      if (*r.until <= r.at) {
        return invalid("an exclusion's --to must be after its --from");
      }
      if (!r.reason) {
        return invalid("an exclusion needs a --reason");
      }
      if (r.guarantee && !excuses(*r.reason, *r.guarantee)) {
        return invalid(std::string(to_string(*r.reason)) +
                       " does not excuse a power interruption (Article 2.4 lists only the "
                       "customer's equipment, applications, negligence, authorized operations "
                       "and force majeure); record it for the network");
      }
      if (*r.reason == ExclusionReason::approved_maintenance && r.approved_by.empty()) {
        return invalid(
            "approved-maintenance needs --approved-by: who on the customer's side consented");
      }
      break;
    case RecordKind::customer_report:
      if (!r.guarantee) {
        return invalid("a customer report says which problem: --guarantee network or power");
      }
      break;
    case RecordKind::notification: {
      if (!r.channel) {
        return invalid("a notification needs a --channel");
      }
      const auto& contacts = contract->contacts;
      const auto k = std::find_if(contacts.begin(), contacts.end(),
                                  [&](const Contact& c) { return c.name == r.contact; });
      if (k == contacts.end()) {
        std::string names;
        for (const auto& c : contacts) {
          names += (names.empty() ? "" : ", ") + c.name;
        }
        return make_error(Errc::not_found,
                          r.contract + " has no contact \"" + r.contact + "\"" +
                              (names.empty() ? "" : " (its contacts: " + names + ")"));
      }
      if (!k->authorized) {
        return invalid(r.contact + " is not an authorized contact of " + r.contract +
                       " (Article 4.2: the customer's authorized person must be told)");
      }
      break;
    }
    case RecordKind::installation:
      break;
    case RecordKind::contact_invalid:
      if (r.until && *r.until <= r.at) {
        return invalid("--to must be after --from");
      }
      break;
    default:
      return detail::check_process_record(r, *contract, existing);
  }
  return {};
}

}  // namespace colosla::core
