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

// Return addresses of native (compiled) wasm frames, innermost first, captured before the
// stack is unwound. Entry 0 is the faulting or trapping instruction itself.
struct NativeFrames {
  static constexpr uint32_t kMax = 72;  // room for 64 wasm frames plus entry stubs
  uintptr_t pcs[kMax];
  uint32_t count = 0;
  bool truncated = false;
};

struct FaultInfo {
  int signo = 0;
  uintptr_t address = 0;
  NativeFrames frames;  // compiled code only
};

// Per-thread state visible to the signal handler.
struct FaultScope {
  sigjmp_buf jump;
  FaultInfo fault;
  FaultScope* previous = nullptr;
  // Host access scopes (runtime/guest_access.cpp) catch only faults at addresses inside
  // the guest bytes the runtime meant to touch, at most two ranges [host_lo[i], host_hi[i])
  // (a copy's source and destination): a fault anywhere else is a host bug and stays a
  // crash. Wasm execution scopes leave host_access false.
  bool host_access = false;
  uintptr_t host_lo[2] = {0, 0};
  uintptr_t host_hi[2] = {0, 0};
  // Compiled code: a fault is a trap only if the faulting instruction lies in registered
  // code (register_code_range), and frames are captured by walking frame pointers that
  // stay inside [stack_low, stack_high).
  bool native = false;
  uintptr_t stack_low = 0;
  uintptr_t stack_high = 0;
};

void install_fault_handler();          // idempotent, thread-safe
// Once per thread that runs wasm (cheap afterwards); the stack is freed when the thread exits.
void ensure_alt_signal_stack();
// The registry of reservations: register after the reservation is mapped, unregister
// before it is unmapped and the Memory freed. false when the registry is full.
bool register_reservation(Memory* m);
void unregister_reservation(Memory* m);
// Whether `address` lies in a registered reservation. Async-signal-safe: reads only the
// registry's base addresses, never a Memory (which another thread may be destroying).
bool in_reservation(uintptr_t address);

// Machine code that may fault on wasm memory accesses (the compiled engine's).
bool register_code_range(uintptr_t begin, uintptr_t end);  // false when the registry is full
void unregister_code_range(uintptr_t begin);
bool in_code_range(uintptr_t pc);  // async-signal-safe

// Walks frame pointers from a frame of compiled code: `pc` is in that frame's function and
// `fp` is its frame pointer. Collects pc and then each return address that lies in
// registered code. Async-signal-safe.
void capture_native_frames(uintptr_t pc, uintptr_t fp, const FaultScope& scope,
                           NativeFrames* out);

// The innermost active scope of this thread (nullptr outside wasm execution).
FaultScope*& current_fault_scope();

// Describes a recorded fault as a trap message: out of bounds, read-only window
// (naming the region) or a bus error (e.g. a truncated file behind a window).
std::string describe_fault(const FaultInfo& fault);

}  // namespace aperture
