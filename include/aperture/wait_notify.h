// Wait and notify for host code, with the semantics of memory.atomic.wait32/64 and
// memory.atomic.notify (threads proposal), on Linux futexes (docs/regions.md,
// "Synchronising").
//
//   // a host thread sleeps until a guest stores to a flag and notifies it:
//   aperture::wait32(*instance.memory(), flag_addr, 0);
//   // a host process wakes guests in any process that map region r in a window:
//   aperture::notify(*r, /*region offset*/ 64);
//
// A word inside a window, or in a region, is waited on with a *shared* futex, keyed by the
// kernel on the region's backing page: guests and host threads of every process that map
// the same bytes meet there, whatever address each maps them at. Native programs can use
// futex(2) on their own mapping directly (FUTEX_WAIT/FUTEX_WAKE without FUTEX_PRIVATE_FLAG).
// Other memory uses process-private futexes.
//
// Timeouts are relative, in nanoseconds on CLOCK_MONOTONIC; negative waits forever.
#pragma once

#include <cstdint>
#include <limits>

namespace aperture {

class Memory;
class Region;

enum class WaitResult : uint32_t {
  Woken = 0,     // a notify woke this waiter
  NotEqual = 1,  // the word did not hold `expected`
  TimedOut = 2,
};
const char* to_string(WaitResult r);

constexpr uint32_t kNotifyAll = std::numeric_limits<uint32_t>::max();

// At wasm address `addr` of `memory`, shared or not. `addr` must be aligned to the width
// and inside [0, size) or a window; otherwise these throw aperture::Error, as they do for
// a word in a window past its file's end (notify too).
WaitResult wait32(const Memory& memory, uint64_t addr, uint32_t expected, int64_t timeout_ns = -1);
WaitResult wait64(const Memory& memory, uint64_t addr, uint64_t expected, int64_t timeout_ns = -1);
// Wakes up to `count` waiters at `addr`; returns how many were woken.
uint32_t notify(const Memory& memory, uint64_t addr, uint32_t count = kNotifyAll);

// At byte `offset` of `region`, through the host's own mapping of it (Region::data()).
// `offset` must be aligned to the width and inside the region; otherwise these throw
// aperture::Error.
WaitResult wait32(Region& region, uint64_t offset, uint32_t expected, int64_t timeout_ns = -1);
WaitResult wait64(Region& region, uint64_t offset, uint64_t expected, int64_t timeout_ns = -1);
uint32_t notify(Region& region, uint64_t offset, uint32_t count = kNotifyAll);

}  // namespace aperture
