// The statement's PDF: WeasyPrint (HTML and CSS on Pango and Cairo, with the system's fonts:
// Noto CJK for the Chinese) run as a child process, `weasyprint - -`, no shell. The HTML goes to
// its standard input and the PDF comes from its standard output, both through pipes served by
// one poll() loop, so that neither side blocks the other however large the page.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "colosla/base/child_process.hpp"
#include "colosla/base/text.hpp"
#include "colosla/render/statement.hpp"

namespace colosla::core {

namespace {

Error io_error(const std::string& what) {
  return Error{Errc::io, what + ": " + std::strerror(errno), "weasyprint"};
}

struct Pipe {
  std::array<int, 2> fd{-1, -1};
  Pipe() = default;
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    close(0);
    close(1);
  }
  void close(int i) {
    if (fd[static_cast<std::size_t>(i)] >= 0) {
      ::close(fd[static_cast<std::size_t>(i)]);
      fd[static_cast<std::size_t>(i)] = -1;
    }
  }
};

}  // namespace

Result<std::string> statement_pdf(const std::string& html, std::chrono::seconds timeout) {
  Pipe in, out, err;
  if (pipe2(in.fd.data(), O_CLOEXEC) != 0 || pipe2(out.fd.data(), O_CLOEXEC) != 0 ||
      pipe2(err.fd.data(), O_CLOEXEC) != 0) {
    return io_error("pipe");
  }
  // Prepared before fork: the child makes async-signal-safe calls only.
  std::array<std::string, 5> args{"weasyprint", "--encoding", "utf-8", "-", "-"};
  std::array<char*, 6> argv{args[0].data(), args[1].data(), args[2].data(),
                            args[3].data(), args[4].data(), nullptr};
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    return io_error("fork");
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent || dup2(in.fd[0], 0) < 0 || dup2(out.fd[1], 1) < 0 ||
        dup2(err.fd[1], 2) < 0) {
      _exit(127);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  in.close(0);
  out.close(1);
  err.close(1);
  // Writing to a child that ended early must be an error here, not a SIGPIPE.
  fcntl(in.fd[1], F_SETFL, O_NONBLOCK);
  std::string pdf, diagnostics;
  std::size_t written = 0;
  if (html.empty()) {
    in.close(1);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  while (out.fd[0] >= 0 || err.fd[0] >= 0) {
    std::array<pollfd, 3> fds{};
    nfds_t n = 0;
    for (int fd : {out.fd[0], err.fd[0]}) {
      if (fd >= 0) {
        fds[n++] = pollfd{fd, POLLIN, 0};
      }
    }
    if (in.fd[1] >= 0) {
      fds[n++] = pollfd{in.fd[1], POLLOUT, 0};
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    const int r = ::poll(fds.data(), n, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (r < 0 && errno != EINTR) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      return io_error("poll");
    }
    for (nfds_t i = 0; i < n && r > 0; ++i) {
      if (fds[i].revents == 0) {
        continue;
      }
      if (fds[i].fd == in.fd[1]) {
        const ssize_t w = ::write(in.fd[1], html.data() + written, html.size() - written);
        if (w > 0) {
          written += static_cast<std::size_t>(w);
        }
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == html.size()) {
          in.close(1);  // done, or the child stopped reading: it says why
        }
        continue;
      }
      char buf[65536];
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      const bool is_out = fds[i].fd == out.fd[0];
      if (got > 0) {
        (is_out ? pdf : diagnostics).append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        (is_out ? out : err).close(0);
      }
    }
  }
  if (timed_out) {
    kill(pid, SIGKILL);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return Error{Errc::io, "ran longer than " + std::to_string(timeout.count()) + " s",
                 "weasyprint"};
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || pdf.rfind("%PDF-", 0) != 0) {
    if (diagnostics.size() > 2000) {
      diagnostics.erase(0, diagnostics.size() - 2000);
    }
    // It may quote the page, which holds text from devices and people: escaped for the log.
    diagnostics = escaped(diagnostics);
    return Error{Errc::io,
                 (WIFEXITED(status) && WEXITSTATUS(status) == 127
                      ? std::string("cannot be run (is the weasyprint package installed?)")
                      : "failed (" + describe_exit(status) + ")") +
                     (diagnostics.empty() ? std::string() : ": " + diagnostics),
                 "weasyprint"};
  }
  return pdf;
}

}  // namespace colosla::core
