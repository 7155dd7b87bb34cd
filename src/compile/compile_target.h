// The machines the code generator can produce code for (`aperture compile --target`),
// described without LLVM so that every build, with or without a code generator, can
// name them, check an artifact's target against the machine it runs on, and hand the
// code generator what it needs. The host's own side of a target (faults, relocations,
// CPU features) is in src/target/<arch>/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aperture::native {

struct CompileTarget {
  std::string name;            // canonical: "aarch64-linux-gnu+lse+rcpc"
  std::string machine;         // without features: "aarch64-linux-gnu"
  std::vector<std::string> features;  // optional CPU features it requires: {"lse", "rcpc"}
  // For the code generator (LLVM):
  std::string llvm_triple;     // "aarch64-unknown-linux-gnu"
  std::string llvm_cpu;        // "generic"
  std::string llvm_features;   // "+lse,+rcpc"
  // Inline-asm constraint of a floating-point register (compile/codegen/numeric_ops.cpp).
  std::string float_register_constraint;
};

// Parses MACHINE[+FEATURE...], e.g. "aarch64-linux-gnu+lse". Throws Error naming the
// targets and features there are.
CompileTarget parse_compile_target(std::string_view text);

// What `aperture help` and errors list: "x86_64-linux-gnu, aarch64-linux-gnu[+lse][+rcpc]".
std::string known_compile_targets();

}  // namespace aperture::native
