#pragma once

#include <istream>

#include "colosla/base/result.hpp"
#include "colosla/model/trap.hpp"

namespace colosla::core {

/// Reads what snmptrapd hands a `traphandle` program on its standard input (format
/// `%B\n%b\n%V\n%v\n`): the host name, the transport address ("UDP: [192.0.2.10]:40183->[…]:162"),
/// then one varbind a line, `OID VALUE`, sysUpTime.0 and snmpTrapOID.0 first. snmptrapd should
/// print numeric OIDs, enums and timeticks (`outputOption nte`, or `-Onte`); values then carry no
/// type, which is inferred: a number is an INTEGER, `.1.3…` an OID, a quoted text a STRING. Values
/// with a type prefix ("INTEGER: 2", "STRING: \"x\"", "Timeticks: (12) …") are read too. A v1
/// trap that snmptrapd converted brings its community and agent-addr in snmpTrapCommunity.0 and
/// snmpTrapAddress.0, and snmpTrapEnterprise.0: with either of the other two, the trap is v1
/// and snmpTrapAddress.0 its agent-addr; alone, snmpTrapAddress.0 is a v2c trap's varbind (a
/// relay's, TrapProcessor::Options::relays). Errors: invalid_input when the input is not in this
/// form.
Result<Trap> parse_traphandle_input(std::istream& in, Timestamp received);

}  // namespace colosla::core
