// Linux futex system calls behind memory.atomic.wait/notify (see futex.h).
#include "runtime/futex.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <climits>
#include <ctime>

#include "aperture/memory.h"
#include "runtime/guest_access.h"

namespace aperture {
namespace {

static_assert(std::endian::native == std::endian::little,
              "wait64 assumes the low half of a 64-bit word is at its address");

constexpr int64_t kNanosPerSecond = 1'000'000'000;
// How often the wait64 fallback (kernels without futex_waitv) re-checks the high half.
constexpr int64_t kWait64RecheckNanos = 10'000'000;
// Cleared when the kernel lacks futex_waitv (ENOSYS), or by tests.
std::atomic<bool> g_waitv_usable{true};

int64_t monotonic_now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * kNanosPerSecond + ts.tv_nsec;
}

timespec to_timespec(int64_t nanos) {
  return timespec{static_cast<time_t>(nanos / kNanosPerSecond),
                  static_cast<long>(nanos % kNanosPerSecond)};
}

// A deadline on CLOCK_MONOTONIC; `forever` for negative timeouts.
struct Deadline {
  bool forever;
  int64_t at;
  explicit Deadline(int64_t timeout_ns)
      : forever(timeout_ns < 0),
        at(timeout_ns < 0 ? 0 : monotonic_now() + std::min(timeout_ns, INT64_MAX / 4)) {}
  int64_t remaining() const { return forever ? INT64_MAX : std::max<int64_t>(at - monotonic_now(), 0); }
};

int op(int base, bool shared) { return shared ? base : (base | FUTEX_PRIVATE_FLAG); }

long sys_futex(const void* word, int futex_op, uint32_t value, const timespec* timeout) {
  return syscall(SYS_futex, word, futex_op, value, timeout, nullptr, 0);
}

// One FUTEX_WAIT of at most `slice_ns` (negative: unbounded). Returns 0 when woken, else errno.
int wait_once(const void* word, uint32_t expected, int64_t slice_ns, bool shared) {
  timespec ts;
  if (slice_ns >= 0) ts = to_timespec(slice_ns);
  if (sys_futex(word, op(FUTEX_WAIT, shared), expected, slice_ns >= 0 ? &ts : nullptr) == 0)
    return 0;
  return errno;
}

#ifdef SYS_futex_waitv
// Waits on both halves of a 64-bit word at once. Returns 0 when woken through the low
// half (the wasm address), kWokenThroughHighHalf when woken through the high half, else
// errno.
constexpr int kWokenThroughHighHalf = -1;
int waitv_once(const void* word, uint64_t expected, const Deadline& deadline, bool shared) {
  uint32_t flags = FUTEX_32 | (shared ? 0 : FUTEX_PRIVATE_FLAG);
  auto base = reinterpret_cast<uintptr_t>(word);
  futex_waitv waiters[2] = {
      {static_cast<uint32_t>(expected), base, flags, 0},
      {static_cast<uint32_t>(expected >> 32), base + 4, flags, 0},
  };
  timespec abs;
  if (!deadline.forever) abs = to_timespec(deadline.at);
  long r = syscall(SYS_futex_waitv, waiters, 2u, 0u, deadline.forever ? nullptr : &abs,
                   CLOCK_MONOTONIC);
  if (r == 0) return 0;
  if (r == 1) return kWokenThroughHighHalf;
  return errno;
}
#endif

// EAGAIN: the kernel saw another value (not equal); EFAULT: the word is not mapped.
// Anything else (EINVAL) cannot happen for an aligned word; it ends the wait like a timeout.
uint32_t result_of_errno(int err) {
  if (err == EAGAIN) return kWaitNotEqual;
  return err == EFAULT ? kWaitFault : kWaitTimedOut;
}

// Loads the guest word; false when that faulted (a window whose file was truncated): host
// callers run outside any wasm fault scope (runtime/guest_access.h).
bool load_word(const void* word, uint64_t* out) {
  const auto* word64 = static_cast<const uint64_t*>(word);
  return catching_guest_faults(static_cast<const uint8_t*>(word), 8,
                               [&] { *out = __atomic_load_n(word64, __ATOMIC_SEQ_CST); });
}

uint32_t wait64_by_rechecking(const void* word, uint64_t expected, const Deadline& deadline,
                              bool shared) {
  uint64_t value = 0;
  if (!load_word(word, &value)) return kWaitFault;
  if (value != expected) return kWaitNotEqual;
  for (;;) {
    int err = wait_once(word, static_cast<uint32_t>(expected),
                        std::min(deadline.remaining(), kWait64RecheckNanos), shared);
    if (err == 0) return kWaitWoken;
    if (err != ETIMEDOUT && err != EINTR) return result_of_errno(err);
    // Timed-out slice or signal: a change of the high half may have come with a notify we
    // could not see; report it as a wake-up (the guest re-checks its condition anyway).
    if (!load_word(word, &value)) return kWaitFault;
    if (value != expected) return kWaitWoken;
    if (deadline.remaining() == 0) return kWaitTimedOut;
  }
}

}  // namespace

