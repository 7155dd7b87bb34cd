#include "compile/codegen/function_translator.h"

#include <llvm/IR/Intrinsics.h>

#include <map>
#include <stdexcept>

namespace aperture::native {

FunctionTranslator::FunctionTranslator(ModuleEnv& env, uint32_t defined_index)
    : env_(env), wasm_(env.wasm), defined_index_(defined_index),
      type_(env.wasm.types[env.wasm.funcs[defined_index]]),
      body_(env.wasm.bodies[defined_index]), function_(env.defined_function(defined_index)),
      builder_(env.context) {}

// ---- operand stack ----

llvm::Value* FunctionTranslator::pop() {
  if (stack_.size() <= (controls_.empty() ? 0 : controls_.back().height))
    throw std::logic_error("operand stack underflow (module not validated?)");
  llvm::Value* v = stack_.back();
  stack_.pop_back();
  return v;
}

std::vector<llvm::Value*> FunctionTranslator::pop_n(size_t n) {
  std::vector<llvm::Value*> out(n);
  for (size_t i = n; i-- > 0;) out[i] = pop();
  return out;
}

// ---- context ----

llvm::Value* FunctionTranslator::load_runtime(llvm::Value* base, uint32_t offset, llvm::Type* type,
                                              bool invariant) {
  llvm::Value* p = builder_.CreateConstInBoundsGEP1_64(env_.i8, base, offset);
  llvm::LoadInst* load = builder_.CreateAlignedLoad(type, p, llvm::MaybeAlign(4));
  load->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_runtime);
  if (invariant) load->setMetadata(llvm::LLVMContext::MD_invariant_load, env_.empty_node);
  return load;
}

llvm::Value* FunctionTranslator::context_field(uint32_t offset, llvm::Type* type, bool invariant) {
  return load_runtime(context_, offset, type, invariant);
}

// Memory bases never change: loaded once, in the entry block, so they stay in a register
// (or a spill slot) for the whole function.
llvm::Value* FunctionTranslator::memory_base(uint32_t memory) {
  if (memory_bases_.size() <= memory) memory_bases_.resize(memory + 1, nullptr);
  if (memory_bases_[memory] != nullptr) return memory_bases_[memory];
  llvm::IRBuilder<> entry(entry_);
  llvm::Value* p = entry.CreateConstInBoundsGEP1_64(env_.i8, context_,
                                                    env_.context_layout.memory_base(memory));
  llvm::LoadInst* base = entry.CreateAlignedLoad(env_.ptr, p, llvm::MaybeAlign(8));
  base->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_runtime);
  base->setMetadata(llvm::LLVMContext::MD_invariant_load, env_.empty_node);
  memory_bases_[memory] = base;
  return base;
}

llvm::Value* FunctionTranslator::call_helper(HelperId id, std::vector<llvm::Value*> args) {
  llvm::Value* table = context_field(kHelpersOffset, env_.ptr, true);
  llvm::Value* fn = load_runtime(table, static_cast<uint32_t>(id) * 8, env_.ptr, true);
  args.insert(args.begin(), context_);
  return builder_.CreateCall(env_.helper_type(id), fn, args);
}

llvm::BasicBlock* FunctionTranslator::trap_block(TrapKind kind) {
  llvm::BasicBlock*& block = trap_blocks_.at(static_cast<size_t>(kind));
  if (block != nullptr) return block;
  block = llvm::BasicBlock::Create(env_.context, "trap", function_);
  llvm::IRBuilder<>::InsertPointGuard guard(builder_);
  builder_.SetInsertPoint(block);
  llvm::CallInst* call = llvm::cast<llvm::CallInst>(
      call_helper(HelperId::Trap, {builder_.getInt32(static_cast<uint32_t>(kind))}));
  call->setDoesNotReturn();
  builder_.CreateUnreachable();
  return block;
}

namespace {

// Instructions that may produce a value (each at most one spill slot); the others
// (nop, control, drop, sets, stores) leave nothing for the frame to hold.
uint64_t count_value_producers(const std::vector<Instr>& code) {
  uint64_t n = 0;
  for (const Instr& in : code) {
    switch (in.op) {
      case Opcode::Nop:
      case Opcode::Block:
      case Opcode::Loop:
      case Opcode::Else:
      case Opcode::End:
      case Opcode::Br:
      case Opcode::Return:
      case Opcode::Unreachable:
      case Opcode::Drop:
      case Opcode::LocalSet:
      case Opcode::GlobalSet: continue;
      default: break;
    }
    const OpcodeInfo* info = opcode_info(in.op);
    if (info != nullptr && is_simple(*info) && info->result == OpType::V) continue;
    ++n;
  }
  return n;
}

}  // namespace

