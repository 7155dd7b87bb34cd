// Translation walks the validated instruction stream once, tracking the operand stack
// height in 64-bit slots: every value takes one slot, except a v128, which takes two (low
// half first). Which slots hold the high half of a v128 is tracked too, for the untyped
// drop and select. Branches are resolved to slot indices, blocks disappear, and
// unreachable code is skipped.
#include "interp/translate.h"

#include "aperture/error.h"

#include <cassert>

#include "interp/iop.h"
#include "interp/simd_exec.h"

namespace aperture {
namespace {

IOp iop_for(Opcode op) {
  switch (op) {
#define WASM_OP(Name, Prefix, Code, Text, Imm, P0, P1, P2, R, Mem) \
  case Opcode::Name:                                                \
    return IOp::Name;
#include "binary/opcodes.def"
#undef WASM_OP
  }
  return IOp::Unreachable;
}

// Of the three variants of one memory access (interp/iop.h), the one for memory `index`:
// memory 0 and memory 1 have their own ops with the offset as the only immediate, any
// other memory takes the index as a further immediate (takes_memory_index).
IOp for_memory(uint32_t index, IOp on0, IOp on1, IOp on_n) {
  return index == 0 ? on0 : index == 1 ? on1 : on_n;
}
bool takes_memory_index(uint32_t index) { return index > 1; }

// The variant of a load or store that addresses memory `index` (`is64`: a 64-bit memory,
// whose variant always takes the index).
IOp on_memory(Opcode op, uint32_t index, bool is64) {
  switch (op) {
#define MEM_CASE(Name)   \
  case Opcode::Name:     \
    return is64 ? IOp::Name##Mem64 : for_memory(index, IOp::Name, IOp::Name##Mem1, IOp::Name##MemN);
#define WASM_OP(Name, Prefix, Code, Text, Imm, P0, P1, P2, R, Mem) \
  APERTURE_IF_MEMORY_ACCESS(Mem, MEM_CASE, Name)
#include "binary/opcodes.def"
#undef WASM_OP
#undef MEM_CASE
    default: return IOp::Count;
  }
}

// Superinstruction tables for the peephole (see extra_ops.def).
IOp with_immediate(IOp op) {
  switch (op) {
#define IMM_OP(Name, T, expr) \
  case IOp::Name:             \
    return IOp::Name##Imm;
#include "interp/imm_ops.def"
#undef IMM_OP
    default: return IOp::Count;
  }
}

// The form of `op` (a binary operation with an Imm form) whose first operand is a local.
IOp with_local_and_immediate(IOp op) {
  switch (op) {
#define IMM_OP(Name, T, expr) \
  case IOp::Name:             \
    return IOp::Name##LocalImm;
#include "interp/imm_ops.def"
#undef IMM_OP
    default: return IOp::Count;
  }
}

// The form of a LocalImm op that writes its result to a local (`tee`: and pushes it too);
// IOp::Count when there is none.
IOp to_local(IOp op, bool tee) {
  switch (op) {
    case IOp::I32AddLocalImm: return tee ? IOp::I32AddLocalImmTee : IOp::I32AddLocalImmSet;
    case IOp::I32SubLocalImm: return tee ? IOp::I32SubLocalImmTee : IOp::I32SubLocalImmSet;
    case IOp::I64AddLocalImm: return tee ? IOp::I64AddLocalImmTee : IOp::I64AddLocalImmSet;
    default: return IOp::Count;
  }
}

IOp with_local_operand(IOp op) {
  switch (op) {
    case IOp::I32Add: return IOp::I32AddLocal;
    case IOp::I32Sub: return IOp::I32SubLocal;
    case IOp::I32Mul: return IOp::I32MulLocal;
    case IOp::I32And: return IOp::I32AndLocal;
    case IOp::I32Or: return IOp::I32OrLocal;
    case IOp::I32Xor: return IOp::I32XorLocal;
    case IOp::I64Add: return IOp::I64AddLocal;
    case IOp::I64Xor: return IOp::I64XorLocal;
    case IOp::F64Add: return IOp::F64AddLocal;
    case IOp::F64Sub: return IOp::F64SubLocal;
    case IOp::F64Mul: return IOp::F64MulLocal;
    default: return IOp::Count;
  }
}

// The compare-and-branch op for an i32 comparison; `negate` branches when it is false.
IOp branch_on(IOp cmp, bool negate) {
  switch (cmp) {
    case IOp::I32Eq: return negate ? IOp::BrIfI32Ne : IOp::BrIfI32Eq;
    case IOp::I32Ne: return negate ? IOp::BrIfI32Eq : IOp::BrIfI32Ne;
    case IOp::I32LtS: return negate ? IOp::BrIfI32GeS : IOp::BrIfI32LtS;
    case IOp::I32LtU: return negate ? IOp::BrIfI32GeU : IOp::BrIfI32LtU;
    case IOp::I32GtS: return negate ? IOp::BrIfI32LeS : IOp::BrIfI32GtS;
    case IOp::I32GtU: return negate ? IOp::BrIfI32LeU : IOp::BrIfI32GtU;
    case IOp::I32LeS: return negate ? IOp::BrIfI32GtS : IOp::BrIfI32LeS;
    case IOp::I32LeU: return negate ? IOp::BrIfI32GtU : IOp::BrIfI32LeU;
    case IOp::I32GeS: return negate ? IOp::BrIfI32LtS : IOp::BrIfI32GeS;
    case IOp::I32GeU: return negate ? IOp::BrIfI32LtU : IOp::BrIfI32GeU;
    default: return IOp::Count;
  }
}

// The variant of branch `op` that is a check point: for branches to a loop's start.
IOp back_edge(IOp op) {
  switch (op) {
    case IOp::Jump: return IOp::JumpBack;
    case IOp::JumpIfZero: return IOp::JumpIfZeroBack;
    case IOp::BrIfNoDrop: return IOp::BrIfNoDropBack;
    case IOp::BrDrop: return IOp::BrDropBack;
    case IOp::BrIfDrop: return IOp::BrIfDropBack;
    case IOp::BrIfI32Eq: return IOp::BrIfI32EqBack;
    case IOp::BrIfI32Ne: return IOp::BrIfI32NeBack;
    case IOp::BrIfI32LtS: return IOp::BrIfI32LtSBack;
    case IOp::BrIfI32LtU: return IOp::BrIfI32LtUBack;
    case IOp::BrIfI32GtS: return IOp::BrIfI32GtSBack;
    case IOp::BrIfI32GtU: return IOp::BrIfI32GtUBack;
    case IOp::BrIfI32LeS: return IOp::BrIfI32LeSBack;
    case IOp::BrIfI32LeU: return IOp::BrIfI32LeUBack;
    case IOp::BrIfI32GeS: return IOp::BrIfI32GeSBack;
    case IOp::BrIfI32GeU: return IOp::BrIfI32GeUBack;
    default: return IOp::Count;
  }
}

// Slots a value of type `t` takes (interp/code.h).
uint32_t slots_of(ValType t) { return t == ValType::V128 ? 2 : 1; }
uint32_t slots_of(OpType t) { return t == OpType::V ? 0 : t == OpType::V128 ? 2 : 1; }
uint32_t slots_of(const std::vector<ValType>& types) {
  uint32_t n = 0;
  for (ValType t : types) n += slots_of(t);
  return n;
}

uint32_t pops_of(const OpcodeInfo& info) {
  uint32_t n = 0;
  for (OpType t : info.params) n += slots_of(t);
  return n;
}

struct Control {
  enum class Kind { Func, Block, Loop, If };
  Kind kind;
  uint32_t height;    // operand height below the block's params (slots)
  uint32_t params;    // slots
  uint32_t results;   // slots
  std::vector<ValType> param_types;
  std::vector<ValType> result_types;
  uint32_t loop_start = 0;
  std::vector<uint32_t> end_fixups;  // slots to patch with the end position
  int64_t else_fixup = -1;           // if: the JumpIfZero target slot
  bool unreachable = false;
};

class Translator {
 public:
  Translator(const Module& m, uint32_t defined_index, const std::vector<uint32_t>& type_ids)
      : m_(m), body_(m.bodies[defined_index]), type_ids_(type_ids) {
    const FuncType& type = m.types[m.funcs[defined_index]];
    out_.func_index = m.num_imported_funcs + defined_index;
    out_.num_params = slots_of(type.params);
    out_.num_results = slots_of(type.results);
    // Each local's first slot (params first); a v128 local takes two.
    local_slot_.reserve(type.params.size() + body_.num_locals);
    uint32_t slot = 0;
    for (ValType t : type.params) {
      local_slot_.push_back(slot);
      local_v128_.push_back(t == ValType::V128);
      slot += slots_of(t);
    }
    for (const LocalDecl& d : body_.locals) {
      for (uint32_t i = 0; i < d.count; ++i) {
        local_slot_.push_back(slot);
        local_v128_.push_back(d.type == ValType::V128);
        slot += slots_of(d.type);
      }
    }
    out_.num_locals = slot - out_.num_params;
    height_ = slot;
    max_height_ = height_;
    high_half_.assign(height_, false);
    Control f{Control::Kind::Func, height_, 0, out_.num_results, {}, type.results, 0, {}, -1, false};
    ctrl_.push_back(std::move(f));
  }

