// The direct-threaded interpreter loop.
//
// Values are untyped 64-bit slots on a per-thread value stack; a frame's locals (params
// first) start at `fp`, its operands follow. Each instruction is a handler address
// followed by immediates (interp/code.h). Calls between wasm functions do not recurse
// on the host stack: they push a Frame, so deep wasm recursion ends in a clean
// "call stack exhausted" trap when either stack is full.
#include "interp/execute.h"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>

#include "aperture/memory.h"
#include "interp/code.h"
#include "interp/engine.h"
#include "interp/iop.h"
#include "interp/numeric.h"
#include "interp/simd_exec.h"
#include "runtime/compiled_module.h"
#include "runtime/engine.h"
#include "runtime/exec_control.h"
#include "runtime/fault_handler.h"
#include "runtime/futex.h"
#include "runtime/instance_ops.h"

namespace aperture {
namespace {

using numeric::f32_of;
using numeric::f64_of;
using numeric::slot_of;

struct Frame {
  const Slot* ret_ip;  // nullptr marks the entry frame of an invocation
  uint64_t* fp;        // caller's fp
  Function* fn;        // the function running in this frame
  // Where this frame stood when it trapped or called out of the interpreter (for trap
  // frames; written on those paths only).
  const Slot* at;
};

// The value stack holds at most kMaxWasmStackLimit bytes; each invocation stops at its
// store's limit (StoreLimits::max_wasm_stack).
constexpr size_t kMaxValueSlots = kMaxWasmStackLimit / sizeof(uint64_t);
// Frame records: a frame takes at least one value slot, but tiny frames are cut off at
// one per 16 slots of the limit (65 536 frames at the default 8 MiB), whichever comes first.
constexpr size_t kSlotsPerFrame = 16;
constexpr size_t kMinFrames = 1u << 16;
constexpr int kMaxNesting = 64;                // host -> wasm -> host ... re-entries

size_t frames_for(size_t slots) { return std::max(slots / kSlotsPerFrame, kMinFrames); }

struct ThreadStack {
  uint64_t* base = nullptr;
  uint64_t* end = nullptr;
  Frame* frames = nullptr;
  Frame* frames_end = nullptr;
  uint64_t* sp_top = nullptr;  // first free slot for a nested invocation
  Frame* frame_top = nullptr;  // innermost frame in use
  int depth = 0;       // invocations running on this thread
  int host_depth = 0;  // of which entered from the host, not from compiled code (kMaxNesting)