void FunctionTranslator::check_point() {
  if (attention_ == nullptr) {
    llvm::IRBuilder<> entry(entry_);
    llvm::Value* p = entry.CreateConstInBoundsGEP1_64(env_.i8, context_, kAttentionOffset);
    llvm::LoadInst* load = entry.CreateAlignedLoad(env_.ptr, p, llvm::MaybeAlign(8));
    load->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_runtime);
    load->setMetadata(llvm::LLVMContext::MD_invariant_load, env_.empty_node);
    attention_ = load;
  }
  llvm::LoadInst* flags = builder_.CreateAlignedLoad(env_.i32, attention_, llvm::MaybeAlign(4));
  flags->setAtomic(llvm::AtomicOrdering::Monotonic);
  llvm::BasicBlock* slow = llvm::BasicBlock::Create(env_.context, "check_slow", function_);
  llvm::BasicBlock* cont = llvm::BasicBlock::Create(env_.context, "", function_);
  builder_.CreateCondBr(builder_.CreateICmpNE(flags, builder_.getInt32(0)), slow, cont, env_.unlikely);
  builder_.SetInsertPoint(slow);
  call_helper(HelperId::ExecCheck, {});
  builder_.CreateBr(cont);
  builder_.SetInsertPoint(cont);
}

void FunctionTranslator::trap_if(llvm::Value* condition, TrapKind kind) {
  llvm::BasicBlock* cont = llvm::BasicBlock::Create(env_.context, "", function_);
  builder_.CreateCondBr(condition, trap_block(kind), cont, env_.unlikely);
  builder_.SetInsertPoint(cont);
}

llvm::Value* FunctionTranslator::to_slot(llvm::Value* v) {
  llvm::Type* t = v->getType();
  if (t == env_.i64) return v;
  if (t == env_.i32) return builder_.CreateZExt(v, env_.i64);
  if (t == env_.f32) return builder_.CreateZExt(builder_.CreateBitCast(v, env_.i32), env_.i64);
  return builder_.CreateBitCast(v, env_.i64);  // f64
}

llvm::Value* FunctionTranslator::from_slot(llvm::Value* slot, llvm::Type* type) {
  if (type == env_.i64) return slot;
  if (type == env_.i32) return builder_.CreateTrunc(slot, env_.i32);
  if (type == env_.f32) return builder_.CreateBitCast(builder_.CreateTrunc(slot, env_.i32), env_.f32);
  return builder_.CreateBitCast(slot, env_.f64);
}

// ---- function ----