  InterpCode run() {
    const std::vector<Instr>& code = body_.code;
    for (size_t i = 0; i < code.size(); ++i) {
      if (ctrl_.empty()) break;
      if (ctrl_.back().unreachable && skip_unreachable(code, i)) continue;
      translate(code[i]);
    }
    out_.frame_slots = max_height_ + 1;
    return std::move(out_);
  }

 private:
  // Inside dead code: skip nested blocks; returns true when code[i] is skipped.
  bool skip_unreachable(const std::vector<Instr>& code, size_t i) {
    Opcode op = code[i].op;
    if (op == Opcode::Block || op == Opcode::Loop || op == Opcode::If) {
      ++dead_depth_;
      return true;
    }
    if (op == Opcode::End || op == Opcode::Else) {
      if (dead_depth_ > 0) {
        if (op == Opcode::End) --dead_depth_;
        return true;
      }
      return false;  // ends (or splits) the current block: handled normally
    }
    return true;
  }

  uint32_t pos() const { return static_cast<uint32_t>(out_.code.size()); }
  void emit_op(IOp op, uint32_t wasm_offset) {
    prev_op_ = last_op_;
    prev_op_pos_ = last_op_pos_;
    last_op_pos_ = pos();
    last_op_ = op;
    out_.offsets.emplace_back(pos(), wasm_offset);
    Slot s;
    s.u64 = static_cast<uint64_t>(op);  // replaced by the handler address in finalize()
    out_.code.push_back(s);
    op_positions_.push_back(pos() - 1);
  }
  void emit_imm(uint64_t v) {
    Slot s;
    s.u64 = v;
    out_.code.push_back(s);
  }
  void emit_target(uint32_t target_pos) {
    target_positions_.push_back(pos());
    emit_imm(target_pos);
  }
  // The previous instruction may be fused with the next one only if no branch lands
  // between them (a label at the current position is a barrier).
  bool can_fuse() const { return last_op_ != IOp::Count && barrier_ != pos(); }
  void label_here() { barrier_ = pos(); }
  void refuse(IOp op) { out_.code[last_op_pos_].u64 = static_cast<uint64_t>(op); last_op_ = op; }
  // Whether the last instruction is a Const right after a local.get (two slots each) with
  // no branch landing between them, so that both can fold into the next operation.
  bool local_then_const() const {
    return last_op_ == IOp::Const && prev_op_ == IOp::LocalGetOp &&
           prev_op_pos_ + 2 == last_op_pos_ && barrier_ != last_op_pos_;
  }
  // Takes the last instruction out again (a Const being folded into the one before it).
  void unemit_last() {
    out_.code.resize(last_op_pos_);
    op_positions_.pop_back();
    if (!out_.offsets.empty() && out_.offsets.back().first == last_op_pos_) out_.offsets.pop_back();
    last_op_ = prev_op_;
    last_op_pos_ = prev_op_pos_;
    prev_op_ = IOp::Count;  // unknown: nothing folds further back
  }

