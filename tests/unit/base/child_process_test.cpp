#include "colosla/base/child_process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>

using namespace colosla;

namespace {

int wait_for(pid_t pid) {
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return status;
}

}  // namespace

TEST_CASE("a child gets its input on stdin, not in its argv", "[base][child]") {
  ChildOptions o;
  o.input = "s3cret\n";
  auto pid = start_child({"sh", "-c", "read x && test \"$x\" = s3cret"}, o);
  REQUIRE(pid.has_value());
  CHECK(describe_exit(wait_for(*pid)) == "exit 0");

  SECTION("without input, its stdin is /dev/null") {
    auto empty = start_child({"sh", "-c", "! read x"});
    REQUIRE(empty.has_value());
    CHECK(describe_exit(wait_for(*empty)) == "exit 0");
  }
}

TEST_CASE("background work runs at a higher nice value than its parent", "[base][child]") {
  errno = 0;
  const int mine = nice(0);
  REQUIRE(errno == 0);
  ChildOptions o;
  o.nice = 10;
  const int expected = std::min(mine + 10, 19);
  auto pid = start_child({"sh", "-c", "test \"$(nice)\" = " + std::to_string(expected)}, o);
  REQUIRE(pid.has_value());
  CHECK(describe_exit(wait_for(*pid)) == "exit 0");
}

TEST_CASE("a program that cannot be run is the child's exit 127", "[base][child]") {
  auto pid = start_child({"/nonexistent/colosla-no-such-program"}, ChildOptions{SIGKILL, {}, true});
  REQUIRE(pid.has_value());
  CHECK(describe_exit(wait_for(*pid)) == "exit 127");
}

TEST_CASE("the child's signal mask is empty, and a signal's end is described", "[base][child]") {
  sigset_t term, before;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  REQUIRE(sigprocmask(SIG_BLOCK, &term, &before) == 0);
  auto pid = start_child({"sh", "-c", "kill -TERM $$; sleep 5"});
  REQUIRE(sigprocmask(SIG_SETMASK, &before, nullptr) == 0);
  REQUIRE(pid.has_value());
  CHECK(describe_exit(wait_for(*pid)) == "signal 15");
}

TEST_CASE("a child does not outlive the process that started it", "[base][child]") {
  int p[2];
  REQUIRE(pipe(p) == 0);
  const pid_t middle = fork();
  REQUIRE(middle >= 0);
  if (middle == 0) {
    auto c = start_child({"sleep", "30"});
    const pid_t v = c ? *c : 0;
    [[maybe_unused]] const auto n = write(p[1], &v, sizeof v);
    _exit(0);
  }
  close(p[1]);
  pid_t child = 0;
  REQUIRE(read(p[0], &child, sizeof child) == sizeof child);
  close(p[0]);
  REQUIRE(child > 0);
  wait_for(middle);
  // Gone, or a zombie its new parent has not reaped yet.
  const auto gone = [child] {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string pid, name, state;
    return !(stat >> pid >> name >> state) || state == "Z";
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (!gone() && std::chrono::steady_clock::now() < deadline) {
    usleep(10'000);
  }
  CHECK(gone());
}