void FunctionTranslator::translate() {
  entry_ = llvm::BasicBlock::Create(env_.context, "entry", function_);
  llvm::BasicBlock* start = llvm::BasicBlock::Create(env_.context, "start", function_);
  context_ = function_->getArg(0);
  stack_limit_ = function_->getArg(1);  // this thread's (compile/abi.h)
  function_->getArg(0)->addAttr(llvm::Attribute::NoAlias);

  // Locals: parameters first, then the declared ones (zero-initialised).
  llvm::IRBuilder<> entry(entry_);
  for (ValType p : type_.params) local_types_.push_back(env_.type_of(p));
  for (const LocalDecl& run : body_.locals)
    local_types_.insert(local_types_.end(), run.count, env_.type_of(run.type));
  // Only locals the body names get a slot: a function may declare 50,000 locals and use
  // two, and LLVM's cost grows with every alloca, even for a function past the compile
  // budget that is not optimised (budget.h).
  std::vector<bool> used(local_types_.size(), false);
  for (const Instr& in : body_.code)
    if (in.op == Opcode::LocalGet || in.op == Opcode::LocalSet || in.op == Opcode::LocalTee)
      used[in.a] = true;
  locals_.assign(local_types_.size(), nullptr);
  for (size_t i = 0; i < local_types_.size(); ++i) {
    if (!used[i]) continue;
    llvm::AllocaInst* slot = entry.CreateAlloca(local_types_[i]);
    locals_[i] = slot;
    llvm::Value* init = i < type_.params.size() ? static_cast<llvm::Value*>(function_->getArg(i + 2))
                                                : llvm::Constant::getNullValue(local_types_[i]);
    entry.CreateStore(init, slot);
  }

  // Stack check: trap before the host stack can overflow. The limit leaves a reserve
  // below it (compile/invocation.cpp) that covers ordinary frames: their frame address is
  // checked. A function whose frame may be larger (a rough bound: many locals or
  // instructions, each at most one spill slot) checks the stack pointer instead, which
  // here, after the prologue, lies below the whole frame as LLVM laid it out: its real
  // size, usually far below the bound (a bound alone made large functions that need a
  // few bytes uncallable).
  builder_.SetInsertPoint(start);
  uint64_t frame_bound = 64 * (uint64_t{local_types_.size()} + count_value_producers(body_.code));
  llvm::Value* frame =
      frame_bound > kFrameCoveredByReserve
          ? builder_.CreateIntrinsic(llvm::Intrinsic::stacksave, {env_.ptr}, {})
          : builder_.CreateIntrinsic(llvm::Intrinsic::frameaddress, {env_.ptr}, {builder_.getInt32(0)});
  trap_if(builder_.CreateICmpULT(builder_.CreatePtrToInt(frame, env_.i64), stack_limit_),
          TrapKind::CallStackExhausted);
  check_point();

  Control& fn = controls_.emplace_back();
  fn.kind = Control::Kind::Function;
  fn.merge = llvm::BasicBlock::Create(env_.context, "return", function_);
  for (ValType r : type_.results) {
    fn.result_types.push_back(env_.type_of(r));
    fn.results.push_back(llvm::PHINode::Create(env_.type_of(r), 2, "", fn.merge));
  }

  for (const Instr& in : body_.code) {
    if (!reachable_) {
      skip_dead(in);
      continue;
    }
    translate_instr(in);
  }
  entry.CreateBr(start);
}

void FunctionTranslator::finish_function() {
  Control& fn = controls_.front();
  builder_.SetInsertPoint(fn.merge);
  return_values(std::vector<llvm::Value*>(fn.results.begin(), fn.results.end()));
}

// Inside unreachable code only the block structure matters.
void FunctionTranslator::skip_dead(const Instr& in) {
  switch (in.op) {
    case Opcode::Block:
    case Opcode::Loop:
    case Opcode::If: ++dead_depth_; return;
    case Opcode::Else:
      if (dead_depth_ == 0) on_else();
      return;
    case Opcode::End:
      if (dead_depth_ > 0) {
        --dead_depth_;
        return;
      }
      on_end();
      return;
    default: return;
  }
}

// ---- control flow ----

void FunctionTranslator::block_types(const BlockType& bt, std::vector<llvm::Type*>* params,
                                     std::vector<llvm::Type*>* results) const {
  switch (bt.kind) {
    case BlockType::Kind::Empty: return;
    case BlockType::Kind::Value: results->push_back(env_.type_of(bt.value)); return;
    case BlockType::Kind::TypeIndex: {
      const FuncType& t = wasm_.types[bt.type_index];
      for (ValType p : t.params) params->push_back(env_.type_of(p));
      for (ValType r : t.results) results->push_back(env_.type_of(r));
      return;
    }
  }
}

FunctionTranslator::Control& FunctionTranslator::push_control(Control::Kind kind,
                                                              const BlockType& bt) {
  Control c;
  c.kind = kind;
  block_types(bt, &c.param_types, &c.result_types);
  c.height = stack_.size() - c.param_types.size();
  c.merge = llvm::BasicBlock::Create(env_.context, "", function_);
  for (llvm::Type* t : c.result_types) c.results.push_back(llvm::PHINode::Create(t, 2, "", c.merge));
  controls_.push_back(std::move(c));
  return controls_.back();
}

void FunctionTranslator::begin_block(const Instr& in) { push_control(Control::Kind::Block, in.block); }