  // Peephole for simple ops; true when `op` was folded into the previous instruction.
  bool fuse_simple(IOp op, const Instr& in) {
    if (!can_fuse()) return false;
    IOp imm = with_immediate(op);
    if (last_op_ == IOp::Const && imm != IOp::Count && local_then_const()) {
      // local.get a; const c; OP: one op reading the local (immediates a, c).
      uint64_t c = out_.code[last_op_pos_ + 1].u64;
      unemit_last();
      refuse(with_local_and_immediate(op));
      emit_imm(c);
      return true;
    }
    if (last_op_ == IOp::Const && imm != IOp::Count) {
      refuse(imm);  // the Const's immediate becomes the operand
      return true;
    }
    IOp local = with_local_operand(op);
    if (last_op_ == IOp::LocalGetOp && local != IOp::Count) {
      refuse(local);  // the local.get's index becomes the operand
      return true;
    }
    if (last_op_ == IOp::LocalGetOp && (op == IOp::I32Load || op == IOp::I64Load) &&
        !m_.memory_type(in.b).limits.is64) {
      // The same fusion on every memory, so that memory N costs what memory 0 costs.
      if (op == IOp::I32Load)
        refuse(for_memory(in.b, IOp::I32LoadLocal, IOp::I32LoadLocalMem1, IOp::I32LoadLocalMemN));
      else
        refuse(for_memory(in.b, IOp::I64LoadLocal, IOp::I64LoadLocalMem1, IOp::I64LoadLocalMemN));
      emit_imm(in.imm);
      if (takes_memory_index(in.b)) emit_imm(in.b);
      return true;
    }
    return false;
  }

