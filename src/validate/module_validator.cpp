// Module-level rules: index spaces, limits, constant expressions, exports, start, segments.
#include <set>
#include <string>

#include "aperture/error.h"
#include "validate/function_validator.h"
#include "validate/validator.h"

namespace aperture {
namespace {

class ModuleValidator {
 public:
  explicit ModuleValidator(const Module& m) : m_(m) {}

  void run() {
    collect_declared_refs();
    for (const Import& imp : m_.imports) import(imp);
    for (uint32_t t : m_.funcs) type_index(t, 0);
    for (const TableType& t : m_.tables) table_limits(t.limits, 0);
    for (const MemoryType& mt : m_.memories) memory_limits(mt.limits, 0);
    if (m_.num_memories() > 1) fail(0, "multiple memories");
    for (const GlobalDef& g : m_.globals) const_expr(g.init, g.type.type);
    exports();
    start();
    elems();
    datas();
    FunctionValidator fv(m_, declared_refs_);
    for (uint32_t i = 0; i < m_.bodies.size(); ++i) fv.validate(i);
  }

 private:
  [[noreturn]] void fail(uint64_t offset, const std::string& what) const {
    throw ValidationError(offset, what);
  }

  void type_index(uint32_t index, uint64_t offset) const {
    if (index >= m_.types.size()) fail(offset, "unknown type");
  }
  void table_limits(const Limits& l, uint64_t offset) const {
    if (l.max && l.min > *l.max) fail(offset, "size minimum must not be greater than maximum");
  }
  void memory_limits(const Limits& l, uint64_t offset) const {
    if (l.min > kMaxMemoryPages || (l.max && *l.max > kMaxMemoryPages))
      fail(offset, "memory size must be at most 65536 pages (4GiB)");
    if (l.max && l.min > *l.max) fail(offset, "size minimum must not be greater than maximum");
  }

  void import(const Import& imp) {
    switch (imp.kind) {
      case ExternKind::Func: type_index(imp.func_type, 0); break;
      case ExternKind::Table: table_limits(imp.table.limits, 0); break;
      case ExternKind::Memory: memory_limits(imp.memory.limits, 0); break;
      case ExternKind::Global: break;
    }
  }

  // C.refs: functions referenced outside function bodies may be used by ref.func.
  void collect_declared_refs() {
    auto scan = [&](const ConstExpr& e) {
      for (const Instr& in : e.code)
        if (in.op == Opcode::RefFunc) declared_refs_.insert(in.a);
    };
    for (const GlobalDef& g : m_.globals) scan(g.init);
    for (const ElemSegment& s : m_.elems)
      for (const ConstExpr& item : s.items) scan(item);
    for (const Export& e : m_.exports)
      if (e.kind == ExternKind::Func) declared_refs_.insert(e.index);
  }

  // A constant expression must be exactly one constant instruction of type `want`.
  void const_expr(const ConstExpr& e, ValType want) const {
    if (e.code.size() != 1) {
      for (const Instr& in : e.code)
        if (!is_constant(in)) fail(in.offset, "constant expression required");
      fail(e.offset, "type mismatch");
    }
    const Instr& in = e.code[0];
    if (!is_constant(in)) fail(in.offset, "constant expression required");
    ValType got = ValType::I32;
    switch (in.op) {
      case Opcode::I32Const: got = ValType::I32; break;
      case Opcode::I64Const: got = ValType::I64; break;
      case Opcode::F32Const: got = ValType::F32; break;
      case Opcode::F64Const: got = ValType::F64; break;
      case Opcode::RefNull: got = static_cast<ValType>(in.a); break;
      case Opcode::RefFunc:
        if (in.a >= m_.num_funcs()) fail(in.offset, "unknown function " + std::to_string(in.a));
        got = ValType::FuncRef;
        break;
      case Opcode::GlobalGet: {
        // WebAssembly 2.0: only imported globals, and only immutable ones.
        if (in.a >= m_.num_imported_globals) fail(in.offset, "unknown global " + std::to_string(in.a));
        GlobalType g = m_.global_type(in.a);
        if (g.mut) fail(in.offset, "constant expression required");
        got = g.type;
        break;
      }
      default: break;
    }
    if (got != want) fail(in.offset, "type mismatch");
  }
  static bool is_constant(const Instr& in) {
    switch (in.op) {
      case Opcode::I32Const: case Opcode::I64Const: case Opcode::F32Const:
      case Opcode::F64Const: case Opcode::RefNull: case Opcode::RefFunc:
      case Opcode::GlobalGet:
        return true;
      default:
        return false;
    }
  }

  void exports() const {
    std::set<std::string> names;
    for (const Export& e : m_.exports) {
      uint32_t limit = 0;
      const char* what = "";
      switch (e.kind) {
        case ExternKind::Func: limit = m_.num_funcs(); what = "unknown function"; break;
        case ExternKind::Table: limit = m_.num_tables(); what = "unknown table"; break;
        case ExternKind::Memory: limit = m_.num_memories(); what = "unknown memory"; break;
        case ExternKind::Global: limit = m_.num_globals(); what = "unknown global"; break;
      }
      if (e.index >= limit) fail(0, std::string(what) + " " + std::to_string(e.index));
      if (!names.insert(e.name).second) fail(0, "duplicate export name");
    }
  }

  void start() const {
    if (!m_.start) return;
    if (*m_.start >= m_.num_funcs()) fail(0, "unknown function " + std::to_string(*m_.start));
    const FuncType& t = m_.func_type(*m_.start);
    if (!t.params.empty() || !t.results.empty()) fail(0, "start function");
  }

  void elems() const {
    for (const ElemSegment& s : m_.elems) {
      if (s.mode == ElemSegment::Mode::Active) {
        if (s.table >= m_.num_tables()) fail(s.offset.offset, "unknown table " + std::to_string(s.table));
        if (m_.table_type(s.table).elem != s.type) fail(s.offset.offset, "type mismatch");
        const_expr(s.offset, ValType::I32);
      }
      for (const ConstExpr& item : s.items) const_expr(item, s.type);
    }
  }

  void datas() const {
    for (const DataSegment& d : m_.datas) {
      if (d.mode != DataSegment::Mode::Active) continue;
      if (d.memory >= m_.num_memories()) fail(d.offset.offset, "unknown memory " + std::to_string(d.memory));
      const_expr(d.offset, ValType::I32);
    }
  }

  const Module& m_;
  std::set<uint32_t> declared_refs_;
};

}  // namespace

void validate_module(const Module& m) { ModuleValidator(m).run(); }

}  // namespace aperture
