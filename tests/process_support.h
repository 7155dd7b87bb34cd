// Starting real processes from tests: posix_spawn with stdout captured, the CPU time
// a running process has used (the counters getrusage reports, read from /proc), and a
// forked child with a deadline.
#pragma once

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace aperture::testing_support {

struct Child {
  pid_t pid = -1;
  int out_fd = -1;  // the child's standard output
};

// Starts argv[0] with `args`; standard error is inherited. pid -1 when it cannot start.
inline Child spawn_process(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Child c;
  int fds[2];
  if (pipe(fds) != 0) return c;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  if (posix_spawn(&c.pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) c.pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  c.out_fd = fds[0];
  return c;
}

// Reads the child's output to the end and reaps it. *status is the wait status; *usage
// (optional) the child's resource usage (wait4).
inline std::string finish_process(Child c, int* status, struct rusage* usage = nullptr) {
  std::string out;
  char buf[512];
  for (;;) {
    ssize_t n = read(c.out_fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(c.out_fd);
  struct rusage ru;
  wait4(c.pid, status, 0, &ru);
  if (usage) *usage = ru;
  return out;
}

// User + system CPU time of a running process in clock ticks (sysconf(_SC_CLK_TCK) per
// second), from /proc/PID/stat: the counters getrusage(RUSAGE_SELF) would report in it.
inline long cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close_paren = text.rfind(')');
  if (close_paren == std::string::npos) return -1;
  std::istringstream fields(text.substr(close_paren + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stol(field);
    if (i == 15) {
      stime = std::stol(field);
      break;
    }
  }
  return utime + stime;
}

inline bool exited_with(int status, int code) { return WIFEXITED(status) && WEXITSTATUS(status) == code; }

// Runs `body` in a forked child that is killed after `seconds` (a deadlock must fail the
// test, not hang it); returns a description of how the child ended: "exit N" or
// "signal N" ("signal 14" is the alarm: the child hung).
// An exception that escapes `body` is "exit 125" (the child never returns into the test).
inline std::string in_child(const std::function<int()>& body, unsigned seconds = 60) {
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    alarm(seconds);
    int code = 125;
    try {
      code = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: %s\n", e.what());
    } catch (...) {
    }
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "exit " + std::to_string(WEXITSTATUS(status));
}

}  // namespace aperture::testing_support
