// The on-disk form of compiled code, for `aperture compile` artifacts (.cwasm) and cache
// entries: a header naming what the code was made for (code generator identity, runtime
// ABI, target machine, CPU, module hash, options), the payload, and a SHA-256 of
// everything before it. Reading checks all of it and refuses anything that does not match
// this program, this machine and this CPU; nothing unverified is ever loaded.
//
// Code is made either for the CPU that compiled it (every feature it has: the cache,
// `aperture compile`) or for a target (`aperture compile --target`, compile_target.h): any
// CPU of that machine with the target's features.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "aperture/error.h"
#include "compile/sha256.h"

namespace aperture::native {

// Code as the code generator produced it (codegen_api.h).
struct CompiledCode {
  std::vector<std::vector<uint8_t>> objects;
  std::vector<uint32_t> entry_types;
};

struct CompileTarget;

struct ArtifactContents {
  CompiledCode code;
  Digest module_hash{};
  int opt_level = 0;
  std::vector<uint8_t> wasm;  // the module itself, when embedded (.cwasm); else empty
};

class ArtifactError : public Error {
 public:
  enum class Reason { NotAnArtifact, Corrupt, OtherBuild, OtherTarget, OtherCpu };
  ArtifactError(Reason reason, const std::string& what) : Error(what), reason_(reason) {}
  Reason reason() const { return reason_; }

 private:
  Reason reason_;
};

// True when `bytes` starts like an artifact (it may still be corrupt).
bool looks_like_artifact(std::span<const uint8_t> bytes);

// `target`: the target the code was generated for; nullptr: this CPU.
std::vector<uint8_t> write_artifact(const CompiledCode& code, const Digest& module_hash,
                                    int opt_level, std::span<const uint8_t> wasm,
                                    const CompileTarget* target = nullptr);

// Throws ArtifactError saying what is wrong and what to do.
ArtifactContents read_artifact(std::span<const uint8_t> bytes);

// What compiled code depends on besides the CPU: the code generator's identity and the
// runtime's object layout and helper table. Part of every artifact and cache key.
const std::string& codegen_identity();
const Digest& abi_fingerprint();

}  // namespace aperture::native
