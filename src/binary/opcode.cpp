// Opcode metadata generated from opcodes.def.
#include "binary/opcode.h"

#include <array>

namespace aperture {
namespace {

constexpr OpcodeInfo kInfos[] = {
#define WASM_OP(Name, Prefix, Code, Text, Imm, P0, P1, P2, R, Mem) \
  {Opcode::Name, Text, ImmKind::Imm, {OpType::P0, OpType::P1, OpType::P2}, OpType::R, Mem},
#include "binary/opcodes.def"
#undef WASM_OP
};

// Dense lookup tables: single-byte opcodes by byte, 0xFC opcodes by sub-opcode.
struct Tables {
  std::array<int16_t, 256> single;
  std::array<int16_t, 32> misc;
  Tables() {
    single.fill(-1);
    misc.fill(-1);
    for (size_t i = 0; i < std::size(kInfos); ++i) {
      auto v = static_cast<uint16_t>(kInfos[i].op);
      if ((v >> 8) == 0) single[v & 0xFF] = static_cast<int16_t>(i);
      else misc[v & 0xFF] = static_cast<int16_t>(i);
    }
  }
};
const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

bool opcode_from_bytes(uint8_t prefix, uint32_t code, Opcode* out) {
  int16_t index = -1;
  if (prefix == 0 && code < 256) index = tables().single[code];
  if (prefix == 0xFC && code < 32) index = tables().misc[code];
  if (index < 0) return false;
  *out = kInfos[index].op;
  return true;
}

const OpcodeInfo* opcode_info(Opcode op) {
  auto v = static_cast<uint16_t>(op);
  uint8_t prefix = static_cast<uint8_t>(v >> 8);
  Opcode decoded;
  if (!opcode_from_bytes(prefix, v & 0xFF, &decoded)) return nullptr;
  return &kInfos[prefix == 0 ? tables().single[v & 0xFF] : tables().misc[v & 0xFF]];
}

const char* opcode_name(Opcode op) {
  const OpcodeInfo* info = opcode_info(op);
  return info ? info->text : "<unknown>";
}

std::optional<ValType> to_valtype(OpType t) {
  switch (t) {
    case OpType::I32: return ValType::I32;
    case OpType::I64: return ValType::I64;
    case OpType::F32: return ValType::F32;
    case OpType::F64: return ValType::F64;
    default: return std::nullopt;
  }
}

}  // namespace aperture