  // Mapped lazily for the limit of the first invocation; untouched pages cost nothing.
  // A larger limit remaps it when no invocation is running on this thread (nested ones
  // keep what exists). Only what a limit needs is reserved: address-space limits
  // (RLIMIT_AS) count reservations. Freed with the thread.
  void reserve(size_t slots) {
    if (base && (end - base >= static_cast<ptrdiff_t>(slots) || depth > 0)) return;
    release();
    size_t value_bytes = slots * sizeof(uint64_t);
    size_t frame_bytes = frames_for(slots) * sizeof(Frame);
    void* v = mmap(nullptr, value_bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    void* f = mmap(nullptr, frame_bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (v == MAP_FAILED || f == MAP_FAILED) {
      if (v != MAP_FAILED) munmap(v, value_bytes);
      if (f != MAP_FAILED) munmap(f, frame_bytes);
      throw Trap("cannot allocate the wasm stack");
    }
    base = sp_top = static_cast<uint64_t*>(v);
    end = base + slots;
    frames = static_cast<Frame*>(f);
    frame_top = frames;  // frames[0] is never used, frame_top+1 is the next free one
    frames_end = frames + frames_for(slots);
  }
  void release() {
    if (!base) return;
    munmap(base, (end - base) * sizeof(uint64_t));
    munmap(frames, (frames_end - frames) * sizeof(Frame));
    base = nullptr;
  }
  ~ThreadStack() { release(); }
};

// Where an invocation of a store with this limit must stop (both stacks count from the
// thread's base, so nested invocations share the budget).
struct StackBounds {
  uint64_t* values_end;
  Frame* frames_end;
};

size_t limit_slots(const StoreLimits& limits) {
  return std::min<size_t>(limits.max_wasm_stack / sizeof(uint64_t), kMaxValueSlots);
}

StackBounds stack_bounds(const ThreadStack& ts, size_t slots) {
  slots = std::min<size_t>(slots, ts.end - ts.base);
  return {ts.base + slots, std::min(ts.frames + frames_for(slots), ts.frames_end)};
}

thread_local ThreadStack t_stack;
// Storage for trap messages composed at run time (they must outlive run()).
thread_local std::string t_trap_detail;

// "uninitialized element 2": the spec suite expects the table index in the message.
const char* with_index(const char* message, uint32_t index) {
  t_trap_detail = std::string(message) + " " + std::to_string(index);
  return t_trap_detail.c_str();
}

// The interpreter's code of `f` (an interpreter function, or one the tiered engine has
// moved to compiled code since this thread saw its engine_).
inline const InterpCode* code_of(const Function* f) {
  return static_cast<const InterpCode*>(f->interp_code_);
}

// Under ThreadSanitizer (APERTURE_TSAN) the interpreter loop is not instrumented: its
// guest-memory accesses must stay plain machine instructions, because a fault inside
// TSan's runtime cannot become a trap, and races between guest threads are the guest's
// own business (wasm defines them). The runtime around it (stores, futexes, WASI,
// thread spawning, memory growth) is still checked.
#if defined(__SANITIZE_THREAD__)
#define APERTURE_INTERPRETER_LOOP __attribute__((no_sanitize("thread")))
#else
#define APERTURE_INTERPRETER_LOOP
#endif

// Runs `entry` whose arguments are at fp[0..params). Returns nullptr on success (results
// at fp[0..results)) or a trap message. With entry == nullptr, stores the handler table.
APERTURE_INTERPRETER_LOOP
const char* run(Function* entry, uint64_t* fp, ThreadStack* ts, StackBounds bounds,
                const void* const** table_out) {
  static const void* const kHandlers[] = {
#define WASM_OP(Name, Prefix, Code, Text, Imm, P0, P1, P2, R, Mem) &&L_##Name,
#include "binary/opcodes.def"
#undef WASM_OP
#define IOP(Name) &&L_##Name,
#include "interp/extra_ops.def"
#undef IOP
#define MEMN_HANDLER(Name) &&L_##Name##MemN,
#define WASM_OP(Name, Prefix, Code, Text, Imm, P0, P1, P2, R, Mem) \
  APERTURE_IF_MEMORY_ACCESS(Mem, MEMN_HANDLER, Name)
#include "binary/opcodes.def"
#undef WASM_OP
#undef MEMN_HANDLER
#define MEM1_HANDLER(Name) &&L_##Name##Mem1,
#define WASM_OP(Name, Prefix, Code, Text, Imm, P0, P1, P2, R, Mem) \
  APERTURE_IF_MEMORY_ACCESS(Mem, MEM1_HANDLER, Name)
#include "binary/opcodes.def"
#undef WASM_OP
#undef MEM1_HANDLER
#define MEM64_HANDLER(Name) &&L_##Name##Mem64,
#define WASM_OP(Name, Prefix, Code, Text, Imm, P0, P1, P2, R, Mem) \
  APERTURE_IF_MEMORY_ACCESS(Mem, MEM64_HANDLER, Name)
#include "binary/opcodes.def"
#undef WASM_OP
#undef MEM64_HANDLER
  };
  static_assert(sizeof(kHandlers) / sizeof(kHandlers[0]) == static_cast<size_t>(IOp::Count));
  if (entry == nullptr) {
    *table_out = kHandlers;
    return nullptr;
  }

  const char* trap_message = nullptr;
  const Slot* ip = nullptr;
  uint64_t* sp = fp + code_of(entry)->num_params;
  const Engine* const self = &interpreter_engine();
  uint64_t* const stack_end = bounds.values_end;
  Frame* const frames_end = bounds.frames_end;
  Frame* frame = ts->frame_top + 1;
  Instance* inst = nullptr;
  uint8_t* mem = nullptr;                  // base of memory 0
  uint8_t* mem1 = nullptr;                 // base of memory 1 (nullptr with fewer memories)
  uint8_t* const* mem_bases = nullptr;     // bases of all memories (Instance::memory_bases_)
  const std::atomic<uint32_t>* attention = nullptr;  // the store's (runtime/exec_control.h)
  Function* const* funcs = nullptr;
  Global* const* globals = nullptr;
  Function* fn = entry;
  Function* callee = nullptr;
  uint64_t ret_keep = 0;  // slots a return keeps (return_keep)
  const InterpCode* code = nullptr;

  frame->ret_ip = nullptr;
  frame->fp = nullptr;
  frame->fn = entry;
  ts->frame_top = frame;

#define NEXT() goto *(ip++)->handler
#define TRAP(msg)         \
  do {                    \
    trap_message = (msg); \
    goto trap;            \
  } while (0)
// callee = table `table_index`'s element at the popped index, checked against canonical
// type `type_id` (call_indirect and return_call_indirect trap alike).
#define INDIRECT_CALLEE(type_id, table_index)                                     \
  do {                                                                            \
    Table* table = inst->tables_[table_index];                                    \
    uint64_t i = *--sp;                                                           \
    if (!table->type_.limits.is64) i = static_cast<uint32_t>(i); /* table64: i64 */ \
    if (i >= table->elems_.size()) TRAP(trap_msg::kUndefinedElement);             \
    RefBits r = table->elems_[i];                                                 \
    if (r == 0) TRAP(with_index(trap_msg::kUninitializedElement, static_cast<uint32_t>(i))); \
    callee = reinterpret_cast<Function*>(r);                                      \
    if (callee->type_id_ != (type_id)) TRAP(trap_msg::kIndirectCallTypeMismatch); \
  } while (0)
#define LOAD_INSTANCE(i)                                                   \
  do {                                                                     \
    inst = (i);                                                            \
    mem = inst->memories_.empty() ? nullptr : inst->memories_[0]->base();  \
    mem1 = inst->memories_.size() < 2 ? nullptr : inst->memories_[1]->base(); \
    mem_bases = inst->memory_bases_.data();                                \
    attention = &inst->control_->attention;                                \
    funcs = inst->funcs_.data();                                           \
    globals = inst->globals_.data();                                       \
  } while (0)
// A check point (runtime/exec_control.h): one load and a branch unless the instance's
// store was interrupted or meters fuel. `ip` is where execution goes on.
#define CHECK_POINT()                                                                   \
  do {                                                                                  \
    if (__builtin_expect(attention->load(std::memory_order_relaxed) != 0, 0))           \
      goto check_slow;                                                                  \
  } while (0)

enter:  // fn is the callee; fp points at its arguments; sp just past them
  code = code_of(fn);
  if (fp + code->frame_slots > stack_end) TRAP(trap_msg::kCallStackExhausted);
  for (uint32_t i = 0; i < code->num_locals; ++i) *sp++ = 0;
  ip = code->code.data();
  if (fn->instance_ != inst) LOAD_INSTANCE(fn->instance_);
  CHECK_POINT();
  NEXT();
check_slow:  // a check point found a flag raised; ip is the next instruction
  if (const char* message = exec_check_slow(*inst->control_)) TRAP(message);
  NEXT();

  // ---- control ----
L_Unreachable:
  TRAP(trap_msg::kUnreachable);
L_Const:
  *sp++ = ip[0].u64;
  ++ip;
  NEXT();
  // Each branch comes twice: as is, and with a check point for branches back to a
  // loop's start (the "Back" ops the translator picks for them).
#define BRANCHES(Back, CHECK)                                              \
  L_Jump##Back:                                                            \
  ip = ip[0].target;                                                       \
  CHECK;                                                                   \
  NEXT();                                                                  \
  L_JumpIfZero##Back:                                                      \
  if (static_cast<uint32_t>(*--sp) == 0) {                                 \
    ip = ip[0].target;                                                     \
    CHECK;                                                                 \
  } else {                                                                 \
    ++ip;                                                                  \
  }                                                                        \
  NEXT();                                                                  \
  L_BrIfNoDrop##Back:                                                      \
  if (static_cast<uint32_t>(*--sp) != 0) {                                 \
    ip = ip[0].target;                                                     \
    CHECK;                                                                 \
  } else {                                                                 \
    ++ip;                                                                  \
  }                                                                        \
  NEXT();                                                                  \
  L_BrIfDrop##Back:                                                        \
  if (static_cast<uint32_t>(*--sp) == 0) {                                 \
    ip += 3;                                                               \
    NEXT();                                                                \
  }                                                                        \
  goto L_BrDrop##Back;                                                     \
  L_BrDrop##Back : {                                                       \
    uint64_t drop = ip[1].u64, keep = ip[2].u64;                           \
    uint64_t* src = sp - keep;                                             \
    std::memmove(src - drop, src, keep * sizeof(uint64_t));                \
    sp = src - drop + keep;                                                \
    ip = ip[0].target;                                                     \
    CHECK;                                                                 \
    NEXT();                                                                \
  }
  BRANCHES(, (void)0)
  BRANCHES(Back, CHECK_POINT())
L_BrTableOp: {
  uint32_t i = static_cast<uint32_t>(*--sp);
  uint32_t n = static_cast<uint32_t>(ip[0].u64);
  if (i > n) i = n;
  const Slot* e = ip + 1 + 3 * static_cast<size_t>(i);
  uint64_t drop = e[1].u64, keep = e[2].u64;
  if (drop != 0) {
    uint64_t* src = sp - keep;
    std::memmove(src - drop, src, keep * sizeof(uint64_t));
    sp = src - drop + keep;
  }
  bool back = e[0].target <= ip;  // a loop's start lies before the br_table
  ip = e[0].target;
  if (back) CHECK_POINT();
  NEXT();
}
L_ReturnOp:
  ret_keep = ip[0].u64;
return_keep:  // the function's results are the top ret_keep slots
  std::memmove(fp, sp - ret_keep, ret_keep * sizeof(uint64_t));
  sp = fp + ret_keep;
  if (frame->ret_ip == nullptr) {
    ts->frame_top = frame - 1;
    return nullptr;
  }
  ip = frame->ret_ip;
  fp = frame->fp;
  --frame;
  ts->frame_top = frame;
  fn = frame->fn;
  if (fn->instance_ != inst) LOAD_INSTANCE(fn->instance_);
  NEXT();
L_CallOp:
  callee = funcs[ip[0].u64];
  ++ip;
  goto call;
L_CallIndirectOp:
  ip += 2;
  INDIRECT_CALLEE(ip[-2].u64, ip[-1].u64);
  goto call;
L_ReturnCallOp:
  callee = funcs[ip[0].u64];
  ++ip;
  goto tail_call;
L_ReturnCallIndirectOp:
  ip += 2;
  INDIRECT_CALLEE(ip[-2].u64, ip[-1].u64);
  goto tail_call;
L_CallRef: {
  RefBits r = *--sp;
  if (r == 0) TRAP(trap_msg::kNullFunctionReference);
  callee = reinterpret_cast<Function*>(r);  // validated: the type matches
  goto call;
}
L_ReturnCallRef: {
  RefBits r = *--sp;
  if (r == 0) TRAP(trap_msg::kNullFunctionReference);
  callee = reinterpret_cast<Function*>(r);
  goto tail_call;
}
call:  // callee is set; its arguments are on top of the stack; ip is the return address
  if (callee->engine_ != self) {  // a host function or another engine's function
    uint32_t np = slot_count(callee->type().params);
    ts->sp_top = sp;
    frame->at = ip;
    invoke_function(*callee, sp - np, inst);
    sp = sp - np + slot_count(callee->type().results);
    NEXT();
  }
  if (frame + 1 >= frames_end) TRAP(trap_msg::kCallStackExhausted);
  ++frame;
  frame->ret_ip = ip;
  frame->fp = fp;
  frame->fn = callee;
  ts->frame_top = frame;
  fp = sp - code_of(callee)->num_params;
  fn = callee;
  goto enter;
tail_call:  // as call, but the callee replaces this frame: the stacks do not grow
  // A function the tiered engine moved to compiled code keeps its interpreter code: a
  // tail call runs it here, so a tail recursion crosses engines at most once.
  if (callee->engine_ != self && callee->interp_code_ == nullptr) {
    // A host function or another engine's function runs on the host stack anyway: an
    // ordinary call whose results this frame then returns (docs/architecture.md).
    uint32_t np = slot_count(callee->type().params);
    ts->sp_top = sp;
    frame->at = ip;
    invoke_function(*callee, sp - np, inst);
    ret_keep = slot_count(callee->type().results);
    sp = sp - np + ret_keep;
    goto return_keep;
  }
  {
    // The arguments move down to this frame's base; the frame keeps its return address.
    uint32_t np = code_of(callee)->num_params;
    std::memmove(fp, sp - np, np * sizeof(uint64_t));
    sp = fp + np;
  }
  frame->fn = callee;
  fn = callee;
  goto enter;

  // ---- parametric and variables ----
L_DropOp:
  --sp;
  NEXT();
L_SelectOp:
  if (static_cast<uint32_t>(sp[-1]) == 0) sp[-3] = sp[-2];
  sp -= 2;
  NEXT();
L_LocalGetOp:
  *sp++ = fp[ip[0].u64];
  ++ip;
  NEXT();
L_LocalSetOp:
  fp[ip[0].u64] = *--sp;
  ++ip;
  NEXT();
L_LocalTeeOp:
  fp[ip[0].u64] = sp[-1];
  ++ip;
  NEXT();
L_GlobalGetOp:
  *sp++ = globals[ip[0].u64]->bits_;
  ++ip;
  NEXT();
L_GlobalSetOp:
  globals[ip[0].u64]->bits_ = *--sp;
  ++ip;
  NEXT();

  // ---- references and tables ----
L_RefFuncOp:
  *sp++ = reinterpret_cast<uint64_t>(funcs[ip[0].u64]);
  ++ip;
  NEXT();
L_RefIsNullOp:
  sp[-1] = sp[-1] == 0;
  NEXT();
L_RefAsNonNull:
  if (sp[-1] == 0) TRAP(trap_msg::kNullReference);
  NEXT();
L_BrOnNull:  // target, drop, keep
  if (sp[-1] != 0) {
    ip += 3;
    NEXT();
  }
  --sp;
  goto ref_branch;
L_BrOnNonNull:  // target, drop, keep
  if (sp[-1] == 0) {
    --sp;
    ip += 3;
    NEXT();
  }
  goto ref_branch;
ref_branch: {
  uint64_t drop = ip[1].u64, keep = ip[2].u64;
  if (drop != 0) {
    uint64_t* src = sp - keep;
    std::memmove(src - drop, src, keep * sizeof(uint64_t));
    sp = src - drop + keep;
  }
  bool back = ip[0].target <= ip;  // a loop's start lies before the branch: a check point
  ip = ip[0].target;
  if (back) CHECK_POINT();
  NEXT();
}
  // A 64-bit table's indices and lengths are whole i64 operands (table64).
#define TINDEX(t, v) (inst->tables_[t]->type_.limits.is64 ? (v) : static_cast<uint32_t>(v))
L_TableGetOp: {
  uint32_t t = static_cast<uint32_t>(ip[0].u64);
  ++ip;
  if (!table_get(*inst, t, TINDEX(t, sp[-1]), &sp[-1], &t_trap_detail))
    TRAP(t_trap_detail.c_str());
  NEXT();
}
L_TableSetOp: {
  uint32_t t = static_cast<uint32_t>(ip[0].u64);
  ++ip;
  sp -= 2;
  if (!table_set(*inst, t, TINDEX(t, sp[0]), sp[1], &t_trap_detail))
    TRAP(t_trap_detail.c_str());
  NEXT();
}
L_TableSizeOp:
  *sp++ = inst->tables_[ip[0].u64]->elems_.size();
  ++ip;
  NEXT();
L_TableGrowOp: {
  Table* t = inst->tables_[ip[0].u64];
  ++ip;
  const bool is64 = t->type_.limits.is64;
  uint64_t n = is64 ? sp[-1] : static_cast<uint32_t>(sp[-1]);
  RefBits init = sp[-2];
  --sp;
  int64_t old = t->grow_unchecked(n, init);
  sp[-1] = is64 ? static_cast<uint64_t>(old) : static_cast<uint32_t>(old);
  NEXT();
}
L_TableFillOp: {
  uint32_t t = static_cast<uint32_t>(ip[0].u64);
  ++ip;
  sp -= 3;
  if (!table_fill(*inst, t, TINDEX(t, sp[0]), sp[1], TINDEX(t, sp[2]), &t_trap_detail))
    TRAP(t_trap_detail.c_str());
  NEXT();
}
L_TableCopyOp: {
  uint32_t dst = static_cast<uint32_t>(ip[0].u64), src = static_cast<uint32_t>(ip[1].u64);
  ip += 2;
  sp -= 3;
  const bool both64 = inst->tables_[dst]->type_.limits.is64 && inst->tables_[src]->type_.limits.is64;
  if (!table_copy(*inst, dst, src, TINDEX(dst, sp[0]), TINDEX(src, sp[1]),
                  both64 ? sp[2] : static_cast<uint32_t>(sp[2]), &t_trap_detail))
    TRAP(t_trap_detail.c_str());
  NEXT();
}
L_TableInitOp: {
  uint32_t seg = static_cast<uint32_t>(ip[0].u64), t = static_cast<uint32_t>(ip[1].u64);
  ip += 2;
  sp -= 3;
  if (!table_init(*inst, t, seg, TINDEX(t, sp[0]), static_cast<uint32_t>(sp[1]),
                  static_cast<uint32_t>(sp[2]), &t_trap_detail))
    TRAP(t_trap_detail.c_str());
  NEXT();
}
#undef TINDEX
L_ElemDropOp:
  elem_drop(*inst, static_cast<uint32_t>(ip[0].u64));
  ++ip;
  NEXT();

  // ---- memory ----
  // Each load and store has three handlers: memory 0 (immediate: offset) through the `mem`
  // local, memory 1 (the same) through `mem1`, memory N (immediates: offset, N) through
  // `mem_bases`: one more load from a small array. No bounds check in any (the guard zone
  // does that). LOAD_ON/STORE_ON are one handler's body given the base pointer and how
  // many immediates to step over.
#define LOAD_ON(T, Conv, BASE, STEP)                   \
  {                                                    \
    uint64_t a = static_cast<uint32_t>(sp[-1]) + ip[0].u64; \
    const uint8_t* base = (BASE);                      \
    ip += (STEP);                                      \
    T v;                                               \
    std::memcpy(&v, base + a, sizeof(T));              \
    sp[-1] = Conv(v);                                  \
    NEXT();                                            \
  }
#define STORE_ON(T, BASE, STEP)                        \
  {                                                    \
    sp -= 2;                                           \
    uint64_t a = static_cast<uint32_t>(sp[0]) + ip[0].u64; \
    uint8_t* base = (BASE);                            \
    ip += (STEP);                                      \
    T v = static_cast<T>(sp[1]);                       \
    std::memcpy(base + a, &v, sizeof(T));              \
    NEXT();                                            \
  }
// A 64-bit memory (immediates: offset, memory index): `address + offset + width` (a
// 65-bit sum, so compared without overflow) must lie inside the reservation; within it,
// pages beyond the memory's size fault like a 32-bit memory's (docs/architecture.md,
// "64-bit memories").
#define MEM64_CHECK(addr, off, width)                                                 \
  if (__builtin_expect((off) > Memory::kAddressSpace64 - (width) ||                   \
                           (addr) > Memory::kAddressSpace64 - (width) - (off), 0))    \
  TRAP(trap_msg::kMemoryOutOfBounds)
#define LOAD64(T, Conv)                                \
  {                                                    \
    MEM64_CHECK(sp[-1], ip[0].u64, sizeof(T));         \
    uint64_t a = sp[-1] + ip[0].u64;                   \
    const uint8_t* base = mem_bases[ip[1].u64];        \
    ip += 2;                                           \
    T v;                                               \
    std::memcpy(&v, base + a, sizeof(T));              \
    sp[-1] = Conv(v);                                  \
    NEXT();                                            \
  }
#define STORE64(T)                                     \
  {                                                    \
    sp -= 2;                                           \
    MEM64_CHECK(sp[0], ip[0].u64, sizeof(T));          \
    uint64_t a = sp[0] + ip[0].u64;                    \
    uint8_t* base = mem_bases[ip[1].u64];              \
    ip += 2;                                           \
    T v = static_cast<T>(sp[1]);                       \
    std::memcpy(base + a, &v, sizeof(T));              \
    NEXT();                                            \
  }
#define LOAD(Name, T, Conv)                                 \
  L_##Name : LOAD_ON(T, Conv, mem, 1)                       \
  L_##Name##Mem1 : LOAD_ON(T, Conv, mem1, 1)                \
  L_##Name##MemN : LOAD_ON(T, Conv, mem_bases[ip[1].u64], 2) \
  L_##Name##Mem64 : LOAD64(T, Conv)
#define STORE(Name, T)                                 \
  L_##Name : STORE_ON(T, mem, 1)                       \
  L_##Name##Mem1 : STORE_ON(T, mem1, 1)                \
  L_##Name##MemN : STORE_ON(T, mem_bases[ip[1].u64], 2) \
  L_##Name##Mem64 : STORE64(T)
#define U32(v) static_cast<uint64_t>(static_cast<uint32_t>(v))
#define U64(v) static_cast<uint64_t>(v)
  LOAD(I32Load, uint32_t, U64)
  LOAD(I64Load, uint64_t, U64)
  LOAD(F32Load, uint32_t, U64)
  LOAD(F64Load, uint64_t, U64)
  LOAD(I32Load8S, int8_t, U32)
  LOAD(I32Load8U, uint8_t, U64)
  LOAD(I32Load16S, int16_t, U32)
  LOAD(I32Load16U, uint16_t, U64)
  LOAD(I64Load8S, int8_t, U64)
  LOAD(I64Load8U, uint8_t, U64)
  LOAD(I64Load16S, int16_t, U64)
  LOAD(I64Load16U, uint16_t, U64)
  LOAD(I64Load32S, int32_t, U64)
  LOAD(I64Load32U, uint32_t, U64)
  STORE(I32Store, uint32_t)
  STORE(I64Store, uint64_t)
  STORE(F32Store, uint32_t)
  STORE(F64Store, uint64_t)
  STORE(I32Store8, uint8_t)
  STORE(I32Store16, uint16_t)
  STORE(I64Store8, uint8_t)
  STORE(I64Store16, uint16_t)
  STORE(I64Store32, uint32_t)

  // ---- atomics (threads proposal) ----
  // The effective address must be a multiple of the access size; the access itself is a
  // host atomic on the reservation, so bounds are checked by the guard zone as for plain
  // loads and stores. Narrow forms zero-extend; narrow cmpxchg compares the wrapped
  // expected value.
  // Like plain loads and stores, each atomic has a memory-0 handler (L_Name: immediate
  // offset, base in `mem`), a memory-1 one (L_NameMem1: the same, base in `mem1`) and a
  // memory-N one (L_NameMemN: offset, memory index). kMem is 0, 1, or 2 for memory N, and 3
  // for a 64-bit memory (L_NameMem64: offset, memory index; bounds compared first).
  // ATOMIC_ADDR reads `midx` (the memory index) and `p` before advancing ip.
#define ATOMIC_ADDR(T, addr_slot, M)                                                \
  if ((M) == 3) MEM64_CHECK(addr_slot, ip[0].u64, sizeof(T));                       \
  uint64_t a = ((M) == 3 ? (addr_slot) : static_cast<uint32_t>(addr_slot)) + ip[0].u64; \
  const uint32_t midx = (M) >= 2 ? static_cast<uint32_t>(ip[1].u64) : (M);          \
  uint8_t* base = (M) == 0 ? mem : (M) == 1 ? mem1 : mem_bases[midx];               \
  ip += (M) >= 2 ? 2 : 1;                                                           \
  if (a & (sizeof(T) - 1)) TRAP(trap_msg::kUnalignedAtomic);                        \
  T* p = reinterpret_cast<T*>(base + a)
// Defines the handlers for memory 0, memory 1 and memory N from one body.
#define ATOMIC_ALL(Name, BODY)  \
  L_##Name : {                   \
    constexpr int kMem = 0;      \
    BODY                         \
  }                              \
  L_##Name##Mem1 : {             \
    constexpr int kMem = 1;      \
    BODY                         \
  }                              \
  L_##Name##MemN : {             \
    constexpr int kMem = 2;      \
    BODY                         \
  }                              \
  L_##Name##Mem64 : {            \
    constexpr int kMem = 3;      \
    BODY                         \
  }
