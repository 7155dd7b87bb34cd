// Translates one validated wasm function body into LLVM IR.
//
// The operand stack exists only at translation time (a vector of SSA values); locals are
// allocas that mem2reg promotes; blocks become basic blocks whose results are phi nodes.
// Linear memory is `base + zext(address) + offset` with no bounds check (the guard zone
// and the fault handler trap); every other trap is an explicit check that calls the
// Trap helper.
#pragma once

#include <llvm/IR/IRBuilder.h>

#include <array>
#include <vector>

#include "compile/codegen/module_env.h"

namespace aperture::native {

class FunctionTranslator {
 public:
  FunctionTranslator(ModuleEnv& env, uint32_t defined_index);
  void translate();

 private:
  struct Control {
    enum class Kind { Block, Loop, If, Function } kind;
    llvm::BasicBlock* merge = nullptr;         // after `end`
    llvm::BasicBlock* header = nullptr;        // Loop: the branch target
    llvm::BasicBlock* else_block = nullptr;    // If: until `else` is seen
    std::vector<llvm::PHINode*> results;       // in merge
    std::vector<llvm::PHINode*> params;        // Loop: in header
    std::vector<llvm::Value*> if_params;       // If: parameters, for the else branch
    std::vector<llvm::Type*> param_types, result_types;
    size_t height = 0;                         // operand stack height below the params
  };

  // ---- operand stack ----
  void push(llvm::Value* v) { stack_.push_back(v); }
  llvm::Value* pop();
  std::vector<llvm::Value*> pop_n(size_t n);

  // ---- instructions ----
  void translate_instr(const Instr& in);
  bool translate_numeric(const Instr& in);   // numeric_ops.cpp
  bool translate_memory(const Instr& in);    // memory_ops.cpp
  bool translate_table(const Instr& in);     // memory_ops.cpp
  bool translate_atomic(const Instr& in);    // atomic_ops.cpp
  bool translate_simd(const Instr& in);      // simd_ops.cpp
  bool translate_simd_memory(const Instr& in);  // simd_memory.cpp
  // base + zext(address) + offset of a MemArg instruction (memory_ops.cpp).
  llvm::Value* effective_address(const Instr& in, llvm::Value* address);
  llvm::Value* as_i64(llvm::Value* v);  // memory_ops.cpp

  // ---- control flow ----
  void block_types(const BlockType& bt, std::vector<llvm::Type*>* params,
                   std::vector<llvm::Type*>* results) const;
  Control& push_control(Control::Kind kind, const BlockType& bt);
  void begin_block(const Instr& in);
  void begin_loop(const Instr& in);
  void begin_if(const Instr& in);
  void on_else();
  void on_end();
  void branch(uint32_t depth);                  // unconditional, to label `depth`
  std::vector<llvm::PHINode*>& label_phis(Control& target) const;
  void add_incoming(std::vector<llvm::PHINode*>& phis, llvm::BasicBlock* from);
  llvm::BasicBlock* label_block(Control& target) const;
  void br_if(uint32_t depth);
  void br_on_condition(uint32_t depth, llvm::Value* condition);  // br_if's branch part
  void call_ref(uint32_t type_index, bool tail);  // call_ref, return_call_ref
  void br_table(const Instr& in);
  void finish_function();
  void skip_dead(const Instr& in);

  // ---- calls ----
  // A call (`tail` false) pushes the callee's results; a tail call (return_call, `tail`
  // true) ends the function with a `musttail` call, or for a callee that is not compiled
  // code with a call and a return of its results (docs/architecture.md, "Tail calls").
  void call(uint32_t func_index, bool tail);
  // The function object (Function*) at the popped index of table `table_index`, checked
  // against module type `type_index` (the traps of call_indirect).
  llvm::Value* indirect_callee(uint32_t type_index, uint32_t table_index);
  // Calls wasm function object `func` (Function*) of type `type`: directly when it is
  // compiled code, else through the CallFunction helper.
  void call_function_object(llvm::Value* func, const FuncType& type,
                            const std::vector<llvm::Value*>& args, bool tail);
  // Calls compiled code `callee` with the tail calling convention every compiled
  // function has (compile/abi.h); for a tail call also returns its result.
  llvm::Value* call_compiled(llvm::FunctionType* type, llvm::Value* callee,
                             const std::vector<llvm::Value*>& args, bool tail);
  // Returns `values` (this function's results) from the current block.
  void return_values(const std::vector<llvm::Value*>& values);
  void push_results(llvm::Value* ret, const FuncType& type);

  // ---- context and helpers ----
  llvm::Value* context_field(uint32_t offset, llvm::Type* type, bool invariant);
  llvm::Value* memory_base(uint32_t memory);
  llvm::Value* load_runtime(llvm::Value* base, uint32_t offset, llvm::Type* type, bool invariant);
  llvm::Value* call_helper(HelperId id, std::vector<llvm::Value*> args);
  llvm::BasicBlock* trap_block(TrapKind kind);
  void trap_if(llvm::Value* condition, TrapKind kind);
  // A check point (runtime/exec_control.h): at function entry and on every branch back
  // to a loop's start, one load and a branch unless an interrupt or fuel needs attention.
  void check_point();
  llvm::Value* to_slot(llvm::Value* v);                  // any value -> i64 slot
  llvm::Value* from_slot(llvm::Value* slot, llvm::Type* type);

  // ---- numeric helpers (numeric_ops.cpp) ----
  llvm::Value* as_i32(llvm::Value* b) { return builder_.CreateZExt(b, env_.i32); }
  llvm::Value* division(const Instr& in);
  llvm::Value* opaque(llvm::Value* v);
  llvm::Value* float_arith(Opcode op, llvm::Value* x, llvm::Value* y);
  llvm::Value* min_max(llvm::Intrinsic::ID id, llvm::Value* x, llvm::Value* y);
  llvm::Value* trapping_truncation(Opcode op, llvm::Value* x);
  llvm::Value* intrinsic(llvm::Intrinsic::ID id, llvm::ArrayRef<llvm::Value*> args);

  // ---- SIMD helpers (simd_ops.cpp) ----
  // A v128 (env_.v128) seen as `shape`, and any 16-byte vector back as a v128.
  llvm::Value* as(llvm::Value* v, llvm::Type* shape) { return builder_.CreateBitCast(v, shape); }
  llvm::Value* v128(llvm::Value* v) { return builder_.CreateBitCast(v, env_.v128); }
  llvm::Value* swizzle(llvm::Value* a, llvm::Value* indices);

  ModuleEnv& env_;
  const Module& wasm_;
  uint32_t defined_index_;
  const FuncType& type_;
  const FunctionBody& body_;
  llvm::Function* function_;
  llvm::IRBuilder<> builder_;
  llvm::Value* context_ = nullptr;
  llvm::BasicBlock* entry_ = nullptr;  // allocas and invariant loads live here
  std::vector<llvm::AllocaInst*> locals_;
  std::vector<llvm::Type*> local_types_;
  std::vector<llvm::Value*> stack_;
  std::vector<Control> controls_;
  std::vector<llvm::Value*> memory_bases_;
  llvm::Value* stack_limit_ = nullptr;  // argument 1: this thread's stack limit
  llvm::Value* attention_ = nullptr;  // address of the store's attention word, loaded at entry
  std::array<llvm::BasicBlock*, 16> trap_blocks_{};
  bool reachable_ = true;
  uint32_t dead_depth_ = 0;  // blocks opened inside unreachable code
};

}  // namespace aperture::native
