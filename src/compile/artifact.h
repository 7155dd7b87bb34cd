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
#include "support/sha256.h"

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

// The fixed-size start of an artifact, and what it says: enough to refuse an artifact of
// another build, machine or CPU, or one whose size does not match, before reading the rest (the
// code cache reads entries this way; read_artifact checks everything again).
inline constexpr size_t kArtifactHeaderBytes = 8 + 4 + 64 + 2 * 32 + 64 + 4 + 32 + 4 + 8 + 4 + 4;
struct ArtifactHeader {
  Digest module_hash{};
  int opt_level = 0;
  uint64_t wasm_size = 0;
  uint32_t object_count = 0, entry_type_count = 0;
  // Bytes between the header and the objects: the module, entry types, object sizes.
  uint64_t index_bytes() const { return wasm_size + 4 * uint64_t{entry_type_count} + 8 * uint64_t{object_count}; }
};
// Reads the first kArtifactHeaderBytes of `bytes`; throws ArtifactError as read_artifact
// does for another build, machine or CPU, or when `bytes` is no artifact (or shorter).
ArtifactHeader read_artifact_header(std::span<const uint8_t> bytes);
// The size of the whole artifact: header, `index` (the index_bytes() that follow the
// header) and objects and checksum. Throws ArtifactError when `index` is short.
uint64_t artifact_size(const ArtifactHeader& header, std::span<const uint8_t> index);

// What compiled code depends on besides the CPU: the code generator's identity and the
// runtime's object layout and helper table. Part of every artifact and cache key.
const std::string& codegen_identity();
const Digest& abi_fingerprint();

}  // namespace aperture::native
