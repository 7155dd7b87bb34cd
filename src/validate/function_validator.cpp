#include "validate/function_validator.h"

#include <algorithm>
#include <array>
#include <string>

#include "aperture/error.h"

namespace aperture {
namespace {

constexpr uint8_t vt_of(OpType t) {
  switch (t) {
    case OpType::I32: return 0x7F;
    case OpType::I64: return 0x7E;
    case OpType::F32: return 0x7D;
    case OpType::F64: return 0x7C;
    case OpType::V128: return 0x7B;
    default: return 0;
  }
}

}  // namespace

// What the validator needs per opcode, generated from opcodes.def at compile time and
// indexed densely (single-byte opcodes, then 0xFC, 0xFE and 0xFD sub-opcodes), so the per-instruction
// lookup is one array access instead of a call into the decoder's tables.
struct FunctionValidator::OpDesc {
  enum Kind : uint8_t { Unknown, Simple, MemArg, Special };
  Kind kind = Unknown;
  ImmKind imm = ImmKind::None;
  uint8_t num_pops = 0;
  uint8_t pops[3] = {0, 0, 0};  // bottom to top
  uint8_t push = 0;             // 0: nothing
  uint8_t mem_bytes = 0;
  bool atomic = false;  // 0xFE prefix: alignment must be exactly natural
  uint8_t lanes = 0;    // SIMD lane instructions: lanes of the shape (lane index < lanes)
};

namespace {

using OpDesc = FunctionValidator::OpDesc;

constexpr size_t kNumSingle = 256;
constexpr size_t kNumMisc = 32;
constexpr size_t kNumAtomic = 128;
constexpr size_t kSimdSlots = kNumSingle + kNumMisc + kNumAtomic;
constexpr size_t kUnknownSlot = kSimdSlots + kNumSimdOpcodes;

constexpr size_t desc_slot(uint16_t op) {
  if (op < kNumSingle) return op;
  if (op >= 0xFC00 && op < 0xFC00 + kNumMisc) return kNumSingle + (op - 0xFC00);
  if (op >= 0xFE00 && op < 0xFE00 + kNumAtomic) return kNumSingle + kNumMisc + (op - 0xFE00);
  if (op >= kSimdOpcodeBase && op < kSimdOpcodeBase + kNumSimdOpcodes)
    return kSimdSlots + (op - kSimdOpcodeBase);
  return kUnknownSlot;
}

constexpr std::array<OpDesc, kUnknownSlot + 1> make_descs() {
  std::array<OpDesc, kUnknownSlot + 1> d{};
#define WASM_OP(Name, Prefix, Code, Text, Imm, P0, P1, P2, R, Mem)                    \
  {                                                                                   \
    OpDesc& e = d[desc_slot(static_cast<uint16_t>(Opcode::Name))];                    \
    e.imm = ImmKind::Imm;                                                             \
    e.mem_bytes = Mem;                                                                \
    e.atomic = is_atomic(Opcode::Name);                                               \
    e.lanes = static_cast<uint8_t>(ImmKind::Imm == ImmKind::MemArgLane ? 16 / (Mem + 0)   \
                                                                     : lane_count(Text)); \
    if (OpType::P0 == OpType::X) {                                                    \
      e.kind = OpDesc::Special;                                                       \
    } else {                                                                          \
      e.kind = ImmKind::Imm == ImmKind::MemArg || ImmKind::Imm == ImmKind::MemArgLane \
                   ? OpDesc::MemArg                                                   \
                   : OpDesc::Simple;                                                  \
      for (OpType p : {OpType::P0, OpType::P1, OpType::P2})                           \
        if (p != OpType::V) e.pops[e.num_pops++] = vt_of(p);                          \
      e.push = vt_of(OpType::R);                                                      \
    }                                                                                 \
  }
#include "binary/opcodes.def"
#undef WASM_OP
  return d;
}

constexpr auto kDescs = make_descs();

const OpDesc& desc(Opcode op) { return kDescs[desc_slot(static_cast<uint16_t>(op))]; }

}  // namespace

bool FunctionValidator::subtype(VT a, VT b) const {
  return a == b || a == kUnknown || b == kUnknown ||
         ref_subtype(*c_.module, static_cast<ValType>(a), static_cast<ValType>(b));
}

void FunctionValidator::check_type(ValType t) const {
  if (is_ref(t) && is_concrete_heap(heap_type(t)) &&
      heap_type(t) - kHeapConcrete >= m_.types.size())
    fail("unknown type");
}

bool FunctionValidator::Types::operator==(const Types& o) const {
  if (size != o.size) return false;
  for (uint32_t i = 0; i < size; ++i)
    if (data[i] != o.data[i]) return false;
  return true;
}

void FunctionValidator::fail(const char* what) const { throw ValidationError(offset_, what); }

void FunctionValidator::fail_index(const char* what, uint32_t index) const {
  throw ValidationError(offset_, std::string(what) + " " + std::to_string(index));
}

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
  if (!subtype(actual, expect)) fail("type mismatch");
  return actual;
}