#define ATOMIC_LOAD(Name, T)                                           \
  ATOMIC_ALL(Name,                                                    \
    ATOMIC_ADDR(T, sp[-1], kMem);                                     \
    (void)midx;                                                        \
    sp[-1] = U64(__atomic_load_n(p, __ATOMIC_SEQ_CST));                \
    NEXT();)
#define ATOMIC_STORE(Name, T)                                          \
  ATOMIC_ALL(Name,                                                    \
    sp -= 2;                                                           \
    ATOMIC_ADDR(T, sp[0], kMem);                                      \
    (void)midx;                                                        \
    __atomic_store_n(p, static_cast<T>(sp[1]), __ATOMIC_SEQ_CST);      \
    NEXT();)
#define ATOMIC_RMW(Name, T, builtin)                                   \
  ATOMIC_ALL(Name,                                                    \
    --sp;                                                              \
    ATOMIC_ADDR(T, sp[-1], kMem);                                     \
    (void)midx;                                                        \
    sp[-1] = U64(builtin(p, static_cast<T>(sp[0]), __ATOMIC_SEQ_CST)); \
    NEXT();)
#define ATOMIC_CMPXCHG(Name, T)                                        \
  ATOMIC_ALL(Name,                                                    \
    sp -= 2;                                                           \
    ATOMIC_ADDR(T, sp[-1], kMem);                                     \
    (void)midx;                                                        \
    T expected = static_cast<T>(sp[0]);                                \
    __atomic_compare_exchange_n(p, &expected, static_cast<T>(sp[1]), false, \
                                __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);   \
    sp[-1] = U64(expected); /* the old value either way */             \
    NEXT();)
