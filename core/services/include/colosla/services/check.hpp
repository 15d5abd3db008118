#pragma once

#include <string>

#include <vector>

#include "colosla/judge/judge.hpp"
#include "colosla/model/mapping.hpp"
#include "colosla/sla/sla.hpp"
#include "colosla/store/store.hpp"

/// The figures check_colosla judges, from the store.
namespace colosla::core {

/// The entities the engine reads for contract c: the ports `mappings` give it (ranges of other
/// contracts are skipped), every uplink, its power sources (a PDU's inlet and outlet, or the
/// UPS), its probes.
std::vector<EntityId> contract_inputs(const Inventory& inventory, const Contract& c,
                                      const std::vector<MappingRange>& mappings);

/// The contract's report for its current month (the month of `now` in its time zone), as of
/// `now`, computed from its own rows of the store only: its inventory entry, its mapping
/// changes and records, and the history of its ports, power sources, uplinks and probes.
/// Errors: not_found for an unknown contract or no inventory; store errors.
Result<std::pair<Contract, ContractReport>> current_contract_report(const Store& store,
                                                                    const std::string& id,
                                                                    Timestamp now);

/// The figures check_colosla judges for the contract as of `now` (current_contract_report's,
/// status_of, down_now). Errors: current_contract_report's.
Result<ContractStatus> current_contract_status(const Store& store, const std::string& id,
                                               Timestamp now);

/// What of contract c is down at `as_of`, whatever the SLA makes of it (for the NOC): each port
/// mapped to it then whose state is down, every uplink down, and the contract without power (its
/// power interruption open in r), each with the SLA's view of the open outage (DownNow::sla).
std::vector<DownNow> down_now(const Inventory& inventory, const Contract& c,
                              const ContractReport& r, const std::vector<MappingRange>& mappings,
                              const History& history, Timestamp as_of);

/// The figures of a report that the check judges (deadlines in the contract's zone); without
/// down_now.
ContractStatus status_of(const Contract& c, const ContractReport& r, Timestamp as_of);

}  // namespace colosla::core
