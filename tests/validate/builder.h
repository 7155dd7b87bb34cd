// A tiny builder for decoded Modules, so validator tests can state exactly the IR they
// check (including forms wat2wasm refuses to produce) without going through the decoder.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "aperture/error.h"
#include "binary/module.h"
#include "validate/validator.h"

namespace aperture::test {

constexpr ValType I32 = ValType::I32;
constexpr ValType I64 = ValType::I64;
constexpr ValType F32 = ValType::F32;
constexpr ValType F64 = ValType::F64;
constexpr ValType FUNCREF = ValType::FuncRef;
constexpr ValType EXTERNREF = ValType::ExternRef;

inline BlockType bt_empty() { return {}; }
inline BlockType bt_val(ValType t) {
  BlockType b;
  b.kind = BlockType::Kind::Value;
  b.value = t;
  return b;
}
inline BlockType bt_type(uint32_t index) {
  BlockType b;
  b.kind = BlockType::Kind::TypeIndex;
  b.type_index = index;
  return b;
}

// Instructions of one body; the builder appends the final `end` and numbers offsets.
class Body {
 public:
  Body& op(Opcode o, uint32_t a = 0, uint32_t b = 0, uint64_t imm = 0) {
    Instr in;
    in.op = o;
    in.a = a;
    in.b = b;
    in.imm = imm;
    code.push_back(in);
    return *this;
  }
  Body& i32(int32_t v) { return op(Opcode::I32Const, 0, 0, static_cast<uint32_t>(v)); }
  Body& i64(int64_t v) { return op(Opcode::I64Const, 0, 0, static_cast<uint64_t>(v)); }
  Body& f32() { return op(Opcode::F32Const); }
  Body& f64() { return op(Opcode::F64Const); }
  Body& ref_null(ValType t) { return op(Opcode::RefNull, static_cast<uint32_t>(t)); }
  Body& block(Opcode o, BlockType bt) {
    op(o);
    code.back().block = bt;
    return *this;
  }
  Body& end() { return op(Opcode::End); }
  // br_table l_0 ... l_{n-1} default
  Body& br_table(const std::vector<uint32_t>& labels, uint32_t default_label) {
    uint32_t first = static_cast<uint32_t>(targets.size());
    targets.insert(targets.end(), labels.begin(), labels.end());
    targets.push_back(default_label);
    return op(Opcode::BrTable, first, static_cast<uint32_t>(labels.size()));
  }
  // memarg: alignment exponent, memory index, offset
  Body& mem(Opcode o, uint32_t align_exp, uint32_t memory = 0) { return op(o, align_exp, memory); }
  Body& local(ValType t) {
    locals.push_back(t);
    return *this;
  }

  std::vector<Instr> code;
  std::vector<uint32_t> targets;
  std::vector<ValType> locals;
};

// A constant expression of the given instructions.
inline ConstExpr cexpr(const Body& b, uint32_t offset = 7) {
  ConstExpr e;
  e.code = b.code;
  e.offset = offset;
  for (Instr& in : e.code) in.offset = offset;
  return e;
}

class ModuleBuilder {
 public:
  // Instruction offsets are kBodyBase * (function + 1) + position, so tests can tell which
  // instruction an error names.
  static constexpr uint32_t kBodyBase = 1000;

  uint32_t type(std::vector<ValType> params, std::vector<ValType> results) {
    m.types.push_back(FuncType{std::move(params), std::move(results)});
    return static_cast<uint32_t>(m.types.size() - 1);
  }

  // Imports must come before definitions of the same kind are referenced by index.
  uint32_t import_func(uint32_t type_index) {
    // Appended, not `"f" + std::to_string(...)`: GCC 12 warns falsely (-Wrestrict) on that.
    std::string name = "f";
    name += std::to_string(m.imports.size());
    Import imp{"env", name, ExternKind::Func, type_index, {}, {}, {}};
    m.imports.push_back(imp);
    return m.num_imported_funcs++;
  }
  uint32_t import_table(ValType elem, uint64_t min, std::optional<uint64_t> max = {}) {
    Import imp{"env", "t", ExternKind::Table, 0, {elem, {min, max, false}}, {}, {}};
    m.imports.push_back(imp);
    return m.num_imported_tables++;
  }
  uint32_t import_memory(uint64_t min, std::optional<uint64_t> max = {}) {
    Import imp{"env", "m", ExternKind::Memory, 0, {}, {{min, max, false}}, {}};
    m.imports.push_back(imp);
    return m.num_imported_memories++;
  }
  uint32_t import_global(ValType t, bool mut) {
    Import imp{"env", "g", ExternKind::Global, 0, {}, {}, {t, mut}};
    m.imports.push_back(imp);
    return m.num_imported_globals++;
  }