// All seven widths of one read-modify-write operation.
#define ATOMIC_RMW_ALL(Op, builtin)                                    \
  ATOMIC_RMW(I32AtomicRmw##Op, uint32_t, builtin)                      \
  ATOMIC_RMW(I64AtomicRmw##Op, uint64_t, builtin)                      \
  ATOMIC_RMW(I32AtomicRmw8##Op##U, uint8_t, builtin)                   \
  ATOMIC_RMW(I32AtomicRmw16##Op##U, uint16_t, builtin)                 \
  ATOMIC_RMW(I64AtomicRmw8##Op##U, uint8_t, builtin)                   \
  ATOMIC_RMW(I64AtomicRmw16##Op##U, uint16_t, builtin)                 \
  ATOMIC_RMW(I64AtomicRmw32##Op##U, uint32_t, builtin)
  ATOMIC_LOAD(I32AtomicLoad, uint32_t)
  ATOMIC_LOAD(I64AtomicLoad, uint64_t)
  ATOMIC_LOAD(I32AtomicLoad8U, uint8_t)
  ATOMIC_LOAD(I32AtomicLoad16U, uint16_t)
  ATOMIC_LOAD(I64AtomicLoad8U, uint8_t)
  ATOMIC_LOAD(I64AtomicLoad16U, uint16_t)
  ATOMIC_LOAD(I64AtomicLoad32U, uint32_t)
  ATOMIC_STORE(I32AtomicStore, uint32_t)
  ATOMIC_STORE(I64AtomicStore, uint64_t)
  ATOMIC_STORE(I32AtomicStore8, uint8_t)
  ATOMIC_STORE(I32AtomicStore16, uint16_t)
  ATOMIC_STORE(I64AtomicStore8, uint8_t)
  ATOMIC_STORE(I64AtomicStore16, uint16_t)
  ATOMIC_STORE(I64AtomicStore32, uint32_t)
  ATOMIC_RMW_ALL(Add, __atomic_fetch_add)
  ATOMIC_RMW_ALL(Sub, __atomic_fetch_sub)
  ATOMIC_RMW_ALL(And, __atomic_fetch_and)
  ATOMIC_RMW_ALL(Or, __atomic_fetch_or)
  ATOMIC_RMW_ALL(Xor, __atomic_fetch_xor)
  ATOMIC_RMW_ALL(Xchg, __atomic_exchange_n)
  ATOMIC_CMPXCHG(I32AtomicRmwCmpxchg, uint32_t)
  ATOMIC_CMPXCHG(I64AtomicRmwCmpxchg, uint64_t)
  ATOMIC_CMPXCHG(I32AtomicRmw8CmpxchgU, uint8_t)
  ATOMIC_CMPXCHG(I32AtomicRmw16CmpxchgU, uint16_t)
  ATOMIC_CMPXCHG(I64AtomicRmw8CmpxchgU, uint8_t)
  ATOMIC_CMPXCHG(I64AtomicRmw16CmpxchgU, uint16_t)
  ATOMIC_CMPXCHG(I64AtomicRmw32CmpxchgU, uint32_t)
L_AtomicFence:
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  NEXT();
  // wait/notify: the atomic load checks alignment and bounds (a fault traps) before the
  // futex call, and answers "not equal" without a system call.
  ATOMIC_ALL(MemoryAtomicWait32,
    sp -= 2;
    ATOMIC_ADDR(uint32_t, sp[-1], kMem);
    uint32_t expected = static_cast<uint32_t>(sp[0]);
    bool equal = __atomic_load_n(p, __ATOMIC_SEQ_CST) == expected;
    Memory* m = inst->memories_[midx];
    if (!m->shared()) TRAP(trap_msg::kWaitOnUnsharedMemory);
    uint32_t r = equal ? memory_wait32(*m, a, expected, static_cast<int64_t>(sp[1])) : kWaitNotEqual;
    if (r == kWaitFault) TRAP(trap_msg::kMemoryOutOfBounds);  /* the window vanished meanwhile */
    sp[-1] = r;
    NEXT();)
  ATOMIC_ALL(MemoryAtomicWait64,
    sp -= 2;
    ATOMIC_ADDR(uint64_t, sp[-1], kMem);
    uint64_t expected = sp[0];
    bool equal = __atomic_load_n(p, __ATOMIC_SEQ_CST) == expected;
    Memory* m = inst->memories_[midx];
    if (!m->shared()) TRAP(trap_msg::kWaitOnUnsharedMemory);
    uint32_t r = equal ? memory_wait64(*m, a, expected, static_cast<int64_t>(sp[1])) : kWaitNotEqual;
    if (r == kWaitFault) TRAP(trap_msg::kMemoryOutOfBounds);  /* the window vanished meanwhile */
    sp[-1] = r;
    NEXT();)
  ATOMIC_ALL(MemoryAtomicNotify,
    --sp;
    ATOMIC_ADDR(uint32_t, sp[-1], kMem);
    (void)__atomic_load_n(p, __ATOMIC_RELAXED);  // bounds check
    sp[-1] = memory_notify(*inst->memories_[midx], a, static_cast<uint32_t>(sp[0]));
    NEXT();)

L_MemorySize:  // memory index
  *sp++ = inst->memories_[ip[0].u64]->pages();
  ++ip;
  NEXT();
L_MemoryGrow: {  // memory index; i64 delta and result on a 64-bit memory (-1: failed)
  Memory* m = inst->memories_[ip[0].u64];
  int64_t old = m->grow(m->is64() ? sp[-1] : static_cast<uint32_t>(sp[-1]));
  sp[-1] = m->is64() ? static_cast<uint64_t>(old) : static_cast<uint32_t>(old);
  ++ip;
  NEXT();
}
  // Bulk operations: a 64-bit memory's addresses and lengths are whole i64 operands, a
  // 32-bit memory's the low halves (memory.copy's length is i64 only between two 64-bit
  // memories).
#define ADDR_OF(m, v) ((m)->is64() ? (v) : static_cast<uint32_t>(v))
L_MemoryFill: {  // memory index
  uint32_t m = static_cast<uint32_t>(ip[0].u64);
  const Memory* mp = inst->memories_[m];
  ++ip;
  sp -= 3;
  if (!memory_fill(*inst, m, ADDR_OF(mp, sp[0]), static_cast<uint32_t>(sp[1]), ADDR_OF(mp, sp[2]),
                   &t_trap_detail))
    TRAP(t_trap_detail.c_str());
  NEXT();
}
L_MemoryCopy: {  // destination memory, source memory
  uint32_t dm = static_cast<uint32_t>(ip[0].u64), sm = static_cast<uint32_t>(ip[1].u64);
  const Memory* dmp = inst->memories_[dm];
  const Memory* smp = inst->memories_[sm];
  ip += 2;
  sp -= 3;
  uint64_t n = dmp->is64() && smp->is64() ? sp[2] : static_cast<uint32_t>(sp[2]);
  if (!memory_copy(*inst, dm, sm, ADDR_OF(dmp, sp[0]), ADDR_OF(smp, sp[1]), n, &t_trap_detail))
    TRAP(t_trap_detail.c_str());
  NEXT();
}
L_MemoryDiscard: {  // memory index
  uint32_t m = static_cast<uint32_t>(ip[0].u64);
  const Memory* mp = inst->memories_[m];
  ++ip;
  sp -= 2;
  if (!memory_discard(*inst, m, ADDR_OF(mp, sp[0]), ADDR_OF(mp, sp[1]), &t_trap_detail))
    TRAP(t_trap_detail.c_str());
  NEXT();
}
L_MemoryInitOp: {
  uint32_t seg = static_cast<uint32_t>(ip[0].u64), m = static_cast<uint32_t>(ip[1].u64);
  const Memory* mp = inst->memories_[m];
  ip += 2;
  sp -= 3;
  if (!memory_init(*inst, m, seg, ADDR_OF(mp, sp[0]), static_cast<uint32_t>(sp[1]),
                   static_cast<uint32_t>(sp[2]), &t_trap_detail))
    TRAP(t_trap_detail.c_str());
  NEXT();
}
#undef ADDR_OF
L_DataDropOp:
  data_drop(*inst, static_cast<uint32_t>(ip[0].u64));
  ++ip;
  NEXT();

  // ---- numeric ----
#define UNOP(Name, T, expr)           \
  L_##Name : {                        \
    T a = static_cast<T>(sp[-1]);     \
    (void)a;                          \
    sp[-1] = (expr);                  \
    NEXT();                           \
  }
#define BINOP(Name, T, expr)          \
  L_##Name : {                        \
    T b = static_cast<T>(sp[-1]);     \
    T a = static_cast<T>(sp[-2]);     \
    --sp;                             \
    sp[-1] = (expr);                  \
    NEXT();                           \
  }
#define FUNOP(Name, get, expr)        \
  L_##Name : {                        \
    auto a = get(sp[-1]);             \
    sp[-1] = (expr);                  \
    NEXT();                           \
  }
#define FBINOP(Name, get, expr)       \
  L_##Name : {                        \
    auto b = get(sp[-1]);             \
    auto a = get(sp[-2]);             \
    --sp;                             \
    sp[-1] = (expr);                  \
    NEXT();                           \
  }
  using i32 = int32_t;
  using u32 = uint32_t;
  using i64 = int64_t;
  using u64 = uint64_t;

  UNOP(I32Eqz, u32, a == 0)
  BINOP(I32Eq, u32, a == b)
  BINOP(I32Ne, u32, a != b)
  BINOP(I32LtS, u32, i32(a) < i32(b))
  BINOP(I32LtU, u32, a < b)
  BINOP(I32GtS, u32, i32(a) > i32(b))
  BINOP(I32GtU, u32, a > b)
  BINOP(I32LeS, u32, i32(a) <= i32(b))
  BINOP(I32LeU, u32, a <= b)
  BINOP(I32GeS, u32, i32(a) >= i32(b))
  BINOP(I32GeU, u32, a >= b)
  UNOP(I64Eqz, u64, a == 0)
  BINOP(I64Eq, u64, a == b)
  BINOP(I64Ne, u64, a != b)
  BINOP(I64LtS, u64, i64(a) < i64(b))
  BINOP(I64LtU, u64, a < b)
  BINOP(I64GtS, u64, i64(a) > i64(b))
  BINOP(I64GtU, u64, a > b)
  BINOP(I64LeS, u64, i64(a) <= i64(b))
  BINOP(I64LeU, u64, a <= b)
  BINOP(I64GeS, u64, i64(a) >= i64(b))
  BINOP(I64GeU, u64, a >= b)
  FBINOP(F32Eq, f32_of, a == b)
  FBINOP(F32Ne, f32_of, a != b)
  FBINOP(F32Lt, f32_of, a < b)
  FBINOP(F32Gt, f32_of, a > b)
  FBINOP(F32Le, f32_of, a <= b)
  FBINOP(F32Ge, f32_of, a >= b)
  FBINOP(F64Eq, f64_of, a == b)
  FBINOP(F64Ne, f64_of, a != b)
  FBINOP(F64Lt, f64_of, a < b)
  FBINOP(F64Gt, f64_of, a > b)
  FBINOP(F64Le, f64_of, a <= b)
  FBINOP(F64Ge, f64_of, a >= b)

  UNOP(I32Clz, u32, U64(std::countl_zero(a)))
  UNOP(I32Ctz, u32, U64(std::countr_zero(a)))
  UNOP(I32Popcnt, u32, U64(std::popcount(a)))
  BINOP(I32Add, u32, U32(a + b))
  BINOP(I32Sub, u32, U32(a - b))
  BINOP(I32Mul, u32, U32(a * b))
L_I32DivS: {
  i32 b = static_cast<i32>(sp[-1]), a = static_cast<i32>(sp[-2]);
  if (b == 0) TRAP(trap_msg::kIntegerDivideByZero);
  if (a == INT32_MIN && b == -1) TRAP(trap_msg::kIntegerOverflow);
  --sp;
  sp[-1] = U32(a / b);
  NEXT();
}
L_I32DivU: {
  u32 b = static_cast<u32>(sp[-1]), a = static_cast<u32>(sp[-2]);
  if (b == 0) TRAP(trap_msg::kIntegerDivideByZero);
  --sp;
  sp[-1] = a / b;
  NEXT();
}
L_I32RemS: {
  i32 b = static_cast<i32>(sp[-1]), a = static_cast<i32>(sp[-2]);
  if (b == 0) TRAP(trap_msg::kIntegerDivideByZero);
  --sp;
  sp[-1] = (b == -1) ? 0 : U32(a % b);
  NEXT();
}
L_I32RemU: {
  u32 b = static_cast<u32>(sp[-1]), a = static_cast<u32>(sp[-2]);
  if (b == 0) TRAP(trap_msg::kIntegerDivideByZero);
  --sp;
  sp[-1] = a % b;
  NEXT();
}
  BINOP(I32And, u32, a & b)
  BINOP(I32Or, u32, a | b)
  BINOP(I32Xor, u32, a ^ b)
  BINOP(I32Shl, u32, U32(a << (b & 31)))
  BINOP(I32ShrS, u32, U32(i32(a) >> (b & 31)))
  BINOP(I32ShrU, u32, a >> (b & 31))
  BINOP(I32Rotl, u32, std::rotl(a, static_cast<int>(b & 31)))
  BINOP(I32Rotr, u32, std::rotr(a, static_cast<int>(b & 31)))

  UNOP(I64Clz, u64, U64(std::countl_zero(a)))
  UNOP(I64Ctz, u64, U64(std::countr_zero(a)))
  UNOP(I64Popcnt, u64, U64(std::popcount(a)))
  BINOP(I64Add, u64, a + b)
  BINOP(I64Sub, u64, a - b)
  BINOP(I64Mul, u64, a * b)
L_I64DivS: {
  i64 b = static_cast<i64>(sp[-1]), a = static_cast<i64>(sp[-2]);
  if (b == 0) TRAP(trap_msg::kIntegerDivideByZero);
  if (a == INT64_MIN && b == -1) TRAP(trap_msg::kIntegerOverflow);
  --sp;
  sp[-1] = U64(a / b);
  NEXT();
}
L_I64DivU: {
  u64 b = sp[-1], a = sp[-2];
  if (b == 0) TRAP(trap_msg::kIntegerDivideByZero);
  --sp;
  sp[-1] = a / b;
  NEXT();
}
L_I64RemS: {
  i64 b = static_cast<i64>(sp[-1]), a = static_cast<i64>(sp[-2]);
  if (b == 0) TRAP(trap_msg::kIntegerDivideByZero);
  --sp;
  sp[-1] = (b == -1) ? 0 : U64(a % b);
  NEXT();
}
L_I64RemU: {
  u64 b = sp[-1], a = sp[-2];
  if (b == 0) TRAP(trap_msg::kIntegerDivideByZero);
  --sp;
  sp[-1] = a % b;
  NEXT();
}
  BINOP(I64And, u64, a & b)
  BINOP(I64Or, u64, a | b)
  BINOP(I64Xor, u64, a ^ b)
  BINOP(I64Shl, u64, a << (b & 63))
  BINOP(I64ShrS, u64, U64(i64(a) >> (b & 63)))
  BINOP(I64ShrU, u64, a >> (b & 63))
  BINOP(I64Rotl, u64, std::rotl(a, static_cast<int>(b & 63)))
  BINOP(I64Rotr, u64, std::rotr(a, static_cast<int>(b & 63)))

  // Sign manipulation works on bits so NaN payloads survive.
  UNOP(F32Abs, u64, a & 0x7FFFFFFFull)
  UNOP(F32Neg, u64, (a ^ 0x80000000ull) & 0xFFFFFFFFull)
  FUNOP(F32Ceil, f32_of, slot_of(numeric::wasm_ceil(a)))
  FUNOP(F32Floor, f32_of, slot_of(numeric::wasm_floor(a)))
  FUNOP(F32Trunc, f32_of, slot_of(numeric::wasm_trunc(a)))
  FUNOP(F32Nearest, f32_of, slot_of(numeric::wasm_nearest(a)))
  FUNOP(F32Sqrt, f32_of, slot_of(std::sqrt(a)))
  FBINOP(F32Add, f32_of, slot_of(a + b))
  FBINOP(F32Sub, f32_of, slot_of(a - b))
  FBINOP(F32Mul, f32_of, slot_of(a * b))
  FBINOP(F32Div, f32_of, slot_of(a / b))
  FBINOP(F32Min, f32_of, slot_of(numeric::wasm_min(a, b)))
  FBINOP(F32Max, f32_of, slot_of(numeric::wasm_max(a, b)))
  BINOP(F32Copysign, u64, ((a & 0x7FFFFFFFull) | (b & 0x80000000ull)) & 0xFFFFFFFFull)
  UNOP(F64Abs, u64, a & 0x7FFFFFFFFFFFFFFFull)
  UNOP(F64Neg, u64, a ^ 0x8000000000000000ull)
  FUNOP(F64Ceil, f64_of, slot_of(numeric::wasm_ceil(a)))
  FUNOP(F64Floor, f64_of, slot_of(numeric::wasm_floor(a)))
  FUNOP(F64Trunc, f64_of, slot_of(numeric::wasm_trunc(a)))
  FUNOP(F64Nearest, f64_of, slot_of(numeric::wasm_nearest(a)))
  FUNOP(F64Sqrt, f64_of, slot_of(std::sqrt(a)))
  FBINOP(F64Add, f64_of, slot_of(a + b))
  FBINOP(F64Sub, f64_of, slot_of(a - b))
  FBINOP(F64Mul, f64_of, slot_of(a * b))
  FBINOP(F64Div, f64_of, slot_of(a / b))
  FBINOP(F64Min, f64_of, slot_of(numeric::wasm_min(a, b)))
  FBINOP(F64Max, f64_of, slot_of(numeric::wasm_max(a, b)))
  BINOP(F64Copysign, u64, (a & 0x7FFFFFFFFFFFFFFFull) | (b & 0x8000000000000000ull))

  // ---- conversions ----
  UNOP(I32WrapI64, u64, U32(a))
#define TRUNC(Name, I, get, R)                                                   \
  L_##Name : {                                                                   \
    auto a = get(sp[-1]);                                                        \
    if (std::isnan(a)) TRAP(trap_msg::kInvalidConversion);                       \
    if (!numeric::trunc_in_range<I>(a)) TRAP(trap_msg::kIntegerOverflow);        \
    sp[-1] = R(static_cast<I>(a));                                               \
    NEXT();                                                                      \
  }
  TRUNC(I32TruncF32S, i32, f32_of, U32)
  TRUNC(I32TruncF32U, u32, f32_of, U32)
  TRUNC(I32TruncF64S, i32, f64_of, U32)
  TRUNC(I32TruncF64U, u32, f64_of, U32)
  TRUNC(I64TruncF32S, i64, f32_of, U64)
  TRUNC(I64TruncF32U, u64, f32_of, U64)
  TRUNC(I64TruncF64S, i64, f64_of, U64)
  TRUNC(I64TruncF64U, u64, f64_of, U64)
  UNOP(I64ExtendI32S, u64, U64(i64(i32(a))))
  UNOP(I64ExtendI32U, u64, U32(a))
  UNOP(F32ConvertI32S, u64, slot_of(static_cast<float>(i32(a))))
  UNOP(F32ConvertI32U, u64, slot_of(static_cast<float>(u32(a))))
  UNOP(F32ConvertI64S, u64, slot_of(static_cast<float>(i64(a))))
  UNOP(F32ConvertI64U, u64, slot_of(static_cast<float>(a)))
  FUNOP(F32DemoteF64, f64_of, slot_of(static_cast<float>(a)))
  UNOP(F64ConvertI32S, u64, slot_of(static_cast<double>(i32(a))))
  UNOP(F64ConvertI32U, u64, slot_of(static_cast<double>(u32(a))))
  UNOP(F64ConvertI64S, u64, slot_of(static_cast<double>(i64(a))))
  UNOP(F64ConvertI64U, u64, slot_of(static_cast<double>(a)))
  FUNOP(F64PromoteF32, f32_of, slot_of(static_cast<double>(a)))
  // Slots hold raw bits, so reinterpretation only normalises the width.
  UNOP(I32ReinterpretF32, u64, U32(a))
  UNOP(I64ReinterpretF64, u64, a)
  UNOP(F32ReinterpretI32, u64, U32(a))
  UNOP(F64ReinterpretI64, u64, a)
  UNOP(I32Extend8S, u64, U32(i32(int8_t(a))))
  UNOP(I32Extend16S, u64, U32(i32(int16_t(a))))
  UNOP(I64Extend8S, u64, U64(i64(int8_t(a))))
  UNOP(I64Extend16S, u64, U64(i64(int16_t(a))))
  UNOP(I64Extend32S, u64, U64(i64(int32_t(a))))
  FUNOP(I32TruncSatF32S, f32_of, U32(numeric::trunc_sat<i32>(a)))
  FUNOP(I32TruncSatF32U, f32_of, U32(numeric::trunc_sat<u32>(a)))
  FUNOP(I32TruncSatF64S, f64_of, U32(numeric::trunc_sat<i32>(a)))
  FUNOP(I32TruncSatF64U, f64_of, U32(numeric::trunc_sat<u32>(a)))
  FUNOP(I64TruncSatF32S, f32_of, U64(numeric::trunc_sat<i64>(a)))
  FUNOP(I64TruncSatF32U, f32_of, U64(numeric::trunc_sat<u64>(a)))
  FUNOP(I64TruncSatF64S, f64_of, U64(numeric::trunc_sat<i64>(a)))
  FUNOP(I64TruncSatF64U, f64_of, U64(numeric::trunc_sat<u64>(a)))

  // ---- superinstructions (interp/translate.cpp's peephole) ----
#define BINOP_IMM(Name, T, expr)                 \
  L_##Name : {                                   \
    T b = static_cast<T>(ip[0].u64);             \
    T a = static_cast<T>(sp[-1]);                \
    ++ip;                                        \
    sp[-1] = (expr);                             \
    NEXT();                                      \
  }
  // local.get a; const c; OP (immediates: a, c): one dispatch instead of two.
#define BINOP_LOCAL_IMM(Name, T, expr)           \
  L_##Name : {                                   \
    T a = static_cast<T>(fp[ip[0].u64]);         \
    T b = static_cast<T>(ip[1].u64);             \
    ip += 2;                                     \
    *sp++ = (expr);                              \
    NEXT();                                      \
  }
