#pragma once

#include <sys/types.h>

#include <csignal>
#include <string>
#include <vector>

#include "colosla/base/result.hpp"

/// Child processes: a program started with its secrets on stdin, never in its argv (which every
/// user of the machine can read), that does not outlive the process that started it.
namespace colosla {

struct ChildOptions {
  /// The signal the child gets when the process that started it ends, however it ends (a
  /// kill -9 too: PR_SET_PDEATHSIG).
  int on_death = SIGKILL;
  /// Written to the child's stdin (a pipe, closed after it); empty: stdin is /dev/null. A few
  /// lines: it must fit a pipe's buffer, so that writing it does not block. A child that ends
  /// without reading it raises SIGPIPE here: a caller that passes input ignores SIGPIPE.
  std::string input;
  /// The child's stdout and stderr go to /dev/null (a daemon's); else they are this process's.
  bool quiet = false;
  /// Added to the child's nice value (0: as this process's): background work that must not
  /// take the CPU from this process when both want it.
  int nice = 0;
};

/// Starts the program args[0] (PATH searched, as execvp does; no shell) with args, and the
/// signal mask emptied. Returns its pid: the caller waits for it (waitpid). Safe to call while
/// other threads hold locks: between fork and exec the child makes async-signal-safe calls only.
/// Errors: io, with the system's text, when the pipe or the fork failed. A program that cannot
/// be run, or a parent that ended before the child was set up, is the child's exit status 127.
Result<pid_t> start_child(std::vector<std::string> args, const ChildOptions& options = {});

/// What a waitpid status says: "exit N" or "signal N".
std::string describe_exit(int status);

}  // namespace colosla
