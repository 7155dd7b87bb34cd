// Module-level rules (spec 3.4): index spaces, limits, constant expressions, segments,
// start function, exports; then every function body. The order of the checks follows
// the reference interpreter so that a module with several errors reports the same one.
#include "validate/validator.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "aperture/error.h"
#include "validate/context.h"
#include "validate/function_validator.h"

namespace aperture {
namespace {

constexpr uint64_t kMaxTableSize = 0xFFFFFFFFull;  // 2^32 - 1 elements
constexpr uint64_t kMaxMemory64Pages = 1ull << 48;  // 2^64 bytes in 64 KiB pages

class ModuleValidator {
 public:
  ModuleValidator(const Module& m, const Features& features) : m_(m), features_(features) {
    c_.module = &m;
  }

  void run() {
    if (m_.bodies.size() != m_.funcs.size())
      fail(0, "function and code section have inconsistent lengths");
    for (const FuncType& t : m_.types) {
      for (ValType p : t.params) value_type(p, 0);
      for (ValType r : t.results) value_type(r, 0);
    }
    build_context();
    for (size_t i = 0; i < m_.tables.size(); ++i) {
      uint64_t at = offset_of(m_.table_offsets, i);
      table_type(m_.tables[i], at);
      table_init(m_.tables[i], i < m_.table_inits.size() ? &m_.table_inits[i] : nullptr, at);
    }
    for (size_t i = 0; i < m_.memories.size(); ++i)
      memory_limits(m_.memories[i].limits, offset_of(m_.memory_offsets, i));
    // A global's initialiser sees the imported globals and the globals defined before it.
    for (size_t i = 0; i < m_.globals.size(); ++i) {
      value_type(m_.globals[i].type.type, m_.globals[i].init.offset);
      const_expr(m_.globals[i].init, m_.globals[i].type.type,
                 c_.num_imported_globals + static_cast<uint32_t>(i));
    }
    for (const ElemSegment& s : m_.elems) elem(s);
    for (const DataSegment& d : m_.datas) data(d);
    FunctionValidator fv(c_);
    for (uint32_t i = 0; i < m_.bodies.size(); ++i) fv.validate(i);
    start();
    exports();
    if (c_.num_memories > 1 && !features_.multi_memory)
      fail(second_memory_offset(), "multiple memories");
  }

 private:
  [[noreturn]] void fail(uint64_t offset, const std::string& what) const {
    throw ValidationError(offset, what);
  }

  const FuncType* type_at(uint32_t index, uint64_t offset) const {
    if (index >= m_.types.size()) fail(offset, "unknown type");
    return &m_.types[index];
  }

  // The context C: imports first in every index space. Checks import descriptions on
  // the way, since their types feed the index spaces.
  void build_context() {
    c_.funcs.reserve(m_.num_funcs());
    c_.tables.reserve(m_.num_tables());
    c_.globals.reserve(m_.num_globals());
    for (const Import& imp : m_.imports) {
      switch (imp.kind) {
        case ExternKind::Func: c_.funcs.push_back(type_at(imp.func_type, imp.offset)); break;
        case ExternKind::Table:
          table_type(imp.table, imp.offset);
          c_.tables.push_back(imp.table);
          break;
        case ExternKind::Memory:
          memory_limits(imp.memory.limits, imp.offset);
          ++c_.num_memories;
          c_.memory64.push_back(imp.memory.limits.is64);
          break;
        case ExternKind::Global:
          value_type(imp.global.type, imp.offset);
          c_.globals.push_back(imp.global);
          break;
      }
    }
    c_.num_imported_globals = static_cast<uint32_t>(c_.globals.size());
    for (size_t i = 0; i < m_.funcs.size(); ++i)
      c_.funcs.push_back(type_at(m_.funcs[i], m_.bodies[i].offset));
    for (const TableType& t : m_.tables) c_.tables.push_back(t);
    c_.num_memories += static_cast<uint32_t>(m_.memories.size());
    for (const MemoryType& mt : m_.memories) c_.memory64.push_back(mt.limits.is64);
    for (const GlobalDef& g : m_.globals) c_.globals.push_back(g.type);
    c_.num_datas = static_cast<uint32_t>(m_.datas.size());
    collect_declared_refs();
  }

