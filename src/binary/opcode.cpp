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

// Dense lookup tables: single-byte opcodes by byte, 0xFC, 0xFD and 0xFE opcodes by
// sub-opcode.
struct Tables {
  std::array<int16_t, 256> single;
  std::array<int16_t, 32> misc;
  std::array<int16_t, kNumSimdOpcodes> simd;
  std::array<int16_t, 128> atomic;
  Tables() {
    single.fill(-1);
    misc.fill(-1);
    simd.fill(-1);
    atomic.fill(-1);
    for (size_t i = 0; i < std::size(kInfos); ++i) {
      auto v = static_cast<uint16_t>(kInfos[i].op);
      if (is_simd(kInfos[i].op)) {
        simd[v - kSimdOpcodeBase] = static_cast<int16_t>(i);
        continue;
      }
      switch (v >> 8) {
        case 0: single[v & 0xFF] = static_cast<int16_t>(i); break;
        case 0xFC: misc[v & 0xFF] = static_cast<int16_t>(i); break;
        default: atomic[v & 0xFF] = static_cast<int16_t>(i); break;
      }
    }
  }
  // Index into kInfos, or -1.
  int16_t find(uint8_t prefix, uint32_t code) const {
    if (prefix == 0 && code < single.size()) return single[code];
    if (prefix == 0xFC && code < misc.size()) return misc[code];
    if (prefix == 0xFD && code < simd.size()) return simd[code];
    if (prefix == 0xFE && code < atomic.size()) return atomic[code];
    return -1;
  }
};
const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

bool opcode_from_bytes(uint8_t prefix, uint32_t code, Opcode* out) {
  int16_t index = tables().find(prefix, code);
  if (index < 0) return false;
  *out = kInfos[index].op;
  return true;
}

const OpcodeInfo* opcode_info(Opcode op) {
  auto v = static_cast<uint16_t>(op);
  int16_t index = is_simd(op) ? tables().find(0xFD, v - kSimdOpcodeBase)
                              : tables().find(static_cast<uint8_t>(v >> 8), v & 0xFF);
  return index < 0 ? nullptr : &kInfos[index];
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
    case OpType::V128: return ValType::V128;
    default: return std::nullopt;
  }
}

}  // namespace aperture
