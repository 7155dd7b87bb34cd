// Memory and table instructions. A load or store is `base + zext(address) + offset`:
// on a 32-bit memory no bounds compare (a 64-bit one: see effective_address) and no window check (docs/architecture.md, "Memories and faults"); everything else
// calls a runtime helper, which shares the interpreter's semantics and trap messages.
#include "compile/codegen/function_translator.h"

namespace aperture::native {
namespace {

struct Access {
  unsigned bytes;
  bool is_float;
  bool sign_extend;
  bool result64;  // loads: i64 result
};

bool load_access(Opcode op, Access* a) {
  switch (op) {
    case Opcode::I32Load: *a = {4, false, false, false}; return true;
    case Opcode::I64Load: *a = {8, false, false, true}; return true;
    case Opcode::F32Load: *a = {4, true, false, false}; return true;
    case Opcode::F64Load: *a = {8, true, false, true}; return true;
    case Opcode::I32Load8S: *a = {1, false, true, false}; return true;
    case Opcode::I32Load8U: *a = {1, false, false, false}; return true;
    case Opcode::I32Load16S: *a = {2, false, true, false}; return true;
    case Opcode::I32Load16U: *a = {2, false, false, false}; return true;
    case Opcode::I64Load8S: *a = {1, false, true, true}; return true;
    case Opcode::I64Load8U: *a = {1, false, false, true}; return true;
    case Opcode::I64Load16S: *a = {2, false, true, true}; return true;
    case Opcode::I64Load16U: *a = {2, false, false, true}; return true;
    case Opcode::I64Load32S: *a = {4, false, true, true}; return true;
    case Opcode::I64Load32U: *a = {4, false, false, true}; return true;
    default: return false;
  }
}

bool store_width(Opcode op, unsigned* bytes) {
  switch (op) {
    case Opcode::I32Store:
    case Opcode::F32Store:
    case Opcode::I64Store32: *bytes = 4; return true;
    case Opcode::I64Store:
    case Opcode::F64Store: *bytes = 8; return true;
    case Opcode::I32Store8:
    case Opcode::I64Store8: *bytes = 1; return true;
    case Opcode::I32Store16:
    case Opcode::I64Store16: *bytes = 2; return true;
    default: return false;
  }
}

}  // namespace

// MemArg: a = alignment, b = memory index, imm = offset. A 64-bit memory (memory64) has an
// i64 address and one explicit compare: `address + offset + width` must not pass
// kMemory64Reservation (a constant, so one compare with an immediate, which LLVM can hoist
// or merge); inside the reservation PROT_NONE pages trap like a 32-bit memory's guard zone
// (docs/architecture.md, "64-bit memories").
llvm::Value* FunctionTranslator::effective_address(const Instr& in, llvm::Value* address) {
  if (!wasm_.memory_type(in.b).limits.is64) {
    llvm::Value* effective = builder_.CreateZExt(address, env_.i64);
    if (in.imm != 0) effective = builder_.CreateAdd(effective, builder_.getInt64(in.imm), "", true, true);
    return effective;
  }
  const uint64_t width = opcode_info(in.op)->mem_bytes;
  if (in.imm > kMemory64Reservation - width) {  // no address reaches a valid byte
    trap_if(builder_.getTrue(), TrapKind::MemoryOutOfBounds);
    return builder_.getInt64(0);
  }
  const uint64_t last = kMemory64Reservation - width - in.imm;
  trap_if(builder_.CreateICmpUGT(address, builder_.getInt64(last)), TrapKind::MemoryOutOfBounds);
  if (in.imm == 0) return address;
  return builder_.CreateAdd(address, builder_.getInt64(in.imm), "", true, true);
}

// An i32 operand zero-extended to i64; an i64 one (64-bit memory or table) as it is.
llvm::Value* FunctionTranslator::as_i64(llvm::Value* v) {
  return v->getType() == env_.i64 ? v : builder_.CreateZExt(v, env_.i64);
}

bool FunctionTranslator::translate_memory(const Instr& in) {
  auto& b = builder_;
  auto address = [&](llvm::Value* addr) {
    return b.CreateInBoundsGEP(env_.i8, memory_base(in.b), effective_address(in, addr));
  };
  Access access;
  if (load_access(in.op, &access)) {
    llvm::Value* p = address(pop());
    llvm::Type* t = access.is_float ? (access.bytes == 4 ? env_.f32 : env_.f64)
                                    : b.getIntNTy(access.bytes * 8);
    llvm::LoadInst* v = b.CreateAlignedLoad(t, p, llvm::Align(1));
    v->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_memory);
    // An out-of-bounds load traps even when its value is never used. LLVM treats a plain
    // load as free of side effects: it deletes one whose value turns out dead (a value
    // overwritten, multiplied by zero, selected away) and sinks one into the branch that
    // uses it, so the trap vanished. A volatile load stays, once, where wasm put it.
    v->setVolatile(true);
    llvm::Type* result = access.result64 ? env_.i64 : env_.i32;
    if (access.is_float || t == result) {
      push(v);
    } else {
      push(access.sign_extend ? b.CreateSExt(v, result) : b.CreateZExt(v, result));
    }
    return true;
  }
  unsigned bytes;
  if (store_width(in.op, &bytes)) {
    llvm::Value* value = pop();
    llvm::Value* p = address(pop());
    if (value->getType()->isIntegerTy() && value->getType()->getIntegerBitWidth() > bytes * 8)
      value = b.CreateTrunc(value, b.getIntNTy(bytes * 8));
    llvm::StoreInst* store = b.CreateAlignedStore(value, p, llvm::Align(1));
    store->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_memory);
    // Memory as a trap leaves it is observable (exported memories, windows, other
    // threads and processes): LLVM would delete a store overwritten after a trapping
    // access, or move it across one. Volatile accesses keep wasm's order among themselves.
    store->setVolatile(true);
    return true;
  }
  auto u32 = [&](uint32_t v) { return b.getInt32(v); };
  // Helpers take and return i64 (compile/abi.h): results narrow back for a 32-bit memory.
  auto result = [&](uint32_t memory, llvm::Value* v) {
    return wasm_.memory_type(memory).limits.is64 ? v : b.CreateTrunc(v, env_.i32);
  };
  switch (in.op) {
    case Opcode::MemorySize:
      push(result(in.a, call_helper(HelperId::MemorySize, {u32(in.a)})));
      return true;
    case Opcode::MemoryGrow: {
      llvm::Value* delta = as_i64(pop());
      push(result(in.a, call_helper(HelperId::MemoryGrow, {u32(in.a), delta})));
      return true;
    }
    case Opcode::MemoryFill: {
      std::vector<llvm::Value*> v = pop_n(3);  // dst, value, n
      call_helper(HelperId::MemoryFill, {u32(in.a), as_i64(v[0]), v[1], as_i64(v[2])});
      return true;
    }
    case Opcode::MemoryDiscard: {
      std::vector<llvm::Value*> v = pop_n(2);  // address, n
      call_helper(HelperId::MemoryDiscard, {u32(in.a), as_i64(v[0]), as_i64(v[1])});
      return true;
    }
    case Opcode::MemoryCopy: {
      std::vector<llvm::Value*> v = pop_n(3);  // dst, src, n
      call_helper(HelperId::MemoryCopy, {u32(in.a), u32(in.b), as_i64(v[0]), as_i64(v[1]), as_i64(v[2])});
      return true;
    }
    case Opcode::MemoryInit: {
      std::vector<llvm::Value*> v = pop_n(3);  // dst, src, n
      call_helper(HelperId::MemoryInit, {u32(in.b), u32(in.a), as_i64(v[0]), v[1], v[2]});
      return true;
    }
    case Opcode::DataDrop: call_helper(HelperId::DataDrop, {u32(in.a)}); return true;
    default: return false;
  }
}

