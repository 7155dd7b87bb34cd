// SIMD loads and stores. Each is one access of the instruction's width at
// `base + zext(address) + offset`, volatile like the scalar ones (memory_ops.cpp): no
// bounds compare, an access that reaches past the end of memory or of a window faults in
// the guard zone and traps (docs/architecture.md, "Memories and faults"). A 16-byte store
// is one store instruction, which on x86-64 faults before writing any of its bytes, so a
// store that straddles the end of memory writes nothing.
#include "compile/codegen/function_translator.h"

namespace aperture::native {

bool FunctionTranslator::translate_simd_memory(const Instr& in) {
  if (!is_simd(in.op)) return false;
  auto& b = builder_;
  auto address = [&](llvm::Value* addr) {
    return b.CreateInBoundsGEP(env_.i8, memory_base(in.b), effective_address(in, addr));
  };
  auto load = [&](llvm::Type* t, llvm::Value* addr) {
    llvm::LoadInst* v = b.CreateAlignedLoad(t, address(addr), llvm::Align(1));
    v->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_memory);
    v->setVolatile(true);
    return v;
  };
  auto store = [&](llvm::Value* v, llvm::Value* addr) {
    llvm::StoreInst* s = b.CreateAlignedStore(v, address(addr), llvm::Align(1));
    s->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_memory);
    s->setVolatile(true);
  };
  // 8 bytes as `lanes` lanes of `from`, each widened to `to`.
  auto extend = [&](unsigned lanes, llvm::IntegerType* from, llvm::IntegerType* to, bool sign) {
    llvm::Value* v = load(llvm::FixedVectorType::get(from, lanes), pop());
    llvm::Type* wide = llvm::FixedVectorType::get(to, lanes);
    push(v128(sign ? b.CreateSExt(v, wide) : b.CreateZExt(v, wide)));
    return true;
  };
  auto splat = [&](llvm::FixedVectorType* shape) {
    llvm::Value* e = load(shape->getElementType(), pop());
    push(v128(b.CreateVectorSplat(shape->getNumElements(), e)));
    return true;
  };
  auto zero_extended = [&](llvm::FixedVectorType* shape) {
    llvm::Value* e = load(shape->getElementType(), pop());
    push(v128(b.CreateInsertElement(llvm::Constant::getNullValue(shape), e, uint64_t{0})));
    return true;
  };
  auto load_lane = [&](llvm::FixedVectorType* shape) {
    llvm::Value* vec = pop();
    llvm::Value* e = load(shape->getElementType(), pop());
    push(v128(b.CreateInsertElement(as(vec, shape), e, uint64_t{in.lane})));
    return true;
  };
  auto store_lane = [&](llvm::FixedVectorType* shape) {
    llvm::Value* vec = pop();
    store(b.CreateExtractElement(as(vec, shape), uint64_t{in.lane}), pop());
    return true;
  };
  switch (in.op) {
    case Opcode::V128Load: push(load(env_.v128, pop())); return true;
    case Opcode::V128Store: {
      llvm::Value* v = pop();
      store(v, pop());
      return true;
    }
    case Opcode::V128Load8x8S: return extend(8, env_.i8, env_.i16, true);
    case Opcode::V128Load8x8U: return extend(8, env_.i8, env_.i16, false);
    case Opcode::V128Load16x4S: return extend(4, env_.i16, env_.i32, true);
    case Opcode::V128Load16x4U: return extend(4, env_.i16, env_.i32, false);
    case Opcode::V128Load32x2S: return extend(2, env_.i32, env_.i64, true);
    case Opcode::V128Load32x2U: return extend(2, env_.i32, env_.i64, false);
    case Opcode::V128Load8Splat: return splat(env_.v16i8);
    case Opcode::V128Load16Splat: return splat(env_.v8i16);
    case Opcode::V128Load32Splat: return splat(env_.v4i32);
    case Opcode::V128Load64Splat: return splat(env_.v2i64);
    case Opcode::V128Load32Zero: return zero_extended(env_.v4i32);
    case Opcode::V128Load64Zero: return zero_extended(env_.v2i64);
    case Opcode::V128Load8Lane: return load_lane(env_.v16i8);
    case Opcode::V128Load16Lane: return load_lane(env_.v8i16);
    case Opcode::V128Load32Lane: return load_lane(env_.v4i32);
    case Opcode::V128Load64Lane: return load_lane(env_.v2i64);
    case Opcode::V128Store8Lane: return store_lane(env_.v16i8);
    case Opcode::V128Store16Lane: return store_lane(env_.v8i16);
    case Opcode::V128Store32Lane: return store_lane(env_.v4i32);
    case Opcode::V128Store64Lane: return store_lane(env_.v2i64);
    default: return false;
  }
}

}  // namespace aperture::native