void FunctionTranslator::begin_loop(const Instr& in) {
  Control& c = push_control(Control::Kind::Loop, in.block);
  c.header = llvm::BasicBlock::Create(env_.context, "loop", function_);
  llvm::BasicBlock* from = builder_.GetInsertBlock();
  builder_.CreateBr(c.header);
  for (size_t i = 0; i < c.param_types.size(); ++i) {
    llvm::PHINode* phi = llvm::PHINode::Create(c.param_types[i], 2, "", c.header);
    phi->addIncoming(stack_[c.height + i], from);
    stack_[c.height + i] = phi;
    c.params.push_back(phi);
  }
  builder_.SetInsertPoint(c.header);
}

void FunctionTranslator::begin_if(const Instr& in) {
  llvm::Value* condition = builder_.CreateICmpNE(pop(), builder_.getInt32(0));
  Control& c = push_control(Control::Kind::If, in.block);
  c.if_params.assign(stack_.begin() + static_cast<ptrdiff_t>(c.height), stack_.end());
  llvm::BasicBlock* then_block = llvm::BasicBlock::Create(env_.context, "then", function_);
  c.else_block = llvm::BasicBlock::Create(env_.context, "else", function_);
  builder_.CreateCondBr(condition, then_block, c.else_block);
  builder_.SetInsertPoint(then_block);
}

llvm::BasicBlock* FunctionTranslator::label_block(Control& target) const {
  return target.kind == Control::Kind::Loop ? target.header : target.merge;
}

// A branch to a label carries the loop's params or the block's results.
std::vector<llvm::PHINode*>& FunctionTranslator::label_phis(Control& target) const {
  return target.kind == Control::Kind::Loop ? target.params : target.results;
}

// The phis receive the top values of the stack.
void FunctionTranslator::add_incoming(std::vector<llvm::PHINode*>& phis, llvm::BasicBlock* from) {
  size_t n = phis.size();
  for (size_t i = 0; i < n; ++i) phis[i]->addIncoming(stack_[stack_.size() - n + i], from);
}

void FunctionTranslator::branch(uint32_t depth) {
  Control& target = controls_[controls_.size() - 1 - depth];
  if (target.kind == Control::Kind::Loop) check_point();
  add_incoming(label_phis(target), builder_.GetInsertBlock());
  builder_.CreateBr(label_block(target));
  reachable_ = false;
}

void FunctionTranslator::br_if(uint32_t depth) {
  br_on_condition(depth, builder_.CreateICmpNE(pop(), builder_.getInt32(0)));
}

void FunctionTranslator::br_on_condition(uint32_t depth, llvm::Value* condition) {
  Control& target = controls_[controls_.size() - 1 - depth];
  llvm::BasicBlock* cont = llvm::BasicBlock::Create(env_.context, "", function_);
  if (target.kind == Control::Kind::Loop) {  // the taken edge passes a check point
    llvm::BasicBlock* taken = llvm::BasicBlock::Create(env_.context, "back_edge", function_);
    builder_.CreateCondBr(condition, taken, cont);
    builder_.SetInsertPoint(taken);
    check_point();
    add_incoming(label_phis(target), builder_.GetInsertBlock());
    builder_.CreateBr(label_block(target));
    builder_.SetInsertPoint(cont);
    return;
  }
  add_incoming(label_phis(target), builder_.GetInsertBlock());
  builder_.CreateCondBr(condition, label_block(target), cont);
  builder_.SetInsertPoint(cont);
}

// Each distinct target gets its own edge block, so every phi has one entry per
// predecessor however many table entries share a target.
void FunctionTranslator::br_table(const Instr& in) {
  llvm::Value* index = pop();
  llvm::BasicBlock* from = builder_.GetInsertBlock();
  std::map<uint32_t, llvm::BasicBlock*> edges;
  auto edge_to = [&](uint32_t depth) {
    llvm::BasicBlock*& edge = edges[depth];
    if (edge != nullptr) return edge;
    edge = llvm::BasicBlock::Create(env_.context, "", function_);
    builder_.SetInsertPoint(edge);
    Control& target = controls_[controls_.size() - 1 - depth];
    if (target.kind == Control::Kind::Loop) check_point();
    add_incoming(label_phis(target), builder_.GetInsertBlock());
    builder_.CreateBr(label_block(target));
    return edge;
  };
  const uint32_t* targets = body_.br_table_targets.data() + in.a;
  uint32_t count = in.b;
  llvm::BasicBlock* default_edge = edge_to(targets[count]);
  std::vector<llvm::BasicBlock*> case_edges;
  for (uint32_t i = 0; i < count; ++i) case_edges.push_back(edge_to(targets[i]));
  builder_.SetInsertPoint(from);
  llvm::SwitchInst* sw = builder_.CreateSwitch(index, default_edge, count);
  for (uint32_t i = 0; i < count; ++i)
    if (case_edges[i] != default_edge) sw->addCase(builder_.getInt32(i), case_edges[i]);
  reachable_ = false;
}