// Equivalent to the appendix's push_vals(pop_vals(ts)): slots missing below the frame
// height of unreachable code count as the unknown type.
void FunctionValidator::peek_all(Types ts) {
  const Ctrl& top = ctrls_.back();
  size_t pos = vals_.size();
  for (uint32_t i = ts.size; i-- > 0;) {
    if (pos == top.height) {
      if (top.unreachable) return;  // everything below is polymorphic
      fail("type mismatch");
    }
    VT actual = vals_[--pos];
    if (!subtype(actual, static_cast<VT>(ts.data[i]))) fail("type mismatch");
  }
}

void FunctionValidator::push_ctrl(Opcode op, Types in, Types out) {
  ctrls_.push_back(Ctrl{op, in, out, static_cast<uint32_t>(vals_.size()),
                        static_cast<uint32_t>(inits_.size()), false});
  push_all(in);
}

FunctionValidator::Ctrl FunctionValidator::pop_ctrl() {
  pop_all(ctrls_.back().end_types);
  if (vals_.size() != ctrls_.back().height) fail("type mismatch");
  Ctrl c = ctrls_.back();
  ctrls_.pop_back();
  reset_inits(c.init_height);
  return c;
}

void FunctionValidator::reset_inits(uint32_t height) {
  while (inits_.size() > height) {
    local_set_[inits_.back()] = 0;
    inits_.pop_back();
  }
}

void FunctionValidator::local_get(uint32_t index) {
  ValType t = local_type(index);
  if (track_inits_ && !local_set_[index]) fail("uninitialized local");
  push(t);
}

void FunctionValidator::local_set(uint32_t index) {
  local_type(index);
  if (track_inits_ && !local_set_[index]) {
    local_set_[index] = 1;
    inits_.push_back(index);
  }
}

ValType FunctionValidator::ref_operand() {
  VT t = pop();
  if (t != kUnknown && !is_ref(static_cast<ValType>(t))) fail("type mismatch");
  return static_cast<ValType>(t);
}

const FunctionValidator::Ctrl& FunctionValidator::label(uint32_t depth) const {
  if (depth >= ctrls_.size()) fail("unknown label");
  return ctrls_[ctrls_.size() - 1 - depth];
}

void FunctionValidator::set_unreachable() {
  vals_.resize(ctrls_.back().height);
  ctrls_.back().unreachable = true;
}

void FunctionValidator::need_memory(uint32_t index) const {
  if (index >= c_.num_memories) fail_index("unknown memory", index);
}

const TableType& FunctionValidator::need_table(uint32_t index) const {
  if (index >= c_.tables.size()) fail_index("unknown table", index);
  return c_.tables[index];
}

void FunctionValidator::need_data(uint32_t index) const {
  if (index >= c_.num_datas) fail_index("unknown data segment", index);
}

ValType FunctionValidator::need_elem(uint32_t index) const {
  if (index >= m_.elems.size()) fail_index("unknown elem segment", index);
  return m_.elems[index].type;
}

const GlobalType& FunctionValidator::need_global(uint32_t index) const {
  if (index >= c_.globals.size()) fail_index("unknown global", index);
  return c_.globals[index];
}

const FuncType& FunctionValidator::need_func(uint32_t index) const {
  if (!c_.has_func(index)) fail_index("unknown function", index);
  return *c_.funcs[index];
}

