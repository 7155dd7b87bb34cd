// Opcode enumeration and per-opcode static information, generated from opcodes.def.
#pragma once

#include <cstdint>

#include "aperture/types.h"

namespace aperture {

// Single-byte opcodes keep their byte; 0xFC- and 0xFE-prefixed ones are prefix << 8 | sub-opcode.
enum class Opcode : uint16_t {
#define WASM_OP(Name, Prefix, Code, Text, Imm, P0, P1, P2, R, Mem) Name = ((Prefix) << 8) | (Code),
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
  RefType,       // Instr::a = ValType byte
  SelectT,       // Instr::a = number of types (must be 1 to validate), Instr::b = first ValType
  DataIdx,       // Instr::a
  ElemIdx,       // Instr::a
  DataMem,       // memory.init: Instr::a = data index, Instr::b = memory index
  MemMem,        // memory.copy: Instr::a = destination memory, Instr::b = source memory
  ElemTable,     // table.init: Instr::a = element index, Instr::b = table index
  TableTable,    // table.copy: Instr::a = destination table, Instr::b = source table
  Reserved0,     // atomic.fence: one reserved byte that must be zero (no field used)
};

// Operand/result codes in the table: V = none, X = handled specially.
enum class OpType : uint8_t { V, X, I32, I64, F32, F64 };

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
std::optional<ValType> to_valtype(OpType t);

}  // namespace aperture
