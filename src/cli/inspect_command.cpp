#include "cli/inspect_command.h"

#include <iostream>

#include "aperture/bindings.h"
#include "aperture/engine.h"
#include "aperture/runtime.h"
#include "binary/decoder.h"
#include "binary/module.h"
#include "binary/printable_name.h"
#include "cli/file_util.h"
#include "cli/module_source.h"
#include "validate/validator.h"

namespace aperture::cli {
namespace {

// `inspect` also shows modules that fail validation, so every index from the module is
// checked here before it is used for a lookup.

std::string limits_text(const Limits& l) {
  std::string s = "min " + std::to_string(l.min);
  if (l.max) s += ", max " + std::to_string(*l.max);
  if (l.shared) s += ", shared";
  if (l.is64) s += ", 64-bit";
  return s;
}

std::string type_text(const Module& m, uint32_t type_index) {
  if (type_index >= m.types.size()) return "<bad type index " + std::to_string(type_index) + ">";
  return m.types[type_index].to_string();
}

std::string global_text(const GlobalType& g) {
  return std::string(g.mut ? "mut " : "") + to_string(g.type);
}

// Type index of every function, imports first.
std::vector<uint32_t> function_types(const Module& m) {
  std::vector<uint32_t> out;
  for (const Import& imp : m.imports)
    if (imp.kind == ExternKind::Func) out.push_back(imp.func_type);
  out.insert(out.end(), m.funcs.begin(), m.funcs.end());
  return out;
}

std::string import_desc(const Module& m, const Import& imp) {
  switch (imp.kind) {
    case ExternKind::Func: return "func " + type_text(m, imp.func_type);
    case ExternKind::Table:
      return std::string("table ") + to_string(imp.table.elem) + " " + limits_text(imp.table.limits);
    case ExternKind::Memory: return "memory pages " + limits_text(imp.memory.limits);
    case ExternKind::Global: return "global " + global_text(imp.global);
  }
  return "";
}

void print_types_and_imports(const Module& m) {
  std::cout << "types: " << m.types.size() << "\n";
  for (size_t i = 0; i < m.types.size(); ++i)
    std::cout << "  [" << i << "] " << m.types[i].to_string() << "\n";
  std::cout << "imports: " << m.imports.size() << "\n";
  for (const Import& imp : m.imports)
    std::cout << "  " << printable_name(imp.module) << "." << printable_name(imp.name) << ": " << import_desc(m, imp) << "\n";
  std::cout << "functions: " << m.funcs.size() << " defined, " << m.num_imported_funcs
            << " imported\n";
}

void print_exports(const Module& m, const std::vector<uint32_t>& func_types) {
  std::cout << "exports: " << m.exports.size() << "\n";
  for (const Export& e : m.exports) {
    std::cout << "  " << printable_name(e.name) << ": " << to_string(e.kind) << " " << e.index;
    if (e.kind == ExternKind::Func && e.index < func_types.size())
      std::cout << " " << type_text(m, func_types[e.index]);
    std::cout << "\n";
  }
}

void print_memories_tables_globals(const Module& m) {
  std::cout << "memories: " << m.num_memories() << "\n";
  for (uint32_t i = 0; i < m.num_memories(); ++i)
    std::cout << "  [" << i << "] pages " << limits_text(m.memory_type(i).limits)
              << (i < m.num_imported_memories ? " (imported)" : "") << "\n";
  std::cout << "tables: " << m.num_tables() << "\n";
  for (uint32_t i = 0; i < m.num_tables(); ++i)
    std::cout << "  [" << i << "] " << to_string(m.table_type(i).elem) << " "
              << limits_text(m.table_type(i).limits)
              << (i < m.num_imported_tables ? " (imported)" : "") << "\n";
  std::cout << "globals: " << m.num_globals() << "\n";
  for (uint32_t i = 0; i < m.num_globals(); ++i)
    std::cout << "  [" << i << "] " << global_text(m.global_type(i))
              << (i < m.num_imported_globals ? " (imported)" : "") << "\n";
}

// The aperture.bind section's records (docs/regions.md, "Declarative bindings").
void print_bindings(const Module& m) {
  bool any = false;
  for (const CustomSection& c : m.customs) any = any || c.name == kBindSectionName;
  if (!any) return;
  try {
    std::vector<Binding> bindings = module_bindings(m);
    std::cout << "bindings (" << kBindSectionName << " version " << int(kBindFormatVersion) << "): "
              << bindings.size() << "\n";
    for (const Binding& b : bindings) std::cout << "  " << describe_binding(b) << "\n";
  } catch (const BindError& e) {
    std::cout << "bindings: " << e.what() << "\n";
  }
}

void print_module(const Module& m) {
  std::vector<uint32_t> func_types = function_types(m);
  print_types_and_imports(m);
  print_exports(m, func_types);
  print_memories_tables_globals(m);
  std::cout << "data segments: " << m.datas.size() << ", element segments: " << m.elems.size() << "\n";
  if (m.start) {
    std::cout << "start: " << *m.start;
    if (*m.start < func_types.size()) std::cout << " (" << m.function_name(*m.start) << ")";
    std::cout << "\n";
  }
  std::cout << "custom sections: " << m.customs.size() << "\n";
  for (const CustomSection& c : m.customs)
    std::cout << "  " << printable_name(c.name) << " (" << c.bytes.size() << " bytes)\n";
  print_bindings(m);
}

// The features beyond WebAssembly 2.0's core a valid module uses, and which engines run
// them: "features: simd, relaxed-simd, tail-calls (engines: interp)". Tail calls,
// extended constant expressions and typed function references run in every engine; SIMD may not.
void print_features(const Module& m) {
  std::string features;
  auto add = [&](bool used, const char* name) {
    if (used) features += (features.empty() ? "" : ", ") + std::string(name);
  };
  add(m.simd_offset.has_value(), "simd");
  add(m.simd_offset && m.uses_relaxed_simd(), "relaxed-simd");
  add(m.uses_tail_calls(), "tail-calls");
  add(m.uses_extended_const(), "extended-const");
  add(m.typed_ref_offset.has_value(), "typed-function-references");
  if (features.empty()) return;
  std::string engines;
  for (const std::string& name : available_engines())
    if (!m.simd_offset || engine_supports_simd(*engine_from_name(name))) engines += " " + name;
  std::cout << "features: " << features << " (engines:"
            << (engines.empty() ? " none of this build's yet" : engines) << ")\n";
}

// 64-bit memories and tables (memory64, table64; WebAssembly 3.0), which every engine
// runs: "features: 64-bit memories, 64-bit tables".
void print_address64_features(const Module& m) {
  bool memories = false, tables = false;
  for (uint32_t i = 0; i < m.num_memories(); ++i) memories = memories || m.memory_type(i).limits.is64;
  for (uint32_t i = 0; i < m.num_tables(); ++i) tables = tables || m.table_type(i).limits.is64;
  if (!memories && !tables) return;
  std::cout << "features: " << (memories ? "64-bit memories" : "")
            << (memories && tables ? ", " : "") << (tables ? "64-bit tables" : "") << "\n";
}

// Decode and validation errors are located by a byte offset: name the file too.
int report_load_error(const std::string& path, const Error& e) {
  std::cerr << "error: ";
  if (dynamic_cast<const OffsetError*>(&e)) std::cerr << module_display_name(path) << ": ";
  std::cerr << e.what() << "\n";
  return kExitError;
}

}  // namespace

int validate_command(const std::string& path) {
  try {
    Module m = decode_module(read_module(path));
    validate_module(m);
    std::cout << "valid\n";
    print_features(m);
    print_address64_features(m);
    return kExitOk;
  } catch (const Error& e) {
    return report_load_error(path, e);
  } catch (const std::exception& e) {  // std::bad_alloc: a module too big for this host
    std::cerr << "error: " << module_display_name(path) << ": " << error_text(e) << "\n";
    return kExitError;
  }
}

int inspect_command(const std::string& path) {
  try {
    Module m = decode_module(read_module(path));
    print_module(m);
    try {
      validate_module(m);
    } catch (const ValidationError& e) {
      std::cout << "validation: " << e.what() << "\n";
      return kExitError;
    }
    std::cout << "validation: valid\n";
    print_features(m);
    print_address64_features(m);
    return kExitOk;
  } catch (const Error& e) {
    return report_load_error(path, e);
  } catch (const std::exception& e) {  // std::bad_alloc: a module too big for this host
    std::cerr << "error: " << module_display_name(path) << ": " << error_text(e) << "\n";
    return kExitError;
  }
}

}  // namespace aperture::cli
