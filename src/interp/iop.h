// Interpreter operation codes: every wasm opcode plus interpreter-only operations.
#pragma once

#include <cstdint>

namespace aperture {

enum class IOp : uint16_t {
#define WASM_OP(Name, Prefix, Code, Text, Imm, P0, P1, P2, R, Mem) Name,
#include "binary/opcodes.def"
#undef WASM_OP
#define IOP(Name) Name,
#include "interp/extra_ops.def"
#undef IOP
  Count
};

// The handler address for `op` (labels of the direct-threaded interpreter loop).
const void* handler_for(IOp op);

}  // namespace aperture
