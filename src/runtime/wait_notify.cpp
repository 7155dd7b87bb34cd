// Host-side wait/notify on a wasm memory (include/aperture/wait_notify.h).
#include "aperture/wait_notify.h"

#include <string>

#include "aperture/error.h"
#include "aperture/memory.h"
#include "runtime/futex.h"

namespace aperture {

const char* to_string(WaitResult r) {
  switch (r) {
    case WaitResult::Woken: return "woken";
    case WaitResult::NotEqual: return "not-equal";
    case WaitResult::TimedOut: return "timed-out";
  }
  return "?";
}

namespace {

// Throws unless [addr, addr+width) is an aligned, accessible word of `memory`.
void check_word(const Memory& memory, uint64_t addr, uint64_t width, const char* what) {
  if (addr % width != 0)
    throw Error(std::string(what) + ": address " + std::to_string(addr) + " is not a multiple of " +
                std::to_string(width));
  if (!memory.range_accessible(addr, width, false))
    throw Error(std::string(what) + ": address " + std::to_string(addr) +
                " is outside the memory and its windows");
}

// Futex results for host callers: a fault means the word vanished under us (a window was
// unmapped or its file truncated meanwhile).
WaitResult host_result(uint32_t r, uint64_t addr, const char* what) {
  if (r == kWaitFault)
    throw Error(std::string(what) + ": address " + std::to_string(addr) + " is no longer mapped");
  return static_cast<WaitResult>(r);
}

}  // namespace

WaitResult wait32(const Memory& memory, uint64_t addr, uint32_t expected, int64_t timeout_ns) {
  check_word(memory, addr, 4, "wait32");
  return host_result(futex::wait32(memory.base() + addr, expected, timeout_ns,
                                   needs_shared_futex(memory, addr)),
                     addr, "wait32");
}

WaitResult wait64(const Memory& memory, uint64_t addr, uint64_t expected, int64_t timeout_ns) {
  check_word(memory, addr, 8, "wait64");
  return host_result(futex::wait64(memory.base() + addr, expected, timeout_ns,
                                   needs_shared_futex(memory, addr)),
                     addr, "wait64");
}

uint32_t notify(const Memory& memory, uint64_t addr, uint32_t count) {
  check_word(memory, addr, 4, "notify");
  uint32_t woken = futex::wake(memory.base() + addr, count, needs_shared_futex(memory, addr));
  if (woken == futex::kWakeFault)
    throw Error("notify: address " + std::to_string(addr) + " is no longer mapped");
  return woken;
}

}  // namespace aperture
