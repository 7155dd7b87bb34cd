// memory.atomic.wait / notify on Linux futexes, shared by every engine and the host API.
//
// A futex is keyed by the kernel: a *private* futex by (process, virtual address), a
// *shared* one by the backing object and offset (the shm/memfd/file page). Waiting on a
// word inside a MAP_SHARED window with a shared futex therefore meets a notify from any
// process (or native program) that maps the same bytes, at whatever address it maps them.
// Private memory uses private futexes: cheaper, and nothing outside the process can reach
// it anyway.
#pragma once

#include <cstdint>

namespace aperture {

class Memory;

// Results of memory.atomic.wait32/64, as the spec numbers them, plus kWaitFault: the
// word is not mapped (EFAULT from the kernel; only host-side callers that let the kernel
// read the word without loading it first can see it).
enum : uint32_t { kWaitWoken = 0, kWaitNotEqual = 1, kWaitTimedOut = 2, kWaitFault = 3 };

namespace futex {

// Blocks while *word == expected, until woken or `timeout_ns` (relative, CLOCK_MONOTONIC;
// negative = forever) has passed. The kernel compares the value atomically with queueing
// the waiter, so no wake-up between a caller's own check and the wait is lost. Returns
// kWaitWoken, kWaitNotEqual, kWaitTimedOut or kWaitFault. `word` must be 4-byte aligned
// (8 for wait64).
uint32_t wait32(const void* word, uint32_t expected, int64_t timeout_ns, bool shared);
// The kernel compares 32-bit words only. wait64 waits on both halves at once
// (futex_waitv, Linux 5.16+), so a change of either half followed by a notify is never
// missed; on older kernels it re-checks the 64-bit value every 10 ms instead.
uint32_t wait64(const void* word, uint64_t expected, int64_t timeout_ns, bool shared);
// Makes wait64 use the older kernels' re-checking path from now on (tests only).
void use_wait64_rechecking_for_testing();
// Wakes up to `count` waiters on `word`; returns how many were woken, or kWakeFault when
// the word is not mapped (a shared futex in a window past its file's end: the kernel
// answers EFAULT, as for a wait there; with count 0 the word is checked by a fault-safe
// load, since FUTEX_WAKE with 0 would wake one waiter).
constexpr uint32_t kWakeFault = UINT32_MAX;
uint32_t wake(const void* word, uint32_t count, bool shared);

}  // namespace futex

// Whether waits and notifies at wasm address `addr` of `memory` must use shared futexes:
// true inside a window (every window is a MAP_SHARED mapping of a region).
bool needs_shared_futex(const Memory& memory, uint64_t addr);

// memory.atomic.wait32/64 and notify after the engine has checked alignment and bounds
// and (for waits) that the memory is shared. `addr` is the effective address.
uint32_t memory_wait32(const Memory& memory, uint64_t addr, uint32_t expected, int64_t timeout_ns);
uint32_t memory_wait64(const Memory& memory, uint64_t addr, uint64_t expected, int64_t timeout_ns);
// Unshared memories can have no waiters except inside windows (another process, a native
// program or the aperture.wait32 guest call may wait there), so elsewhere this returns 0
// without a system call.
uint32_t memory_notify(const Memory& memory, uint64_t addr, uint32_t count);

}  // namespace aperture
