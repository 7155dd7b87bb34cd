// The interpreter's SIMD operations, as functions outside the interpreter loop: with
// their lane code inside run(), the register allocation of the whole loop changed and
// scalar code ran up to a quarter slower. The translator emits one SimdOp instruction
// per SIMD instruction (interp/extra_ops.def): the function, then the immediates.
#pragma once

#include <cstdint>

#include "binary/opcode.h"
#include "interp/code.h"

namespace aperture::simd {

// The operand stack pointer and the instruction pointer after an operation.
struct State {
  uint64_t* sp;
  const Slot* ip;
};
// `ip`: the operation's first immediate; `bases`: the instance's memory bases.
using OpFn = State (*)(uint64_t* sp, const Slot* ip, uint8_t* const* bases);

// The function of SIMD instruction `op` (nullptr for any other instruction).
OpFn op_function(Opcode op);
// For a SIMD load or store on a 64-bit memory: its function taking 64-bit addresses, to
// run after a Mem64Check (nullptr for any other instruction).
OpFn op_function_mem64(Opcode op);

}  // namespace aperture::simd
