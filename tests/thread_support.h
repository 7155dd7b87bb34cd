// Helpers for tests with real threads and processes that block in futexes.
#pragma once

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>

namespace aperture::testing_support {

// Whether thread `tid` of process `pid` is blocked in futex() on `word` (any futex when
// `word` is null), or in futex_waitv() (which waits on an array, so `word` is not
// compared). Read from /proc/PID/task/TID/syscall: "202 0xWORD ..." while in futex.
inline bool blocked_in_futex(pid_t tid, const void* word = nullptr, pid_t pid = getpid()) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/syscall");
  long nr = -1;
  std::string first_arg;
  if (!(in >> nr >> first_arg)) return false;
#ifdef SYS_futex_waitv
  if (nr == SYS_futex_waitv) return true;
#endif
  if (nr != SYS_futex) return false;
  return word == nullptr || std::stoull(first_arg, nullptr, 16) == reinterpret_cast<uintptr_t>(word);
}

// Polls until `tid` blocks in a futex (see blocked_in_futex); false after `limit`.
inline bool wait_until_blocked_in_futex(pid_t tid, const void* word = nullptr,
                                        pid_t pid = getpid(),
                                        std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!blocked_in_futex(tid, word, pid)) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// A thread's kernel id, published by the thread itself.
inline pid_t current_tid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

}  // namespace aperture::testing_support