  // C.refs: the functions referenced anywhere outside function bodies (globals, element
  // segments, exports) are the only ones `ref.func` may name inside a body.
  void collect_declared_refs() {
    c_.declared.assign(c_.funcs.size(), 0);
    auto declare = [&](uint32_t f) {
      if (f < c_.declared.size()) c_.declared[f] = 1;
    };
    auto scan = [&](const ConstExpr& e) {
      for (const Instr& in : e.code)
        if (in.op == Opcode::RefFunc) declare(in.a);
    };
    for (const GlobalDef& g : m_.globals) scan(g.init);
    for (const ElemSegment& s : m_.elems) {
      scan(s.offset);
      for (const ConstExpr& item : s.items) scan(item);
    }
    for (const DataSegment& d : m_.datas) scan(d.offset);
    for (const ConstExpr& e : m_.table_inits) scan(e);
    for (const Export& e : m_.exports)
      if (e.kind == ExternKind::Func) declare(e.index);
  }

  // Limits: both bounds within `range`, then min <= max.
  void limits(const Limits& l, uint64_t range, const char* too_large, uint64_t offset) const {
    if (l.min > range) fail(offset, too_large);
    if (!l.max) return;
    if (*l.max > range) fail(offset, too_large);
    if (l.min > *l.max) fail(offset, "size minimum must not be greater than maximum");
  }
  // A reference type's type index must exist (3.0 function references).
  void value_type(ValType t, uint64_t offset) const {
    if (is_ref(t) && is_concrete_heap(heap_type(t)) &&
        heap_type(t) - kHeapConcrete >= m_.types.size())
      fail(offset, "unknown type");
  }
  // A table of non-nullable references needs an initialiser; one that has it, of its type.
  void table_init(const TableType& t, const ConstExpr* init, uint64_t offset) const {
    // Tables precede globals: an initialiser sees the imported globals only.
    if (init && !init->code.empty()) return const_expr(*init, t.elem, c_.num_imported_globals);
    if (!is_nullable(t.elem)) fail(offset, "type mismatch");
  }
  void table_type(const TableType& t, uint64_t offset) const {
    if (!is_ref(t.elem)) fail(offset, "malformed reference type");
    value_type(t.elem, offset);
    // A 64-bit table's limits may use the whole u64 range (table64).
    if (!t.limits.is64)
      limits(t.limits, kMaxTableSize, "table size must be at most 2^32-1", offset);
    else
      limits(t.limits, ~0ull, "table size must be at most 2^64-1", offset);
  }
  void memory_limits(const Limits& l, uint64_t offset) const {
    if (l.is64)
      limits(l, kMaxMemory64Pages, "memory size must be at most 2^48 pages (16 EiB) for a 64-bit memory",
             offset);
    else
      limits(l, kMaxMemoryPages, "memory size must be at most 65536 pages (4GiB)", offset);
    if (l.shared && !l.max) fail(offset, "shared memory must have maximum");
  }

  // A constant expression leaves exactly one value of type `want`. In 2.0 it is one
  // constant instruction: t.const, ref.null, ref.func, or global.get of an imported
  // immutable global. With extended constants (3.0) it may also use i32/i64 add, sub and
  // mul, and global.get of any immutable global among the first `visible_globals`.
  void const_expr(const ConstExpr& e, ValType want, uint32_t visible_globals = UINT32_MAX) const {
    const bool extended = features_.extended_const;
    for (const Instr& in : e.code)
      if (!is_constant(in) && !(extended && is_constant_arith(in)))
        fail(in.offset, "constant expression required");
    if (!extended) {
      // Zero or several constants leave the wrong number of values on the stack.
      if (e.code.size() != 1) fail(e.offset, "type mismatch");
      const Instr& in = e.code[0];
      if (!is_subtype(m_, const_type(in, c_.num_imported_globals), want))
        fail(in.offset, "type mismatch");
      return;
    }
    const uint32_t globals = std::min<uint32_t>(visible_globals, static_cast<uint32_t>(c_.globals.size()));
    std::vector<ValType> stack;
    for (const Instr& in : e.code) {
      if (!is_constant_arith(in)) {
        stack.push_back(const_type(in, globals));
        continue;
      }
      ValType t = (in.op == Opcode::I32Add || in.op == Opcode::I32Sub || in.op == Opcode::I32Mul)
                      ? ValType::I32 : ValType::I64;
      if (stack.size() < 2 || stack.back() != t || stack[stack.size() - 2] != t)
        fail(in.offset, "type mismatch");
      stack.pop_back();
    }
    if (stack.size() != 1 || !is_subtype(m_, stack[0], want)) fail(e.offset, "type mismatch");
  }