#define IMM_OP(Name, T, expr)      \
  BINOP_IMM(Name##Imm, T, expr)    \
  BINOP_LOCAL_IMM(Name##LocalImm, T, expr)
#include "interp/imm_ops.def"
#undef IMM_OP
  // The same with a local.set/local.tee after it (immediates: a, c, x): the result goes
  // straight to local x (and, for the tee, on the stack too).
#define LOCAL_IMM_TO_LOCAL(Name, T, expr)        \
  L_##Name##Set : {                              \
    T a = static_cast<T>(fp[ip[0].u64]);         \
    T b = static_cast<T>(ip[1].u64);             \
    fp[ip[2].u64] = (expr);                      \
    ip += 3;                                     \
    NEXT();                                      \
  }                                              \
  L_##Name##Tee : {                              \
    T a = static_cast<T>(fp[ip[0].u64]);         \
    T b = static_cast<T>(ip[1].u64);             \
    uint64_t r = (expr);                         \
    fp[ip[2].u64] = r;                           \
    *sp++ = r;                                   \
    ip += 3;                                     \
    NEXT();                                      \
  }
  LOCAL_IMM_TO_LOCAL(I32AddLocalImm, u32, U32(a + b))
  LOCAL_IMM_TO_LOCAL(I32SubLocalImm, u32, U32(a - b))
  LOCAL_IMM_TO_LOCAL(I64AddLocalImm, u64, a + b)
