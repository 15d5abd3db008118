#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "colosla/base/result.hpp"
#include "colosla/judge/judge.hpp"

/// The figures `colosla evaluate` publishes for the monitoring users (check_colosla as nagios,
/// the Zabbix agent as zabbix, both in the group colosla-monitor), who may not read the store:
/// a directory (default `<directory of the store>/status`, packaged 2750 colosla:colosla-monitor)
/// of small files, each replaced whole by rename, 0640 with the directory's group:
///
///   <contract>.json   {"computed-at":UNIX,"status":ContractStatus} (judge.hpp's JSON), one line;
///                     the contract id percent-encoded (status_file_name)
///   .evaluated        {"evaluated-at":UNIX}: the last evaluation, which also vouches for the
///                     figures of the contracts it did not judge again (they did not change)
///   .contracts.json   [{"contract":ID,"customer":NAME},…]: every contract published (LLD)
///
/// Nothing secret is in them: no community, pass phrase or device address (docs/nms.md).
/// One file a contract so that check_colosla, run for every contract every few minutes, reads
/// two small files and parses a few hundred bytes. No SQLite, no time zone database.
namespace colosla::core {

/// `<directory of db>/status` ("status" for a store named without a directory); for a
/// PostgreSQL store (a postgresql:// or postgres:// URI, a libpq "service=" string), which has
/// no directory, the package's /var/lib/colosla/status: each node publishes its own figures.
std::string default_status_dir(const std::string& db);

/// A contract's file in the directory: the id with every byte but A–Z a–z 0–9 '-' '_', and '.'
/// after the first, written %XX (upper-case hex), then ".json". Never starts with '.'.
std::string status_file_name(std::string_view contract);

/// Creates the directory (mode 2750: its files take its group) when it is missing.
/// Errors: io, naming the directory.
Result<void> ensure_status_dir(const std::string& dir);

/// Writes `content` as dir/name atomically: a temporary file in dir, made 0640 and given the
/// directory's group (when this process may), renamed over the old one. A reader sees the old
/// file or the new one, never a part. Errors: io, naming the file.
Result<void> write_atomically(const std::string& dir, const std::string& name,
                              std::string_view content);

/// Publishes a contract's figures (judge.hpp's ContractStatus as JSON) computed at computed_at.
/// Errors: io; invalid_input when status_json is not JSON.
Result<void> publish_status(const std::string& dir, const std::string& contract,
                            const std::string& status_json, std::int64_t computed_at);

/// Marks every published figure computed at `evaluated_at` (an evaluation that judged again
/// only what could change). Errors: io.
Result<void> publish_evaluation(const std::string& dir, std::int64_t evaluated_at);

/// The contracts published, with their customers (for Zabbix's low-level discovery). Errors: io.
Result<void> publish_contracts(const std::string& dir,
                               const std::vector<std::pair<std::string, std::string>>& contracts);

/// Removes the figures of contracts not in `keep`, and temporary files a minute older than `now`
/// (Unix seconds; of a writer that died). Gives how many files it removed. Errors: io.
Result<std::size_t> remove_stale(const std::string& dir, const std::set<std::string>& keep,
                                 std::int64_t now);

/// A contract's published figures.
struct Published {
  std::string file;               ///< the file read
  std::int64_t computed_at = 0;   ///< the later of the file's computed-at and .evaluated
  std::int64_t evaluated_at = 0;  ///< .evaluated's (0 without it)
  ContractStatus status;
};

/// Reads a contract's published figures. Errors: not_found (no directory, or no figures of the
/// contract: the message says which), io (e.g. permission denied, with the system's words),
/// invalid_input (a file that is not what publish_status writes). Never throws.
Result<Published> read_published(const std::string& dir, const std::string& contract);

/// .contracts.json's list. Errors as read_published's.
Result<std::vector<std::pair<std::string, std::string>>> read_published_contracts(
    const std::string& dir);

}  // namespace colosla::core
