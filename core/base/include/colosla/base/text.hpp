#pragma once

#include <string>
#include <string_view>

/// Text that came from outside (a datagram, a device's answer) on its way into one line of a log,
/// of evidence or of a terminal: no newline, no control character, no byte that is not UTF-8
/// can reach the line as itself.
namespace colosla {

/// Appends `in` to `out` with every control character (C0, DEL, C1), every byte that is not
/// part of valid UTF-8 and every backslash written as an escape: `\n`, `\r`, `\t`, `\\`, else
/// `\xNN` (each byte). Printable UTF-8 (Chinese, say) stays as it is. The result is one line
/// that reads back unambiguously.
void append_escaped(std::string& out, std::string_view in);

/// append_escaped into a new string.
std::string escaped(std::string_view in);

/// Like escaped(), but a backslash stays as it is: for a line that may hold text escaped
/// already (the log's last defence), so that nothing is escaped twice.
std::string without_control(std::string_view in);

/// True when escaped(in) would be `in` itself (the usual case, checked before copying).
bool is_plain(std::string_view in);

}  // namespace colosla
