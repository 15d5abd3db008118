#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/base/clock.hpp"
#include "colosla/base/result.hpp"
#include "colosla/model/inventory.hpp"

/// What people record about a contract: exclusion windows, the customer's problem reports,
/// emergency notifications, installation completion, contact details gone wrong. Records are
/// never edited: a correction is a new record that supersedes the old one, a withdrawal is a
/// record that retracts it, and both stay in the store for the audit trail.
namespace colosla::core {

enum class Guarantee : std::uint8_t { network, power };
std::string_view to_string(Guarantee g);
Result<Guarantee> parse_guarantee(std::string_view word);

/// Why outage seconds do not count (SPEC §2, §3).
enum class ExclusionReason : std::uint8_t {
  approved_maintenance,
  customer_equipment,
  customer_application,
  customer_negligence,
  customer_authorized_operation,
  force_majeure,
  customer_other,
};
std::string_view to_string(ExclusionReason r);
Result<ExclusionReason> parse_exclusion_reason(std::string_view word);
/// Whether the reason excuses an interruption of guarantee g: every reason excuses network
/// outages; provider maintenance and customer-other do not excuse a power interruption.
bool excuses(ExclusionReason r, Guarantee g);

enum class RecordKind : std::uint8_t {
  exclusion,
  customer_report,
  notification,
  installation,
  contact_invalid,
  // The process guarantees (Articles 5-9, SPEC §7).
  authorization,           ///< Art. 6.4-6.6: accepted or refused
  authorization_feedback,  ///< Art. 7.2: first feedback; refers to an authorization
  authorization_done,      ///< the operation ended; refers to an authorization
  authorization_report,    ///< Art. 7.2: the written operation report; refers to one
  authorization_confirm,   ///< Art. 6.6: a phone authorization confirmed in writing
  complaint,               ///< Art. 8: a written complaint
  complaint_report,        ///< Art. 8.3: its first written report; refers to a complaint
  visit,                   ///< Art. 9: an announced visit (at: expected in, until: out)
  visit_enter,             ///< refers to a visit, or 0: an entry without announcement
  visit_leave,             ///< refers to a visit-enter record
};
/// Whether records of the kind are the process guarantees' (Articles 5-9).
bool is_process_kind(RecordKind k);

/// How an authorization was given (Art. 6.5).
enum class AuthorizationMethod : std::uint8_t { written, phone };
std::string_view to_string(AuthorizationMethod m);
Result<AuthorizationMethod> parse_authorization_method(std::string_view word);

/// What a complaint is about (Art. 8.1).
enum class ComplaintAbout : std::uint8_t { network, customer_service, technical_support };
std::string_view to_string(ComplaintAbout a);
Result<ComplaintAbout> parse_complaint_about(std::string_view word);
std::string_view to_string(RecordKind k);
Result<RecordKind> parse_record_kind(std::string_view word);

struct Record {
  std::int64_t id = 0;  ///< assigned by the store
  RecordKind kind = RecordKind::exclusion;
  bool retraction = false;      ///< withdraws the record it supersedes; carries nothing else
  std::int64_t supersedes = 0;  ///< the record this one corrects or withdraws; 0: none
  std::string contract;         ///< empty: every contract (exclusions only)
  /// exclusion and contact-invalid: from; customer report, notification, installation: when.
  Timestamp at;
  /// exclusion: to (required); contact-invalid: to (nullopt: still wrong).
  std::optional<Timestamp> until;
  /// exclusion: nullopt applies to both; customer report: which problem was reported.
  std::optional<Guarantee> guarantee;
  std::optional<ExclusionReason> reason;  ///< exclusion
  std::optional<Channel> channel;         ///< notification
  std::string contact;                    ///< notification: the contact's name
  std::string approved_by;                ///< approved-maintenance: who consented for the customer
  std::string entered_by;
  Timestamp entered_at;
  std::string note;
  /// authorization follow-ups, complaint report, visit enter and leave: the record this one
  /// belongs to; 0: none (a visit entry without an announcement).
  std::int64_t refers_to = 0;
  std::optional<AuthorizationMethod> method;  ///< authorization
  std::string mrtg_user;                      ///< authorization by phone: the user name given
  std::optional<bool> accepted;               ///< authorization: accepted or refused
  std::optional<ComplaintAbout> about;        ///< complaint
  std::string purpose;                        ///< visit: its reason
  std::string activity;                       ///< visit
  std::string needs;                          ///< visit: the help asked of the provider
  std::string escort;                         ///< visit enter: the escorting staff (may be empty)
  std::string badge;                          ///< visit enter: the badge shown
};

/// "record #7".
std::string record_name(std::int64_t id);

/// The records in force: every non-retraction record that no later record supersedes,
/// in id order.
std::vector<Record> effective_records(const std::vector<Record>& all);

/// "in force", "superseded by record #9", "withdrawn by record #9" (for `list`).
std::string record_status(const Record& r, const std::vector<Record>& all);

/// Checks a new record against the inventory and the records already stored: a known contract
/// (or "all" for an exclusion), to after from, the fields its kind needs, an authorized contact
/// of the contract for a notification, and a supersedes that names a record of the same kind and
/// contract still in force. Errors: invalid_input, not_found or conflict with the reason.
Result<void> check_record(const Record& r, const Inventory& inventory,
                          const std::vector<Record>& existing);

}  // namespace colosla::core