  // Pushes one value taking `slots` slots (2: a v128).
  void push(uint32_t slots = 1) {
    high_half_.resize(height_ + slots, false);
    if (slots == 2) high_half_[height_ + 1] = true;
    if (slots == 1) high_half_[height_] = false;
    height_ += slots;
    if (height_ > max_height_) max_height_ = height_;
  }
  void push_type(ValType t) { push(slots_of(t)); }
  void push_types(const std::vector<ValType>& types) {
    for (ValType t : types) push_type(t);
  }
  void pop(uint32_t slots = 1) { height_ -= slots; }
  // Whether the value on top of the operand stack is a v128 (two slots).
  bool top_is_v128() const { return height_ > 0 && high_half_[height_ - 1]; }

  void block_types(const BlockType& bt, std::vector<ValType>* params,
                   std::vector<ValType>* results) const {
    switch (bt.kind) {
      case BlockType::Kind::Empty: return;
      case BlockType::Kind::Value: results->push_back(bt.value); return;
      case BlockType::Kind::TypeIndex: {
        const FuncType& t = m_.types[bt.type_index];
        *params = t.params;
        *results = t.results;
        return;
      }
    }
  }

  // Emits a jump to label `depth` with the current height (after any condition pop).
  void emit_branch(uint32_t depth, IOp plain, IOp dropping, uint32_t wasm_offset) {
    Control& c = ctrl_[ctrl_.size() - 1 - depth];
    uint32_t keep = c.kind == Control::Kind::Loop ? c.params : c.results;
    uint32_t drop = height_ - keep - c.height;
    IOp fused = (drop == 0 && plain == IOp::BrIfNoDrop && can_fuse()) ? branch_on(last_op_, false) : IOp::Count;
    if (fused != IOp::Count) {
      refuse(fused);
    } else if (drop == 0 && plain == IOp::BrIfNoDrop && can_fuse() && last_op_ == IOp::I32Eqz) {
      refuse(IOp::JumpIfZero);
    } else if (drop == 0) {
      emit_op(plain, wasm_offset);
    } else {
      emit_op(dropping, wasm_offset);
    }
    if (c.kind == Control::Kind::Loop) refuse(back_edge(last_op_));  // a check point
    emit_label_target(c);
    if (drop != 0) {
      emit_imm(drop);
      emit_imm(keep);
    }
  }
  // br_on_null, br_on_non_null: the op, then target, drop, keep for the branch taken.
  void emit_ref_branch(uint32_t depth, IOp op, uint32_t wasm_offset) {
    Control& c = ctrl_[ctrl_.size() - 1 - depth];
    uint32_t keep = c.kind == Control::Kind::Loop ? c.params : c.results;
    emit_op(op, wasm_offset);
    emit_label_target(c);
    emit_imm(height_ - keep - c.height);
    emit_imm(keep);
  }
  void emit_label_target(Control& c) {
    if (c.kind == Control::Kind::Loop) {
      emit_target(c.loop_start);
    } else {
      c.end_fixups.push_back(pos());
      target_positions_.push_back(pos());
      emit_imm(0);
    }
  }
  void emit_return(uint32_t wasm_offset) {
    emit_op(IOp::ReturnOp, wasm_offset);
    emit_imm(out_.num_results);
  }
  void mark_unreachable() {
    ctrl_.back().unreachable = true;
    height_ = ctrl_.back().height;
    dead_depth_ = 0;
  }

