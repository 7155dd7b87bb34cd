#include "binary/module.h"

#include <algorithm>

#include "binary/printable_name.h"

namespace aperture {

ValType FunctionBody::local_type(uint32_t i) const {
  auto run = std::upper_bound(local_ends.begin(), local_ends.end(), i);
  return locals[static_cast<size_t>(run - local_ends.begin())].type;
}

uint32_t Module::func_type_index(uint32_t index) const {
  if (index < num_imported_funcs) {
    uint32_t seen = 0;
    for (const Import& imp : imports) {
      if (imp.kind != ExternKind::Func) continue;
      if (seen++ == index) return imp.func_type;
    }
  }
  return funcs[index - num_imported_funcs];
}

const FuncType& Module::func_type(uint32_t index) const { return types[func_type_index(index)]; }

bool Module::uses_relaxed_simd() const {
  for (const FunctionBody& body : bodies)
    for (const Instr& in : body.code)
      if (is_simd(in.op) && static_cast<uint16_t>(in.op) >= kSimdOpcodeBase + 0x100) return true;
  return false;
}

bool Module::uses_tail_calls() const {
  for (const FunctionBody& body : bodies)
    for (const Instr& in : body.code)
      if (in.op == Opcode::ReturnCall || in.op == Opcode::ReturnCallIndirect ||
          in.op == Opcode::ReturnCallRef)
        return true;
  return false;
}

bool Module::uses_extended_const() const {
  // Arithmetic (more than one instruction) or a defined global read by global.get.
  auto extended = [&](const ConstExpr& e) {
    return e.code.size() > 1 ||
           (e.code.size() == 1 && e.code[0].op == Opcode::GlobalGet && e.code[0].a >= num_imported_globals);
  };
  for (const GlobalDef& g : globals)
    if (extended(g.init)) return true;
  for (const ElemSegment& s : elems) {
    if (s.mode == ElemSegment::Mode::Active && extended(s.offset)) return true;
    for (const ConstExpr& item : s.items)
      if (extended(item)) return true;
  }
  for (const DataSegment& d : datas)
    if (d.mode == DataSegment::Mode::Active && extended(d.offset)) return true;
  return false;
}

namespace {
template <typename T, typename Get>
T imported_nth(const std::vector<Import>& imports, ExternKind kind, uint32_t index, Get get) {
  uint32_t seen = 0;
  for (const Import& imp : imports) {
    if (imp.kind != kind) continue;
    if (seen++ == index) return get(imp);
  }
  return T{};
}
}  // namespace

TableType Module::table_type(uint32_t index) const {
  if (index < num_imported_tables)
    return imported_nth<TableType>(imports, ExternKind::Table, index,
                                   [](const Import& i) { return i.table; });
  return tables[index - num_imported_tables];
}

MemoryType Module::memory_type(uint32_t index) const {
  if (index < num_imported_memories)
    return imported_nth<MemoryType>(imports, ExternKind::Memory, index,
                                    [](const Import& i) { return i.memory; });
  return memories[index - num_imported_memories];
}

GlobalType Module::global_type(uint32_t index) const {
  if (index < num_imported_globals)
    return imported_nth<GlobalType>(imports, ExternKind::Global, index,
                                    [](const Import& i) { return i.global; });
  return globals[index - num_imported_globals].type;
}

std::string Module::function_name(uint32_t index) const {
  auto it = function_names.find(index);
  if (it != function_names.end()) return printable_name(it->second);
  return "func[" + std::to_string(index) + "]";
}

bool ref_subtype(const Module& m, ValType a, ValType b) {
  if (!is_ref(a) || !is_ref(b)) return false;
  if (is_nullable(a) && !is_nullable(b)) return false;
  uint32_t ha = heap_type(a), hb = heap_type(b);
  if (ha == hb) return true;
  switch (hb) {
    case kHeapFunc: return is_func_heap(ha);
    case kHeapExtern: return ha == kHeapNoExtern;
    default: break;
  }
  if (!is_concrete_heap(hb)) return false;  // nofunc and noextern have no subtypes
  if (ha == kHeapNoFunc) return true;
  if (!is_concrete_heap(ha)) return false;
  uint32_t ia = ha - kHeapConcrete, ib = hb - kHeapConcrete;
  return ia < m.types.size() && ib < m.types.size() && m.types[ia] == m.types[ib];
}

bool is_subtype(const Module& m, ValType a, ValType b) { return a == b || ref_subtype(m, a, b); }

}  // namespace aperture
