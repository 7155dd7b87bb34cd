// The contract between compiled code and the runtime: the instance context every
// compiled function receives as its first argument, the runtime helpers it calls, and
// the offsets of runtime objects it reads. Shared by the code generator
// (compile/codegen/, a separate library) and the engine (compile/*.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "binary/module.h"

namespace aperture::native {

// ---- instance context ----
//
// One per instance, allocated by the engine when an instance is bound. A fixed header
// followed by one 8-byte slot per memory (its base address: memory N costs the same as
// memory 0), global (address of its 64-bit value), table (Table*) and function
// (Function*), in that order. Compiled code loads slots with constant offsets.
//
// The context is shared by every thread that runs the instance's code, so it holds
// nothing per thread: the stack limit is an argument of every compiled function (below).
// Offset 0 is unused.
constexpr uint32_t kAttentionOffset = 8;   // const uint32_t*: the store's ExecControl::attention
constexpr uint32_t kHelpersOffset = 16;    // const void* const*: the helper table (HelperId)
constexpr uint32_t kEngineOffset = 24;     // const void*: Function::engine_ of compiled functions
constexpr uint32_t kTypeIdsOffset = 32;    // const uint32_t*: canonical id of each module type
constexpr uint32_t kInstanceOffset = 40;   // Instance*
constexpr uint32_t kModuleCodeOffset = 48; // the engine's code for the module
constexpr uint32_t kContextHeaderSize = 56;

// The stack limit leaves at least this much stack below it (invocation.cpp's reserve is
// larger): compiled functions whose frame may exceed it check their stack pointer, below
// the whole frame, rather than their frame address.
constexpr uint64_t kFrameCoveredByReserve = 64 * 1024;

struct ContextLayout {
  uint32_t num_memories = 0, num_globals = 0, num_tables = 0, num_funcs = 0;

  explicit ContextLayout(const Module& m)
      : num_memories(m.num_memories()), num_globals(m.num_globals()),
        num_tables(m.num_tables()), num_funcs(m.num_funcs()) {}
  uint32_t memory_base(uint32_t i) const { return kContextHeaderSize + 8 * i; }
  uint32_t global_ptr(uint32_t i) const { return memory_base(num_memories) + 8 * i; }
  uint32_t table_ptr(uint32_t i) const { return global_ptr(num_globals) + 8 * i; }
  uint32_t function_ptr(uint32_t i) const { return table_ptr(num_tables) + 8 * i; }
  uint32_t size() const { return function_ptr(num_funcs); }
};

// The wasm addresses of a 64-bit memory's reservation (Memory::kAddressSpace64, checked in
// engine.cpp): compiled code compares `address + offset + width` against it.
constexpr uint64_t kMemory64Reservation = 1ull << 36;

// ---- runtime objects read by compiled code ----
//
// Offsets measured in the running binary (engine.cpp) and handed to the code generator;
// they are part of the ABI fingerprint that keys cached code.
struct RuntimeLayout {
  uint32_t function_type_id = 0;  // Function::type_id_ (uint32_t)
  uint32_t function_engine = 0;   // Function::engine_
  uint32_t function_code = 0;     // Function::code_: the machine code of a compiled function
  uint32_t function_context = 0;  // Function::context_: its instance context
  uint32_t table_begin = 0;       // Table: pointer to the first element (RefBits)
  uint32_t table_end = 0;         // Table: pointer past the last element
};

// ---- traps raised by compiled code itself ----
enum class TrapKind : uint32_t {
  Unreachable,
  IntegerDivideByZero,
  IntegerOverflow,
  InvalidConversion,
  UndefinedElement,
  IndirectCallTypeMismatch,
  CallStackExhausted,
  UnalignedAtomic,
  NullFunctionReference,  // call_ref of null
  NullReference,          // ref.as_non_null of null
  MemoryOutOfBounds,  // a 64-bit memory's explicit bounds compare (memory_ops.cpp)
};

// ---- runtime helpers ----
//
// Compiled code calls helpers through the table at kHelpersOffset, so objects contain no
// absolute addresses of the runtime. Types: V void, I32 uint32_t, I64 uint64_t, P pointer.
// APERTURE_HELPER(Name, Result, params...) — every helper takes the context first.
#define APERTURE_HELPERS(X)                                              \
  X(Trap, V, I32)                      /* TrapKind; does not return */   \
  X(TrapUninitialized, V, I32)         /* element index; no return */    \
  X(CallFunction, V, P, P)             /* Function*, uint64_t* slots */  \
  /* Addresses, lengths, sizes and table indices are I64: whole values for 64-bit  */ \
  /* memories and tables (memory64, table64), zero-extended for 32-bit ones.        */ \
  X(MemorySize, I64, I32)              /* memory */                      \
  X(MemoryGrow, I64, I32, I64)         /* memory, delta pages; -1: failed */ \
  X(MemoryFill, V, I32, I64, I32, I64) /* memory, dst, value, n */       \
  X(MemoryDiscard, V, I32, I64, I64)   /* memory, address, n */           \
  X(MemoryCopy, V, I32, I32, I64, I64, I64) /* dst mem, src mem, d, s, n */ \
  X(MemoryInit, V, I32, I32, I64, I32, I32) /* memory, segment, d, s, n */ \
  X(DataDrop, V, I32)                  /* segment */                     \
  X(TableGet, I64, I32, I64)           /* table, index */                \
  X(TableSet, V, I32, I64, I64)        /* table, index, ref */           \
  X(TableSize, I64, I32)               /* table */                       \
  X(TableGrow, I64, I32, I64, I64)     /* table, init, n; -1: failed */  \
  X(TableFill, V, I32, I64, I64, I64)  /* table, index, ref, n */        \
  X(TableCopy, V, I32, I32, I64, I64, I64) /* dst table, src table, d, s, n */ \
  X(TableInit, V, I32, I32, I64, I32, I32) /* table, segment, d, s, n */ \
  X(ElemDrop, V, I32)                  /* segment */                     \
  X(MemoryWait32, I32, I32, I64, I32, I64) /* memory, address, expected, timeout */ \
  X(MemoryWait64, I32, I32, I64, I64, I64) /* memory, address, expected, timeout */ \
  X(MemoryNotify, I32, I32, I64, I32)  /* memory, address, count */     \
  X(ExecCheck, V)                      /* slow path of a check point; may trap */

enum class HelperId : uint32_t {
#define APERTURE_HELPER_ID(Name, ...) Name,
  APERTURE_HELPERS(APERTURE_HELPER_ID)
#undef APERTURE_HELPER_ID
  Count
};

// ---- compiled functions ----
//
// A compiled wasm function of type (p...) -> (r...) is
//     R wasm_<i>(void* context, uint64_t stack_limit, p...)
// with R void, the single result, or a struct of the results, and LLVM's `tailcc` calling
// convention (not the C one), so that return_call can be a guaranteed tail call; only
// compiled code and the entry stubs call them. `stack_limit` is the
// calling thread's: the lowest address the function's frame may reach before it traps
// with "call stack exhausted". Callers pass their own on (every call on one thread
// has the same limit), so a thread's limit never leaks into another thread's code.
//
// Symbol names in generated objects.
// Defined function i (0-based among defined functions) is "wasm_<i>"; the entry stub for
// module type t is "entry_<t>":
//     void(const void* code, void* context, uint64_t* slots, uint64_t stack_limit),
// which loads the arguments from slots, calls `code` and stores the results back.
constexpr const char* kFunctionSymbolPrefix = "wasm_";
constexpr const char* kEntrySymbolPrefix = "entry_";

}  // namespace aperture::native
