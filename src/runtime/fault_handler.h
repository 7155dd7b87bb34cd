// Turns hardware faults inside linear-memory reservations into wasm traps.
//
// While wasm code runs, the thread has an active FaultScope holding a sigjmp_buf. The
// SIGSEGV/SIGBUS handler (on an alternate signal stack) checks that the faulting address
// lies in a registered reservation and that the thread is inside a FaultScope; then it
// records the fault and siglongjmps back. Host code touching guest memory does the same
// through runtime/guest_access.h, limited to the bytes it meant to touch. Any other fault
// is re-raised with the default action: a crash stays a crash.
#pragma once

#include <csetjmp>
#include <cstdint>
#include <string>

namespace aperture {

class Memory;

struct FaultInfo {
  int signo = 0;
  uintptr_t address = 0;
};

// Per-thread state visible to the signal handler.
struct FaultScope {
  sigjmp_buf jump;
  FaultInfo fault;
  FaultScope* previous = nullptr;
  // Host access scopes (runtime/guest_access.cpp) catch only faults at addresses inside
  // [host_lo, host_hi), the guest bytes the host meant to touch: a fault anywhere else is
  // a host bug and stays a crash. Wasm execution scopes leave both 0.
  uintptr_t host_lo = 0;
  uintptr_t host_hi = 0;
};

void install_fault_handler();          // idempotent, thread-safe
void ensure_alt_signal_stack();        // once per thread that runs wasm
bool register_reservation(Memory* m);  // false when the registry is full
void unregister_reservation(Memory* m);
Memory* find_reservation(uintptr_t address);

// The innermost active scope of this thread (nullptr outside wasm execution).
FaultScope*& current_fault_scope();

// Describes a recorded fault as a trap message: out of bounds, read-only window
// (naming the region) or a bus error (e.g. a truncated file behind a window).
std::string describe_fault(const FaultInfo& fault);

}  // namespace aperture
