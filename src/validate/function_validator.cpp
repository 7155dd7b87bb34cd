#include "validate/function_validator.h"

#include <string>

#include "aperture/error.h"

namespace aperture {

void FunctionValidator::fail(const std::string& what) const { throw ValidationError(offset_, what); }

FunctionValidator::VT FunctionValidator::pop() {
  const Ctrl& top = ctrls_.back();
  if (vals_.size() == top.height) {
    if (top.unreachable) return kUnknown;
    fail("type mismatch");
  }
  VT t = vals_.back();
  vals_.pop_back();
  return t;
}

FunctionValidator::VT FunctionValidator::pop(VT expect) {
  VT actual = pop();
  if (actual != expect && actual != kUnknown && expect != kUnknown) fail("type mismatch");
  return actual;
}

void FunctionValidator::push_ctrl(Opcode op, std::vector<ValType> in, std::vector<ValType> out) {
  ctrls_.push_back(Ctrl{op, std::move(in), std::move(out), vals_.size(), false});
  push_all(ctrls_.back().start_types);
}

FunctionValidator::Ctrl FunctionValidator::pop_ctrl() {
  if (ctrls_.empty()) fail("unexpected end");
  pop_all(ctrls_.back().end_types);
  if (vals_.size() != ctrls_.back().height) fail("type mismatch");
  Ctrl c = std::move(ctrls_.back());
  ctrls_.pop_back();
  return c;
}

const FunctionValidator::Ctrl& FunctionValidator::label(uint32_t depth) const {
  if (depth >= ctrls_.size()) fail("unknown label");
  return ctrls_[ctrls_.size() - 1 - depth];
}

void FunctionValidator::set_unreachable() {
  vals_.resize(ctrls_.back().height);
  ctrls_.back().unreachable = true;
}

void FunctionValidator::need_memory(uint32_t index) {
  if (index >= m_.num_memories()) fail("unknown memory " + std::to_string(index));
}
void FunctionValidator::need_table(uint32_t index) {
  if (index >= m_.num_tables()) fail("unknown table " + std::to_string(index));
}
void FunctionValidator::need_data(uint32_t index) {
  if (!m_.data_count || index >= *m_.data_count)
    fail("unknown data segment " + std::to_string(index));
}
void FunctionValidator::need_elem(uint32_t index) {
  if (index >= m_.elems.size()) fail("unknown elem segment " + std::to_string(index));
}

ValType FunctionValidator::local_type(uint32_t index) {
  if (index < type_->params.size()) return type_->params[index];
  index -= static_cast<uint32_t>(type_->params.size());
  if (index >= body_->local_types.size()) fail("unknown local " + std::to_string(index));
  return body_->local_types[index];
}

void FunctionValidator::block_signature(const BlockType& bt, std::vector<ValType>* in,
                                        std::vector<ValType>* out) {
  in->clear();
  out->clear();
  switch (bt.kind) {
    case BlockType::Kind::Empty: return;
    case BlockType::Kind::Value: out->push_back(bt.value); return;
    case BlockType::Kind::TypeIndex:
      if (bt.type_index >= m_.types.size()) fail("unknown type");
      *in = m_.types[bt.type_index].params;
      *out = m_.types[bt.type_index].results;
      return;
  }
}

void FunctionValidator::validate(uint32_t index) {
  body_ = &m_.bodies[index];
  if (m_.funcs[index] >= m_.types.size()) {
    offset_ = body_->offset;
    fail("unknown type");
  }
  type_ = &m_.types[m_.funcs[index]];
  vals_.clear();
  ctrls_.clear();
  push_ctrl(Opcode::Block, {}, type_->results);
  for (const Instr& in : body_->code) {
    offset_ = in.offset;
    if (ctrls_.empty()) fail("operators remaining after end of function");
    instruction(in);
  }
  if (!ctrls_.empty()) fail("END opcode expected");
}

void FunctionValidator::simple(const OpcodeInfo& info) {
  for (int i = 2; i >= 0; --i) {
    if (info.params[i] == OpType::V) continue;
    pop(*to_valtype(info.params[i]));
  }
  if (info.result != OpType::V) push(*to_valtype(info.result));
}

void FunctionValidator::memory_access(const Instr& in, const OpcodeInfo& info) {
  need_memory(in.b);
  if (in.a >= 32 || (1ull << in.a) > info.mem_bytes)
    fail("alignment must not be larger than natural");
  simple(info);
}

void FunctionValidator::instruction(const Instr& in) {
  const OpcodeInfo& info = *opcode_info(in.op);
  if (info.imm == ImmKind::MemArg) return memory_access(in, info);
  switch (in.op) {
    case Opcode::Unreachable: set_unreachable(); return;
    case Opcode::Nop: return;
    case Opcode::Block:
    case Opcode::Loop:
    case Opcode::If: {
      std::vector<ValType> params, results;
      block_signature(in.block, &params, &results);
      if (in.op == Opcode::If) pop(ValType::I32);
      pop_all(params);
      push_ctrl(in.op, std::move(params), std::move(results));
      return;
    }
    case Opcode::Else: {
      if (ctrls_.back().op != Opcode::If) fail("else without matching if");
      Ctrl c = pop_ctrl();
      push_ctrl(Opcode::Else, std::move(c.start_types), std::move(c.end_types));
      return;
    }
    case Opcode::End: {
      Ctrl c = pop_ctrl();
      if (c.op == Opcode::If && c.start_types != c.end_types) fail("type mismatch");
      push_all(c.end_types);
      return;
    }
    case Opcode::Br: {
      pop_all(label_types(label(in.a)));
      set_unreachable();
      return;
    }
    case Opcode::BrIf: {
      pop(ValType::I32);
      const std::vector<ValType> types = label_types(label(in.a));
      pop_all(types);
      push_all(types);
      return;
    }
    case Opcode::BrTable: {
      pop(ValType::I32);
      uint32_t default_depth = body_->br_table_targets[in.a + in.b];
      size_t arity = label_types(label(default_depth)).size();
      for (uint32_t k = 0; k < in.b; ++k) {
        const std::vector<ValType> types = label_types(label(body_->br_table_targets[in.a + k]));
        if (types.size() != arity) fail("type mismatch");
        // Check the operands against this label without consuming them.
        std::vector<VT> popped;
        for (size_t i = types.size(); i-- > 0;) popped.push_back(pop(types[i]));
        for (size_t i = popped.size(); i-- > 0;) push(popped[i]);
      }
      pop_all(label_types(label(default_depth)));
      set_unreachable();
      return;
    }
    case Opcode::Return:
      pop_all(type_->results);
      set_unreachable();
      return;
    case Opcode::Call: {
      if (in.a >= m_.num_funcs()) fail("unknown function " + std::to_string(in.a));
      const FuncType& t = m_.func_type(in.a);
      pop_all(t.params);
      push_all(t.results);
      return;
    }
    case Opcode::CallIndirect: {
      need_table(in.b);
      if (m_.table_type(in.b).elem != ValType::FuncRef) fail("type mismatch");
      if (in.a >= m_.types.size()) fail("unknown type");
      const FuncType& t = m_.types[in.a];
      pop(ValType::I32);
      pop_all(t.params);
      push_all(t.results);
      return;
    }
    case Opcode::Drop: pop(); return;
    case Opcode::Select: {
      pop(ValType::I32);
      VT t1 = pop();
      VT t2 = pop();
      auto numeric = [](VT t) { return t == kUnknown || is_num(static_cast<ValType>(t)); };
      if (!numeric(t1) || !numeric(t2)) fail("type mismatch");
      if (t1 != t2 && t1 != kUnknown && t2 != kUnknown) fail("type mismatch");
      push(t1 == kUnknown ? t2 : t1);
      return;
    }
    case Opcode::SelectT: {
      if (in.a != 1) fail("invalid result arity");
      ValType t = static_cast<ValType>(in.b);
      pop(ValType::I32);
      pop(t);
      pop(t);
      push(t);
      return;
    }
    case Opcode::LocalGet: push(local_type(in.a)); return;
    case Opcode::LocalSet: pop(local_type(in.a)); return;
    case Opcode::LocalTee: {
      ValType t = local_type(in.a);
      pop(t);
      push(t);
      return;
    }
    case Opcode::GlobalGet:
      if (in.a >= m_.num_globals()) fail("unknown global " + std::to_string(in.a));
      push(m_.global_type(in.a).type);
      return;
    case Opcode::GlobalSet: {
      if (in.a >= m_.num_globals()) fail("unknown global " + std::to_string(in.a));
      GlobalType g = m_.global_type(in.a);
      if (!g.mut) fail("global is immutable");
      pop(g.type);
      return;
    }
    case Opcode::TableGet:
      need_table(in.a);
      pop(ValType::I32);
      push(m_.table_type(in.a).elem);
      return;
    case Opcode::TableSet:
      need_table(in.a);
      pop(m_.table_type(in.a).elem);
      pop(ValType::I32);
      return;
    case Opcode::TableSize: need_table(in.a); push(ValType::I32); return;
    case Opcode::TableGrow:
      need_table(in.a);
      pop(ValType::I32);
      pop(m_.table_type(in.a).elem);
      push(ValType::I32);
      return;
    case Opcode::TableFill:
      need_table(in.a);
      pop(ValType::I32);
      pop(m_.table_type(in.a).elem);
      pop(ValType::I32);
      return;
    case Opcode::TableCopy:
      need_table(in.a);
      need_table(in.b);
      if (m_.table_type(in.a).elem != m_.table_type(in.b).elem) fail("type mismatch");
      simple(info);
      return;
    case Opcode::TableInit:
      need_table(in.b);
      need_elem(in.a);
      if (m_.table_type(in.b).elem != m_.elems[in.a].type) fail("type mismatch");
      simple(info);
      return;
    case Opcode::ElemDrop: need_elem(in.a); return;
    case Opcode::MemorySize:
    case Opcode::MemoryGrow:
    case Opcode::MemoryFill: need_memory(0); simple(info); return;
    case Opcode::MemoryCopy: need_memory(in.a); need_memory(in.b); simple(info); return;
    case Opcode::MemoryInit: need_memory(in.b); need_data(in.a); simple(info); return;
    case Opcode::DataDrop: need_data(in.a); return;
    case Opcode::RefNull: push(static_cast<ValType>(in.a)); return;
    case Opcode::RefIsNull: {
      VT t = pop();
      if (t != kUnknown && !is_ref(static_cast<ValType>(t))) fail("type mismatch");
      push(ValType::I32);
      return;
    }
    case Opcode::RefFunc:
      if (in.a >= m_.num_funcs()) fail("unknown function " + std::to_string(in.a));
      if (!declared_refs_.count(in.a)) fail("undeclared function reference");
      push(ValType::FuncRef);
      return;
    default:
      simple(info);
      return;
  }
}

}  // namespace aperture