  void translate(const Instr& in) {
    const OpcodeInfo* info = opcode_info(in.op);
    switch (in.op) {
      case Opcode::Nop: return;
      case Opcode::Unreachable:
        emit_op(IOp::Unreachable, in.offset);
        mark_unreachable();
        return;
      case Opcode::Block:
      case Opcode::Loop:
      case Opcode::If: {
        std::vector<ValType> param_types, result_types;
        block_types(in.block, &param_types, &result_types);
        uint32_t params = slots_of(param_types), results = slots_of(result_types);
        if (in.op == Opcode::If) pop();
        Control c{in.op == Opcode::Loop  ? Control::Kind::Loop
                  : in.op == Opcode::If ? Control::Kind::If
                                        : Control::Kind::Block,
                  height_ - params, params, results, std::move(param_types),
                  std::move(result_types), 0, {}, -1, false};
        c.loop_start = pos();
        if (in.op == Opcode::Loop) label_here();
        if (in.op == Opcode::If) {
          IOp fused = can_fuse() ? branch_on(last_op_, /*negate=*/true) : IOp::Count;
          if (fused != IOp::Count) refuse(fused);
          else if (can_fuse() && last_op_ == IOp::I32Eqz) refuse(IOp::BrIfNoDrop);
          else emit_op(IOp::JumpIfZero, in.offset);
          c.else_fixup = pos();
          target_positions_.push_back(pos());
          emit_imm(0);
        }
        ctrl_.push_back(std::move(c));
        return;
      }
      case Opcode::Else: {
        Control& c = ctrl_.back();
        if (!c.unreachable) {
          emit_op(IOp::Jump, in.offset);
          c.end_fixups.push_back(pos());
          target_positions_.push_back(pos());
          emit_imm(0);
        }
        out_.code[c.else_fixup].u64 = pos();
        label_here();
        c.else_fixup = -1;
        c.unreachable = false;
        height_ = c.height;
        push_types(c.param_types);
        return;
      }
      case Opcode::End: {
        Control c = std::move(ctrl_.back());
        ctrl_.pop_back();
        if (c.else_fixup >= 0) out_.code[c.else_fixup].u64 = pos();
        for (uint32_t f : c.end_fixups) out_.code[f].u64 = pos();
        label_here();
        height_ = c.height;
        push_types(c.result_types);
        dead_depth_ = 0;
        if (c.kind == Control::Kind::Func) emit_return(in.offset);
        return;
      }
      case Opcode::Br:
        emit_branch(in.a, IOp::Jump, IOp::BrDrop, in.offset);
        mark_unreachable();
        return;
      case Opcode::BrIf:
        pop();
        emit_branch(in.a, IOp::BrIfNoDrop, IOp::BrIfDrop, in.offset);
        return;
      case Opcode::BrTable: {
        pop();
        emit_op(IOp::BrTableOp, in.offset);
        emit_imm(in.b);
        for (uint32_t k = 0; k <= in.b; ++k) {
          Control& c = ctrl_[ctrl_.size() - 1 - body_.br_table_targets[in.a + k]];
          uint32_t keep = c.kind == Control::Kind::Loop ? c.params : c.results;
          emit_label_target(c);
          emit_imm(height_ - keep - c.height);
          emit_imm(keep);
        }
        mark_unreachable();
        return;
      }
      case Opcode::Return:
        emit_return(in.offset);
        mark_unreachable();
        return;
      case Opcode::Call: {
        const FuncType& t = m_.func_type(in.a);
        emit_op(IOp::CallOp, in.offset);
        emit_imm(in.a);
        pop(slots_of(t.params));
        push_types(t.results);
        return;
      }
      case Opcode::CallIndirect: {
        const FuncType& t = m_.types[in.a];
        pop();  // table index operand
        emit_op(IOp::CallIndirectOp, in.offset);
        emit_imm(type_ids_[in.a]);
        emit_imm(in.b);
        pop(slots_of(t.params));
        push_types(t.results);
        return;
      }
      // Tail calls: the callee takes over this frame (interp/execute.cpp, tail_call).
      case Opcode::ReturnCall: {
        const FuncType& t = m_.func_type(in.a);
        emit_op(IOp::ReturnCallOp, in.offset);
        emit_imm(in.a);
        pop(slots_of(t.params));
        mark_unreachable();
        return;
      }
      case Opcode::ReturnCallIndirect: {
        const FuncType& t = m_.types[in.a];
        pop();  // table index operand
        emit_op(IOp::ReturnCallIndirectOp, in.offset);
        emit_imm(type_ids_[in.a]);
        emit_imm(in.b);
        pop(slots_of(t.params));
        mark_unreachable();
        return;
      }
      case Opcode::CallRef: {
        const FuncType& t = m_.types[in.a];
        pop();  // the function reference
        emit_op(IOp::CallRef, in.offset);
        pop(slots_of(t.params));
        push_types(t.results);
        return;
      }
      case Opcode::ReturnCallRef: {
        const FuncType& t = m_.types[in.a];
        pop();  // the function reference
        emit_op(IOp::ReturnCallRef, in.offset);
        pop(slots_of(t.params));
        mark_unreachable();
        return;
      }
      case Opcode::RefAsNonNull: emit_op(IOp::RefAsNonNull, in.offset); return;
      case Opcode::BrOnNull:  // the null reference is dropped before the branch
        pop();
        emit_ref_branch(in.a, IOp::BrOnNull, in.offset);
        push();
        return;
      case Opcode::BrOnNonNull:  // the reference goes along; the fallthrough drops the null
        emit_ref_branch(in.a, IOp::BrOnNonNull, in.offset);
        pop();
        return;
      case Opcode::Drop: {
        const bool v128 = top_is_v128();
        emit_op(v128 ? IOp::DropV128 : IOp::DropOp, in.offset);
        pop(v128 ? 2 : 1);
        return;
      }
      case Opcode::Select:
      case Opcode::SelectT: {
        pop();  // the condition
        const bool v128 = top_is_v128();
        emit_op(v128 ? IOp::SelectV128 : IOp::SelectOp, in.offset);
        pop(v128 ? 2 : 1);
        return;
      }
      case Opcode::LocalGet:
        if (local_v128_[in.a]) {
          emit_op(IOp::LocalGetV128, in.offset);
        } else if (can_fuse() && (last_op_ == IOp::LocalGetOp || last_op_ == IOp::LocalSetOp ||
                                  last_op_ == IOp::LocalTeeOp)) {
          refuse(last_op_ == IOp::LocalGetOp   ? IOp::LocalGet2
                 : last_op_ == IOp::LocalSetOp ? IOp::LocalSetGet
                                               : IOp::LocalTeeGet);
        } else {
          emit_op(IOp::LocalGetOp, in.offset);
        }
        emit_imm(local_slot_[in.a]);
        push(local_v128_[in.a] ? 2 : 1);
        return;
      case Opcode::LocalSet:
      case Opcode::LocalTee: {
        const bool tee = in.op == Opcode::LocalTee;
        IOp to = can_fuse() ? to_local(last_op_, tee) : IOp::Count;
        if (to != IOp::Count) {
          refuse(to);  // the result goes straight to the local (a v128 never gets here)
        } else if (local_v128_[in.a]) {
          emit_op(tee ? IOp::LocalTeeV128 : IOp::LocalSetV128, in.offset);
        } else {
          emit_op(tee ? IOp::LocalTeeOp : IOp::LocalSetOp, in.offset);
        }
        emit_imm(local_slot_[in.a]);
        if (!tee) pop(local_v128_[in.a] ? 2 : 1);
        return;
      }
      case Opcode::GlobalGet: {
        const bool v128 = m_.global_type(in.a).type == ValType::V128;
        emit_op(v128 ? IOp::GlobalGetV128 : IOp::GlobalGetOp, in.offset);
        emit_imm(in.a);
        push(v128 ? 2 : 1);
        return;
      }
      case Opcode::GlobalSet: {
        const bool v128 = m_.global_type(in.a).type == ValType::V128;
        emit_op(v128 ? IOp::GlobalSetV128 : IOp::GlobalSetOp, in.offset);
        emit_imm(in.a);
        pop(v128 ? 2 : 1);
        return;
      }
      case Opcode::TableGet: emit_op(IOp::TableGetOp, in.offset); emit_imm(in.a); return;
      case Opcode::TableSet: emit_op(IOp::TableSetOp, in.offset); emit_imm(in.a); pop(2); return;
      case Opcode::TableSize: emit_op(IOp::TableSizeOp, in.offset); emit_imm(in.a); push(); return;
      case Opcode::TableGrow: emit_op(IOp::TableGrowOp, in.offset); emit_imm(in.a); pop(); return;
      case Opcode::TableFill: emit_op(IOp::TableFillOp, in.offset); emit_imm(in.a); pop(3); return;
      case Opcode::TableCopy:
        emit_op(IOp::TableCopyOp, in.offset); emit_imm(in.a); emit_imm(in.b); pop(3); return;
      case Opcode::TableInit:
        emit_op(IOp::TableInitOp, in.offset); emit_imm(in.a); emit_imm(in.b); pop(3); return;
      case Opcode::ElemDrop: emit_op(IOp::ElemDropOp, in.offset); emit_imm(in.a); return;
      case Opcode::MemoryInit:
        emit_op(IOp::MemoryInitOp, in.offset); emit_imm(in.a); emit_imm(in.b); pop(3); return;
      case Opcode::MemorySize: emit_op(IOp::MemorySize, in.offset); emit_imm(in.a); push(); return;
      case Opcode::MemoryGrow: emit_op(IOp::MemoryGrow, in.offset); emit_imm(in.a); return;
      case Opcode::MemoryFill: emit_op(IOp::MemoryFill, in.offset); emit_imm(in.a); pop(3); return;
      case Opcode::MemoryDiscard: emit_op(IOp::MemoryDiscard, in.offset); emit_imm(in.a); pop(2); return;
      case Opcode::MemoryCopy:
        emit_op(IOp::MemoryCopy, in.offset); emit_imm(in.a); emit_imm(in.b); pop(3); return;
      case Opcode::DataDrop: emit_op(IOp::DataDropOp, in.offset); emit_imm(in.a); return;
      case Opcode::RefNull: emit_op(IOp::Const, in.offset); emit_imm(0); push(); return;
      case Opcode::RefIsNull: emit_op(IOp::RefIsNullOp, in.offset); return;
      case Opcode::RefFunc: emit_op(IOp::RefFuncOp, in.offset); emit_imm(in.a); push(); return;
      case Opcode::I32Const:
        emit_op(IOp::Const, in.offset); emit_imm(static_cast<uint32_t>(in.imm)); push(); return;
      case Opcode::I64Const:
      case Opcode::F64Const: emit_op(IOp::Const, in.offset); emit_imm(in.imm); push(); return;
      case Opcode::F32Const:
        emit_op(IOp::Const, in.offset); emit_imm(static_cast<uint32_t>(in.imm)); push(); return;
      default: break;
    }
    if (is_simd(in.op)) {  // SimdOp: the function, then the immediates (interp/simd_exec.h)
      // On a 64-bit memory: the bounds compare, then the form taking 64-bit addresses.
      simd::OpFn fn = simd::op_function(in.op);
      if ((info->imm == ImmKind::MemArg || info->imm == ImmKind::MemArgLane) &&
          m_.memory_type(in.b).limits.is64) {
        // The address is the top slot, or below a v128 operand (a store's value, a lane
        // access's vector: two slots).
        emit_op(IOp::Mem64Check, in.offset);
        emit_imm(in.imm);
        emit_imm(info->mem_bytes);  // the access's width, also for splat, zero and lane forms
        emit_imm(info->params[1] == OpType::V128 ? 3 : 1);
        fn = simd::op_function_mem64(in.op);
      }
      emit_op(IOp::SimdOp, in.offset);
      emit_imm(reinterpret_cast<uint64_t>(fn));
      switch (info->imm) {
        case ImmKind::V128:
        case ImmKind::Shuffle:
          emit_imm(in.v128_low());
          emit_imm(in.v128_high());
          break;
        case ImmKind::Lane: emit_imm(in.lane); break;
        case ImmKind::MemArg:
          emit_imm(in.imm);
          emit_imm(in.b);
          break;
        case ImmKind::MemArgLane:
          emit_imm(in.imm);
          emit_imm(in.lane);
          emit_imm(in.b);
          break;
        default: break;
      }
      pop(pops_of(*info));
      push(slots_of(info->result));
      return;
    }
    // Simple operations: loads/stores carry their offset (and a memory index beyond
    // memory 1), others have no immediates.
    IOp op = iop_for(in.op);
    if (!fuse_simple(op, in)) {
      const bool access = info->imm == ImmKind::MemArg;
      const bool is64 = access && m_.memory_type(in.b).limits.is64;
      emit_op(access ? on_memory(in.op, in.b, is64) : op, in.offset);
      if (access) emit_imm(in.imm);
      if (access && (is64 || takes_memory_index(in.b))) emit_imm(in.b);
    }
    pop(pops_of(*info));
    if (info->result != OpType::V) push(slots_of(info->result));
  }

