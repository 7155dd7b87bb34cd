// The compiling engine as an Engine (runtime/engine.h): validated functions -> LLVM ->
// machine code (compile/codegen/), loaded by compile/object_loader and run natively.
#pragma once

#include "compile/abi.h"
#include "runtime/engine.h"

namespace aperture {

// Not "compiled_engine": exports.map exports aperture::compile*, and this stays internal.
const Engine& compiling_engine();

namespace native {
struct CompiledCode;
struct CompileTarget;

// Offsets of runtime objects that compiled code reads, measured in this binary.
const RuntimeLayout& runtime_layout();

// Generates machine code for a validated module (loads the code generator library): for
// this machine's CPU, or with `target` for any CPU of that target (cross compilation).
CompiledCode generate(const Module& module, int opt_level, const CompileTarget* target = nullptr);
// Loads generated or stored code for `module`. Throws Error if it does not fit.
std::unique_ptr<ModuleCode> load_native_code(const CompiledModule& module, const CompiledCode& code);
}  // namespace native

}  // namespace aperture
