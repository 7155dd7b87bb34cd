// What the translation of every function of one LLVM module shares: the wasm module,
// LLVM types, the declarations of all wasm functions and helpers, and alias metadata.
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <vector>

#include "binary/module.h"
#include "compile/abi.h"

namespace aperture::native {

struct ModuleEnv {
  ModuleEnv(const Module& wasm, const RuntimeLayout& layout, llvm::LLVMContext& context,
            llvm::Module& module);

  const Module& wasm;
  const RuntimeLayout& layout;
  ContextLayout context_layout;
  llvm::LLVMContext& context;
  llvm::Module& module;
  // The target's inline-asm constraint for a floating-point register ("=x,0", "=w,0").
  std::string float_register_constraint;

  llvm::Type* void_type;
  llvm::IntegerType* i1;
  llvm::IntegerType* i8;
  llvm::IntegerType* i16;
  llvm::IntegerType* i32;
  llvm::IntegerType* i64;
  llvm::Type* f32;
  llvm::Type* f64;
  llvm::PointerType* ptr;
  // v128 in every lane shape. A v128 value (operand stack, locals, params, results, phis)
  // is always `v128` (<2 x i64>); an instruction bitcasts it to its own shape and back,
  // which costs nothing in machine code.
  llvm::FixedVectorType* v16i8;
  llvm::FixedVectorType* v8i16;
  llvm::FixedVectorType* v4i32;
  llvm::FixedVectorType* v2i64;
  llvm::FixedVectorType* v4f32;
  llvm::FixedVectorType* v2f64;
  llvm::FixedVectorType* v128;
  // How i8x16.swizzle is lowered: x86's pshufb (SSSE3), aarch64's tbl, else lane by lane.
  enum class Swizzle { Generic, Pshufb, Tbl } swizzle = Swizzle::Generic;

  // Alias classes: linear memory, global values, the instance context and runtime
  // objects, and call slots never alias each other.
  llvm::MDNode* tbaa_memory;
  llvm::MDNode* tbaa_global;
  llvm::MDNode* tbaa_runtime;
  llvm::MDNode* tbaa_slots;
  llvm::MDNode* empty_node;  // for !invariant.load
  llvm::MDNode* unlikely;    // branch weights: the first successor is cold

  llvm::Type* type_of(ValType t) const;
  // void, the single result's type, or a literal struct of the results.
  llvm::Type* return_type(const FuncType& t) const;
  // (ptr context, params...) -> return_type
  llvm::FunctionType* function_type(const FuncType& t) const;
  llvm::FunctionType* helper_type(HelperId id) const;

  // wasm_<i> for defined function i: defined in this module or declared for a call.
  llvm::Function* defined_function(uint32_t defined_index);
  // Marks a generated function: frame pointers kept (backtraces walk them), no inlining
  // and no tail calls (every wasm frame stays visible), no unwind tables.
  void set_attributes(llvm::Function* f) const;

 private:
  std::vector<llvm::Function*> defined_;
  std::vector<llvm::FunctionType*> helper_types_;
};

}  // namespace aperture::native