  // Defines a function of type `type_index`; returns its function index.
  uint32_t func(uint32_t type_index, Body body) {
    body.end();
    FunctionBody fb;
    uint32_t base = kBodyBase * static_cast<uint32_t>(m.bodies.size() + 1);
    for (size_t i = 0; i < body.code.size(); ++i) body.code[i].offset = base + static_cast<uint32_t>(i);
    fb.code = std::move(body.code);
    fb.br_table_targets = std::move(body.targets);
    for (ValType t : body.locals) fb.add_locals(1, t);
    fb.offset = base - 1;
    m.funcs.push_back(type_index);
    m.bodies.push_back(std::move(fb));
    return m.num_funcs() - 1;
  }
  // Shorthand: a function of a fresh type.
  uint32_t func(std::vector<ValType> params, std::vector<ValType> results, Body body) {
    return func(type(std::move(params), std::move(results)), std::move(body));
  }

  uint32_t table(ValType elem, uint64_t min, std::optional<uint64_t> max = {}) {
    m.tables.push_back({elem, {min, max, false}});
    return m.num_tables() - 1;
  }
  uint32_t memory(uint64_t min, std::optional<uint64_t> max = {}) {
    m.memories.push_back({{min, max, false}});
    return m.num_memories() - 1;
  }
  uint32_t global(ValType t, bool mut, ConstExpr init) {
    m.globals.push_back({{t, mut}, std::move(init)});
    return m.num_globals() - 1;
  }
  void exp(const std::string& name, ExternKind kind, uint32_t index) {
    m.exports.push_back({name, kind, index});
  }
  uint32_t elem(ElemSegment s) {
    m.elems.push_back(std::move(s));
    return static_cast<uint32_t>(m.elems.size() - 1);
  }
  uint32_t data(DataSegment d) {
    m.datas.push_back(std::move(d));
    m.data_count = static_cast<uint32_t>(m.datas.size());
    return *m.data_count - 1;
  }

  Module m;
};

inline ElemSegment passive_elem(ValType t, std::vector<ConstExpr> items = {}) {
  ElemSegment s;
  s.mode = ElemSegment::Mode::Passive;
  s.type = t;
  s.items = std::move(items);
  return s;
}
inline ElemSegment declarative_elem(ValType t, std::vector<ConstExpr> items) {
  ElemSegment s = passive_elem(t, std::move(items));
  s.mode = ElemSegment::Mode::Declarative;
  return s;
}
inline ElemSegment active_elem(uint32_t table, ConstExpr offset, ValType t,
                               std::vector<ConstExpr> items = {}) {
  ElemSegment s = passive_elem(t, std::move(items));
  s.mode = ElemSegment::Mode::Active;
  s.table = table;
  s.offset = std::move(offset);
  return s;
}
inline DataSegment passive_data() { return {}; }
inline DataSegment active_data(uint32_t memory, ConstExpr offset) {
  DataSegment d;
  d.mode = DataSegment::Mode::Active;
  d.memory = memory;
  d.offset = std::move(offset);
  return d;
}

// "valid", or the validation error's message.
inline std::string check(const Module& m, const Features& features = {}) {
  try {
    validate_module(m, features);
  } catch (const ValidationError& e) {
    return e.detail();
  }
  return "valid";
}

// The offset a validation error names; UINT64_MAX when the module is valid.
inline uint64_t error_offset(const Module& m) {
  try {
    validate_module(m);
  } catch (const ValidationError& e) {
    return e.offset();
  }
  return UINT64_MAX;
}

// One function of type [params] -> [results] in an otherwise empty module (plus `setup`).
template <typename Setup>
std::string check_func(std::vector<ValType> params, std::vector<ValType> results, Body body,
                       Setup setup) {
  ModuleBuilder b;
  setup(b);
  b.func(std::move(params), std::move(results), std::move(body));
  return check(b.m);
}
inline std::string check_func(std::vector<ValType> params, std::vector<ValType> results,
                              Body body) {
  return check_func(std::move(params), std::move(results), std::move(body),
                    [](ModuleBuilder&) {});
}

}  // namespace aperture::test