// A tail call's callee returns straight to this function's caller, so its results must be
// this function's (no subtyping among the value types Aperture has).
void FunctionValidator::tail_call_results(const FuncType& callee) const {
  // The callee's results must be subtypes of the caller's (3.0: (ref $t) for funcref).
  bool ok = callee.results.size() == type_->results.size();
  for (size_t i = 0; ok && i < callee.results.size(); ++i)
    ok = subtype(static_cast<VT>(callee.results[i]), static_cast<VT>(type_->results[i]));
  if (ok) return;
  auto list = [](const std::vector<ValType>& ts) {
    std::string text = "[";
    for (size_t i = 0; i < ts.size(); ++i) text += (i ? " " : "") + std::string(to_string(ts[i]));
    return text + "]";
  };
  throw ValidationError(offset_, "type mismatch: a tail call's callee returns " + list(callee.results) +
                                     " but the calling function returns " + list(type_->results) +
                                     " (they must be the same; use call then return to convert)");
}

ValType FunctionValidator::local_type(uint32_t index) const {
  size_t num_params = type_->params.size();
  if (index < num_params) return type_->params[index];
  if (index - num_params >= body_->num_locals) fail_index("unknown local", index);
  return body_->local_type(static_cast<uint32_t>(index - num_params));
}

void FunctionValidator::block_signature(const BlockType& bt, Types* in, Types* out) const {
  *in = {};
  *out = {};
  switch (bt.kind) {
    case BlockType::Kind::Empty: return;
    case BlockType::Kind::Value:
      check_type(bt.value);
      *out = {&bt.value, 1};  // the instruction outlives the frame
      return;
    case BlockType::Kind::TypeIndex: {
      if (bt.type_index >= m_.types.size()) fail("unknown type");
      const FuncType& ft = m_.types[bt.type_index];
      *in = types_of(ft.params);
      *out = types_of(ft.results);
      return;
    }
  }
}

void FunctionValidator::validate(uint32_t index) {
  body_ = &m_.bodies[index];
  type_ = c_.funcs[m_.num_imported_funcs + index];
  vals_.clear();
  ctrls_.clear();
  inits_.clear();
  offset_ = body_->offset;
  track_inits_ = false;
  for (const LocalDecl& d : body_->locals) {
    check_type(d.type);
    if (d.count != 0 && is_ref(d.type) && !is_nullable(d.type)) track_inits_ = true;
  }
  if (track_inits_) {
    // Params and defaultable locals start set; non-nullable references need a local.set.
    uint32_t num_params = static_cast<uint32_t>(type_->params.size());
    local_set_.assign(num_params + body_->num_locals, 1);
    uint32_t first = num_params;
    for (const LocalDecl& d : body_->locals) {
      if (is_ref(d.type) && !is_nullable(d.type))
        std::fill(local_set_.begin() + first, local_set_.begin() + first + d.count, 0);
      first += d.count;
    }
  }
  push_ctrl(Opcode::Block, {}, types_of(type_->results));
  for (const Instr& in : body_->code) {
    offset_ = in.offset;
    // The decoder guarantees balanced bodies; hand-built modules may not be.
    if (ctrls_.empty()) fail("operators remaining after end of function");
    instruction(in);
  }
  if (!ctrls_.empty()) fail("END opcode expected");
}

void FunctionValidator::simple(const OpDesc& d) {
  for (uint32_t i = d.num_pops; i-- > 0;) pop(d.pops[i]);
  if (d.push) push(d.push);
}

void FunctionValidator::memory_access(const Instr& in, const OpDesc& d) {
  need_memory(in.b);
  if (in.a >= 32 || (uint64_t{1} << in.a) > d.mem_bytes)
    fail("alignment must not be larger than natural");
  if (d.atomic && (uint64_t{1} << in.a) != d.mem_bytes) fail("atomic alignment must be natural");
  if (d.imm == ImmKind::MemArgLane && in.lane >= d.lanes) fail("invalid lane index");
  if (!c_.memory64[in.b] && in.imm > 0xFFFFFFFFull) fail("offset out of range");
  // The address (the first operand) has the memory's index type: i64 on a 64-bit memory.
  for (uint32_t i = d.num_pops; i-- > 1;) pop(d.pops[i]);
  if (d.num_pops) pop(address_type(in.b));
  if (d.push) push(d.push);
}

ValType FunctionValidator::address_type(uint32_t memory) const {
  return c_.memory64[memory] ? ValType::I64 : ValType::I32;
}

