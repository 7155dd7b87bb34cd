// aarch64: the ELF relocations LLVM's small PIC code model produces (ADRP + ADD/LDR pairs
// for data and constants, B/BL for calls, GOT pairs for the addresses of externals),
// call stubs, and the instruction cache, which aarch64 does not keep coherent with data
// writes by itself.
#include <elf.h>

#include <cstring>

#include "target/target.h"

namespace aperture::target {
namespace {

uint32_t read32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
void write32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

bool fits_signed(int64_t v, int bits) {
  return v >= -(int64_t{1} << (bits - 1)) && v < (int64_t{1} << (bits - 1));
}

uint64_t page(uint64_t address) { return address & ~uint64_t{0xFFF}; }

// ADR/ADRP: a 21-bit immediate split into immlo (bits 29-30) and immhi (bits 5-23).
void set_adr_immediate(uint8_t* where, int64_t imm) {
  uint32_t insn = read32(where) & ~((0x3u << 29) | (0x7FFFFu << 5));
  insn |= (static_cast<uint32_t>(imm) & 0x3) << 29;
  insn |= ((static_cast<uint32_t>(imm) >> 2) & 0x7FFFF) << 5;
  write32(where, insn);
}

// ADD/LDR/STR (unsigned immediate): imm12 at bits 10-21.
void set_imm12(uint8_t* where, uint64_t imm) {
  write32(where, (read32(where) & ~(0xFFFu << 10)) | ((static_cast<uint32_t>(imm) & 0xFFF) << 10));
}

// A branch: a signed word offset of `bits` bits at bit `shift`.
std::string set_branch(uint8_t* where, int64_t offset, int bits, int shift) {
  if (offset % 4 != 0) return "misaligned branch target";
  if (!fits_signed(offset >> 2, bits)) return "branch relocation out of range";
  uint32_t mask = ((1u << bits) - 1) << shift;
  write32(where, (read32(where) & ~mask) | ((static_cast<uint32_t>(offset >> 2) << shift) & mask));
  return "";
}

// The low 12 bits of an address, scaled by the access size of a load or store.
std::string set_ldst_lo12(uint8_t* where, uint64_t address, unsigned size) {
  if ((address & (size - 1)) != 0) return "misaligned load/store relocation";
  set_imm12(where, (address & 0xFFF) / size);
  return "";
}

}  // namespace

const uint16_t kElfMachine = EM_AARCH64;

void write_stub(uint8_t* at, uint64_t target_address) {
  write32(at, 0x58000050);      // ldr x16, #8 (x16 is the intra-procedure-call scratch register)
  write32(at + 4, 0xD61F0200);  // br x16
  std::memcpy(at + 8, &target_address, 8);
}

size_t relocation_width(uint32_t type) {
  switch (type) {
    case R_AARCH64_ABS64:
    case R_AARCH64_PREL64: return 8;
    case R_AARCH64_ABS32:
    case R_AARCH64_PREL32:
    case R_AARCH64_ADR_PREL_LO21:
    case R_AARCH64_ADR_PREL_PG_HI21:
    case R_AARCH64_ADR_PREL_PG_HI21_NC:
    case R_AARCH64_ADD_ABS_LO12_NC:
    case R_AARCH64_LDST8_ABS_LO12_NC:
    case R_AARCH64_LDST16_ABS_LO12_NC:
    case R_AARCH64_LDST32_ABS_LO12_NC:
    case R_AARCH64_LDST64_ABS_LO12_NC:
    case R_AARCH64_LDST128_ABS_LO12_NC:
    case R_AARCH64_TSTBR14:
    case R_AARCH64_CONDBR19:
    case R_AARCH64_JUMP26:
    case R_AARCH64_CALL26:
    case R_AARCH64_ADR_GOT_PAGE:
    case R_AARCH64_LD64_GOT_LO12_NC: return 4;
    default: return 0;
  }
}

bool relocation_calls(uint32_t type) { return type == R_AARCH64_CALL26 || type == R_AARCH64_JUMP26; }

std::string apply_relocation(const RelocationSite& r) {
  uint64_t value = r.S + static_cast<uint64_t>(r.A);
  int64_t relative = static_cast<int64_t>(value - r.P);
  switch (r.type) {
    case R_AARCH64_ABS64: std::memcpy(r.where, &value, 8); return "";
    case R_AARCH64_PREL64: std::memcpy(r.where, &relative, 8); return "";
    case R_AARCH64_ABS32:
      if (static_cast<int64_t>(value) < INT32_MIN || value > UINT32_MAX) return "relocation out of range";
      write32(r.where, static_cast<uint32_t>(value));
      return "";
    case R_AARCH64_PREL32:
      if (relative < INT32_MIN || relative > static_cast<int64_t>(UINT32_MAX)) return "relocation out of range";
      write32(r.where, static_cast<uint32_t>(relative));
      return "";
    case R_AARCH64_ADR_PREL_LO21:
      if (!fits_signed(relative, 21)) return "relocation out of range";
      set_adr_immediate(r.where, relative);
      return "";
    case R_AARCH64_ADR_PREL_PG_HI21:
    case R_AARCH64_ADR_PREL_PG_HI21_NC: {
      int64_t pages = static_cast<int64_t>(page(value) - page(r.P)) >> 12;
      if (r.type == R_AARCH64_ADR_PREL_PG_HI21 && !fits_signed(pages, 21)) return "relocation out of range";
      set_adr_immediate(r.where, pages);
      return "";
    }
    case R_AARCH64_ADD_ABS_LO12_NC: set_imm12(r.where, value & 0xFFF); return "";
    case R_AARCH64_LDST8_ABS_LO12_NC: return set_ldst_lo12(r.where, value, 1);
    case R_AARCH64_LDST16_ABS_LO12_NC: return set_ldst_lo12(r.where, value, 2);
    case R_AARCH64_LDST32_ABS_LO12_NC: return set_ldst_lo12(r.where, value, 4);
    case R_AARCH64_LDST64_ABS_LO12_NC: return set_ldst_lo12(r.where, value, 8);
    case R_AARCH64_LDST128_ABS_LO12_NC: return set_ldst_lo12(r.where, value, 16);
    case R_AARCH64_TSTBR14: return set_branch(r.where, relative, 14, 5);
    case R_AARCH64_CONDBR19: return set_branch(r.where, relative, 19, 5);
    case R_AARCH64_JUMP26:
    case R_AARCH64_CALL26: return set_branch(r.where, relative, 26, 0);
    case R_AARCH64_ADR_GOT_PAGE:
    case R_AARCH64_LD64_GOT_LO12_NC: {
      // The GOT holds external symbols only; generated code reaches its own by ADRP.
      if (r.G == 0) return "GOT relocation against an internal symbol";
      if (r.A != 0) return "GOT relocation with an addend";
      if (r.type == R_AARCH64_LD64_GOT_LO12_NC) return set_ldst_lo12(r.where, r.G, 8);
      int64_t pages = static_cast<int64_t>(page(r.G) - page(r.P)) >> 12;
      if (!fits_signed(pages, 21)) return "relocation out of range";
      set_adr_immediate(r.where, pages);
      return "";
    }
    default: return "unsupported relocation type " + std::to_string(r.type);
  }
}

void flush_instruction_cache(void* begin, size_t size) {
  char* b = static_cast<char*>(begin);
  __builtin___clear_cache(b, b + size);
}

}  // namespace aperture::target