bool FunctionTranslator::translate_table(const Instr& in) {
  auto u32 = [&](uint32_t v) { return builder_.getInt32(v); };
  auto result = [&](uint32_t table, llvm::Value* v) {
    return wasm_.table_type(table).limits.is64 ? v : builder_.CreateTrunc(v, env_.i32);
  };
  switch (in.op) {
    case Opcode::TableGet: {
      llvm::Value* index = as_i64(pop());
      push(call_helper(HelperId::TableGet, {u32(in.a), index}));
      return true;
    }
    case Opcode::TableSet: {
      std::vector<llvm::Value*> v = pop_n(2);  // index, ref
      call_helper(HelperId::TableSet, {u32(in.a), as_i64(v[0]), v[1]});
      return true;
    }
    case Opcode::TableSize:
      push(result(in.a, call_helper(HelperId::TableSize, {u32(in.a)})));
      return true;
    case Opcode::TableGrow: {
      std::vector<llvm::Value*> v = pop_n(2);  // init, n
      push(result(in.a, call_helper(HelperId::TableGrow, {u32(in.a), v[0], as_i64(v[1])})));
      return true;
    }
    case Opcode::TableFill: {
      std::vector<llvm::Value*> v = pop_n(3);  // index, ref, n
      call_helper(HelperId::TableFill, {u32(in.a), as_i64(v[0]), v[1], as_i64(v[2])});
      return true;
    }
    case Opcode::TableCopy: {
      std::vector<llvm::Value*> v = pop_n(3);  // dst, src, n
      call_helper(HelperId::TableCopy, {u32(in.a), u32(in.b), as_i64(v[0]), as_i64(v[1]), as_i64(v[2])});
      return true;
    }
    case Opcode::TableInit: {
      std::vector<llvm::Value*> v = pop_n(3);  // dst, src, n
      call_helper(HelperId::TableInit, {u32(in.b), u32(in.a), as_i64(v[0]), v[1], v[2]});
      return true;
    }
    case Opcode::ElemDrop: call_helper(HelperId::ElemDrop, {u32(in.a)}); return true;
    default: return false;
  }
}

}  // namespace aperture::native
