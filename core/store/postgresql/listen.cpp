// The PostgreSQL backend: wake-ups (docs/scale-out.md, "Wake-ups"). Writers notify in their
// transactions (backend.cpp: observations and events at COMMIT; records.cpp: records and mapping
// changes); a follower LISTENs here and waits on the connection's socket.
#include <poll.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "postgresql/pg_store.hpp"

namespace colosla::core::pg {

namespace {

// The channels an evaluation's inputs are notified on (colosla_events is for the event sinks).
constexpr const char* kListen = "LISTEN colosla_observations; LISTEN colosla_records";

// Takes every notification libpq has read so far, freeing them; true when there was one. Their
// channels and payloads are not looked at: a wake-up is a hint, whatever it names.
bool take_notifications(PGconn* c) {
  bool any = false;
  for (;;) {
    const std::unique_ptr<PGnotify, decltype(&PQfreemem)> n(PQnotifies(c), &PQfreemem);
    if (!n) {
      return any;
    }
    any = true;
  }
}

}  // namespace

Result<bool> PgStore::wait_for_change(std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  Impl& s = *impl_;
  if (s.conn->in_transaction() || s.savepoints > 0) {
    return make_error(Errc::internal, "wait_for_change inside a transaction", s.shown);
  }
  for (;;) {
    // The server closed the session (a restart, a failover, pg_terminate_backend; found by an
    // earlier statement or by reading below): connect again now, and listen again below.
    if (s.conn->broken()) {
      if (auto r = s.revive(); !r) {
        return r.error();
      }
    }
    // Listening first (again, after the connection was made again: revive()). A connection made
    // again is a change: notifications sent while it was away are lost.
    if (!s.listening) {
      if (auto r = s.exec(kListen); !r) {
        return make_error(Errc::store, r.error().msg, s.shown);
      }
      s.listening = true;
      if (s.relisten) {
        s.relisten = false;
        return true;
      }
    }
    // Those read with the results of earlier statements (an evaluation's reads), then what the
    // socket brings until the deadline.
    if (take_notifications(s.conn->raw())) {
      return true;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd p{PQsocket(s.conn->raw()), POLLIN, 0};
    if (p.fd < 0) {
      return make_error(Errc::store, "the connection to PostgreSQL has no socket", s.shown);
    }
    const int n = poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) {
      return make_error(Errc::io, std::string("poll: ") + std::strerror(errno), s.shown);
    }
    if (n > 0 && PQconsumeInput(s.conn->raw()) == 0 && !s.conn->broken()) {
      return make_error(
          Errc::store,
          "reading from PostgreSQL failed: " + std::string(PQerrorMessage(s.conn->raw())), s.shown);
    }
  }
}

}  // namespace colosla::core::pg