ValType FunctionValidator::table_index_type(uint32_t table) const {
  return c_.tables[table].limits.is64 ? ValType::I64 : ValType::I32;
}

// Memory and table instructions whose addresses, sizes and results take the index type of
// their memory or table (memory64, table64). Immediates are already checked. false: `in`
// is not one of them.
bool FunctionValidator::index_typed(const Instr& in) {
  switch (in.op) {
    case Opcode::MemorySize: push(address_type(in.a)); return true;
    case Opcode::MemoryGrow: {
      ValType at = address_type(in.a);
      pop(at);
      push(at);
      return true;
    }
    case Opcode::MemoryFill: {  // [at i32 at]
      ValType at = address_type(in.a);
      pop(at);
      pop(ValType::I32);
      pop(at);
      return true;
    }
    case Opcode::MemoryDiscard: {  // [at at]
      ValType at = address_type(in.a);
      pop(at);
      pop(at);
      return true;
    }
    case Opcode::MemoryCopy: {  // [dst_at src_at min(dst_at, src_at)]
      ValType dst = address_type(in.a), src = address_type(in.b);
      pop(dst == ValType::I64 && src == ValType::I64 ? ValType::I64 : ValType::I32);
      pop(src);
      pop(dst);
      return true;
    }
    case Opcode::MemoryInit:  // [at i32 i32]
      pop(ValType::I32);
      pop(ValType::I32);
      pop(address_type(in.b));
      return true;
    case Opcode::TableSize: push(table_index_type(in.a)); return true;
    case Opcode::TableCopy: {  // [dst_it src_it min(dst_it, src_it)]
      ValType dst = table_index_type(in.a), src = table_index_type(in.b);
      pop(dst == ValType::I64 && src == ValType::I64 ? ValType::I64 : ValType::I32);
      pop(src);
      pop(dst);
      return true;
    }
    case Opcode::TableInit:  // [it i32 i32]
      pop(ValType::I32);
      pop(ValType::I32);
      pop(table_index_type(in.b));
      return true;
    default: return false;
  }
}

void FunctionValidator::control(const Instr& in) {
  switch (in.op) {
    case Opcode::Block:
    case Opcode::Loop:
    case Opcode::If: {
      Types params, results;
      block_signature(in.block, &params, &results);
      if (in.op == Opcode::If) pop(ValType::I32);
      pop_all(params);
      push_ctrl(in.op, params, results);
      return;
    }
    case Opcode::Else: {
      if (ctrls_.back().op != Opcode::If) fail("else without matching if");
      Ctrl c = pop_ctrl();  // also unsets the locals the then-branch set
      push_ctrl(Opcode::Else, c.start_types, c.end_types);
      return;
    }
    case Opcode::End: {
      Ctrl c = pop_ctrl();
      // `if` without `else` has an implicit empty else branch: [t1*] -> [t2*] needs t1* = t2*.
      if (c.op == Opcode::If) {
        if (c.start_types.size != c.end_types.size) fail("type mismatch");
        for (uint32_t i = 0; i < c.start_types.size; ++i)
          if (!subtype(static_cast<VT>(c.start_types.data[i]), static_cast<VT>(c.end_types.data[i])))
            fail("type mismatch");
      }
      push_all(c.end_types);
      return;
    }
    case Opcode::Br:
      pop_all(label_types(label(in.a)));
      set_unreachable();
      return;
    case Opcode::BrIf: {
      pop(ValType::I32);
      Types types = label_types(label(in.a));
      pop_all(types);
      push_all(types);
      return;
    }
    case Opcode::BrTable: br_table(in); return;
    case Opcode::Return:
      pop_all(types_of(type_->results));
      set_unreachable();
      return;
    default: return;
  }
}

void FunctionValidator::br_table(const Instr& in) {
  const std::vector<uint32_t>& targets = body_->br_table_targets;
  if (uint64_t{in.a} + in.b >= targets.size()) fail("unknown label");
  pop(ValType::I32);
  Types default_types = label_types(label(targets[in.a + in.b]));
  for (uint32_t k = 0; k < in.b; ++k) {
    Types types = label_types(label(targets[in.a + k]));
    if (types.size != default_types.size) fail("type mismatch");
    peek_all(types);
  }
  pop_all(default_types);
  set_unreachable();
}