  static bool is_constant(const Instr& in) {
    switch (in.op) {
      case Opcode::I32Const:
      case Opcode::I64Const:
      case Opcode::F32Const:
      case Opcode::F64Const:
      case Opcode::V128Const:
      case Opcode::RefNull:
      case Opcode::RefFunc:
      case Opcode::GlobalGet: return true;
      default: return false;
    }
  }
  // The arithmetic extended constant expressions allow (each pops two, pushes one).
  static bool is_constant_arith(const Instr& in) {
    switch (in.op) {
      case Opcode::I32Add: case Opcode::I32Sub: case Opcode::I32Mul:
      case Opcode::I64Add: case Opcode::I64Sub: case Opcode::I64Mul: return true;
      default: return false;
    }
  }

  // The result type of constant instruction `in`, checking its immediate; `global.get`
  // may read the first `visible_globals` globals.
  ValType const_type(const Instr& in, uint32_t visible_globals) const {
    switch (in.op) {
      case Opcode::I64Const: return ValType::I64;
      case Opcode::F32Const: return ValType::F32;
      case Opcode::F64Const: return ValType::F64;
      case Opcode::V128Const: return ValType::V128;
      case Opcode::RefNull:
        if (!is_ref(static_cast<ValType>(in.a))) fail(in.offset, "malformed reference type");
        value_type(static_cast<ValType>(in.a), in.offset);
        return static_cast<ValType>(in.a);
      case Opcode::RefFunc:
        if (!c_.has_func(in.a)) fail(in.offset, "unknown function " + std::to_string(in.a));
        return make_ref(false, kHeapConcrete + m_.func_type_index(in.a));
      case Opcode::GlobalGet: {
        if (in.a >= visible_globals) fail(in.offset, "unknown global " + std::to_string(in.a));
        const GlobalType& g = c_.globals[in.a];
        if (g.mut) fail(in.offset, "constant expression required");
        return g.type;
      }
      default: return ValType::I32;
    }
  }

  void elem(const ElemSegment& s) const {
    if (!is_ref(s.type)) fail(s.offset.offset, "malformed reference type");
    value_type(s.type, s.offset.offset);
    for (const ConstExpr& item : s.items) const_expr(item, s.type);
    if (s.mode != ElemSegment::Mode::Active) return;
    if (s.table >= c_.tables.size())
      fail(s.offset.offset, "unknown table " + std::to_string(s.table));
    const_expr(s.offset, c_.tables[s.table].limits.is64 ? ValType::I64 : ValType::I32);
    if (!is_subtype(m_, s.type, c_.tables[s.table].elem)) fail(s.offset.offset, "type mismatch");
  }

  void data(const DataSegment& d) const {
    if (d.mode != DataSegment::Mode::Active) return;
    if (d.memory >= c_.num_memories)
      fail(d.offset.offset, "unknown memory " + std::to_string(d.memory));
    const_expr(d.offset, c_.memory64[d.memory] ? ValType::I64 : ValType::I32);
  }

  // Where the second memory is declared (import or definition), for the error message.
  uint64_t second_memory_offset() const {
    uint32_t seen = 0;
    for (const Import& imp : m_.imports)
      if (imp.kind == ExternKind::Memory && ++seen == 2) return imp.offset;
    return offset_of(m_.memory_offsets, 1 - seen);
  }

  // Offsets are absent in hand-built modules (tests): fall back to 0.
  static uint64_t offset_of(const std::vector<uint32_t>& offsets, size_t i) {
    return i < offsets.size() ? offsets[i] : 0;
  }

  void start() const {
    if (!m_.start) return;
    if (!c_.has_func(*m_.start)) fail(m_.start_offset, "unknown function " + std::to_string(*m_.start));
    const FuncType& t = *c_.funcs[*m_.start];
    if (!t.params.empty() || !t.results.empty()) fail(m_.start_offset, "start function");
  }

  void exports() const {
    std::unordered_set<std::string_view> names;
    names.reserve(m_.exports.size());
    for (const Export& e : m_.exports) {
      size_t limit = 0;
      const char* what = "";
      switch (e.kind) {
        case ExternKind::Func: limit = c_.funcs.size(); what = "unknown function "; break;
        case ExternKind::Table: limit = c_.tables.size(); what = "unknown table "; break;
        case ExternKind::Memory: limit = c_.num_memories; what = "unknown memory "; break;
        case ExternKind::Global: limit = c_.globals.size(); what = "unknown global "; break;
      }
      if (e.index >= limit) fail(e.offset, what + std::to_string(e.index));
      if (!names.insert(e.name).second) fail(e.offset, "duplicate export name");
    }
  }

  const Module& m_;
  Features features_;
  ValidationContext c_;
};

}  // namespace

void validate_module(const Module& m, const Features& features) {
  ModuleValidator(m, features).run();
}

}  // namespace aperture