void FunctionTranslator::on_else() {
  Control& c = controls_.back();
  if (reachable_) {
    add_incoming(c.results, builder_.GetInsertBlock());
    builder_.CreateBr(c.merge);
  }
  stack_.resize(c.height);
  stack_.insert(stack_.end(), c.if_params.begin(), c.if_params.end());
  builder_.SetInsertPoint(c.else_block);
  c.else_block = nullptr;
  reachable_ = true;
}

void FunctionTranslator::on_end() {
  Control& c = controls_.back();
  if (reachable_) {
    add_incoming(c.results, builder_.GetInsertBlock());
    builder_.CreateBr(c.merge);
  }
  if (c.kind == Control::Kind::If && c.else_block != nullptr) {
    // No else: the false edge passes the parameters through as results.
    builder_.SetInsertPoint(c.else_block);
    stack_.resize(c.height);
    stack_.insert(stack_.end(), c.if_params.begin(), c.if_params.end());
    add_incoming(c.results, c.else_block);
    builder_.CreateBr(c.merge);
  }
  stack_.resize(c.height);
  if (c.kind == Control::Kind::Function) {
    if (c.merge->hasNPredecessorsOrMore(1)) {
      finish_function();
    } else {
      c.merge->eraseFromParent();
    }
    controls_.pop_back();
    reachable_ = false;
    return;
  }
  llvm::BasicBlock* merge = c.merge;
  std::vector<llvm::PHINode*> results = c.results;
  controls_.pop_back();
  if (!merge->hasNPredecessorsOrMore(1)) {
    merge->eraseFromParent();
    reachable_ = false;
    return;
  }
  builder_.SetInsertPoint(merge);
  for (llvm::PHINode* phi : results) push(phi);
  reachable_ = true;
}

// ---- instructions ----

