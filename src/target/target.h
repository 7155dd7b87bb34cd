// What differs between the machines Aperture runs on. Each supported machine has one
// folder, src/target/<arch>/, that implements this interface; the build compiles only the
// folder of the machine it builds for (src/CMakeLists.txt). Nothing else in the runtime
// or the engines tests the architecture: code that must differ goes here.
//
// Cross compilation needs the other side too: which targets the code generator can
// produce code for is described machine-independently in compile/compile_target.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "support/sha256.h"

namespace aperture::target {

// The machine this build runs code for, as compile targets name it ("x86_64-linux-gnu").
const char* host_target_name();

// From a SIGSEGV/SIGBUS handler's ucontext: the faulting instruction and the frame
// pointer register (0 where unknown). Called in a signal handler: async-signal-safe.
void machine_state(void* ucontext, uintptr_t* pc, uintptr_t* fp);

// What compiled code depends on in this CPU (every feature flag), as a digest, and a
// short description for messages ("GenuineIntel family 6 model 85").
const native::Digest& cpu_fingerprint();
const std::string& cpu_description();
// Whether this CPU has an optional feature a compile target may require
// ("lse", "rcpc" on aarch64); false for a name this machine does not know.
bool cpu_has_feature(std::string_view feature);

// Relocatable ELF objects of this machine (compile/object_loader.cpp).
extern const uint16_t kElfMachine;
// A call to an external function goes through a stub: an absolute jump to the function,
// placed beside the code so that a short PC-relative call reaches it.
constexpr size_t kStubSize = 16;
void write_stub(uint8_t* at, uint64_t target_address);

// One relocation to apply: the loader resolves the symbol, the target encodes it.
struct RelocationSite {
  uint32_t type = 0;
  uint8_t* where = nullptr;  // the bytes to patch, in the still-writable mapping
  uint64_t P = 0;            // their final address
  uint64_t S = 0;            // the symbol's address (an external function's stub for calls)
  int64_t A = 0;             // the addend
  uint64_t G = 0;            // the external symbol's GOT slot address; 0 for internal symbols
};
// How many bytes at `where` a relocation of this type touches (0: unsupported type).
size_t relocation_width(uint32_t type);
// Whether a relocation of this type against an external function must reach its stub
// (a PC-relative call or jump of limited range) rather than the function itself.
bool relocation_calls(uint32_t type);
// Applies it. Returns an empty string, or what is wrong ("relocation out of range").
std::string apply_relocation(const RelocationSite& site);
// Makes freshly written code visible to instruction fetch (before it becomes executable).
void flush_instruction_cache(void* begin, size_t size);

}  // namespace aperture::target