#define BRCMP_AS(Label, cond, CHECK)                            \
  Label : {                                                     \
    u32 b = static_cast<u32>(sp[-1]);                           \
    u32 a = static_cast<u32>(sp[-2]);                           \
    sp -= 2;                                                    \
    if (cond) {                                                 \
      ip = ip[0].target;                                        \
      CHECK;                                                    \
    } else {                                                    \
      ++ip;                                                     \
    }                                                           \
    NEXT();                                                     \
  }
#define BRCMP(Name, cond)                        \
  BRCMP_AS(L_##Name, cond, (void)0)              \
  BRCMP_AS(L_##Name##Back, cond, CHECK_POINT())
  BRCMP(BrIfI32Eq, a == b)
  BRCMP(BrIfI32Ne, a != b)
  BRCMP(BrIfI32LtS, i32(a) < i32(b))
  BRCMP(BrIfI32LtU, a < b)
  BRCMP(BrIfI32GtS, i32(a) > i32(b))
  BRCMP(BrIfI32GtU, a > b)
  BRCMP(BrIfI32LeS, i32(a) <= i32(b))
  BRCMP(BrIfI32LeU, a <= b)
  BRCMP(BrIfI32GeS, i32(a) >= i32(b))
  BRCMP(BrIfI32GeU, a >= b)
#define BINOP_LOCAL(Name, T, expr)              \
  L_##Name : {                                   \
    T b = static_cast<T>(fp[ip[0].u64]);         \
    T a = static_cast<T>(sp[-1]);                \
    ++ip;                                        \
    sp[-1] = (expr);                             \
    NEXT();                                      \
  }
#define FBINOP_LOCAL(Name, expr)                 \
  L_##Name : {                                   \
    double b = f64_of(fp[ip[0].u64]);            \
    double a = f64_of(sp[-1]);                   \
    ++ip;                                        \
    sp[-1] = slot_of(expr);                      \
    NEXT();                                      \
  }
  BINOP_LOCAL(I32AddLocal, u32, U32(a + b))
  BINOP_LOCAL(I32SubLocal, u32, U32(a - b))
  BINOP_LOCAL(I32MulLocal, u32, U32(a * b))
  BINOP_LOCAL(I32AndLocal, u32, a & b)
  BINOP_LOCAL(I32OrLocal, u32, a | b)
  BINOP_LOCAL(I32XorLocal, u32, a ^ b)
  BINOP_LOCAL(I64AddLocal, u64, a + b)
  BINOP_LOCAL(I64XorLocal, u64, a ^ b)
  FBINOP_LOCAL(F64AddLocal, a + b)
  FBINOP_LOCAL(F64SubLocal, a - b)
  FBINOP_LOCAL(F64MulLocal, a * b)
