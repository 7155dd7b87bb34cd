// The futex layer behind memory.atomic.wait/notify: counts, timeouts, both halves of
// wait64, and shared futexes across processes that map the same memfd at different
// addresses.
#include "runtime/futex.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "thread_support.h"

namespace aperture {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing_support::current_tid;
using testing_support::wait_until_blocked_in_futex;

TEST(FutexTest, NotEqualReturnsAtOnce) {
  alignas(8) uint64_t word = 7;
  EXPECT_EQ(futex::wait32(&word, 8, -1, false), kWaitNotEqual);
  EXPECT_EQ(futex::wait64(&word, 0x1'0000'0007ull, -1, false), kWaitNotEqual);
}

TEST(FutexTest, TimeoutsAreRelativeAndAtLeastAsLongAsAsked) {
  alignas(8) uint64_t word = 0;
  for (bool shared : {false, true}) {
    auto start = steady_clock::now();
    EXPECT_EQ(futex::wait32(&word, 0, 25'000'000, shared), kWaitTimedOut);
    EXPECT_GE(steady_clock::now() - start, milliseconds(25));
    start = steady_clock::now();
    EXPECT_EQ(futex::wait64(&word, 0, 25'000'000, shared), kWaitTimedOut);
    EXPECT_GE(steady_clock::now() - start, milliseconds(25));
  }
  EXPECT_EQ(futex::wait32(&word, 0, 0, false), kWaitTimedOut);
}

TEST(FutexTest, WakeCountsExactlyTheWaitersWoken) {
  alignas(4) uint32_t word = 0;
  constexpr int kWaiters = 4;
  std::vector<std::atomic<pid_t>> tids(kWaiters);
  std::vector<std::thread> threads;
  std::atomic<int> woken{0};
  for (int i = 0; i < kWaiters; ++i)
    threads.emplace_back([&, i] {
      tids[i] = current_tid();
      if (futex::wait32(&word, 0, -1, false) == kWaitWoken) ++woken;
    });
  for (auto& tid : tids) {
    while (tid.load() == 0) std::this_thread::yield();
    ASSERT_TRUE(wait_until_blocked_in_futex(tid, &word));
  }
  EXPECT_EQ(futex::wake(&word, 0, false), 0u);
  EXPECT_EQ(futex::wake(&word, 1, true), 0u) << "a shared wake does not reach private waiters";
  EXPECT_EQ(futex::wake(&word, 3, false), 3u);
  EXPECT_EQ(futex::wake(&word, 0xFFFFFFFFu, false), 1u);
  for (auto& t : threads) t.join();
  EXPECT_EQ(woken.load(), kWaiters);
}

// A notify at address+4 wakes a wait64 through its high half; the wake-up must be passed
// on to the real waiter at address+4, which would otherwise sleep forever.
TEST(FutexTest, Wait64PassesOnAWakeMeantForTheNextWord) {
  alignas(8) uint32_t words[2] = {0, 0};
  std::atomic<pid_t> wide_tid{0}, narrow_tid{0};
  std::atomic<uint32_t> wide{99}, narrow{99};
  std::thread wide_waiter([&] {
    wide_tid = current_tid();
    wide = futex::wait64(words, 0, 10'000'000'000, false);  // 10 s: fail, never hang
  });
  while (wide_tid.load() == 0) std::this_thread::yield();
  ASSERT_TRUE(wait_until_blocked_in_futex(wide_tid));
  std::thread narrow_waiter([&] {
    narrow_tid = current_tid();
    narrow = futex::wait32(&words[1], 0, 10'000'000'000, false);
  });
  while (narrow_tid.load() == 0) std::this_thread::yield();
  ASSERT_TRUE(wait_until_blocked_in_futex(narrow_tid, &words[1]));
  // One wake at words+4: whichever waiter the kernel picks, both must end.
  EXPECT_EQ(futex::wake(&words[1], 1, false), 1u);
  narrow_waiter.join();
  EXPECT_EQ(narrow.load(), kWaitWoken);
  // If the kernel picked the narrow waiter directly, the wide one still sleeps (a wide
  // waiter woken through its high half returns at once): then wake it normally.
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (wide.load() == 99 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(milliseconds(1));
  if (wide.load() == 99) {
    EXPECT_EQ(futex::wake(words, 1, false), 1u);
  }
  wide_waiter.join();
  EXPECT_EQ(wide.load(), kWaitWoken);
}

// Kernels before 5.16 have no futex_waitv: wait64 then waits on the low half and re-checks
// the whole value every 10 ms, so a change of the high half alone is still noticed.
// (Last in this file: the switch is process-wide.)
TEST(FutexTest, Wait64WithoutFutexWaitv) {
  futex::use_wait64_rechecking_for_testing();
  alignas(8) uint64_t word = 0x1'0000'0000ull;
  EXPECT_EQ(futex::wait64(&word, 0, -1, false), kWaitNotEqual);
  auto start = steady_clock::now();
  EXPECT_EQ(futex::wait64(&word, 0x1'0000'0000ull, 25'000'000, false), kWaitTimedOut);
  EXPECT_GE(steady_clock::now() - start, milliseconds(25));
  EXPECT_EQ(futex::wait64(&word, 0x1'0000'0000ull, 0, false), kWaitTimedOut);
  std::atomic<pid_t> tid{0};
  uint32_t result = 99;
  std::thread t([&] {
    tid = current_tid();
    result = futex::wait64(&word, 0x1'0000'0000ull, 10'000'000'000, false);
  });
  while (tid.load() == 0) std::this_thread::yield();
  ASSERT_TRUE(wait_until_blocked_in_futex(tid, &word));
  // Only the high half changes, and no notify comes at all: the re-check notices.
  __atomic_store_n(&word, 0x2'0000'0000ull, __ATOMIC_SEQ_CST);
  t.join();
  EXPECT_EQ(result, kWaitWoken);
  // A notify wakes it directly.
  tid = 0;
  t = std::thread([&] {
    tid = current_tid();
    result = futex::wait64(&word, 0x2'0000'0000ull, 10'000'000'000, false);
  });
  while (tid.load() == 0) std::this_thread::yield();
  ASSERT_TRUE(wait_until_blocked_in_futex(tid, &word));
  EXPECT_EQ(futex::wake(&word, 1, false), 1u);
  t.join();
  EXPECT_EQ(result, kWaitWoken);
}

// Two processes map one memfd at different addresses; a shared futex keys on the file
// page, so the parent's wake reaches the child's wait.
TEST(FutexTest, SharedFutexWorksAcrossProcesses) {
  int fd = memfd_create("futex_test", 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 4096), 0);
  void* mine = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(mine, MAP_FAILED);
  auto* word = static_cast<uint32_t*>(mine) + 16;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A second mapping of the same page, at another address.
    void* other = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    auto* child_word = static_cast<uint32_t*>(other) + 16;
    uint32_t r = futex::wait32(child_word, 0, 20'000'000'000, /*shared=*/true);
    _exit(r == kWaitWoken && __atomic_load_n(child_word, __ATOMIC_SEQ_CST) == 1 ? 0 : 10 + r);
  }
  ASSERT_TRUE(wait_until_blocked_in_futex(child, nullptr, child));
  EXPECT_EQ(futex::wake(word, 1, /*shared=*/false), 0u) << "private wake stays in this process";
  __atomic_store_n(word, 1, __ATOMIC_SEQ_CST);
  EXPECT_EQ(futex::wake(word, 1, /*shared=*/true), 1u);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  munmap(mine, 4096);
  close(fd);
}

}  // namespace
}  // namespace aperture
