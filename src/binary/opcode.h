// Opcode enumeration and per-opcode static information, generated from opcodes.def.
#pragma once

#include <cstdint>

#include "aperture/types.h"

namespace aperture {

// Single-byte opcodes keep their byte; 0xFC- and 0xFE-prefixed ones are prefix << 8 |
// sub-opcode. SIMD sub-opcodes (0xFD prefix) run past 0xFF (relaxed SIMD: 0x100-0x113), so
// they are 0x1000 | sub-opcode, a range no other opcode uses.
constexpr uint16_t kSimdOpcodeBase = 0x1000;
constexpr uint32_t kNumSimdOpcodes = 0x114;
constexpr uint16_t opcode_value(uint8_t prefix, uint32_t code) {
  return static_cast<uint16_t>(prefix == 0xFD ? kSimdOpcodeBase | code : (prefix << 8) | code);
}
enum class Opcode : uint16_t {
#define WASM_OP(Name, Prefix, Code, Text, Imm, P0, P1, P2, R, Mem) Name = opcode_value(Prefix, Code),
#include "binary/opcodes.def"
#undef WASM_OP
};

enum class ImmKind : uint8_t {
  None,
  BlockType,     // Instr::block
  Label,         // Instr::a = relative depth
  LabelTable,    // Instr::a = first index into FunctionBody::br_table_targets, Instr::b = count
                 // (the default target follows the count entries, so count+1 entries total)
  FuncIdx,       // Instr::a
  CallIndirect,  // Instr::a = type index, Instr::b = table index
  LocalIdx,      // Instr::a
  GlobalIdx,     // Instr::a
  TableIdx,      // Instr::a
  MemArg,        // Instr::a = alignment exponent, Instr::b = memory index, Instr::imm = offset
  MemIdx,        // Instr::a = memory index (a zero byte without multiple memories)
  I32,           // Instr::imm (zero-extended bits)
  I64,           // Instr::imm
  F32,           // Instr::imm (bit pattern)
  F64,           // Instr::imm (bit pattern)
  RefType,       // Instr::a = ValType of the result: (ref null heap type)
  TypeIdx,       // call_ref: Instr::a = type index
  SelectT,       // Instr::a = number of types (must be 1 to validate), Instr::b = first ValType
  DataIdx,       // Instr::a
  ElemIdx,       // Instr::a
  DataMem,       // memory.init: Instr::a = data index, Instr::b = memory index
  MemMem,        // memory.copy: Instr::a = destination memory, Instr::b = source memory
  ElemTable,     // table.init: Instr::a = element index, Instr::b = table index
  TableTable,    // table.copy: Instr::a = destination table, Instr::b = source table
  Reserved0,     // atomic.fence: one reserved byte that must be zero (no field used)
  V128,          // v128.const: 16 bytes, low 8 in Instr::imm, high 8 in Instr::a (bits 64-95)
                 // and Instr::b (bits 96-127)
  Shuffle,       // i8x16.shuffle: 16 lane indices, stored as V128 (lane i in byte i)
  Lane,          // extract/replace lane: Instr::lane
  MemArgLane,    // load/store lane: MemArg's fields plus Instr::lane
};

// Operand/result codes in the table: V = none, X = handled specially.
enum class OpType : uint8_t { V, X, I32, I64, F32, F64, V128 };

struct OpcodeInfo {
  Opcode op;
  const char* text;
  ImmKind imm;
  OpType params[3];
  OpType result;
  uint8_t mem_bytes;
};

// Information for `op`; nullptr for a value that is not a known opcode.
const OpcodeInfo* opcode_info(Opcode op);
const char* opcode_name(Opcode op);
// Decodes an opcode from its prefix and code; false when unknown.
bool opcode_from_bytes(uint8_t prefix, uint32_t code, Opcode* out);
inline bool is_simple(const OpcodeInfo& info) { return info.params[0] != OpType::X; }
// Threads proposal instructions (0xFE prefix): atomics need exactly natural alignment.
constexpr bool is_atomic(Opcode op) { return (static_cast<uint16_t>(op) >> 8) == 0xFE; }
// SIMD instructions (0xFD prefix, fixed-width and relaxed).
constexpr bool is_simd(Opcode op) {
  auto v = static_cast<uint16_t>(op);
  return v >= kSimdOpcodeBase && v < kSimdOpcodeBase + kNumSimdOpcodes;
}
// Lanes of the vector shape an instruction's text names ("i16x8.extract_lane_s": 8), 0
// when it names none.
constexpr uint32_t lane_count(const char* text) {
  if (text[0] != 'i' && text[0] != 'f') return 0;
  if (text[1] == '8') return 16;
  if (text[1] == '1') return 8;
  if (text[1] == '3') return 4;
  if (text[1] == '6') return 2;
  return 0;
}
std::optional<ValType> to_valtype(OpType t);

}  // namespace aperture