void FunctionTranslator::translate_instr(const Instr& in) {
  switch (in.op) {
    case Opcode::Unreachable:
      builder_.CreateBr(trap_block(TrapKind::Unreachable));
      reachable_ = false;
      return;
    case Opcode::Nop: return;
    case Opcode::Block: begin_block(in); return;
    case Opcode::Loop: begin_loop(in); return;
    case Opcode::If: begin_if(in); return;
    case Opcode::Else: on_else(); return;
    case Opcode::End: on_end(); return;
    case Opcode::Br: branch(in.a); return;
    case Opcode::BrIf: br_if(in.a); return;
    case Opcode::BrTable: br_table(in); return;
    case Opcode::Return: branch(static_cast<uint32_t>(controls_.size() - 1)); return;
    case Opcode::Call: call(in.a, false); return;
    case Opcode::ReturnCall: call(in.a, true); return;
    case Opcode::CallIndirect:
    case Opcode::ReturnCallIndirect: {
      const FuncType& type = wasm_.types[in.a];
      llvm::Value* func = indirect_callee(in.a, in.b);
      call_function_object(func, type, pop_n(type.params.size()), in.op == Opcode::ReturnCallIndirect);
      return;
    }
    case Opcode::CallRef: call_ref(in.a, false); return;
    case Opcode::ReturnCallRef: call_ref(in.a, true); return;
    case Opcode::RefAsNonNull:
      trap_if(builder_.CreateICmpEQ(stack_.back(), builder_.getInt64(0)), TrapKind::NullReference);
      return;
    case Opcode::BrOnNull: {  // the null reference is dropped before the branch
      llvm::Value* ref = pop();
      br_on_condition(in.a, builder_.CreateICmpEQ(ref, builder_.getInt64(0)));
      push(ref);
      return;
    }
    case Opcode::BrOnNonNull:  // the reference goes along; the fallthrough drops the null
      br_on_condition(in.a, builder_.CreateICmpNE(stack_.back(), builder_.getInt64(0)));
      pop();
      return;
    case Opcode::Drop: pop(); return;
    case Opcode::Select:
    case Opcode::SelectT: {
      llvm::Value* condition = builder_.CreateICmpNE(pop(), builder_.getInt32(0));
      llvm::Value* b = pop();
      llvm::Value* a = pop();
      push(builder_.CreateSelect(condition, a, b));
      return;
    }
    case Opcode::LocalGet: push(builder_.CreateLoad(local_types_[in.a], locals_[in.a])); return;
    case Opcode::LocalSet: builder_.CreateStore(pop(), locals_[in.a]); return;
    case Opcode::LocalTee: builder_.CreateStore(stack_.back(), locals_[in.a]); return;
    case Opcode::GlobalGet: {
      GlobalType gt = wasm_.global_type(in.a);
      llvm::Value* p = context_field(env_.context_layout.global_ptr(in.a), env_.ptr, true);
      llvm::LoadInst* v = builder_.CreateAlignedLoad(env_.type_of(gt.type), p, llvm::MaybeAlign(8));
      v->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_global);
      if (!gt.mut) v->setMetadata(llvm::LLVMContext::MD_invariant_load, env_.empty_node);
      push(v);
      return;
    }
    case Opcode::GlobalSet: {
      // Globals are 64-bit slots; 32-bit values are stored zero-extended. A v128 global's
      // high half follows its low one (Global::high_bits_ after bits_).
      llvm::Value* v = pop();
      llvm::Value* slot = v->getType() == env_.v128 ? v : to_slot(v);
      llvm::Value* p = context_field(env_.context_layout.global_ptr(in.a), env_.ptr, true);
      builder_.CreateAlignedStore(slot, p, llvm::MaybeAlign(8))
          ->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_global);
      return;
    }
    case Opcode::I32Const: push(builder_.getInt32(static_cast<uint32_t>(in.imm))); return;
    case Opcode::I64Const: push(builder_.getInt64(in.imm)); return;
    case Opcode::F32Const:
      push(builder_.CreateBitCast(builder_.getInt32(static_cast<uint32_t>(in.imm)), env_.f32));
      return;
    case Opcode::F64Const: push(builder_.CreateBitCast(builder_.getInt64(in.imm), env_.f64)); return;
    case Opcode::RefNull: push(builder_.getInt64(0)); return;
    case Opcode::RefIsNull: push(as_i32(builder_.CreateICmpEQ(pop(), builder_.getInt64(0)))); return;
    case Opcode::RefFunc: {
      llvm::Value* f = context_field(env_.context_layout.function_ptr(in.a), env_.i64, true);
      push(f);
      return;
    }
    default: break;
  }
  if (translate_memory(in) || translate_table(in) || translate_numeric(in) || translate_atomic(in) ||
      translate_simd_memory(in) || translate_simd(in))
    return;
  throw std::logic_error(std::string("code generator: unsupported instruction ") +
                         opcode_name(in.op));
}

// ---- calls ----

void FunctionTranslator::push_results(llvm::Value* ret, const FuncType& type) {
  if (type.results.size() == 1) {
    push(ret);
    return;
  }
  for (unsigned i = 0; i < type.results.size(); ++i) push(builder_.CreateExtractValue(ret, {i}));
}

void FunctionTranslator::call(uint32_t func_index, bool tail) {
  const FuncType& type = wasm_.func_type(func_index);
  std::vector<llvm::Value*> args = pop_n(type.params.size());
  if (func_index < wasm_.num_imported_funcs) {
    llvm::Value* func = context_field(env_.context_layout.function_ptr(func_index), env_.ptr, true);
    call_function_object(func, type, args, tail);
    return;
  }
  args.insert(args.begin(), {context_, stack_limit_});
  llvm::Function* callee = env_.defined_function(func_index - wasm_.num_imported_funcs);
  llvm::Value* ret = call_compiled(callee->getFunctionType(), callee, args, tail);
  if (!tail && !type.results.empty()) push_results(ret, type);
}

