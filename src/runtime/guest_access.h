// Fault-safe runtime access to guest memory: the one primitive through which runtime code
// (bulk memory instructions of every engine, wait/notify, WASI, the guest API, segment
// initialisation, the C++ and C embedding APIs) moves the bytes of a linear memory
// (docs/architecture.md, "Faults and threads").
//
// A range that passes Memory::range_accessible can still fault: a window whose backing
// file was truncated by another process or by the guest itself, a `dev:` region larger
// than its file (SIGBUS), a window that another thread unmaps meanwhile (SIGSEGV). The
// access runs under a FaultScope limited to exactly the guest bytes it touches, so such a
// fault ends the access (the caller returns EFAULT or traps) instead of the process, while
// a fault anywhere else is still a host bug and still a crash. The scope is recognised by
// the faulting *data address* only, never by the faulting instruction, so the primitive is
// the same on every target and under every engine (the compiled engine's own scope, which
// accepts only faults of generated code, is an outer scope here and never sees the fault).
//
// SAFETY (contract of every body run under the primitive): a fault leaves the body by
// siglongjmp, so the body must not own anything that needs a destructor or a release (no
// lock taken inside it, no allocation, no object with a destructor constructed inside
// it), and it must touch guest bytes only inside the ranges it declared. Locks the
// *caller* holds are fine: the jump lands inside the caller's frame and the caller
// releases them normally.
#pragma once

#include <cstdint>
#include <type_traits>

#include "runtime/fault_handler.h"

namespace aperture {

class Memory;

// Guest bytes [begin, begin + len) the runtime is about to touch.
struct GuestBytes {
  const void* begin = nullptr;
  uint64_t len = 0;
};

// Runs `fn(arg)`, which may touch guest bytes only inside `first` and `second` (host bytes
// anywhere). Returns true when it completed; false when a SIGSEGV/SIGBUS at a guest byte
// ended it early, with the fault in *fault (optional).
bool run_catching_guest_faults(GuestBytes first, GuestBytes second, void (*fn)(void*), void* arg,
                               FaultInfo* fault = nullptr);

// The same for any callable: catching_guest_faults(p, len, [&] { ... }).
template <typename Fn>
bool catching_guest_faults(GuestBytes first, GuestBytes second, Fn&& fn, FaultInfo* fault = nullptr) {
  auto call = [](void* f) { (*static_cast<std::remove_reference_t<Fn>*>(f))(); };
  return run_catching_guest_faults(first, second, call, &fn, fault);
}
template <typename Fn>
bool catching_guest_faults(const uint8_t* begin, uint64_t len, Fn&& fn, FaultInfo* fault = nullptr) {
  return catching_guest_faults(GuestBytes{begin, len}, GuestBytes{}, std::forward<Fn>(fn), fault);
}

// Byte movement on guest memory, fault-safe (false: a fault ended it, *fault says where).
// `dst`/`src` may each be guest or host bytes; both ranges are declared.
bool guest_memmove(void* dst, const void* src, uint64_t n, FaultInfo* fault = nullptr);
bool guest_memset(void* dst, uint8_t value, uint64_t n, FaultInfo* fault = nullptr);

}  // namespace aperture
