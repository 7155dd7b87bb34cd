// SIMD instructions other than loads and stores (simd_memory.cpp), as LLVM vector IR:
// generic operations and target-independent intrinsics (sadd.sat, smin, abs, ctpop,
// fptosi.sat, minimum, roundeven...), which LLVM lowers to SSE/AVX on x86-64 and NEON on
// aarch64. Each instruction is a handful of IR instructions, never a per-lane expansion
// in IR (except swizzle on an x86-64 without SSSE3).
//
// Where wasm's rules differ from LLVM's operation: min/max quiet a signalling NaN (as the
// scalar min_max() does), pmin/pmax are the compare-and-select wasm defines, shift counts
// are taken modulo the lane width, saturating narrowing clamps before it truncates.
// Relaxed SIMD takes the choices the interpreter takes (docs/architecture.md, "SIMD"):
// relaxed_swizzle = swizzle, relaxed_trunc = trunc_sat, relaxed_madd/nmadd unfused,
// relaxed_laneselect = bitselect, relaxed_min/max = min/max, relaxed_q15mulr =
// q15mulr_sat, relaxed dot products with both operands' bytes signed.
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/IntrinsicsAArch64.h>
#include <llvm/IR/IntrinsicsX86.h>

#include "compile/codegen/function_translator.h"

