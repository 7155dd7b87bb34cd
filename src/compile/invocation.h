// Running compiled code: entering it from C++, and leaving it by a trap.
//
// Compiled code runs inside a NativeInvocation, the thread's innermost FaultScope. A trap
// (an explicit check calling the Trap helper, a helper's failed check, or a fault the
// signal handler catches) captures the wasm frames by walking frame pointers, then
// siglongjmps back to run_native(), which throws the Trap. Compiled frames hold nothing
// that needs unwinding, and C++ exceptions never cross them: a host function's exception
// is caught at the helper, carried across, and rethrown by run_native().
#pragma once

#include <cstdint>
#include <exception>
#include <string>

#include "runtime/fault_handler.h"

namespace aperture::native {

// entry_<t>(code, context, slots, stack_limit) (compile/abi.h)
using EntryStub = void (*)(const void* code, void* context, uint64_t* slots, uint64_t stack_limit);

struct NativeInvocation : FaultScope {
  std::string message;          // trap message set by a helper
  std::exception_ptr pending;   // exception of a host function or another engine
  uintptr_t saved_outermost_frame = 0;
};

// This thread's stack and the lowest address compiled code may use (a reserve is kept
// for host functions and signal handling).
struct StackBounds {
  uintptr_t low = 0, high = 0, limit = 0;
};
const StackBounds& thread_stack_bounds();

// Calls stub(code, context, slots). Throws Trap (message and wasm backtrace) or the
// exception a host function threw.
void run_native(EntryStub stub, const void* code, uint8_t* context, uint64_t* slots);

// The invocation the calling helper runs in.
NativeInvocation& current_invocation();

// Leaves compiled code with the trap whose message is in current_invocation().message.
// `pc` is in the innermost wasm frame, `fp` is that frame's frame pointer.
[[noreturn]] void raise_trap(uintptr_t pc, uintptr_t fp);
// Leaves compiled code rethrowing current_invocation().pending; a Trap gets the wasm
// frames from `pc`/`fp` (as for raise_trap) appended, as the interpreter appends its own.
[[noreturn]] void raise_pending(uintptr_t pc, uintptr_t fp);

}  // namespace aperture::native

// In a helper called directly by compiled code (built with frame pointers): the caller's
// return address (minus one, so that it lies in the calling function) and frame pointer.
#define APERTURE_RAISE_TRAP_FROM_HELPER()                                                  \
  ::aperture::native::raise_trap(                                                          \
      reinterpret_cast<uintptr_t>(__builtin_return_address(0)) - 1,                        \
      *static_cast<uintptr_t*>(__builtin_frame_address(0)))
#define APERTURE_RAISE_PENDING_FROM_HELPER()                                               \
  ::aperture::native::raise_pending(                                                       \
      reinterpret_cast<uintptr_t>(__builtin_return_address(0)) - 1,                        \
      *static_cast<uintptr_t*>(__builtin_frame_address(0)))
