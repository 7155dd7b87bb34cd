// Threads proposal: atomic memory accesses, fence, wait and notify. An atomic access
// traps when its effective address is not a multiple of its size; bounds are checked by
// the guard zone as for plain accesses. Accesses are sequentially consistent. Narrow
// forms zero-extend their result; narrow cmpxchg compares the wrapped expected value.
#include <string_view>

#include "compile/codegen/function_translator.h"

namespace aperture::native {
namespace {

enum class AtomicKind { None, Load, Store, Rmw, Cmpxchg, Wait32, Wait64, Notify, Fence };

struct AtomicOp {
  AtomicKind kind = AtomicKind::None;
  llvm::AtomicRMWInst::BinOp rmw = llvm::AtomicRMWInst::Add;
  unsigned bytes = 0;
  bool result64 = false;
};

// Classified from the instruction table's text ("i64.atomic.rmw16.xor_u"), so every
// width of every operation is covered by one rule.
AtomicOp classify(Opcode op) {
  AtomicOp a;
  switch (op) {
    case Opcode::AtomicFence: a.kind = AtomicKind::Fence; return a;
    case Opcode::MemoryAtomicWait32: a.kind = AtomicKind::Wait32; a.bytes = 4; return a;
    case Opcode::MemoryAtomicWait64: a.kind = AtomicKind::Wait64; a.bytes = 8; return a;
    case Opcode::MemoryAtomicNotify: a.kind = AtomicKind::Notify; a.bytes = 4; return a;
    default: break;
  }
  const OpcodeInfo* info = opcode_info(op);
  if (info == nullptr) return a;
  std::string_view text = info->text;
  if (text.find(".atomic.") == std::string_view::npos) return a;
  a.bytes = info->mem_bytes;
  a.result64 = text.starts_with("i64");
  std::string_view rest = text.substr(text.find(".atomic.") + 8);
  if (rest.starts_with("load")) {
    a.kind = AtomicKind::Load;
  } else if (rest.starts_with("store")) {
    a.kind = AtomicKind::Store;
  } else {
    std::string_view name = rest.substr(rest.find('.') + 1);  // "xor_u", "add", "cmpxchg"
    a.kind = AtomicKind::Rmw;
    if (name.starts_with("add")) a.rmw = llvm::AtomicRMWInst::Add;
    else if (name.starts_with("sub")) a.rmw = llvm::AtomicRMWInst::Sub;
    else if (name.starts_with("and")) a.rmw = llvm::AtomicRMWInst::And;
    else if (name.starts_with("or")) a.rmw = llvm::AtomicRMWInst::Or;
    else if (name.starts_with("xor")) a.rmw = llvm::AtomicRMWInst::Xor;
    else if (name.starts_with("xchg")) a.rmw = llvm::AtomicRMWInst::Xchg;
    else if (name.starts_with("cmpxchg")) a.kind = AtomicKind::Cmpxchg;
    else a.kind = AtomicKind::None;
  }
  return a;
}

}  // namespace

bool FunctionTranslator::translate_atomic(const Instr& in) {
  AtomicOp op = classify(in.op);
  if (op.kind == AtomicKind::None) return false;
  auto& b = builder_;
  auto seq_cst = llvm::AtomicOrdering::SequentiallyConsistent;
  if (op.kind == AtomicKind::Fence) {
    b.CreateFence(seq_cst);
    return true;
  }
  llvm::IntegerType* narrow = b.getIntNTy(op.bytes * 8);
  llvm::Type* wide = op.result64 ? env_.i64 : env_.i32;
  auto widen = [&](llvm::Value* v) { return v->getType() == wide ? v : b.CreateZExt(v, wide); };
  auto to_narrow = [&](llvm::Value* v) { return v->getType() == narrow ? v : b.CreateTrunc(v, narrow); };
  // Operands above the address, then the checked address.
  size_t operands = op.kind == AtomicKind::Load                                      ? 0
                    : op.kind == AtomicKind::Cmpxchg || op.kind == AtomicKind::Wait32 ||
                              op.kind == AtomicKind::Wait64                          ? 2
                                                                                     : 1;
  std::vector<llvm::Value*> v = pop_n(operands);
  llvm::Value* effective = effective_address(in, pop());
  trap_if(b.CreateICmpNE(b.CreateAnd(effective, b.getInt64(op.bytes - 1)), b.getInt64(0)),
          TrapKind::UnalignedAtomic);
  llvm::Value* p = b.CreateInBoundsGEP(env_.i8, memory_base(in.b), effective);
  llvm::Align align(op.bytes);
  auto tag = [&](llvm::Instruction* i) {
    i->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_memory);
    return i;
  };
  switch (op.kind) {
    case AtomicKind::Load: {
      llvm::LoadInst* load = b.CreateAlignedLoad(narrow, p, align);
      load->setAtomic(seq_cst);
      push(widen(tag(load)));
      return true;
    }
    case AtomicKind::Store: {
      llvm::StoreInst* store = b.CreateAlignedStore(to_narrow(v[0]), p, align);
      store->setAtomic(seq_cst);
      tag(store);
      return true;
    }
    case AtomicKind::Rmw:
      push(widen(tag(b.CreateAtomicRMW(op.rmw, p, to_narrow(v[0]), align, seq_cst))));
      return true;
    case AtomicKind::Cmpxchg: {
      llvm::AtomicCmpXchgInst* x =
          b.CreateAtomicCmpXchg(p, to_narrow(v[0]), to_narrow(v[1]), align, seq_cst, seq_cst);
      tag(x);
      push(widen(b.CreateExtractValue(x, {0})));  // the old value either way
      return true;
    }
    default: break;
  }
  // wait/notify: an atomic load checks bounds (a fault traps) before the helper runs.
  llvm::LoadInst* probe = b.CreateAlignedLoad(narrow, p, align);
  probe->setAtomic(op.kind == AtomicKind::Notify ? llvm::AtomicOrdering::Monotonic : seq_cst);
  probe->setVolatile(true);  // its value is unused, yet it must not be deleted
  tag(probe);
  llvm::Value* memory = b.getInt32(in.b);
  if (op.kind == AtomicKind::Notify) {
    push(call_helper(HelperId::MemoryNotify, {memory, effective, v[0]}));
  } else {
    HelperId id = op.kind == AtomicKind::Wait32 ? HelperId::MemoryWait32 : HelperId::MemoryWait64;
    push(call_helper(id, {memory, effective, v[0], v[1]}));
  }
  return true;
}

}  // namespace aperture::native
