// x86-64: the ELF relocations LLVM's small PIC code model produces, and call stubs.
#include <elf.h>

#include <cstring>

#include "target/target.h"

namespace aperture::target {

const uint16_t kElfMachine = EM_X86_64;

void write_stub(uint8_t* at, uint64_t target_address) {
  const uint8_t jmp[6] = {0xFF, 0x25, 0, 0, 0, 0};  // jmp *0(%rip); .quad target
  std::memcpy(at, jmp, sizeof jmp);
  std::memcpy(at + 6, &target_address, 8);
  std::memset(at + 14, 0xCC, kStubSize - 14);  // int3 padding
}

size_t relocation_width(uint32_t type) {
  switch (type) {
    case R_X86_64_64:
    case R_X86_64_PC64: return 8;
    case R_X86_64_PC32:
    case R_X86_64_PLT32:
    case R_X86_64_GOTPCREL:
    case R_X86_64_GOTPCRELX:
    case R_X86_64_REX_GOTPCRELX:
    case R_X86_64_32:
    case R_X86_64_32S: return 4;
    default: return 0;
  }
}

bool relocation_calls(uint32_t type) { return type == R_X86_64_PLT32 || type == R_X86_64_PC32; }

std::string apply_relocation(const RelocationSite& r) {
  auto put32 = [&](int64_t v, bool is_signed) -> std::string {
    if (is_signed ? (v < INT32_MIN || v > INT32_MAX) : (v < 0 || v > UINT32_MAX))
      return "relocation out of range";
    uint32_t w = static_cast<uint32_t>(v);
    std::memcpy(r.where, &w, 4);
    return "";
  };
  switch (r.type) {
    case R_X86_64_64: {
      uint64_t v = r.S + r.A;
      std::memcpy(r.where, &v, 8);
      return "";
    }
    case R_X86_64_PC64: {
      uint64_t v = r.S + r.A - r.P;
      std::memcpy(r.where, &v, 8);
      return "";
    }
    case R_X86_64_PC32:
    case R_X86_64_PLT32: return put32(static_cast<int64_t>(r.S + r.A - r.P), true);
    case R_X86_64_GOTPCREL:
    case R_X86_64_GOTPCRELX:
    case R_X86_64_REX_GOTPCRELX:
      if (r.G == 0) return "GOT relocation against an internal symbol";
      return put32(static_cast<int64_t>(r.G + r.A - r.P), true);
    case R_X86_64_32: return put32(static_cast<int64_t>(r.S + r.A), false);
    case R_X86_64_32S: return put32(static_cast<int64_t>(r.S + r.A), true);
    default: return "unsupported relocation type " + std::to_string(r.type);
  }
}

// x86 keeps instruction fetch coherent with stores.
void flush_instruction_cache(void*, size_t) {}

}  // namespace aperture::target