 public:
  std::vector<uint32_t> op_positions_;
  std::vector<uint32_t> target_positions_;

 private:
  const Module& m_;
  const FunctionBody& body_;
  const std::vector<uint32_t>& type_ids_;
  InterpCode out_;
  std::vector<Control> ctrl_;
  std::vector<uint32_t> local_slot_;  // first slot of each local (params first)
  std::vector<bool> local_v128_;      // whether each local is a v128
  std::vector<bool> high_half_;       // per slot below height_: the high half of a v128
  uint32_t height_ = 0;
  uint32_t max_height_ = 0;
  uint32_t dead_depth_ = 0;
  IOp last_op_ = IOp::Count;     // previous instruction (IOp::Count: none)
  uint32_t last_op_pos_ = 0;
  IOp prev_op_ = IOp::Count;     // the instruction before it (IOp::Count: none or unknown)
  uint32_t prev_op_pos_ = 0;
  uint32_t barrier_ = 0;         // position of the latest branch target
};

// Replaces op codes by handler addresses and slot indices by absolute slot pointers.
void finalize(InterpCode& code, const std::vector<uint32_t>& ops,
              const std::vector<uint32_t>& targets) {
  for (uint32_t p : ops) code.code[p].handler = handler_for(static_cast<IOp>(code.code[p].u64));
  Slot* base = code.code.data();
  for (uint32_t p : targets) code.code[p].target = base + code.code[p].u64;
}

}  // namespace

InterpCode translate_function(const Module& module, uint32_t defined_index,
                              const std::vector<uint32_t>& type_ids) {
  Translator t(module, defined_index, type_ids);
  InterpCode code = t.run();
  finalize(code, t.op_positions_, t.target_positions_);
  return code;
}

}  // namespace aperture
