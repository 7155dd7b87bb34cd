// Numeric instructions: comparisons, arithmetic, conversions. LLVM's operations match
// wasm's except where wasm traps (division, float-to-int truncation), defines what LLVM
// leaves undefined (shift counts, clz/ctz of zero) or has IEEE 754-2019 semantics
// (min/max propagate NaN and order -0 below +0: llvm.minimum/maximum).
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/Intrinsics.h>

#include <cmath>
#include <limits>

#include "compile/codegen/function_translator.h"

namespace aperture::native {

llvm::Value* FunctionTranslator::intrinsic(llvm::Intrinsic::ID id, llvm::ArrayRef<llvm::Value*> args) {
  return builder_.CreateIntrinsic(id, {args[0]->getType()}, args);
}

// LLVM folds x+(-0), x-0, -0-x, x*1, x*(-1), x/1, x/(-1) and demote(promote(x)) into x
// or -x, which keeps a signalling NaN signalling; wasm requires the arithmetic result, a
// quiet NaN. Hiding such a constant (or the promotion) behind an empty inline asm keeps
// the arithmetic. Real programs rarely contain these operations; the spec suite does.
llvm::Value* FunctionTranslator::opaque(llvm::Value* v) {
  auto* asm_fn = llvm::InlineAsm::get(llvm::FunctionType::get(v->getType(), {v->getType()}, false),
                                      "", env_.float_register_constraint,
                                      /*hasSideEffects=*/false);
  return builder_.CreateCall(asm_fn, {v});
}

llvm::Value* FunctionTranslator::float_arith(Opcode op, llvm::Value* x, llvm::Value* y) {
  auto is_constant = [](llvm::Value* v, double magnitude) {
    auto* c = llvm::dyn_cast<llvm::ConstantFP>(v);
    return c != nullptr && !c->isNaN() && std::fabs(c->getValueAPF().convertToDouble()) == magnitude;
  };
  switch (op) {
    case Opcode::F32Add:
    case Opcode::F64Add:
    case Opcode::F32Sub:
    case Opcode::F64Sub:
      if (is_constant(x, 0.0)) x = opaque(x);
      if (is_constant(y, 0.0)) y = opaque(y);
      break;
    default:  // mul, div
      if (is_constant(y, 1.0)) y = opaque(y);
      if (is_constant(x, 1.0)) x = opaque(x);
      break;
  }
  switch (op) {
    case Opcode::F32Add:
    case Opcode::F64Add: return builder_.CreateFAdd(x, y);
    case Opcode::F32Sub:
    case Opcode::F64Sub: return builder_.CreateFSub(x, y);
    case Opcode::F32Mul:
    case Opcode::F64Mul: return builder_.CreateFMul(x, y);
    default: return builder_.CreateFDiv(x, y);
  }
}

// llvm.minimum/maximum return a signalling NaN operand unchanged; wasm wants it quiet.
// When either operand is NaN, x + y is a quiet NaN carrying one of their payloads.
llvm::Value* FunctionTranslator::min_max(llvm::Intrinsic::ID id, llvm::Value* x, llvm::Value* y) {
  llvm::Value* any_nan = builder_.CreateFCmpUNO(x, y);
  return builder_.CreateSelect(any_nan, builder_.CreateFAdd(x, y), intrinsic(id, {x, y}));
}

llvm::Value* FunctionTranslator::division(const Instr& in) {
  llvm::Value* b = pop();
  llvm::Value* a = pop();
  llvm::Type* t = a->getType();
  llvm::Value* zero = llvm::ConstantInt::get(t, 0);
  llvm::Value* minus_one = llvm::ConstantInt::getSigned(t, -1);
  trap_if(builder_.CreateICmpEQ(b, zero), TrapKind::IntegerDivideByZero);
  bool is64 = t == env_.i64;
  llvm::Value* min = is64 ? builder_.getInt64(static_cast<uint64_t>(INT64_MIN))
                          : builder_.getInt32(static_cast<uint32_t>(INT32_MIN));
  switch (in.op) {
    case Opcode::I32DivS:
    case Opcode::I64DivS:
      trap_if(builder_.CreateAnd(builder_.CreateICmpEQ(a, min), builder_.CreateICmpEQ(b, minus_one)),
              TrapKind::IntegerOverflow);
      return builder_.CreateSDiv(a, b);
    case Opcode::I32DivU:
    case Opcode::I64DivU: return builder_.CreateUDiv(a, b);
    case Opcode::I32RemS:
    case Opcode::I64RemS: {
      // x % -1 is 0; dividing MIN by -1 would fault, so divide by 1 instead.
      llvm::Value* is_minus_one = builder_.CreateICmpEQ(b, minus_one);
      llvm::Value* divisor = builder_.CreateSelect(is_minus_one, llvm::ConstantInt::get(t, 1), b);
      return builder_.CreateSelect(is_minus_one, zero, builder_.CreateSRem(a, divisor));
    }
    default: return builder_.CreateURem(a, b);
  }
}

// Trapping float-to-int truncation: NaN is "invalid conversion to integer", a value
// whose truncation does not fit is "integer overflow" (interp/numeric.h has the same rule).
llvm::Value* FunctionTranslator::trapping_truncation(Opcode op, llvm::Value* x) {
  bool is_signed = op == Opcode::I32TruncF32S || op == Opcode::I32TruncF64S ||
                   op == Opcode::I64TruncF32S || op == Opcode::I64TruncF64S;
  bool to64 = op == Opcode::I64TruncF32S || op == Opcode::I64TruncF32U ||
              op == Opcode::I64TruncF64S || op == Opcode::I64TruncF64U;
  llvm::Type* ft = x->getType();
  trap_if(builder_.CreateFCmpUNO(x, x), TrapKind::InvalidConversion);
  int bits = to64 ? 64 : 32;
  double hi = std::ldexp(1.0, is_signed ? bits - 1 : bits);  // exclusive upper bound, exact
  llvm::Value* in_range;
  if (is_signed) {
    llvm::Value* t = intrinsic(llvm::Intrinsic::trunc, {x});
    in_range = builder_.CreateAnd(builder_.CreateFCmpOGE(t, llvm::ConstantFP::get(ft, -hi)),
                                  builder_.CreateFCmpOLT(t, llvm::ConstantFP::get(ft, hi)));
  } else {
    in_range = builder_.CreateAnd(builder_.CreateFCmpOGT(x, llvm::ConstantFP::get(ft, -1.0)),
                                  builder_.CreateFCmpOLT(x, llvm::ConstantFP::get(ft, hi)));
  }
  trap_if(builder_.CreateNot(in_range), TrapKind::IntegerOverflow);
  llvm::Type* it = to64 ? env_.i64 : env_.i32;
  return is_signed ? builder_.CreateFPToSI(x, it) : builder_.CreateFPToUI(x, it);
}

bool FunctionTranslator::translate_numeric(const Instr& in) {
  using llvm::Intrinsic::ID;
  auto& b = builder_;
  auto unary = [&](auto f) {
    llvm::Value* a = pop();
    push(f(a));
    return true;
  };
  auto binary = [&](auto f) {
    llvm::Value* y = pop();
    llvm::Value* x = pop();
    push(f(x, y));
    return true;
  };
  auto icmp = [&](llvm::CmpInst::Predicate p) {
    return binary([&](llvm::Value* x, llvm::Value* y) { return as_i32(b.CreateICmp(p, x, y)); });
  };
  auto fcmp = [&](llvm::CmpInst::Predicate p) {
    return binary([&](llvm::Value* x, llvm::Value* y) { return as_i32(b.CreateFCmp(p, x, y)); });
  };
  auto eqz = [&] {
    return unary([&](llvm::Value* x) {
      return as_i32(b.CreateICmpEQ(x, llvm::ConstantInt::get(x->getType(), 0)));
    });
  };
  // Shift and rotate counts are taken modulo the width.
  auto masked = [&](llvm::Value* count) {
    unsigned bits = count->getType()->getIntegerBitWidth();
    return b.CreateAnd(count, llvm::ConstantInt::get(count->getType(), bits - 1));
  };
  auto bit_count = [&](ID id) {
    return unary([&](llvm::Value* x) -> llvm::Value* {
      if (id == llvm::Intrinsic::ctpop) return intrinsic(id, {x});
      return b.CreateIntrinsic(id, {x->getType()}, {x, b.getFalse()});  // defined for 0
    });
  };
  auto fun = [&](ID id) { return unary([&](llvm::Value* x) { return intrinsic(id, {x}); }); };
  auto fbin = [&](ID id) {
    return binary([&](llvm::Value* x, llvm::Value* y) { return intrinsic(id, {x, y}); });
  };
  auto rotate = [&](ID id) {
    return binary([&](llvm::Value* x, llvm::Value* y) {
      return b.CreateIntrinsic(id, {x->getType()}, {x, x, y});
    });
  };
  auto sat = [&](ID id, llvm::Type* to) {
    return unary([&](llvm::Value* x) { return b.CreateIntrinsic(id, {to, x->getType()}, {x}); });
  };
  auto sext_from = [&](llvm::Type* narrow) {
    return unary([&](llvm::Value* x) { return b.CreateSExt(b.CreateTrunc(x, narrow), x->getType()); });
  };

  using P = llvm::CmpInst::Predicate;
  switch (in.op) {
    case Opcode::I32Eqz:
    case Opcode::I64Eqz: return eqz();
    case Opcode::I32Eq:
    case Opcode::I64Eq: return icmp(P::ICMP_EQ);
    case Opcode::I32Ne:
    case Opcode::I64Ne: return icmp(P::ICMP_NE);
    case Opcode::I32LtS:
    case Opcode::I64LtS: return icmp(P::ICMP_SLT);
    case Opcode::I32LtU:
    case Opcode::I64LtU: return icmp(P::ICMP_ULT);
    case Opcode::I32GtS:
    case Opcode::I64GtS: return icmp(P::ICMP_SGT);
    case Opcode::I32GtU:
    case Opcode::I64GtU: return icmp(P::ICMP_UGT);
    case Opcode::I32LeS:
    case Opcode::I64LeS: return icmp(P::ICMP_SLE);
    case Opcode::I32LeU:
    case Opcode::I64LeU: return icmp(P::ICMP_ULE);
    case Opcode::I32GeS:
    case Opcode::I64GeS: return icmp(P::ICMP_SGE);
    case Opcode::I32GeU:
    case Opcode::I64GeU: return icmp(P::ICMP_UGE);
    case Opcode::F32Eq:
    case Opcode::F64Eq: return fcmp(P::FCMP_OEQ);
    case Opcode::F32Ne:
    case Opcode::F64Ne: return fcmp(P::FCMP_UNE);
    case Opcode::F32Lt:
    case Opcode::F64Lt: return fcmp(P::FCMP_OLT);
    case Opcode::F32Gt:
    case Opcode::F64Gt: return fcmp(P::FCMP_OGT);
    case Opcode::F32Le:
    case Opcode::F64Le: return fcmp(P::FCMP_OLE);
    case Opcode::F32Ge:
    case Opcode::F64Ge: return fcmp(P::FCMP_OGE);

    case Opcode::I32Clz:
    case Opcode::I64Clz: return bit_count(llvm::Intrinsic::ctlz);
    case Opcode::I32Ctz:
    case Opcode::I64Ctz: return bit_count(llvm::Intrinsic::cttz);
    case Opcode::I32Popcnt:
    case Opcode::I64Popcnt: return bit_count(llvm::Intrinsic::ctpop);
    case Opcode::I32Add:
    case Opcode::I64Add: return binary([&](auto x, auto y) { return b.CreateAdd(x, y); });
    case Opcode::I32Sub:
    case Opcode::I64Sub: return binary([&](auto x, auto y) { return b.CreateSub(x, y); });
    case Opcode::I32Mul:
    case Opcode::I64Mul: return binary([&](auto x, auto y) { return b.CreateMul(x, y); });
    case Opcode::I32DivS:
    case Opcode::I32DivU:
    case Opcode::I32RemS:
    case Opcode::I32RemU:
    case Opcode::I64DivS:
    case Opcode::I64DivU:
    case Opcode::I64RemS:
    case Opcode::I64RemU: push(division(in)); return true;
    case Opcode::I32And:
    case Opcode::I64And: return binary([&](auto x, auto y) { return b.CreateAnd(x, y); });
    case Opcode::I32Or:
    case Opcode::I64Or: return binary([&](auto x, auto y) { return b.CreateOr(x, y); });
    case Opcode::I32Xor:
    case Opcode::I64Xor: return binary([&](auto x, auto y) { return b.CreateXor(x, y); });
    case Opcode::I32Shl:
    case Opcode::I64Shl: return binary([&](auto x, auto y) { return b.CreateShl(x, masked(y)); });
    case Opcode::I32ShrS:
    case Opcode::I64ShrS: return binary([&](auto x, auto y) { return b.CreateAShr(x, masked(y)); });
    case Opcode::I32ShrU:
    case Opcode::I64ShrU: return binary([&](auto x, auto y) { return b.CreateLShr(x, masked(y)); });
    case Opcode::I32Rotl:
    case Opcode::I64Rotl: return rotate(llvm::Intrinsic::fshl);
    case Opcode::I32Rotr:
    case Opcode::I64Rotr: return rotate(llvm::Intrinsic::fshr);

    case Opcode::F32Abs:
    case Opcode::F64Abs: return fun(llvm::Intrinsic::fabs);
    case Opcode::F32Neg:
    case Opcode::F64Neg: return unary([&](llvm::Value* x) { return b.CreateFNeg(x); });
    case Opcode::F32Ceil:
    case Opcode::F64Ceil: return fun(llvm::Intrinsic::ceil);
    case Opcode::F32Floor:
    case Opcode::F64Floor: return fun(llvm::Intrinsic::floor);
    case Opcode::F32Trunc:
    case Opcode::F64Trunc: return fun(llvm::Intrinsic::trunc);
    case Opcode::F32Nearest:
    case Opcode::F64Nearest: return fun(llvm::Intrinsic::roundeven);
    case Opcode::F32Sqrt:
    case Opcode::F64Sqrt: return fun(llvm::Intrinsic::sqrt);
    case Opcode::F32Add:
    case Opcode::F64Add:
    case Opcode::F32Sub:
    case Opcode::F64Sub:
    case Opcode::F32Mul:
    case Opcode::F64Mul:
    case Opcode::F32Div:
    case Opcode::F64Div:
      return binary([&](llvm::Value* x, llvm::Value* y) { return float_arith(in.op, x, y); });
    case Opcode::F32Min:
    case Opcode::F64Min:
      return binary([&](llvm::Value* x, llvm::Value* y) { return min_max(llvm::Intrinsic::minimum, x, y); });
    case Opcode::F32Max:
    case Opcode::F64Max:
      return binary([&](llvm::Value* x, llvm::Value* y) { return min_max(llvm::Intrinsic::maximum, x, y); });
    case Opcode::F32Copysign:
    case Opcode::F64Copysign: return fbin(llvm::Intrinsic::copysign);

    case Opcode::I32WrapI64: return unary([&](auto x) { return b.CreateTrunc(x, env_.i32); });
    case Opcode::I32TruncF32S:
    case Opcode::I32TruncF32U:
    case Opcode::I32TruncF64S:
    case Opcode::I32TruncF64U:
    case Opcode::I64TruncF32S:
    case Opcode::I64TruncF32U:
    case Opcode::I64TruncF64S:
    case Opcode::I64TruncF64U: push(trapping_truncation(in.op, pop())); return true;
    case Opcode::I64ExtendI32S: return unary([&](auto x) { return b.CreateSExt(x, env_.i64); });
    case Opcode::I64ExtendI32U: return unary([&](auto x) { return b.CreateZExt(x, env_.i64); });
    case Opcode::F32ConvertI32S:
    case Opcode::F32ConvertI64S: return unary([&](auto x) { return b.CreateSIToFP(x, env_.f32); });
    case Opcode::F32ConvertI32U:
    case Opcode::F32ConvertI64U: return unary([&](auto x) { return b.CreateUIToFP(x, env_.f32); });
    case Opcode::F64ConvertI32S:
    case Opcode::F64ConvertI64S: return unary([&](auto x) { return b.CreateSIToFP(x, env_.f64); });
    case Opcode::F64ConvertI32U:
    case Opcode::F64ConvertI64U: return unary([&](auto x) { return b.CreateUIToFP(x, env_.f64); });
    case Opcode::F32DemoteF64:
      return unary([&](llvm::Value* x) {
        if (llvm::isa<llvm::FPExtInst>(x)) x = opaque(x);  // see opaque()
        return b.CreateFPTrunc(x, env_.f32);
      });
    case Opcode::F64PromoteF32: return unary([&](auto x) { return b.CreateFPExt(x, env_.f64); });
    case Opcode::I32ReinterpretF32: return unary([&](auto x) { return b.CreateBitCast(x, env_.i32); });
    case Opcode::I64ReinterpretF64: return unary([&](auto x) { return b.CreateBitCast(x, env_.i64); });
    case Opcode::F32ReinterpretI32: return unary([&](auto x) { return b.CreateBitCast(x, env_.f32); });
    case Opcode::F64ReinterpretI64: return unary([&](auto x) { return b.CreateBitCast(x, env_.f64); });
    case Opcode::I32Extend8S:
    case Opcode::I64Extend8S: return sext_from(env_.i8);
    case Opcode::I32Extend16S:
    case Opcode::I64Extend16S: return sext_from(env_.i16);
    case Opcode::I64Extend32S: return sext_from(env_.i32);
    case Opcode::I32TruncSatF32S:
    case Opcode::I32TruncSatF64S: return sat(llvm::Intrinsic::fptosi_sat, env_.i32);
    case Opcode::I32TruncSatF32U:
    case Opcode::I32TruncSatF64U: return sat(llvm::Intrinsic::fptoui_sat, env_.i32);
    case Opcode::I64TruncSatF32S:
    case Opcode::I64TruncSatF64S: return sat(llvm::Intrinsic::fptosi_sat, env_.i64);
    case Opcode::I64TruncSatF32U:
    case Opcode::I64TruncSatF64U: return sat(llvm::Intrinsic::fptoui_sat, env_.i64);
    default: return false;
  }
}

}  // namespace aperture::native
