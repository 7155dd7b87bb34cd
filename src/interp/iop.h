// Interpreter operation codes: every wasm opcode plus interpreter-only operations.
#pragma once

#include <cstdint>

// Loads and stores (the ops of opcodes.def with an access width) exist three times:
// `Name` addresses memory 0 and `Name##Mem1` memory 1, each through a base pointer the
// interpreter keeps in a local of its loop (so memory 1 costs what memory 0 costs: the
// common layout of a module's own memory plus one shared memory), and `Name##MemN`
// (immediates: offset, memory index) any other memory, through the instance's array of
// memory bases: one more load of the index and one of the base per access.
// A 64-bit memory (memory64) has a fourth variant, `Name##Mem64` (immediates: offset,
// memory index): i64 address, and an explicit compare of `address + offset + width` with
// the 64 GiB reservation (Memory::kAddressSpace64) before the access.
// APERTURE_IF_MEMORY_ACCESS(Mem, F, Name) expands to F(Name) for those ops and to
// nothing for the others.
#define APERTURE_IF_MEMORY_ACCESS(Mem, F, Name) APERTURE_MEMORY_ACCESS_##Mem(F, Name)
#define APERTURE_MEMORY_ACCESS_0(F, Name)
#define APERTURE_MEMORY_ACCESS_1(F, Name) F(Name)
#define APERTURE_MEMORY_ACCESS_2(F, Name) F(Name)
#define APERTURE_MEMORY_ACCESS_4(F, Name) F(Name)
#define APERTURE_MEMORY_ACCESS_8(F, Name) F(Name)
#define APERTURE_MEMORY_ACCESS_16(F, Name) F(Name)

namespace aperture {

enum class IOp : uint16_t {
#define WASM_OP(Name, Prefix, Code, Text, Imm, P0, P1, P2, R, Mem) Name,
#include "binary/opcodes.def"
#undef WASM_OP
#define IOP(Name) Name,
#include "interp/extra_ops.def"
#undef IOP
#define MEMN_ENUM(Name) Name##MemN,
#define WASM_OP(Name, Prefix, Code, Text, Imm, P0, P1, P2, R, Mem) \
  APERTURE_IF_MEMORY_ACCESS(Mem, MEMN_ENUM, Name)
#include "binary/opcodes.def"
#undef WASM_OP
#undef MEMN_ENUM
#define MEM1_ENUM(Name) Name##Mem1,
#define WASM_OP(Name, Prefix, Code, Text, Imm, P0, P1, P2, R, Mem) \
  APERTURE_IF_MEMORY_ACCESS(Mem, MEM1_ENUM, Name)
#include "binary/opcodes.def"
#undef WASM_OP
#undef MEM1_ENUM
#define MEM64_ENUM(Name) Name##Mem64,
#define WASM_OP(Name, Prefix, Code, Text, Imm, P0, P1, P2, R, Mem) \
  APERTURE_IF_MEMORY_ACCESS(Mem, MEM64_ENUM, Name)
#include "binary/opcodes.def"
#undef WASM_OP
#undef MEM64_ENUM
  Count
};

// The handler address for `op` (labels of the direct-threaded interpreter loop).
const void* handler_for(IOp op);

}  // namespace aperture
