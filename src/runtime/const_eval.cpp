#include "runtime/const_eval.h"

namespace aperture {

uint64_t eval_const(const ConstExpr& expr, const Instance& instance) {
  // Validation guarantees exactly one constant instruction (WebAssembly 2.0).
  uint64_t value = 0;
  for (const Instr& in : expr.code) {
    switch (in.op) {
      case Opcode::I32Const:
      case Opcode::F32Const: value = static_cast<uint32_t>(in.imm); break;
      case Opcode::I64Const:
      case Opcode::F64Const: value = in.imm; break;
      case Opcode::RefNull: value = 0; break;
      case Opcode::RefFunc: value = reinterpret_cast<uint64_t>(instance.funcs_[in.a]); break;
      case Opcode::GlobalGet: value = instance.globals_[in.a]->bits_; break;
      default: break;
    }
  }
  return value;
}

}  // namespace aperture