L_LocalGet2:
  sp[0] = fp[ip[0].u64];
  sp[1] = fp[ip[1].u64];
  sp += 2;
  ip += 2;
  NEXT();
L_LocalSetGet:
  fp[ip[0].u64] = sp[-1];
  sp[-1] = fp[ip[1].u64];
  ip += 2;
  NEXT();
L_LocalTeeGet:
  fp[ip[0].u64] = sp[-1];
  *sp++ = fp[ip[1].u64];
  ip += 2;
  NEXT();
  // local.get; T.load fused (immediates: local, offset[, memory index]) on each memory.
#define LOAD_LOCAL_ON(T, BASE, STEP)                                    \
  {                                                                     \
    uint64_t a = static_cast<uint32_t>(fp[ip[0].u64]) + ip[1].u64;      \
    const uint8_t* base = (BASE);                                       \
    ip += (STEP);                                                       \
    T v;                                                                \
    std::memcpy(&v, base + a, sizeof(T));                               \
    *sp++ = v;                                                          \
    NEXT();                                                             \
  }
L_I32LoadLocal: LOAD_LOCAL_ON(uint32_t, mem, 2)
L_I64LoadLocal: LOAD_LOCAL_ON(uint64_t, mem, 2)
L_I32LoadLocalMem1: LOAD_LOCAL_ON(uint32_t, mem1, 2)
L_I64LoadLocalMem1: LOAD_LOCAL_ON(uint64_t, mem1, 2)
L_I32LoadLocalMemN: LOAD_LOCAL_ON(uint32_t, mem_bases[ip[2].u64], 3)
L_I64LoadLocalMemN: LOAD_LOCAL_ON(uint64_t, mem_bases[ip[2].u64], 3)

