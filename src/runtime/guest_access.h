// Fault-safe host access to guest memory: the one place where host code (WASI, the guest
// API, segment initialisation, the C++ and C embedding APIs) touches the bytes of a linear
// memory (DESIGN.md: "window checks for host access live once in runtime").
//
// A range that passes Memory::range_accessible can still fault: a window whose backing
// file was truncated by another process or by the guest itself, a `dev:` region larger
// than its file (SIGBUS), a window that another thread unmaps meanwhile (SIGSEGV). The
// access runs under a FaultScope limited to exactly the guest bytes it touches, so such a
// fault ends the access (the caller returns EFAULT or traps) instead of the process, while
// a fault anywhere else is still a host bug and still a crash.
#pragma once

#include <cstdint>
#include <type_traits>

#include "runtime/fault_handler.h"

namespace aperture {

class Memory;

// Runs `fn(arg)`, which may touch guest bytes only inside [begin, begin+len) (host bytes
// anywhere). Returns true when it completed; false when a SIGSEGV/SIGBUS at a guest byte
// ended it early, with the fault in *fault (optional).
bool run_catching_guest_faults(const uint8_t* begin, uint64_t len, void (*fn)(void*), void* arg,
                               FaultInfo* fault = nullptr);

// The same for any callable: catching_guest_faults(p, len, [&] { ... }).
template <typename Fn>
bool catching_guest_faults(const uint8_t* begin, uint64_t len, Fn&& fn, FaultInfo* fault = nullptr) {
  auto call = [](void* f) { (*static_cast<std::remove_reference_t<Fn>*>(f))(); };
  return run_catching_guest_faults(begin, len, call, &fn, fault);
}

}  // namespace aperture
