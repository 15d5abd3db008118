// colosla-bench-measure: runs a command and prints its wall time (s) and peak resident memory
// (KiB, wait4's ru_maxrss) on one line to stderr, then exits with the command's status.
//   colosla-bench-measure COMMAND [ARG...]
// Linux carries a process's peak RSS across execve, and a child forked from a big process (a
// benchmark script holding millions of generated lines) starts with its parent's: measured from
// here, a small process, the figure is the command's own.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: colosla-bench-measure COMMAND [ARG...]\n");
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("colosla-bench-measure: fork");
    return 2;
  }
  if (pid == 0) {
    execvp(argv[1], argv + 1);
    std::perror("colosla-bench-measure: exec");
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) {
    std::perror("colosla-bench-measure: wait4");
    return 2;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "colosla-bench-measure: %.6f %ld\n", wall, usage.ru_maxrss);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