// Index immediates of the table-driven ("simple") instructions, checked by their shape.
void FunctionValidator::immediates(const Instr& in, const OpDesc& d) {
  switch (d.imm) {
    case ImmKind::MemIdx: need_memory(in.a); return;
    case ImmKind::MemMem:
      need_memory(in.a);
      need_memory(in.b);
      return;
    case ImmKind::DataMem:  // memory.init needs memory 0 before the segment is looked at
      need_memory(in.b);
      need_data(in.a);
      return;
    case ImmKind::DataIdx: need_data(in.a); return;
    case ImmKind::ElemIdx: need_elem(in.a); return;
    case ImmKind::TableIdx: need_table(in.a); return;
    case ImmKind::ElemTable: {
      ValType table = need_table(in.b).elem;
      if (!subtype(static_cast<VT>(need_elem(in.a)), static_cast<VT>(table))) fail("type mismatch");
      return;
    }
    case ImmKind::TableTable: {
      ValType dst = need_table(in.a).elem;
      if (!subtype(static_cast<VT>(need_table(in.b).elem), static_cast<VT>(dst)))
        fail("type mismatch");
      return;
    }
    case ImmKind::Lane:
      if (in.lane >= d.lanes) fail("invalid lane index");
      return;
    case ImmKind::Shuffle:
      for (uint64_t half : {in.v128_low(), in.v128_high()})
        for (int i = 0; i < 8; ++i)
          if (((half >> (8 * i)) & 0xFF) >= 32) fail("invalid lane index");
      return;
    default: return;
  }
}

