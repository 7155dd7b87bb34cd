#include "cli/inspect_command.h"

#include <iostream>

#include "aperture/runtime.h"
#include "binary/decoder.h"
#include "binary/module.h"
#include "cli/file_util.h"
#include "validate/validator.h"

namespace aperture::cli {
namespace {

std::string limits_text(const Limits& l) {
  std::string s = "min " + std::to_string(l.min);
  if (l.max) s += ", max " + std::to_string(*l.max);
  return s;
}

std::string import_desc(const Module& m, const Import& imp) {
  switch (imp.kind) {
    case ExternKind::Func:
      return imp.func_type < m.types.size() ? "func " + m.types[imp.func_type].to_string() : "func";
    case ExternKind::Table:
      return std::string("table ") + to_string(imp.table.elem) + " " + limits_text(imp.table.limits);
    case ExternKind::Memory: return "memory pages " + limits_text(imp.memory.limits);
    case ExternKind::Global:
      return std::string("global ") + (imp.global.mut ? "mut " : "") + to_string(imp.global.type);
  }
  return "";
}

void print_module(const Module& m) {
  std::cout << "types: " << m.types.size() << "\n";
  for (size_t i = 0; i < m.types.size(); ++i)
    std::cout << "  [" << i << "] " << m.types[i].to_string() << "\n";
  std::cout << "imports: " << m.imports.size() << "\n";
  for (const Import& imp : m.imports)
    std::cout << "  " << imp.module << "." << imp.name << ": " << import_desc(m, imp) << "\n";
  std::cout << "functions: " << m.funcs.size() << " defined, " << m.num_imported_funcs
            << " imported\n";
  std::cout << "exports: " << m.exports.size() << "\n";
  for (const Export& e : m.exports) {
    std::cout << "  " << e.name << ": " << to_string(e.kind) << " " << e.index;
    if (e.kind == ExternKind::Func && e.index < m.num_funcs())
      std::cout << " " << m.func_type(e.index).to_string();
    std::cout << "\n";
  }
  std::cout << "memories: " << m.num_memories() << "\n";
  for (uint32_t i = 0; i < m.num_memories(); ++i)
    std::cout << "  [" << i << "] pages " << limits_text(m.memory_type(i).limits)
              << (i < m.num_imported_memories ? " (imported)" : "") << "\n";
  std::cout << "tables: " << m.num_tables() << "\n";
  for (uint32_t i = 0; i < m.num_tables(); ++i)
    std::cout << "  [" << i << "] " << to_string(m.table_type(i).elem) << " "
              << limits_text(m.table_type(i).limits) << "\n";
  std::cout << "globals: " << m.num_globals() << "\n";
  std::cout << "data segments: " << m.datas.size() << ", element segments: " << m.elems.size() << "\n";
  if (m.start) std::cout << "start: " << m.function_name(*m.start) << "\n";
  std::cout << "custom sections: " << m.customs.size() << "\n";
  for (const CustomSection& c : m.customs)
    std::cout << "  " << c.name << " (" << c.bytes.size() << " bytes)\n";
}

}  // namespace

int validate_command(const std::string& path) {
  try {
    Module m = decode_module(read_file(path));
    validate_module(m);
    std::cout << "valid\n";
    return kExitOk;
  } catch (const Error& e) {
    std::cerr << path << ": " << e.what() << "\n";
    return kExitError;
  }
}

int inspect_command(const std::string& path) {
  try {
    Module m = decode_module(read_file(path));
    print_module(m);
    try {
      validate_module(m);
    } catch (const ValidationError& e) {
      std::cout << "validation: " << e.what() << "\n";
      return kExitError;
    }
    std::cout << "validation: valid\n";
    return kExitOk;
  } catch (const Error& e) {
    std::cerr << path << ": " << e.what() << "\n";
    return kExitError;
  }
}

}  // namespace aperture::cli