#include "interp/simd_ops.inc"

  // Wasm opcodes that the translator never emits as such.
L_Nop:
L_Block:
L_Loop:
L_If:
L_Else:
L_End:
L_Br:
L_BrIf:
L_BrTable:
L_Return:
L_Call:
L_CallIndirect:
L_ReturnCall:
L_ReturnCallIndirect:
L_Drop:
L_Select:
L_SelectT:
L_LocalGet:
L_LocalSet:
L_LocalTee:
L_GlobalGet:
L_GlobalSet:
L_TableGet:
L_TableSet:
L_I32Const:
L_I64Const:
L_F32Const:
L_F64Const:
L_RefNull:
L_RefIsNull:
L_RefFunc:
L_MemoryInit:
L_DataDrop:
L_TableInit:
L_ElemDrop:
L_TableCopy:
L_TableGrow:
L_TableSize:
L_TableFill:
  TRAP("internal error: untranslated instruction");

trap:
  ts->frame_top = frame;
  frame->at = ip;
  return trap_message;
}

// The module offset of the instruction a frame of `fn` stands at (`at` is just past the
// instruction's handler slot), or nullopt.
std::optional<uint32_t> wasm_offset(const Function* fn, const Slot* at) {
  const InterpCode* code = code_of(fn);
  // A frame entered but not yet started still points into its caller's code.
  const Slot* begin = code->code.data();
  if (at == nullptr || at <= begin || at > begin + code->code.size()) return std::nullopt;
  uint32_t pos = static_cast<uint32_t>(at - begin);
  auto it = std::lower_bound(code->offsets.begin(), code->offsets.end(),
                             std::pair<uint32_t, uint32_t>(pos, 0));
  if (it == code->offsets.begin()) return std::nullopt;
  return std::prev(it)->second;
}

// Appends the frames from..to (exclusive) to `trap`, innermost first. `innermost_at` is
// where the innermost frame stands (nullptr: unknown, as at a hardware fault).
void append_frames(Trap& trap, Frame* from, Frame* to, const Slot* innermost_at) {
  for (Frame* f = from; f > to; --f) {
    const Slot* at = f == from ? innermost_at : (f + 1)->ret_ip;
    trap.frames.push_back({f->fn->instance_, f->fn->index_, wasm_offset(f->fn, at)});
    if (trap.frames.size() >= static_cast<size_t>(kMaxBacktraceFrames)) break;
  }
}

std::vector<std::string> backtrace(Frame* from, Frame* to) {
  std::vector<std::string> out;
  int n = 0;
  for (Frame* f = from; f > to; --f) {
    out.push_back(backtrace_line(n++, frame_name(*f->fn)));
    if (n >= kMaxBacktraceFrames) {
      out.push_back("...");
      break;
    }
  }
  return out;
}

// Restores the thread's interpreter state however an invocation ends (return, trap,
// fault or a host exception).
struct InvocationGuard {
  ThreadStack& ts;
  uint64_t* saved_sp;
  Frame* saved_frame;
  FaultScope* saved_scope;
  int nesting;  // what this invocation added to ts.host_depth
  ~InvocationGuard() {
    ts.sp_top = saved_sp;
    ts.frame_top = saved_frame;
    current_fault_scope() = saved_scope;
    --ts.depth;
    ts.host_depth -= nesting;
  }
};

}  // namespace

const void* handler_for(IOp op) {
  static const void* const* table = [] {
    const void* const* t = nullptr;
    run(nullptr, nullptr, nullptr, StackBounds{}, &t);
    return t;
  }();
  return table[static_cast<size_t>(op)];
}

void interp_invoke(Function& f, uint64_t* slots) {
  const InterpCode* code = code_of(&f);
  ThreadStack& ts = t_stack;
  size_t limit = limit_slots(f.instance_->control_->limits);
  ts.reserve(limit);
  ensure_alt_signal_stack();
  StackBounds bounds = stack_bounds(ts, limit);
  // A call from compiled code (the innermost fault scope is its invocation; host functions
  // run without one) is not host re-entry: compiled code checked the host stack before
  // the call and checks it again at its next entry, so only host -> wasm -> host chains,
  // whose host frames nothing checks, count against kMaxNesting.
  FaultScope* caller_scope = current_fault_scope();
  int nesting = caller_scope != nullptr && caller_scope->native ? 0 : 1;
  if (ts.host_depth + nesting > kMaxNesting || ts.sp_top + code->frame_slots > bounds.values_end ||
      ts.frame_top + 2 >= bounds.frames_end)
    throw Trap(trap_msg::kCallStackExhausted);

  uint64_t* fp = ts.sp_top;
  std::copy(slots, slots + code->num_params, fp);
  ++ts.depth;
  ts.host_depth += nesting;
  InvocationGuard guard{ts, ts.sp_top, ts.frame_top, caller_scope, nesting};
  FaultScope scope;
  scope.previous = guard.saved_scope;

  const char* message = nullptr;
  std::string fault_message;
  bool faulted = false;
  try {
    if (sigsetjmp(scope.jump, 0) == 0) {
      current_fault_scope() = &scope;
      message = run(&f, fp, &ts, bounds, nullptr);
    } else {
      faulted = true;
      fault_message = describe_fault(scope.fault);
      message = fault_message.c_str();
    }
  } catch (Trap& t) {  // thrown by a host function (or an engine) this code called
    append_frames(t, ts.frame_top, guard.saved_frame, ts.frame_top->at);
    throw;
  }
  current_fault_scope() = guard.saved_scope;
  if (message != nullptr) {
    Trap trap(message);
    trap.backtrace = backtrace(ts.frame_top, guard.saved_frame);
    append_frames(trap, ts.frame_top, guard.saved_frame, faulted ? nullptr : ts.frame_top->at);
    throw trap;
  }
  std::copy(fp, fp + code->num_results, slots);
}

}  // namespace aperture
