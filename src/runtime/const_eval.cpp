#include "runtime/const_eval.h"

namespace aperture {

uint64_t eval_const(const ConstExpr& expr, const Instance& instance, uint64_t* high) {
  // Validation guarantees exactly one constant instruction (WebAssembly 2.0).
  uint64_t value = 0, value_high = 0;
  for (const Instr& in : expr.code) {
    switch (in.op) {
      case Opcode::I32Const:
      case Opcode::F32Const: value = static_cast<uint32_t>(in.imm); break;
      case Opcode::I64Const:
      case Opcode::F64Const: value = in.imm; break;
      case Opcode::RefNull: value = 0; break;
      case Opcode::RefFunc: value = reinterpret_cast<uint64_t>(instance.funcs_[in.a]); break;
      case Opcode::V128Const:
        value = in.v128_low();
        value_high = in.v128_high();
        break;
      case Opcode::GlobalGet:
        value = instance.globals_[in.a]->bits_;
        value_high = instance.globals_[in.a]->high_bits_;
        break;
      default: break;
    }
  }
  if (high) *high = value_high;
  return value;
}

}  // namespace aperture
