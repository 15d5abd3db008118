#pragma once

// What every backend does alike with the inventory's rows: the columns kept as text (the files
// of a load, outlet phases, probe services) and the secrets opened, withheld or hidden in a
// document (sealing.hpp seals them). Private to core/store.
#include <functional>
#include <string>
#include <vector>

#include "colosla/base/result.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/store/secrets.hpp"

namespace colosla::core {

/// Lines joined by "\n", and split again (empty parts dropped).
std::string join_lines(const std::vector<std::string>& v);
std::vector<std::string> split(const std::string& s, char sep);

/// A device's outlet phases as the device row keeps them: a JSON object, outlet name to phase
/// ({"1":1,"2":2}); empty when the inventory gives none. And read back into d.
std::string outlet_phases_text(const Device& d);
Result<void> read_outlet_phases(Device& d, const std::string& text);

/// A probe target's services as its row keeps them ("icmp www"), and read back.
std::string probe_services_text(const ProbeTarget& t);
Result<std::vector<ProbeService>> read_probe_services(const std::string& text);

/// A contract's process leaves (Articles 5-9: MRTG user and password hash, language, staff, the
/// process times) as its row keeps them, one JSON object; and read back into c (an empty text,
/// a row from before schema 16, leaves the defaults).
std::string process_text(const Contract& c);
Result<void> read_process(Contract& c, const std::string& text);

/// Gives the key that opens the secrets (read once, when the first sealed one is met), or is empty
/// when the secrets are withheld.
using KeyReader = std::function<Result<const SecretKey*>()>;

/// A device read from its row with its secrets sealed: each opened with the key, or cleared when
/// `key` is empty (withheld). A value not sealed (a store never upgraded by a writer) stays.
Result<void> open_device_secrets(Device& d, const KeyReader& key);

/// An inventory document as stored (its secrets sealed) with each secret opened with `key`, or
/// replaced by "(secret)" when key is null.
Result<std::string> reveal_document(const std::string& document, const SecretKey* key);

}  // namespace colosla::core
