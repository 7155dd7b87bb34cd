#include "runtime/const_eval.h"

#include <vector>

namespace aperture {

namespace {

// One value of a constant expression: a raw slot and, for v128, its high half.
struct ConstValue {
  uint64_t bits = 0, high = 0;
};

}  // namespace

uint64_t eval_const(const ConstExpr& expr, const Instance& instance, uint64_t* high) {
  // Validation guarantees a well-typed expression leaving one value. A 2.0 expression is
  // a single constant; extended constants (3.0) add i32/i64 add, sub and mul, so this is a
  // small stack machine. It runs once per instantiation, never on a hot path.
  ConstValue stack_buffer[4];
  std::vector<ConstValue> spill;
  size_t depth = 0;
  auto at = [&](size_t i) -> ConstValue& {
    if (i < 4) return stack_buffer[i];
    if (spill.size() <= i - 4) spill.resize(i - 3);
    return spill[i - 4];
  };
  auto push = [&](uint64_t bits, uint64_t hi = 0) { at(depth++) = ConstValue{bits, hi}; };
  auto binary = [&](auto op) {
    uint64_t b = at(--depth).bits;
    ConstValue& a = at(depth - 1);
    a.bits = op(a.bits, b);
  };
  auto i32 = [](uint64_t v) { return static_cast<uint64_t>(static_cast<uint32_t>(v)); };
  for (const Instr& in : expr.code) {
    switch (in.op) {
      case Opcode::I32Const:
      case Opcode::F32Const: push(static_cast<uint32_t>(in.imm)); break;
      case Opcode::I64Const:
      case Opcode::F64Const: push(in.imm); break;
      case Opcode::RefNull: push(0); break;
      case Opcode::RefFunc: push(reinterpret_cast<uint64_t>(instance.funcs_[in.a])); break;
      case Opcode::V128Const: push(in.v128_low(), in.v128_high()); break;
      case Opcode::GlobalGet:
        push(instance.globals_[in.a]->bits_, instance.globals_[in.a]->high_bits_);
        break;
      case Opcode::I32Add: binary([&](uint64_t a, uint64_t b) { return i32(a + b); }); break;
      case Opcode::I32Sub: binary([&](uint64_t a, uint64_t b) { return i32(a - b); }); break;
      case Opcode::I32Mul: binary([&](uint64_t a, uint64_t b) { return i32(a * b); }); break;
      case Opcode::I64Add: binary([](uint64_t a, uint64_t b) { return a + b; }); break;
      case Opcode::I64Sub: binary([](uint64_t a, uint64_t b) { return a - b; }); break;
      case Opcode::I64Mul: binary([](uint64_t a, uint64_t b) { return a * b; }); break;
      default: break;
    }
  }
  ConstValue result = depth ? at(depth - 1) : ConstValue{};
  if (high) *high = result.high;
  return result.bits;
}

}  // namespace aperture
