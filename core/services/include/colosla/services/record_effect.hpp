#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "colosla/base/calendar.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/model/records.hpp"
#include "colosla/sla/sla.hpp"
#include "colosla/store/store.hpp"

/// Whether a record can still change anything. A record is accepted whatever its time (the
/// audit trail wants what was said, when), but one that no report can count says so when it is
/// entered: a customer report more than the report window after every outage's start, a
/// notification that no emergency's deadline waits for, an installation completion later than
/// an earlier one or after the deadline, an exclusion or a contact-invalid window, already
/// past, with nothing in it to excuse.
namespace colosla::core {

/// The months, in the contract's time zone, whose reports record_warnings needs to judge r.
/// Empty when r is not judged: a withdrawal, an exclusion for every contract, a record dated
/// after `now` (or a window still open at `now`: what it covers may yet come), a window over
/// more than 13 months, or a customer report for a contract that needs none (judged without
/// reports).
std::vector<std::chrono::year_month> months_to_judge(const Record& r, const Contract& c,
                                                     const BusinessCalendar& calendar,
                                                     const Zone& z, Timestamp now);

/// Why r, entered and in force, changes no figure of contract c's reports as the store stands
/// at `now` (SPEC §2–§5, §7a); one sentence each, times in the contract's zone, unescaped (the
/// printer escapes). Empty when it may change one. `reports`: c's reports as of `now` for the
/// months months_to_judge gives (r among the records in force). Pure.
std::vector<std::string> record_warnings(const Record& r, const Contract& c, const Zone& z,
                                         const std::vector<ContractReport>& reports, Timestamp now);

/// record_warnings for a record already stored, from the contract's own rows of the store (its
/// inventory entry, mapping changes, records, and the history of its inputs). Errors: store
/// errors; a contract the store lacks gives no warning.
Result<std::vector<std::string>> record_warnings(const Store& store, const Record& r,
                                                 Timestamp now);

}  // namespace colosla::core