namespace aperture::native {
namespace {

llvm::FixedVectorType* vec(llvm::Type* element, unsigned lanes) {
  return llvm::FixedVectorType::get(element, lanes);
}

unsigned lanes_of(llvm::Type* shape) { return llvm::cast<llvm::FixedVectorType>(shape)->getNumElements(); }

llvm::Type* element_of(llvm::Type* shape) { return llvm::cast<llvm::FixedVectorType>(shape)->getElementType(); }

// Lane indices first, first + step, ... (count of them).
llvm::SmallVector<int, 16> indices(int first, int step, int count) {
  llvm::SmallVector<int, 16> out;
  for (int i = 0; i < count; ++i) out.push_back(first + i * step);
  return out;
}

}  // namespace

llvm::Value* FunctionTranslator::swizzle(llvm::Value* a, llvm::Value* idx) {
  auto& b = builder_;
  switch (env_.swizzle) {
    case ModuleEnv::Swizzle::Pshufb: {
      // pshufb gives 0 for an index with bit 7 set and otherwise uses its low 4 bits:
      // adding 0x70 with unsigned saturation sets bit 7 exactly for the indices >= 16.
      llvm::Value* biased = b.CreateIntrinsic(llvm::Intrinsic::uadd_sat, {env_.v16i8},
                                              {idx, b.CreateVectorSplat(16, b.getInt8(0x70))});
      return b.CreateIntrinsic(llvm::Intrinsic::x86_ssse3_pshuf_b_128, {}, {a, biased});
    }
    case ModuleEnv::Swizzle::Tbl:  // tbl gives 0 for an index >= 16, as wasm does
      return b.CreateIntrinsic(llvm::Intrinsic::aarch64_neon_tbl1, {env_.v16i8}, {a, idx});
    case ModuleEnv::Swizzle::Generic: break;
  }
  llvm::Value* r = llvm::Constant::getNullValue(env_.v16i8);
  for (uint64_t i = 0; i < 16; ++i) {
    llvm::Value* j = b.CreateExtractElement(idx, i);
    llvm::Value* lane = b.CreateExtractElement(a, b.CreateAnd(j, b.getInt8(15)));
    lane = b.CreateSelect(b.CreateICmpULT(j, b.getInt8(16)), lane, b.getInt8(0));
    r = b.CreateInsertElement(r, lane, i);
  }
  return r;
}

bool FunctionTranslator::translate_simd(const Instr& in) {
  if (!is_simd(in.op)) return false;
  using ID = llvm::Intrinsic::ID;
  using P = llvm::CmpInst::Predicate;
  namespace I = llvm::Intrinsic;
  auto& b = builder_;
  llvm::FixedVectorType* const i8x16 = env_.v16i8;
  llvm::FixedVectorType* const i16x8 = env_.v8i16;
  llvm::FixedVectorType* const i32x4 = env_.v4i32;
  llvm::FixedVectorType* const i64x2 = env_.v2i64;
  llvm::FixedVectorType* const f32x4 = env_.v4f32;
  llvm::FixedVectorType* const f64x2 = env_.v2f64;

  // Operands popped as `shape`, the result pushed as a v128.
  auto un = [&](llvm::Type* shape, auto f) {
    llvm::Value* a = as(pop(), shape);
    push(v128(f(a)));
    return true;
  };
  auto bin = [&](llvm::Type* shape, auto f) {
    llvm::Value* y = as(pop(), shape);
    llvm::Value* x = as(pop(), shape);
    push(v128(f(x, y)));
    return true;
  };
  auto tern = [&](llvm::Type* shape, auto f) {
    llvm::Value* z = as(pop(), shape);
    llvm::Value* y = as(pop(), shape);
    llvm::Value* x = as(pop(), shape);
    push(v128(f(x, y, z)));
    return true;
  };
  // Lane-wise predicates are all-ones or all-zeros lanes of the same width.
  auto mask = [&](llvm::Value* bits, llvm::Type* shape) {
    llvm::Type* int_shape = vec(b.getIntNTy(element_of(shape)->getScalarSizeInBits()), lanes_of(shape));
    return b.CreateSExt(bits, int_shape);
  };
  auto icmp = [&](llvm::Type* shape, P p) {
    return bin(shape, [&](llvm::Value* x, llvm::Value* y) { return mask(b.CreateICmp(p, x, y), shape); });
  };
  auto fcmp = [&](llvm::Type* shape, P p) {
    return bin(shape, [&](llvm::Value* x, llvm::Value* y) { return mask(b.CreateFCmp(p, x, y), shape); });
  };
  auto intr1 = [&](llvm::Type* shape, ID id) {
    return un(shape, [&](llvm::Value* a) { return intrinsic(id, {a}); });
  };
  auto intr2 = [&](llvm::Type* shape, ID id) {
    return bin(shape, [&](llvm::Value* x, llvm::Value* y) { return intrinsic(id, {x, y}); });
  };
  // Float arithmetic; constant operands hidden from LLVM's folds (numeric_ops.cpp, opaque()).
  auto hide = [&](llvm::Value* v) { return llvm::isa<llvm::Constant>(v) ? opaque(v) : v; };
  auto farith = [&](llvm::Type* shape, llvm::Instruction::BinaryOps op) {
    return bin(shape, [&](llvm::Value* x, llvm::Value* y) { return b.CreateBinOp(op, hide(x), hide(y)); });
  };
  // min/max: NaN in either lane gives a quiet NaN (x + y), as scalar min_max() does.
  auto fminmax = [&](llvm::Type* shape, ID id) {
    return bin(shape, [&](llvm::Value* x, llvm::Value* y) {
      return b.CreateSelect(b.CreateFCmpUNO(x, y), b.CreateFAdd(x, y), intrinsic(id, {x, y}));
    });
  };
  // Lanes [first, first + count) of `v`, or every other lane.
  auto pick = [&](llvm::Value* v, int first, int step, int count) {
    return b.CreateShuffleVector(v, indices(first, step, count));
  };
  auto widen = [&](llvm::Value* v, llvm::Type* element, bool sign) {
    llvm::Type* t = vec(element, lanes_of(v->getType()));
    return sign ? b.CreateSExt(v, t) : b.CreateZExt(v, t);
  };
  auto wider = [&](llvm::Type* shape) { return b.getIntNTy(2 * element_of(shape)->getScalarSizeInBits()); };
  auto extend = [&](llvm::Type* shape, bool high, bool sign) {
    int n = static_cast<int>(lanes_of(shape));
    return un(shape, [&](llvm::Value* a) { return widen(pick(a, high ? n / 2 : 0, 1, n / 2), wider(shape), sign); });
  };
  auto extmul = [&](llvm::Type* shape, bool high, bool sign) {
    int n = static_cast<int>(lanes_of(shape));
    return bin(shape, [&](llvm::Value* x, llvm::Value* y) {
      return b.CreateMul(widen(pick(x, high ? n / 2 : 0, 1, n / 2), wider(shape), sign),
                         widen(pick(y, high ? n / 2 : 0, 1, n / 2), wider(shape), sign));
    });
  };
  // Sum of each pair of neighbouring lanes of `v` (already widened), wrapping.
  auto pairs = [&](llvm::Value* v) {
    int n = static_cast<int>(lanes_of(v->getType()));
    return b.CreateAdd(pick(v, 0, 2, n / 2), pick(v, 1, 2, n / 2));
  };
  auto extadd = [&](llvm::Type* shape, bool sign) {
    return un(shape, [&](llvm::Value* a) { return pairs(widen(a, wider(shape), sign)); });
  };
  // Signed lanes of x then y, clamped to the narrow lane's range and truncated.
  auto narrow = [&](llvm::Type* shape, bool sign) {
    return bin(shape, [&](llvm::Value* x, llvm::Value* y) {
      int n = static_cast<int>(lanes_of(shape));
      unsigned bits = element_of(shape)->getScalarSizeInBits() / 2;
      llvm::Value* both = b.CreateShuffleVector(x, y, indices(0, 1, 2 * n));
      llvm::Type* t = both->getType();
      llvm::APInt lo = sign ? llvm::APInt::getSignedMinValue(bits).sext(2 * bits) : llvm::APInt(2 * bits, 0);
      llvm::APInt hi = sign ? llvm::APInt::getSignedMaxValue(bits).sext(2 * bits)
                            : llvm::APInt::getMaxValue(bits).zext(2 * bits);
      llvm::Value* clamped = b.CreateBinaryIntrinsic(
          I::smin, b.CreateBinaryIntrinsic(I::smax, both, llvm::ConstantInt::get(t, lo)),
          llvm::ConstantInt::get(t, hi));
      return b.CreateTrunc(clamped, vec(b.getIntNTy(bits), 2 * n));
    });
  };
  auto shift = [&](llvm::Type* shape, llvm::Instruction::BinaryOps op) {
    llvm::Value* count = pop();
    llvm::Value* a = as(pop(), shape);
    llvm::Type* lane = element_of(shape);
    unsigned bits = lane->getScalarSizeInBits();
    count = b.CreateZExtOrTrunc(b.CreateAnd(count, b.getInt32(bits - 1)), lane);
    push(v128(b.CreateBinOp(op, a, b.CreateVectorSplat(lanes_of(shape), count))));
    return true;
  };
  auto splat = [&](llvm::Type* shape) {
    llvm::Value* x = pop();
    if (x->getType() != element_of(shape)) x = b.CreateTrunc(x, element_of(shape));
    push(v128(b.CreateVectorSplat(lanes_of(shape), x)));
    return true;
  };
  enum class Ext { None, Sign, Zero };
  auto extract = [&](llvm::Type* shape, Ext ext) {
    llvm::Value* x = b.CreateExtractElement(as(pop(), shape), uint64_t{in.lane});
    if (ext == Ext::Sign) x = b.CreateSExt(x, env_.i32);
    if (ext == Ext::Zero) x = b.CreateZExt(x, env_.i32);
    push(x);
    return true;
  };
  auto replace = [&](llvm::Type* shape) {
    llvm::Value* x = pop();
    llvm::Value* v = as(pop(), shape);
    if (x->getType() != element_of(shape)) x = b.CreateTrunc(x, element_of(shape));
    push(v128(b.CreateInsertElement(v, x, uint64_t{in.lane})));
    return true;
  };
  // all_true / bitmask: one bit per lane.
  auto lane_bits = [&](llvm::Value* bits) {
    return b.CreateBitCast(bits, b.getIntNTy(lanes_of(bits->getType())));
  };
  auto all_true = [&](llvm::Type* shape) {
    llvm::Value* a = as(pop(), shape);
    llvm::Value* set = lane_bits(b.CreateICmpNE(a, llvm::Constant::getNullValue(shape)));
    push(as_i32(b.CreateICmpEQ(set, llvm::Constant::getAllOnesValue(set->getType()))));
    return true;
  };
  auto bitmask = [&](llvm::Type* shape) {
    llvm::Value* a = as(pop(), shape);
    push(b.CreateZExt(lane_bits(b.CreateICmpSLT(a, llvm::Constant::getNullValue(shape))), env_.i32));
    return true;
  };
  auto iabs = [&](llvm::Type* shape) {
    return un(shape, [&](llvm::Value* a) { return b.CreateBinaryIntrinsic(I::abs, a, b.getFalse()); });
  };
  auto ineg = [&](llvm::Type* shape) { return un(shape, [&](llvm::Value* a) { return b.CreateNeg(a); }); };
  auto iop = [&](llvm::Type* shape, llvm::Instruction::BinaryOps op) {
    return bin(shape, [&](llvm::Value* x, llvm::Value* y) { return b.CreateBinOp(op, x, y); });
  };
  auto avgr = [&](llvm::Type* shape) {
    return bin(shape, [&](llvm::Value* x, llvm::Value* y) {
      llvm::Value* wx = widen(x, wider(shape), false);
      llvm::Value* sum = b.CreateAdd(b.CreateAdd(wx, widen(y, wider(shape), false)),
                                     llvm::ConstantInt::get(wx->getType(), 1));
      return b.CreateTrunc(b.CreateLShr(sum, llvm::ConstantInt::get(wx->getType(), 1)), shape);
    });
  };
  auto q15mulr = [&] {
    return bin(i16x8, [&](llvm::Value* x, llvm::Value* y) {
      llvm::Value* p = b.CreateMul(widen(x, env_.i32, true), widen(y, env_.i32, true));
      llvm::Type* t = p->getType();
      p = b.CreateAShr(b.CreateAdd(p, llvm::ConstantInt::get(t, 0x4000)), llvm::ConstantInt::get(t, 15));
      // Only -32768 * -32768 overflows (to 32768).
      return b.CreateTrunc(b.CreateBinaryIntrinsic(I::smin, p, llvm::ConstantInt::get(t, 0x7FFF)), i16x8);
    });
  };
  // Bytes multiplied as signed, pairs summed into wrapping i16 lanes.
  auto dot_i8 = [&](llvm::Value* x, llvm::Value* y) {
    return pairs(b.CreateMul(widen(x, env_.i16, true), widen(y, env_.i16, true)));
  };
  auto bitselect = [&] {
    return tern(i64x2, [&](llvm::Value* x, llvm::Value* y, llvm::Value* m) {
      return b.CreateOr(b.CreateAnd(x, m), b.CreateAnd(y, b.CreateNot(m)));
    });
  };
  auto pminmax = [&](llvm::Type* shape, bool is_min) {
    // pmin: y < x ? y : x; pmax: x < y ? y : x.
    return bin(shape, [&](llvm::Value* x, llvm::Value* y) {
      return is_min ? b.CreateSelect(b.CreateFCmpOLT(y, x), y, x) : b.CreateSelect(b.CreateFCmpOLT(x, y), y, x);
    });
  };
  auto trunc_sat = [&](llvm::Type* from, bool sign) {
    ID id = sign ? I::fptosi_sat : I::fptoui_sat;
    return un(from, [&](llvm::Value* a) -> llvm::Value* {
      if (from == f32x4) return b.CreateIntrinsic(id, {i32x4, f32x4}, {a});
      llvm::Type* v2i32 = vec(env_.i32, 2);
      llvm::Value* two = b.CreateIntrinsic(id, {v2i32, f64x2}, {a});
      return b.CreateShuffleVector(two, llvm::Constant::getNullValue(v2i32), indices(0, 1, 4));
    });
  };
  auto madd = [&](llvm::Type* shape, bool negate) {
    // Unfused: the product is rounded, then added (no contract flag: never an FMA).
    return tern(shape, [&](llvm::Value* x, llvm::Value* y, llvm::Value* z) {
      if (negate) x = b.CreateFNeg(x);
      return b.CreateFAdd(b.CreateFMul(hide(x), hide(y)), hide(z));
    });
  };

  switch (in.op) {
    case Opcode::V128Const: {
      llvm::Constant* halves[] = {b.getInt64(in.v128_low()), b.getInt64(in.v128_high())};
      push(llvm::ConstantVector::get(halves));
      return true;
    }
    case Opcode::I8x16Shuffle: {
      llvm::SmallVector<int, 16> lanes;
      for (int i = 0; i < 16; ++i) {
        uint64_t half = i < 8 ? in.v128_low() : in.v128_high();
        lanes.push_back(static_cast<int>((half >> (8 * (i % 8))) & 0xFF));
      }
      return bin(i8x16, [&](llvm::Value* x, llvm::Value* y) { return b.CreateShuffleVector(x, y, lanes); });
    }
    case Opcode::I8x16Swizzle:
    case Opcode::I8x16RelaxedSwizzle:
      return bin(i8x16, [&](llvm::Value* x, llvm::Value* y) { return swizzle(x, y); });
    case Opcode::I8x16Splat: return splat(i8x16);
    case Opcode::I16x8Splat: return splat(i16x8);
    case Opcode::I32x4Splat: return splat(i32x4);
    case Opcode::I64x2Splat: return splat(i64x2);
    case Opcode::F32x4Splat: return splat(f32x4);
    case Opcode::F64x2Splat: return splat(f64x2);
    case Opcode::I8x16ExtractLaneS: return extract(i8x16, Ext::Sign);
    case Opcode::I8x16ExtractLaneU: return extract(i8x16, Ext::Zero);
    case Opcode::I16x8ExtractLaneS: return extract(i16x8, Ext::Sign);
    case Opcode::I16x8ExtractLaneU: return extract(i16x8, Ext::Zero);
    case Opcode::I32x4ExtractLane: return extract(i32x4, Ext::None);
    case Opcode::I64x2ExtractLane: return extract(i64x2, Ext::None);
    case Opcode::F32x4ExtractLane: return extract(f32x4, Ext::None);
    case Opcode::F64x2ExtractLane: return extract(f64x2, Ext::None);
    case Opcode::I8x16ReplaceLane: return replace(i8x16);
    case Opcode::I16x8ReplaceLane: return replace(i16x8);
    case Opcode::I32x4ReplaceLane: return replace(i32x4);
    case Opcode::I64x2ReplaceLane: return replace(i64x2);
    case Opcode::F32x4ReplaceLane: return replace(f32x4);
    case Opcode::F64x2ReplaceLane: return replace(f64x2);

    case Opcode::I8x16Eq: return icmp(i8x16, P::ICMP_EQ);
    case Opcode::I8x16Ne: return icmp(i8x16, P::ICMP_NE);
    case Opcode::I8x16LtS: return icmp(i8x16, P::ICMP_SLT);
    case Opcode::I8x16LtU: return icmp(i8x16, P::ICMP_ULT);
    case Opcode::I8x16GtS: return icmp(i8x16, P::ICMP_SGT);
    case Opcode::I8x16GtU: return icmp(i8x16, P::ICMP_UGT);
    case Opcode::I8x16LeS: return icmp(i8x16, P::ICMP_SLE);
    case Opcode::I8x16LeU: return icmp(i8x16, P::ICMP_ULE);
    case Opcode::I8x16GeS: return icmp(i8x16, P::ICMP_SGE);
    case Opcode::I8x16GeU: return icmp(i8x16, P::ICMP_UGE);
    case Opcode::I16x8Eq: return icmp(i16x8, P::ICMP_EQ);
    case Opcode::I16x8Ne: return icmp(i16x8, P::ICMP_NE);
    case Opcode::I16x8LtS: return icmp(i16x8, P::ICMP_SLT);
    case Opcode::I16x8LtU: return icmp(i16x8, P::ICMP_ULT);
    case Opcode::I16x8GtS: return icmp(i16x8, P::ICMP_SGT);
    case Opcode::I16x8GtU: return icmp(i16x8, P::ICMP_UGT);
    case Opcode::I16x8LeS: return icmp(i16x8, P::ICMP_SLE);
    case Opcode::I16x8LeU: return icmp(i16x8, P::ICMP_ULE);
    case Opcode::I16x8GeS: return icmp(i16x8, P::ICMP_SGE);
    case Opcode::I16x8GeU: return icmp(i16x8, P::ICMP_UGE);
    case Opcode::I32x4Eq: return icmp(i32x4, P::ICMP_EQ);
    case Opcode::I32x4Ne: return icmp(i32x4, P::ICMP_NE);
    case Opcode::I32x4LtS: return icmp(i32x4, P::ICMP_SLT);
    case Opcode::I32x4LtU: return icmp(i32x4, P::ICMP_ULT);
    case Opcode::I32x4GtS: return icmp(i32x4, P::ICMP_SGT);
    case Opcode::I32x4GtU: return icmp(i32x4, P::ICMP_UGT);
    case Opcode::I32x4LeS: return icmp(i32x4, P::ICMP_SLE);
    case Opcode::I32x4LeU: return icmp(i32x4, P::ICMP_ULE);
    case Opcode::I32x4GeS: return icmp(i32x4, P::ICMP_SGE);
    case Opcode::I32x4GeU: return icmp(i32x4, P::ICMP_UGE);
    case Opcode::I64x2Eq: return icmp(i64x2, P::ICMP_EQ);
    case Opcode::I64x2Ne: return icmp(i64x2, P::ICMP_NE);
    case Opcode::I64x2LtS: return icmp(i64x2, P::ICMP_SLT);
    case Opcode::I64x2GtS: return icmp(i64x2, P::ICMP_SGT);
    case Opcode::I64x2LeS: return icmp(i64x2, P::ICMP_SLE);
    case Opcode::I64x2GeS: return icmp(i64x2, P::ICMP_SGE);
    case Opcode::F32x4Eq: return fcmp(f32x4, P::FCMP_OEQ);
    case Opcode::F32x4Ne: return fcmp(f32x4, P::FCMP_UNE);
    case Opcode::F32x4Lt: return fcmp(f32x4, P::FCMP_OLT);
    case Opcode::F32x4Gt: return fcmp(f32x4, P::FCMP_OGT);
    case Opcode::F32x4Le: return fcmp(f32x4, P::FCMP_OLE);
    case Opcode::F32x4Ge: return fcmp(f32x4, P::FCMP_OGE);
    case Opcode::F64x2Eq: return fcmp(f64x2, P::FCMP_OEQ);
    case Opcode::F64x2Ne: return fcmp(f64x2, P::FCMP_UNE);
    case Opcode::F64x2Lt: return fcmp(f64x2, P::FCMP_OLT);
    case Opcode::F64x2Gt: return fcmp(f64x2, P::FCMP_OGT);
    case Opcode::F64x2Le: return fcmp(f64x2, P::FCMP_OLE);
    case Opcode::F64x2Ge: return fcmp(f64x2, P::FCMP_OGE);

    case Opcode::V128Not: return un(i64x2, [&](llvm::Value* a) { return b.CreateNot(a); });
    case Opcode::V128And: return iop(i64x2, llvm::Instruction::And);
    case Opcode::V128Or: return iop(i64x2, llvm::Instruction::Or);
    case Opcode::V128Xor: return iop(i64x2, llvm::Instruction::Xor);
    case Opcode::V128Andnot:
      return bin(i64x2, [&](llvm::Value* x, llvm::Value* y) { return b.CreateAnd(x, b.CreateNot(y)); });
    case Opcode::V128Bitselect:
    case Opcode::I8x16RelaxedLaneselect:
    case Opcode::I16x8RelaxedLaneselect:
    case Opcode::I32x4RelaxedLaneselect:
    case Opcode::I64x2RelaxedLaneselect: return bitselect();
    case Opcode::V128AnyTrue: {
      llvm::Value* all = b.CreateBitCast(pop(), b.getInt128Ty());
      push(as_i32(b.CreateICmpNE(all, llvm::ConstantInt::get(b.getInt128Ty(), 0))));
      return true;
    }

    case Opcode::I8x16Abs: return iabs(i8x16);
    case Opcode::I16x8Abs: return iabs(i16x8);
    case Opcode::I32x4Abs: return iabs(i32x4);
    case Opcode::I64x2Abs: return iabs(i64x2);
    case Opcode::I8x16Neg: return ineg(i8x16);
    case Opcode::I16x8Neg: return ineg(i16x8);
    case Opcode::I32x4Neg: return ineg(i32x4);
    case Opcode::I64x2Neg: return ineg(i64x2);
    case Opcode::I8x16Popcnt: return intr1(i8x16, I::ctpop);
    case Opcode::I8x16AllTrue: return all_true(i8x16);
    case Opcode::I16x8AllTrue: return all_true(i16x8);
    case Opcode::I32x4AllTrue: return all_true(i32x4);
    case Opcode::I64x2AllTrue: return all_true(i64x2);
    case Opcode::I8x16Bitmask: return bitmask(i8x16);
    case Opcode::I16x8Bitmask: return bitmask(i16x8);
    case Opcode::I32x4Bitmask: return bitmask(i32x4);
    case Opcode::I64x2Bitmask: return bitmask(i64x2);
    case Opcode::I8x16NarrowI16x8S: return narrow(i16x8, true);
    case Opcode::I8x16NarrowI16x8U: return narrow(i16x8, false);
    case Opcode::I16x8NarrowI32x4S: return narrow(i32x4, true);
    case Opcode::I16x8NarrowI32x4U: return narrow(i32x4, false);
    case Opcode::I16x8ExtendLowI8x16S: return extend(i8x16, false, true);
    case Opcode::I16x8ExtendHighI8x16S: return extend(i8x16, true, true);
    case Opcode::I16x8ExtendLowI8x16U: return extend(i8x16, false, false);
    case Opcode::I16x8ExtendHighI8x16U: return extend(i8x16, true, false);
    case Opcode::I32x4ExtendLowI16x8S: return extend(i16x8, false, true);
    case Opcode::I32x4ExtendHighI16x8S: return extend(i16x8, true, true);
    case Opcode::I32x4ExtendLowI16x8U: return extend(i16x8, false, false);
    case Opcode::I32x4ExtendHighI16x8U: return extend(i16x8, true, false);
    case Opcode::I64x2ExtendLowI32x4S: return extend(i32x4, false, true);
    case Opcode::I64x2ExtendHighI32x4S: return extend(i32x4, true, true);
    case Opcode::I64x2ExtendLowI32x4U: return extend(i32x4, false, false);
    case Opcode::I64x2ExtendHighI32x4U: return extend(i32x4, true, false);
    case Opcode::I16x8ExtmulLowI8x16S: return extmul(i8x16, false, true);
    case Opcode::I16x8ExtmulHighI8x16S: return extmul(i8x16, true, true);
    case Opcode::I16x8ExtmulLowI8x16U: return extmul(i8x16, false, false);
    case Opcode::I16x8ExtmulHighI8x16U: return extmul(i8x16, true, false);
    case Opcode::I32x4ExtmulLowI16x8S: return extmul(i16x8, false, true);
    case Opcode::I32x4ExtmulHighI16x8S: return extmul(i16x8, true, true);
    case Opcode::I32x4ExtmulLowI16x8U: return extmul(i16x8, false, false);
    case Opcode::I32x4ExtmulHighI16x8U: return extmul(i16x8, true, false);
    case Opcode::I64x2ExtmulLowI32x4S: return extmul(i32x4, false, true);
    case Opcode::I64x2ExtmulHighI32x4S: return extmul(i32x4, true, true);
    case Opcode::I64x2ExtmulLowI32x4U: return extmul(i32x4, false, false);
    case Opcode::I64x2ExtmulHighI32x4U: return extmul(i32x4, true, false);
    case Opcode::I16x8ExtaddPairwiseI8x16S: return extadd(i8x16, true);
    case Opcode::I16x8ExtaddPairwiseI8x16U: return extadd(i8x16, false);
    case Opcode::I32x4ExtaddPairwiseI16x8S: return extadd(i16x8, true);
    case Opcode::I32x4ExtaddPairwiseI16x8U: return extadd(i16x8, false);

    case Opcode::I8x16Shl: return shift(i8x16, llvm::Instruction::Shl);
    case Opcode::I8x16ShrS: return shift(i8x16, llvm::Instruction::AShr);
    case Opcode::I8x16ShrU: return shift(i8x16, llvm::Instruction::LShr);
    case Opcode::I16x8Shl: return shift(i16x8, llvm::Instruction::Shl);
    case Opcode::I16x8ShrS: return shift(i16x8, llvm::Instruction::AShr);
    case Opcode::I16x8ShrU: return shift(i16x8, llvm::Instruction::LShr);
    case Opcode::I32x4Shl: return shift(i32x4, llvm::Instruction::Shl);
    case Opcode::I32x4ShrS: return shift(i32x4, llvm::Instruction::AShr);
    case Opcode::I32x4ShrU: return shift(i32x4, llvm::Instruction::LShr);
    case Opcode::I64x2Shl: return shift(i64x2, llvm::Instruction::Shl);
    case Opcode::I64x2ShrS: return shift(i64x2, llvm::Instruction::AShr);
    case Opcode::I64x2ShrU: return shift(i64x2, llvm::Instruction::LShr);

    case Opcode::I8x16Add: return iop(i8x16, llvm::Instruction::Add);
    case Opcode::I16x8Add: return iop(i16x8, llvm::Instruction::Add);
    case Opcode::I32x4Add: return iop(i32x4, llvm::Instruction::Add);
    case Opcode::I64x2Add: return iop(i64x2, llvm::Instruction::Add);
    case Opcode::I8x16Sub: return iop(i8x16, llvm::Instruction::Sub);
    case Opcode::I16x8Sub: return iop(i16x8, llvm::Instruction::Sub);
    case Opcode::I32x4Sub: return iop(i32x4, llvm::Instruction::Sub);
    case Opcode::I64x2Sub: return iop(i64x2, llvm::Instruction::Sub);
    case Opcode::I16x8Mul: return iop(i16x8, llvm::Instruction::Mul);
    case Opcode::I32x4Mul: return iop(i32x4, llvm::Instruction::Mul);
    case Opcode::I64x2Mul: return iop(i64x2, llvm::Instruction::Mul);
    case Opcode::I8x16AddSatS: return intr2(i8x16, I::sadd_sat);
    case Opcode::I8x16AddSatU: return intr2(i8x16, I::uadd_sat);
    case Opcode::I8x16SubSatS: return intr2(i8x16, I::ssub_sat);
    case Opcode::I8x16SubSatU: return intr2(i8x16, I::usub_sat);
    case Opcode::I16x8AddSatS: return intr2(i16x8, I::sadd_sat);
    case Opcode::I16x8AddSatU: return intr2(i16x8, I::uadd_sat);
    case Opcode::I16x8SubSatS: return intr2(i16x8, I::ssub_sat);
    case Opcode::I16x8SubSatU: return intr2(i16x8, I::usub_sat);
    case Opcode::I8x16MinS: return intr2(i8x16, I::smin);
    case Opcode::I8x16MinU: return intr2(i8x16, I::umin);
    case Opcode::I8x16MaxS: return intr2(i8x16, I::smax);
    case Opcode::I8x16MaxU: return intr2(i8x16, I::umax);
    case Opcode::I16x8MinS: return intr2(i16x8, I::smin);
    case Opcode::I16x8MinU: return intr2(i16x8, I::umin);
    case Opcode::I16x8MaxS: return intr2(i16x8, I::smax);
    case Opcode::I16x8MaxU: return intr2(i16x8, I::umax);
    case Opcode::I32x4MinS: return intr2(i32x4, I::smin);
    case Opcode::I32x4MinU: return intr2(i32x4, I::umin);
    case Opcode::I32x4MaxS: return intr2(i32x4, I::smax);
    case Opcode::I32x4MaxU: return intr2(i32x4, I::umax);
    case Opcode::I8x16AvgrU: return avgr(i8x16);
    case Opcode::I16x8AvgrU: return avgr(i16x8);
    case Opcode::I16x8Q15mulrSatS:
    case Opcode::I16x8RelaxedQ15mulrS: return q15mulr();
    case Opcode::I32x4DotI16x8S:
      return bin(i16x8, [&](llvm::Value* x, llvm::Value* y) {
        return pairs(b.CreateMul(widen(x, env_.i32, true), widen(y, env_.i32, true)));
      });
    case Opcode::I16x8RelaxedDotI8x16I7x16S: return bin(i8x16, dot_i8);
    case Opcode::I32x4RelaxedDotI8x16I7x16AddS:
      return tern(i8x16, [&](llvm::Value* x, llvm::Value* y, llvm::Value* z) {
        return b.CreateAdd(pairs(widen(dot_i8(x, y), env_.i32, true)), as(z, i32x4));
      });

    case Opcode::F32x4Abs: return intr1(f32x4, I::fabs);
    case Opcode::F64x2Abs: return intr1(f64x2, I::fabs);
    case Opcode::F32x4Neg: return un(f32x4, [&](llvm::Value* a) { return b.CreateFNeg(a); });
    case Opcode::F64x2Neg: return un(f64x2, [&](llvm::Value* a) { return b.CreateFNeg(a); });
    case Opcode::F32x4Sqrt: return intr1(f32x4, I::sqrt);
    case Opcode::F64x2Sqrt: return intr1(f64x2, I::sqrt);
    case Opcode::F32x4Ceil: return intr1(f32x4, I::ceil);
    case Opcode::F64x2Ceil: return intr1(f64x2, I::ceil);
    case Opcode::F32x4Floor: return intr1(f32x4, I::floor);
    case Opcode::F64x2Floor: return intr1(f64x2, I::floor);
    case Opcode::F32x4Trunc: return intr1(f32x4, I::trunc);
    case Opcode::F64x2Trunc: return intr1(f64x2, I::trunc);
    case Opcode::F32x4Nearest: return intr1(f32x4, I::roundeven);
    case Opcode::F64x2Nearest: return intr1(f64x2, I::roundeven);
    case Opcode::F32x4Add: return farith(f32x4, llvm::Instruction::FAdd);
    case Opcode::F64x2Add: return farith(f64x2, llvm::Instruction::FAdd);
    case Opcode::F32x4Sub: return farith(f32x4, llvm::Instruction::FSub);
    case Opcode::F64x2Sub: return farith(f64x2, llvm::Instruction::FSub);
    case Opcode::F32x4Mul: return farith(f32x4, llvm::Instruction::FMul);
    case Opcode::F64x2Mul: return farith(f64x2, llvm::Instruction::FMul);
    case Opcode::F32x4Div: return farith(f32x4, llvm::Instruction::FDiv);
    case Opcode::F64x2Div: return farith(f64x2, llvm::Instruction::FDiv);
    case Opcode::F32x4Min:
    case Opcode::F32x4RelaxedMin: return fminmax(f32x4, I::minimum);
    case Opcode::F64x2Min:
    case Opcode::F64x2RelaxedMin: return fminmax(f64x2, I::minimum);
    case Opcode::F32x4Max:
    case Opcode::F32x4RelaxedMax: return fminmax(f32x4, I::maximum);
    case Opcode::F64x2Max:
    case Opcode::F64x2RelaxedMax: return fminmax(f64x2, I::maximum);
    case Opcode::F32x4Pmin: return pminmax(f32x4, true);
    case Opcode::F64x2Pmin: return pminmax(f64x2, true);
    case Opcode::F32x4Pmax: return pminmax(f32x4, false);
    case Opcode::F64x2Pmax: return pminmax(f64x2, false);
    case Opcode::F32x4RelaxedMadd: return madd(f32x4, false);
    case Opcode::F32x4RelaxedNmadd: return madd(f32x4, true);
    case Opcode::F64x2RelaxedMadd: return madd(f64x2, false);
    case Opcode::F64x2RelaxedNmadd: return madd(f64x2, true);

    case Opcode::I32x4TruncSatF32x4S:
    case Opcode::I32x4RelaxedTruncF32x4S: return trunc_sat(f32x4, true);
    case Opcode::I32x4TruncSatF32x4U:
    case Opcode::I32x4RelaxedTruncF32x4U: return trunc_sat(f32x4, false);
    case Opcode::I32x4TruncSatF64x2SZero:
    case Opcode::I32x4RelaxedTruncF64x2SZero: return trunc_sat(f64x2, true);
    case Opcode::I32x4TruncSatF64x2UZero:
    case Opcode::I32x4RelaxedTruncF64x2UZero: return trunc_sat(f64x2, false);
    case Opcode::F32x4ConvertI32x4S: return un(i32x4, [&](llvm::Value* a) { return b.CreateSIToFP(a, f32x4); });
    case Opcode::F32x4ConvertI32x4U: return un(i32x4, [&](llvm::Value* a) { return b.CreateUIToFP(a, f32x4); });
    case Opcode::F64x2ConvertLowI32x4S:
      return un(i32x4, [&](llvm::Value* a) { return b.CreateSIToFP(pick(a, 0, 1, 2), f64x2); });
    case Opcode::F64x2ConvertLowI32x4U:
      return un(i32x4, [&](llvm::Value* a) { return b.CreateUIToFP(pick(a, 0, 1, 2), f64x2); });
    case Opcode::F32x4DemoteF64x2Zero:
      return un(f64x2, [&](llvm::Value* a) {
        llvm::Value* two = b.CreateFPTrunc(a, vec(env_.f32, 2));
        return b.CreateShuffleVector(two, llvm::Constant::getNullValue(two->getType()), indices(0, 1, 4));
      });
    case Opcode::F64x2PromoteLowF32x4:
      return un(f32x4, [&](llvm::Value* a) { return b.CreateFPExt(pick(a, 0, 1, 2), f64x2); });
    default: return false;
  }
}

}  // namespace aperture::native
