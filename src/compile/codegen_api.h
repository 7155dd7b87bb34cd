// The interface of the code generator library (libaperture-codegen.so). It holds all of
// Aperture's use of LLVM and is loaded with dlopen only when code must be generated, so
// that running cached or precompiled code never pays LLVM's start-up cost.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "binary/module.h"
#include "compile/abi.h"

namespace aperture::native {

// Bumped whenever these structures change; the loader refuses a library built otherwise.
// 3: the target is part of the request; 4: cancel; 5: i64 helper operands (memory64)
constexpr uint32_t kCodegenInterfaceVersion = 5;

// What machine code to produce (compile/compile_target.h).
struct CodegenTarget {
  bool host = true;  // this machine's own CPU, all its features; the rest only when false
  std::string llvm_triple, llvm_cpu, llvm_features;
  std::string float_register_constraint;  // always set
};

struct CodegenRequest {
  uint32_t interface_version = kCodegenInterfaceVersion;
  const Module* module = nullptr;  // decoded and validated
  RuntimeLayout layout;
  CodegenTarget target;
  int opt_level = 2;               // 0..3
  unsigned threads = 1;            // compile on up to this many threads
  // When set and it becomes true, generation stops at the next function or partition
  // step and fails with the error "cancelled" (the tiered engine's module was dropped).
  const std::atomic<bool>* cancel = nullptr;
};

struct CodegenResult {
  // Relocatable ELF objects for the target; together they define wasm_<i> for every
  // defined function and entry_<t> for the types listed in entry_types.
  std::vector<std::vector<uint8_t>> objects;
  std::vector<uint32_t> entry_types;  // for each defined function: the type whose stub it uses
  std::string error;                  // set when generation failed
};

// Exported by the library under this name (extern "C").
constexpr const char* kCodegenSymbol = "aperture_codegen";
constexpr const char* kCodegenIdSymbol = "aperture_codegen_id";
using CodegenFunction = bool (*)(const CodegenRequest* request, CodegenResult* result);
using CodegenIdFunction = const char* (*)();

}  // namespace aperture::native