llvm::Value* FunctionTranslator::call_compiled(llvm::FunctionType* type, llvm::Value* callee,
                                               const std::vector<llvm::Value*>& args, bool tail) {
  llvm::CallInst* call = builder_.CreateCall(type, callee, args);
  call->setCallingConv(llvm::CallingConv::Tail);
  if (!tail) return call;
  // musttail: LLVM reuses this frame for the callee or fails to compile, never silently
  // grows the stack. With tailcc the prototypes may differ (the results are the same:
  // the validator checks it).
  call->setTailCallKind(llvm::CallInst::TCK_MustTail);
  if (type->getReturnType()->isVoidTy())
    builder_.CreateRetVoid();
  else
    builder_.CreateRet(call);
  reachable_ = false;
  return call;
}

void FunctionTranslator::return_values(const std::vector<llvm::Value*>& values) {
  if (values.empty()) {
    builder_.CreateRetVoid();
  } else if (values.size() == 1) {
    builder_.CreateRet(values[0]);
  } else {
    llvm::Value* agg = llvm::UndefValue::get(env_.return_type(type_));
    for (unsigned i = 0; i < values.size(); ++i) agg = builder_.CreateInsertValue(agg, values[i], {i});
    builder_.CreateRet(agg);
  }
}

llvm::Value* FunctionTranslator::indirect_callee(uint32_t type_index, uint32_t table_index) {
  llvm::Value* index = pop();
  const RuntimeLayout& rl = env_.layout;
  llvm::Value* table = context_field(env_.context_layout.table_ptr(table_index), env_.ptr, true);
  llvm::Value* begin = load_runtime(table, rl.table_begin, env_.ptr, false);
  llvm::Value* end = load_runtime(table, rl.table_end, env_.ptr, false);
  llvm::Value* size = builder_.CreateLShr(
      builder_.CreateSub(builder_.CreatePtrToInt(end, env_.i64), builder_.CreatePtrToInt(begin, env_.i64)),
      3);
  llvm::Value* index64 = as_i64(index);  // i64 through a 64-bit table (table64)
  trap_if(builder_.CreateICmpUGE(index64, size), TrapKind::UndefinedElement);
  llvm::Value* element = builder_.CreateInBoundsGEP(env_.i64, begin, index64);
  llvm::LoadInst* func = builder_.CreateAlignedLoad(env_.ptr, element, llvm::MaybeAlign(8));
  func->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_runtime);

  // Null entry: "uninitialized element N" names the index.
  llvm::BasicBlock* null_block = llvm::BasicBlock::Create(env_.context, "null_element", function_);
  llvm::BasicBlock* cont = llvm::BasicBlock::Create(env_.context, "", function_);
  builder_.CreateCondBr(builder_.CreateIsNull(func), null_block, cont, env_.unlikely);
  builder_.SetInsertPoint(null_block);
  llvm::CallInst* trap =
      llvm::cast<llvm::CallInst>(call_helper(HelperId::TrapUninitialized, {builder_.CreateTrunc(index64, env_.i32)}));
  trap->setDoesNotReturn();
  builder_.CreateUnreachable();
  builder_.SetInsertPoint(cont);

  llvm::Value* type_ids = context_field(kTypeIdsOffset, env_.ptr, true);
  llvm::Value* expected = load_runtime(type_ids, type_index * 4, env_.i32, true);
  llvm::Value* actual = load_runtime(func, rl.function_type_id, env_.i32, true);
  trap_if(builder_.CreateICmpNE(actual, expected), TrapKind::IndirectCallTypeMismatch);
  return func;
}

void FunctionTranslator::call_ref(uint32_t type_index, bool tail) {
  const FuncType& type = wasm_.types[type_index];
  llvm::Value* ref = pop();
  std::vector<llvm::Value*> args = pop_n(type.params.size());
  trap_if(builder_.CreateICmpEQ(ref, builder_.getInt64(0)), TrapKind::NullFunctionReference);
  // Validation proved the function's type: no type check, unlike call_indirect.
  call_function_object(builder_.CreateIntToPtr(ref, env_.ptr), type, args, tail);
}

