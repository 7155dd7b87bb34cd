// Runtime helpers called from compiled code. Built with frame pointers (see
// src/CMakeLists.txt): a helper that traps records its caller's frame pointer so the
// backtrace starts in the calling wasm function. A helper never lets a C++ exception
// reach compiled code, and keeps no object with a destructor alive when it raises a trap
// (raising is a siglongjmp).
#include "compile/helpers.h"

#include <cstdint>
#include <string>

#include "aperture/memory.h"
#include "aperture/trap.h"
#include "compile/abi.h"
#include "compile/invocation.h"
#include "runtime/engine.h"
#include "runtime/exec_control.h"
#include "runtime/fault_handler.h"
#include "runtime/futex.h"
#include "runtime/guest_access.h"
#include "runtime/instance_ops.h"

namespace aperture::native {
namespace {

using Context = uint8_t;

Instance& instance_of(Context* ctx) {
  return **reinterpret_cast<Instance**>(ctx + kInstanceOffset);
}

static_assert(kMemory64Reservation == Memory::kAddressSpace64,
              "compiled code's 64-bit bounds compare must match the reservation");

const char* trap_message(uint32_t kind) {
  switch (static_cast<TrapKind>(kind)) {
    case TrapKind::Unreachable: return trap_msg::kUnreachable;
    case TrapKind::IntegerDivideByZero: return trap_msg::kIntegerDivideByZero;
    case TrapKind::IntegerOverflow: return trap_msg::kIntegerOverflow;
    case TrapKind::InvalidConversion: return trap_msg::kInvalidConversion;
    case TrapKind::UndefinedElement: return trap_msg::kUndefinedElement;
    case TrapKind::IndirectCallTypeMismatch: return trap_msg::kIndirectCallTypeMismatch;
    case TrapKind::CallStackExhausted: return trap_msg::kCallStackExhausted;
    case TrapKind::UnalignedAtomic: return trap_msg::kUnalignedAtomic;
    case TrapKind::NullFunctionReference: return trap_msg::kNullFunctionReference;
    case TrapKind::NullReference: return trap_msg::kNullReference;
    case TrapKind::MemoryOutOfBounds: return trap_msg::kMemoryOutOfBounds;
  }
  return "unknown trap";
}

// The fallible part of a helper: returns false with the trap message stored in the
// invocation. Separate functions, so that nothing with a destructor is alive in the
// helper when it raises the trap.
//
// SAFETY: helpers are called from compiled code, whose frames have no unwind tables: an
// exception that left a helper would reach them and std::terminate the process. So every
// exception is caught here: a Trap keeps its message; anything else (std::bad_alloc from
// a growing table or a message, an Error) is kept in the invocation and rethrown by
// run_native once compiled code has been left, as a host function's exception is.
template <typename Op, typename R>
__attribute__((noinline)) R attempt_value(Op op, R failed) {
  NativeInvocation& inv = current_invocation();
  try {
    return op(&inv.message);
  } catch (...) {
    inv.pending = std::current_exception();
    return failed;
  }
}
// The usual case: an operation that succeeds or fails (with the message set).
template <typename Op>
bool attempt(Op op) {
  return attempt_value(op, false);
}

// Calls a host function or another engine's function; an exception it throws is kept in
// the invocation to be rethrown once compiled code has been left.
__attribute__((noinline)) bool call_catching(Context* ctx, Function* f, uint64_t* slots) {
  try {
    invoke_function(*f, slots, &instance_of(ctx));
    return true;
  } catch (...) {
    current_invocation().pending = std::current_exception();
    return false;
  }
}

void helper_Trap(Context*, uint32_t kind) {
  attempt([&](std::string* m) {
    *m = trap_message(kind);
    return false;
  });
  APERTURE_RAISE_TRAP_FROM_HELPER();
}

void helper_TrapUninitialized(Context*, uint32_t index) {
  bool ok = attempt([&](std::string* m) {
    *m = std::string(trap_msg::kUninitializedElement) + " " + std::to_string(index);
    return false;
  });
  if (!ok) APERTURE_RAISE_TRAP_FROM_HELPER();
}

void helper_CallFunction(Context* ctx, void* f, void* slots) {
  if (!call_catching(ctx, static_cast<Function*>(f), static_cast<uint64_t*>(slots)))
    APERTURE_RAISE_PENDING_FROM_HELPER();
}

// Compiled code truncates the i64 results to i32 for 32-bit memories and tables.
uint64_t helper_MemorySize(Context* ctx, uint32_t memory) {
  return instance_of(ctx).memories_[memory]->pages();
}

uint64_t helper_MemoryGrow(Context* ctx, uint32_t memory, uint64_t delta) {
  return static_cast<uint64_t>(instance_of(ctx).memories_[memory]->grow(delta));
}

void helper_MemoryFill(Context* ctx, uint32_t memory, uint64_t dst, uint32_t value, uint64_t n) {
  if (!attempt([&](std::string* m) { return memory_fill(instance_of(ctx), memory, dst, value, n, m); }))
    APERTURE_RAISE_TRAP_FROM_HELPER();
}

void helper_MemoryDiscard(Context* ctx, uint32_t memory, uint64_t addr, uint64_t n) {
  if (!attempt([&](std::string* m) { return memory_discard(instance_of(ctx), memory, addr, n, m); }))
    APERTURE_RAISE_TRAP_FROM_HELPER();
}

void helper_MemoryCopy(Context* ctx, uint32_t dst_memory, uint32_t src_memory, uint64_t dst, uint64_t src,
                uint64_t n) {
  if (!attempt([&](std::string* m) {
        return memory_copy(instance_of(ctx), dst_memory, src_memory, dst, src, n, m);
      }))
    APERTURE_RAISE_TRAP_FROM_HELPER();
}

void helper_MemoryInit(Context* ctx, uint32_t memory, uint32_t segment, uint64_t dst, uint32_t src,
                uint32_t n) {
  if (!attempt([&](std::string* m) {
        return memory_init(instance_of(ctx), memory, segment, dst, src, n, m);
      }))
    APERTURE_RAISE_TRAP_FROM_HELPER();
}

void helper_DataDrop(Context* ctx, uint32_t segment) { data_drop(instance_of(ctx), segment); }

uint64_t helper_TableGet(Context* ctx, uint32_t table, uint64_t index) {
  RefBits out = 0;
  if (!attempt([&](std::string* m) { return table_get(instance_of(ctx), table, index, &out, m); }))
    APERTURE_RAISE_TRAP_FROM_HELPER();
  return out;
}

void helper_TableSet(Context* ctx, uint32_t table, uint64_t index, uint64_t value) {
  if (!attempt([&](std::string* m) { return table_set(instance_of(ctx), table, index, value, m); }))
    APERTURE_RAISE_TRAP_FROM_HELPER();
}

uint64_t helper_TableSize(Context* ctx, uint32_t table) {
  return instance_of(ctx).tables_[table]->size();
}

uint64_t helper_TableGrow(Context* ctx, uint32_t table, uint64_t init, uint64_t n) {
  return static_cast<uint64_t>(instance_of(ctx).tables_[table]->grow_unchecked(n, init));
}

void helper_TableFill(Context* ctx, uint32_t table, uint64_t index, uint64_t value, uint64_t n) {
  if (!attempt([&](std::string* m) { return table_fill(instance_of(ctx), table, index, value, n, m); }))
    APERTURE_RAISE_TRAP_FROM_HELPER();
}

void helper_TableCopy(Context* ctx, uint32_t dst_table, uint32_t src_table, uint64_t dst, uint64_t src,
               uint64_t n) {
  if (!attempt([&](std::string* m) {
        return table_copy(instance_of(ctx), dst_table, src_table, dst, src, n, m);
      }))
    APERTURE_RAISE_TRAP_FROM_HELPER();
}

void helper_TableInit(Context* ctx, uint32_t table, uint32_t segment, uint64_t dst, uint32_t src,
               uint32_t n) {
  if (!attempt([&](std::string* m) {
        return table_init(instance_of(ctx), table, segment, dst, src, n, m);
      }))
    APERTURE_RAISE_TRAP_FROM_HELPER();
}

void helper_ElemDrop(Context* ctx, uint32_t segment) { elem_drop(instance_of(ctx), segment); }

// Compiled code has checked alignment and bounds (an atomic load of the word). The word is
// loaded again here, through the fault-catching primitive: another thread may have
// unmapped its window or truncated its file since (the same trap as the interpreter's).
template <typename T>
__attribute__((noinline)) uint32_t wait(Context* ctx, uint32_t memory, uint64_t addr, T expected,
                                        int64_t timeout) {
  return attempt_value([&](std::string* message) -> uint32_t {
    const Memory& m = *instance_of(ctx).memories_[memory];
    if (!m.shared()) {
      *message = trap_msg::kWaitOnUnsharedMemory;
      return UINT32_MAX;
    }
    const uint8_t* word = m.base() + addr;
    T now = 0;
    FaultInfo fault;
    if (!catching_guest_faults(word, sizeof(T),
                               [&] { now = __atomic_load_n(reinterpret_cast<const T*>(word), __ATOMIC_SEQ_CST); },
                               &fault)) {
      *message = describe_fault(fault);
      return UINT32_MAX;
    }
    if (now != expected) return kWaitNotEqual;
    uint32_t r;
    if constexpr (sizeof(T) == 4) r = memory_wait32(m, addr, expected, timeout);
    else r = memory_wait64(m, addr, expected, timeout);
    if (r == kWaitFault) {  // the window vanished meanwhile
      *message = trap_msg::kMemoryOutOfBounds;
      return UINT32_MAX;
    }
    return r;
  }, UINT32_MAX);
}

uint32_t helper_MemoryWait32(Context* ctx, uint32_t memory, uint64_t addr, uint32_t expected,
                             uint64_t timeout) {
  uint32_t r = wait<uint32_t>(ctx, memory, addr, expected, static_cast<int64_t>(timeout));
  if (r == UINT32_MAX) APERTURE_RAISE_TRAP_FROM_HELPER();
  return r;
}

uint32_t helper_MemoryWait64(Context* ctx, uint32_t memory, uint64_t addr, uint64_t expected,
                             uint64_t timeout) {
  uint32_t r = wait<uint64_t>(ctx, memory, addr, expected, static_cast<int64_t>(timeout));
  if (r == UINT32_MAX) APERTURE_RAISE_TRAP_FROM_HELPER();
  return r;
}

// The slow half of a check point: an interrupt or fuel (runtime/exec_control.h).
__attribute__((noinline)) bool exec_check(Context* ctx) {
  const char* message = exec_check_slow(*instance_of(ctx).control_);
  if (message == nullptr) return true;
  return attempt([&](std::string* m) {
    *m = message;
    return false;
  });
}

void helper_ExecCheck(Context* ctx) {
  if (!exec_check(ctx)) APERTURE_RAISE_TRAP_FROM_HELPER();
}

uint32_t helper_MemoryNotify(Context* ctx, uint32_t memory, uint64_t addr, uint32_t count) {
  return memory_notify(*instance_of(ctx).memories_[memory], addr, count);
}

}  // namespace

const void* const* helper_table() {
  static const void* const table[] = {
#define APERTURE_HELPER_ENTRY(Name, ...) reinterpret_cast<const void*>(&helper_##Name),
      APERTURE_HELPERS(APERTURE_HELPER_ENTRY)
#undef APERTURE_HELPER_ENTRY
  };
  static_assert(sizeof(table) / sizeof(table[0]) == static_cast<size_t>(HelperId::Count));
  return table;
}

}  // namespace aperture::native