namespace futex {

// Every loop below makes the system call before looking at the deadline: the kernel
// compares the value first, so a zero timeout still answers "not equal" correctly.
uint32_t wait32(const void* word, uint32_t expected, int64_t timeout_ns, bool shared) {
  Deadline deadline(timeout_ns);
  for (;;) {
    int err = wait_once(word, expected, deadline.forever ? -1 : deadline.remaining(), shared);
    if (err == 0) return kWaitWoken;
    if (err != EINTR && err != ETIMEDOUT) return result_of_errno(err);
    // A signal, or the relative timeout ran out: wait out whatever is left.
    if (deadline.remaining() == 0) return kWaitTimedOut;
  }
}

uint32_t wait64(const void* word, uint64_t expected, int64_t timeout_ns, bool shared) {
  Deadline deadline(timeout_ns);
#ifdef SYS_futex_waitv
  while (g_waitv_usable.load(std::memory_order_relaxed)) {
    int r = waitv_once(word, expected, deadline, shared);
    if (r == 0) return kWaitWoken;
    if (r == kWokenThroughHighHalf) {
      // A notify at address+4 picked this waiter; hand the wake-up on to a waiter that
      // really waits there, and report a (spurious) wake-up.
      wake(static_cast<const uint8_t*>(word) + 4, 1, shared);
      return kWaitWoken;
    }
    if (r == ETIMEDOUT) return kWaitTimedOut;  // the deadline is absolute
    if (r == EINTR) continue;
    if (r != ENOSYS) return result_of_errno(r);
    g_waitv_usable.store(false, std::memory_order_relaxed);
  }
#endif
  return wait64_by_rechecking(word, expected, deadline, shared);
}

void use_wait64_rechecking_for_testing() { g_waitv_usable.store(false); }

uint32_t wake(const void* word, uint32_t count, bool shared) {
  if (count == 0) {
    // Only a shared futex can be unmapped under a valid address (a window past its file's end).
    if (!shared) return 0;
    const auto* word32 = static_cast<const uint32_t*>(word);
    bool mapped = catching_guest_faults(static_cast<const uint8_t*>(word), 4,
                                        [&] { (void)__atomic_load_n(word32, __ATOMIC_RELAXED); });
    return mapped ? 0 : kWakeFault;
  }
  uint32_t n = std::min<uint32_t>(count, INT_MAX);
  long r = sys_futex(word, op(FUTEX_WAKE, shared), n, nullptr);
  if (r < 0) return errno == EFAULT ? kWakeFault : 0;
  return static_cast<uint32_t>(r);
}

}  // namespace futex

// A region-backed memory is shared with other processes as a whole (its pages are
// MAP_SHARED), so every word of it needs a shared futex, like a window.
bool needs_shared_futex(const Memory& memory, uint64_t addr) {
  return memory.backing() != nullptr || memory.in_window(addr);
}

uint32_t memory_wait32(const Memory& memory, uint64_t addr, uint32_t expected,
                       int64_t timeout_ns) {
  return futex::wait32(memory.base() + addr, expected, timeout_ns,
                       needs_shared_futex(memory, addr));
}

uint32_t memory_wait64(const Memory& memory, uint64_t addr, uint64_t expected,
                       int64_t timeout_ns) {
  return futex::wait64(memory.base() + addr, expected, timeout_ns,
                       needs_shared_futex(memory, addr));
}

uint32_t memory_notify(const Memory& memory, uint64_t addr, uint32_t count) {
  bool shared = needs_shared_futex(memory, addr);
  if (!memory.shared() && !shared) return 0;
  uint32_t woken = futex::wake(memory.base() + addr, count, shared);
  // The engines' bounds-checking load passed: the window lost its page only meanwhile,
  // and nobody can be waiting on a page that is gone.
  return woken == futex::kWakeFault ? 0 : woken;
}

}  // namespace aperture
