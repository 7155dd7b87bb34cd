#include "compile/codegen/budget.h"

namespace aperture::native {

bool within_budget(const Module& module, uint32_t defined_index, const CompileBudget& budget) {
  const FunctionBody& body = module.bodies[defined_index];
  if (body.num_locals > budget.max_locals) return false;
  if (body.code.size() > budget.max_instructions) return false;
  uint32_t calls = 0;
  for (const Instr& in : body.code)
    if (in.op == Opcode::Call || in.op == Opcode::CallIndirect || in.op == Opcode::ReturnCall ||
        in.op == Opcode::ReturnCallIndirect || in.op == Opcode::CallRef ||
        in.op == Opcode::ReturnCallRef)
      ++calls;
  return calls <= budget.max_calls;
}

}  // namespace aperture::native
