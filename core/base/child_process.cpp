#include "colosla/base/child_process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace colosla {

Result<pid_t> start_child(std::vector<std::string> args, const ChildOptions& options) {
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  int in[2] = {-1, -1};
  if (!options.input.empty() && pipe2(in, O_CLOEXEC) != 0) {
    return Error{Errc::io, std::strerror(errno), {}};
  }
  const pid_t parent = getpid();
  const int on_death = options.on_death;
  const bool quiet = options.quiet;
  const int nice_by = options.nice;
  const pid_t pid = fork();
  if (pid == 0) {
    // The child, until exec: async-signal-safe calls only (another thread may hold locks).
    prctl(PR_SET_PDEATHSIG, on_death);
    if (getppid() != parent) {
      _exit(127);  // the parent ended before the line above
    }
    const int stdin_fd = in[0] >= 0 ? in[0] : ::open("/dev/null", O_RDONLY);
    if (stdin_fd < 0 || dup2(stdin_fd, 0) < 0) {
      _exit(127);
    }
    if (quiet) {
      const int null_fd = ::open("/dev/null", O_WRONLY);
      if (null_fd < 0 || dup2(null_fd, 1) < 0 || dup2(null_fd, 2) < 0) {
        _exit(127);
      }
    }
    if (nice_by != 0) {
      // A courtesy to the parent: refused (a seccomp filter without @resources), the child runs
      // at the parent's priority rather than not at all.
      [[maybe_unused]] const int ignored = nice(nice_by);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  const int fork_errno = errno;
  if (in[0] >= 0) {
    ::close(in[0]);
  }
  if (pid < 0) {
    if (in[1] >= 0) {
      ::close(in[1]);
    }
    return Error{Errc::io, std::strerror(fork_errno), {}};
  }
  if (in[1] >= 0) {
    for (std::size_t done = 0; done < options.input.size();) {
      const ssize_t n = ::write(in[1], options.input.data() + done, options.input.size() - done);
      if (n <= 0) {
        break;  // the child ended already: it says why
      }
      done += static_cast<std::size_t>(n);
    }
    ::close(in[1]);
  }
  return pid;
}

std::string describe_exit(int status) {
  return WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                           : "signal " + std::to_string(WTERMSIG(status));
}

}  // namespace colosla
