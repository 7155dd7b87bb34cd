#include "compile/invocation.h"

#include <pthread.h>

#include <algorithm>

#include "aperture/trap.h"
#include "compile/abi.h"
#include "compile/native_code.h"
#include "runtime/exec_control.h"

namespace aperture::native {
namespace {

// Stack kept free below compiled code for host functions, helpers and the runtime, and
// for the frames of compiled functions (those larger than kFrameCoveredByReserve check
// for their own frame).
#if defined(__SANITIZE_ADDRESS__)
constexpr uintptr_t kStackReserve = 2u << 20;
#else
constexpr uintptr_t kStackReserve = 512u << 10;
#endif

StackBounds compute_bounds() {
  StackBounds b;
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return b;
  void* addr = nullptr;
  size_t size = 0;
  pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  b.low = reinterpret_cast<uintptr_t>(addr);
  b.high = b.low + size;
  b.limit = b.low + std::max<uintptr_t>(std::min<uintptr_t>(kStackReserve, size / 4),
                                        2 * kFrameCoveredByReserve);
  return b;
}

// The frame of this thread's outermost active entry into compiled code: wasm frames of
// nested entries (host -> wasm -> host -> wasm) count against the same budget.
thread_local uintptr_t t_outermost_frame = 0;

// The lowest address compiled code entered from `frame` may use: the thread's stack
// reserve, and the store's limit on wasm stack (StoreLimits::max_wasm_stack) measured
// from the outermost entry.
uintptr_t stack_limit_for(const StackBounds& bounds, uint8_t* context, uintptr_t frame) {
  const Instance& inst = **reinterpret_cast<Instance**>(context + kInstanceOffset);
  uint64_t budget = inst.control_ ? inst.control_->limits.max_wasm_stack : kMaxWasmStackLimit;
  uintptr_t base = t_outermost_frame != 0 ? t_outermost_frame : frame;
  uintptr_t by_budget = base > budget ? base - budget : 0;
  return std::max(bounds.limit, by_budget);
}

// Rethrows a host function's (or another engine's) exception; a Trap gets this
// invocation's wasm frames appended (Trap::frames, outermost last), as in the interpreter.
[[noreturn]] void rethrow_with_frames(std::exception_ptr pending, const NativeFrames& frames,
                                      Instance* entry) {
  try {
    std::rethrow_exception(pending);
  } catch (Trap& t) {
    Trap ours("");
    describe_native_frames(frames, entry, ours);
    for (const TrapFrame& f : ours.frames) {
      if (t.frames.size() >= static_cast<size_t>(kMaxBacktraceFrames)) break;
      t.frames.push_back(f);
    }
    throw;
  }
}

}  // namespace

const StackBounds& thread_stack_bounds() {
  thread_local const StackBounds bounds = compute_bounds();
  return bounds;
}

NativeInvocation& current_invocation() {
  return *static_cast<NativeInvocation*>(current_fault_scope());
}

void raise_trap(uintptr_t pc, uintptr_t fp) {
  NativeInvocation& inv = current_invocation();
  capture_native_frames(pc, fp, inv, &inv.fault.frames);
  siglongjmp(inv.jump, 1);
}

void raise_pending(uintptr_t pc, uintptr_t fp) { raise_trap(pc, fp); }

void run_native(EntryStub stub, const void* code, uint8_t* context, uint64_t* slots) {
  const StackBounds& bounds = thread_stack_bounds();
  auto frame = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  uintptr_t limit = stack_limit_for(bounds, context, frame);
  if (frame < limit) throw Trap(trap_msg::kCallStackExhausted);
  ensure_alt_signal_stack();
  NativeInvocation inv;
  inv.native = true;
  inv.stack_low = bounds.low;
  inv.stack_high = bounds.high;
  inv.previous = current_fault_scope();
  inv.saved_outermost_frame = t_outermost_frame;
  if (t_outermost_frame == 0) t_outermost_frame = frame;
  // SAFETY: the compiled-code boundary. Compiled frames run between here and the stub's
  // return; they leave either by returning or by a siglongjmp to `inv.jump` (a trap a
  // helper raises, or a fault the signal handler accepts because its pc is in registered
  // code). Neither unwinds C++ frames between: compiled frames own nothing, and helpers
  // jump only with no destructor pending (compile/helpers.cpp). The thread's stack limit
  // goes in as an argument: the instance context is shared by every thread.
  if (sigsetjmp(inv.jump, 0) == 0) {
    current_fault_scope() = &inv;
    stub(code, context, slots, limit);
    current_fault_scope() = inv.previous;
    t_outermost_frame = inv.saved_outermost_frame;
    return;
  }
  current_fault_scope() = inv.previous;
  t_outermost_frame = inv.saved_outermost_frame;
  Instance* entry = *reinterpret_cast<Instance**>(context + kInstanceOffset);
  if (inv.pending) rethrow_with_frames(inv.pending, inv.fault.frames, entry);
  Trap trap(inv.message.empty() ? describe_fault(inv.fault) : inv.message);
  describe_native_frames(inv.fault.frames, entry, trap);
  throw trap;
}

}  // namespace aperture::native
