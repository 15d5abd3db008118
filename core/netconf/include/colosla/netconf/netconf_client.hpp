#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "colosla/base/clock.hpp"
#include "colosla/base/result.hpp"
#include "colosla/model/inventory.hpp"
#include "colosla/plugin/plugin.hpp"

/// A NETCONF client session on libnetconf2: SSH (public key or password, the host key checked
/// against a known_hosts file), TLS, or a Unix socket. Replies are parsed and validated by
/// libyang against the modules the server announces, found in local YANG directories (a
/// server's <get-schema> is not relied on), and handed over as plain DataNode trees.
///
/// libnetconf2 blocks signals while it waits and can wait minutes while it builds its schema
/// context, so a caller bounds a whole session from outside (colosla runs each one in a child
/// process with a deadline); every RPC here also has its own timeout.
namespace colosla::core {

struct NetconfOptions {
  /// Where the client finds the YANG modules servers announce (searched in order).
  std::vector<std::string> yang_dirs;
  std::chrono::milliseconds rpc_timeout{10'000};
};

/// The YANG directories colosla searches by default: its own, then yuma123's standard modules.
std::vector<std::string> default_yang_dirs();

/// Where a device's NETCONF data comes from, for an observation's origin: netconf:ssh:HOST:PORT,
/// netconf:tls:HOST:PORT, netconf:unix:PATH.
std::string netconf_origin(const Device& d);

/// Reads <get> replies as a NetconfSession reads them, without a session: the reply is parsed
/// with libyang as libnetconf2 parses it (an <rpc-reply> to ietf-netconf's <get>), then copied
/// into DataNode trees by the same code as a session's replies. For the tests and the fuzzer.
class NetconfReplyReader {
 public:
  /// A YANG context with ietf-netconf and `modules`, each with every feature enabled (a server
  /// that announces them all), found in `yang_dirs` as a session finds them. Throws ConfigError
  /// naming a module that cannot be loaded.
  NetconfReplyReader(const std::vector<std::string>& yang_dirs,
                     const std::vector<std::string>& modules);
  ~NetconfReplyReader();
  NetconfReplyReader(const NetconfReplyReader&) = delete;
  NetconfReplyReader& operator=(const NetconfReplyReader&) = delete;

  /// The data of an <rpc-reply> (XML text) to a <get>, as plain trees (none for <ok/>). The
  /// message-id is not checked. Errors: invalid_input with libyang's message for a reply that
  /// does not parse; io for an <rpc-error>, with its error-messages.
  [[nodiscard]] Result<std::vector<DataNode>> get_reply(std::string_view xml) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class NetconfSession {
 public:
  /// Connects to the device's NETCONF server and completes the <hello>. Errors: io, with the
  /// reason in words (a server that cannot be reached, a refused host key, failed
  /// authentication).
  static Result<std::unique_ptr<NetconfSession>> connect(const Device& d, const NetconfOptions& o);
  ~NetconfSession();
  NetconfSession(const NetconfSession&) = delete;
  NetconfSession& operator=(const NetconfSession&) = delete;

  /// What the server announced.
  [[nodiscard]] const NetconfServerInfo& server() const;
  /// <get> with an XPath filter per path; the data of every reply, as plain trees.
  Result<NetconfAnswer> get(const std::vector<std::string>& xpaths, const Clock& clock);
  /// RFC 5277 <create-subscription> to the NETCONF stream, replaying from `since` when given
  /// and the server keeps a replay log.
  Result<void> subscribe(std::optional<Timestamp> since);
  /// The next notification, waiting up to `wait`; nullopt when none came.
  Result<std::optional<NetconfNotification>> next_notification(std::chrono::milliseconds wait);

 private:
  struct Impl;
  explicit NetconfSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace colosla::core