void FunctionValidator::instruction(const Instr& in) {
  const OpDesc& d = desc(in.op);
  switch (d.kind) {
    case OpDesc::Simple:
      if (d.imm != ImmKind::None) {
        immediates(in, d);
        if (index_typed(in)) return;
      }
      return simple(d);
    case OpDesc::MemArg: return memory_access(in, d);
    case OpDesc::Unknown: fail("illegal opcode");
    case OpDesc::Special: break;
  }
  switch (in.op) {
    case Opcode::Unreachable: set_unreachable(); return;
    case Opcode::Block:
    case Opcode::Loop:
    case Opcode::If:
    case Opcode::Else:
    case Opcode::End:
    case Opcode::Br:
    case Opcode::BrIf:
    case Opcode::BrTable:
    case Opcode::Return: control(in); return;
    case Opcode::Call: {
      const FuncType& t = need_func(in.a);
      pop_all(types_of(t.params));
      push_all(types_of(t.results));
      return;
    }
    case Opcode::CallIndirect: {
      if (!subtype(static_cast<VT>(need_table(in.b).elem), static_cast<VT>(ValType::FuncRef)))
        fail("type mismatch");
      if (in.a >= m_.types.size()) fail("unknown type");
      const FuncType& t = m_.types[in.a];
      pop(table_index_type(in.b));
      pop_all(types_of(t.params));
      push_all(types_of(t.results));
      return;
    }
    // A tail call returns the callee's results as this function's own: they must match.
    case Opcode::ReturnCall: {
      const FuncType& t = need_func(in.a);
      tail_call_results(t);
      pop_all(types_of(t.params));
      set_unreachable();
      return;
    }
    case Opcode::ReturnCallIndirect: {
      if (!subtype(static_cast<VT>(need_table(in.b).elem), static_cast<VT>(ValType::FuncRef)))
        fail("type mismatch");
      if (in.a >= m_.types.size()) fail("unknown type");
      const FuncType& t = m_.types[in.a];
      tail_call_results(t);
      pop(table_index_type(in.b));
      pop_all(types_of(t.params));
      set_unreachable();
      return;
    }
    case Opcode::Drop: pop(); return;
    case Opcode::Select: {
      // Without an annotation only number and vector types may be selected (no subtyping
      // needed).
      pop(ValType::I32);
      VT t1 = pop();
      VT t2 = pop();
      auto numeric = [](VT t) {
        return t == kUnknown || is_num(static_cast<ValType>(t)) ||
               t == static_cast<VT>(ValType::V128);
      };
      if (!numeric(t1) || !numeric(t2)) fail("type mismatch");
      if (t1 != t2 && t1 != kUnknown && t2 != kUnknown) fail("type mismatch");
      push(t1 == kUnknown ? t2 : t1);
      return;
    }
    case Opcode::SelectT: {
      if (in.a != 1) fail("invalid result arity");
      ValType t = static_cast<ValType>(in.b);
      check_type(t);
      pop(ValType::I32);
      pop(t);
      pop(t);
      push(t);
      return;
    }
    case Opcode::LocalGet: local_get(in.a); return;
    case Opcode::LocalSet:
      pop(local_type(in.a));
      local_set(in.a);
      return;
    case Opcode::LocalTee: {
      ValType t = local_type(in.a);
      pop(t);
      local_set(in.a);
      push(t);
      return;
    }
    case Opcode::GlobalGet: push(need_global(in.a).type); return;
    case Opcode::GlobalSet: {
      const GlobalType& g = need_global(in.a);
      if (!g.mut) fail("global is immutable");
      pop(g.type);
      return;
    }
    case Opcode::TableGet: {
      ValType elem = need_table(in.a).elem;
      pop(table_index_type(in.a));
      push(elem);
      return;
    }
    case Opcode::TableSet: {
      ValType elem = need_table(in.a).elem;
      pop(elem);
      pop(table_index_type(in.a));
      return;
    }
    case Opcode::TableGrow: {
      ValType elem = need_table(in.a).elem;
      ValType it = table_index_type(in.a);
      pop(it);
      pop(elem);
      push(it);
      return;
    }
    case Opcode::TableFill: {
      ValType elem = need_table(in.a).elem;
      ValType it = table_index_type(in.a);
      pop(it);
      pop(elem);
      pop(it);
      return;
    }
    case Opcode::RefNull:
      if (!is_ref(static_cast<ValType>(in.a))) fail("malformed reference type");
      check_type(static_cast<ValType>(in.a));
      push(static_cast<ValType>(in.a));
      return;
    case Opcode::RefIsNull: {
      VT t = pop();
      if (t != kUnknown && !is_ref(static_cast<ValType>(t))) fail("type mismatch");
      push(ValType::I32);
      return;
    }
    case Opcode::RefFunc:
      need_func(in.a);
      if (!c_.is_declared(in.a)) fail("undeclared function reference");
      push(make_ref(false, kHeapConcrete + m_.func_type_index(in.a)));
      return;
    case Opcode::CallRef: {
      if (in.a >= m_.types.size()) fail("unknown type");
      const FuncType& t = m_.types[in.a];
      pop(make_ref(true, kHeapConcrete + in.a));
      pop_all(types_of(t.params));
      push_all(types_of(t.results));
      return;
    }
    case Opcode::ReturnCallRef: {
      if (in.a >= m_.types.size()) fail("unknown type");
      const FuncType& t = m_.types[in.a];
      tail_call_results(t);
      pop(make_ref(true, kHeapConcrete + in.a));
      pop_all(types_of(t.params));
      set_unreachable();
      return;
    }
    case Opcode::RefAsNonNull: {
      ValType t = ref_operand();
      push(t == static_cast<ValType>(kUnknown) ? kUnknown : static_cast<VT>(make_ref(false, heap_type(t))));
      return;
    }
    case Opcode::BrOnNull: {
      const Ctrl& l = label(in.a);
      ValType t = ref_operand();
      Types types = label_types(l);
      pop_all(types);
      push_all(types);
      push(t == static_cast<ValType>(kUnknown) ? kUnknown : static_cast<VT>(make_ref(false, heap_type(t))));
      return;
    }
    case Opcode::BrOnNonNull: {
      // The label takes [t* (ref ht)]: the non-null reference goes along the branch.
      Types types = label_types(label(in.a));
      if (types.size == 0 || !is_ref(types.data[types.size - 1])) fail("type mismatch");
      ValType t = ref_operand();
      if (t != static_cast<ValType>(kUnknown) &&
          !subtype(static_cast<VT>(make_ref(false, heap_type(t))),
                   static_cast<VT>(types.data[types.size - 1])))
        fail("type mismatch");
      Types rest{types.data, types.size - 1};
      pop_all(rest);
      push_all(rest);
      return;
    }
    default: break;
  }
  fail("illegal opcode");
}

}  // namespace aperture