void FunctionTranslator::call_function_object(llvm::Value* func, const FuncType& type,
                                              const std::vector<llvm::Value*>& args, bool tail) {
  const RuntimeLayout& rl = env_.layout;
  // Acquire, not invariant: the tiered engine moves a function to compiled code by writing
  // its code_ and context_ and then engine_ with a release store (runtime.h); the loads of
  // code_ and context_ below must not see older values than this one (x86-64 keeps loads
  // in order, aarch64 does not; on x86-64 an acquire load is a plain load).
  llvm::Value* engine_ptr = builder_.CreateConstInBoundsGEP1_64(env_.i8, func, rl.function_engine);
  llvm::LoadInst* engine = builder_.CreateAlignedLoad(env_.ptr, engine_ptr, llvm::MaybeAlign(8));
  engine->setAtomic(llvm::AtomicOrdering::Acquire);
  engine->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_runtime);
  llvm::Value* compiled = builder_.CreateICmpEQ(engine, context_field(kEngineOffset, env_.ptr, true));
  llvm::BasicBlock* direct = llvm::BasicBlock::Create(env_.context, "direct_call", function_);
  llvm::BasicBlock* generic = llvm::BasicBlock::Create(env_.context, "generic_call", function_);
  llvm::BasicBlock* join = tail ? nullptr : llvm::BasicBlock::Create(env_.context, "", function_);
  builder_.CreateCondBr(compiled, direct, generic);

  // Compiled code (any module, any instance): call it with its own context and this
  // thread's stack limit.
  builder_.SetInsertPoint(direct);
  llvm::Value* code = load_runtime(func, rl.function_code, env_.ptr, true);
  llvm::Value* callee_context = load_runtime(func, rl.function_context, env_.ptr, true);
  std::vector<llvm::Value*> direct_args{callee_context, stack_limit_};
  direct_args.insert(direct_args.end(), args.begin(), args.end());
  llvm::Value* direct_ret = call_compiled(env_.function_type(type), code, direct_args, tail);
  std::vector<llvm::Value*> direct_results;
  if (!tail && type.results.size() == 1) direct_results.push_back(direct_ret);
  for (unsigned i = 0; !tail && type.results.size() > 1 && i < type.results.size(); ++i)
    direct_results.push_back(builder_.CreateExtractValue(direct_ret, {i}));
  llvm::BasicBlock* direct_end = builder_.GetInsertBlock();
  if (!tail) builder_.CreateBr(join);

  // Anything else (host function, another engine): through 64-bit slots, two for a v128.
  // A tail call to it is an ordinary call whose results this function returns: host code
  // runs on the host stack anyway (docs/architecture.md, "Tail calls").
  builder_.SetInsertPoint(generic);
  size_t n = std::max<size_t>({slot_count(type.params), slot_count(type.results), 1});
  llvm::ArrayType* slots_type = llvm::ArrayType::get(env_.i64, n);
  llvm::AllocaInst* slots = llvm::IRBuilder<>(entry_).CreateAlloca(slots_type);
  size_t at = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    llvm::Value* p = builder_.CreateConstInBoundsGEP2_64(slots_type, slots, 0, at);
    bool wide = type.params[i] == ValType::V128;
    at += wide ? 2 : 1;
    builder_.CreateAlignedStore(wide ? args[i] : to_slot(args[i]), p, llvm::MaybeAlign(8))
        ->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_slots);
  }
  call_helper(HelperId::CallFunction, {func, slots});
  std::vector<llvm::Value*> generic_results;
  at = 0;
  for (size_t i = 0; i < type.results.size(); ++i) {
    llvm::Value* p = builder_.CreateConstInBoundsGEP2_64(slots_type, slots, 0, at);
    bool wide = type.results[i] == ValType::V128;
    at += wide ? 2 : 1;
    llvm::LoadInst* slot = builder_.CreateAlignedLoad(wide ? static_cast<llvm::Type*>(env_.v128) : env_.i64, p, llvm::MaybeAlign(8));
    slot->setMetadata(llvm::LLVMContext::MD_tbaa, env_.tbaa_slots);
    generic_results.push_back(wide ? slot : from_slot(slot, env_.type_of(type.results[i])));
  }
  if (tail) {
    return_values(generic_results);
    reachable_ = false;
    return;
  }
  llvm::BasicBlock* generic_end = builder_.GetInsertBlock();
  builder_.CreateBr(join);

  builder_.SetInsertPoint(join);
  for (size_t i = 0; i < type.results.size(); ++i) {
    llvm::PHINode* phi = builder_.CreatePHI(env_.type_of(type.results[i]), 2);
    phi->addIncoming(direct_results[i], direct_end);
    phi->addIncoming(generic_results[i], generic_end);
    push(phi);
  }
}

}  // namespace aperture::native
