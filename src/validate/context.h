// The validation context C of the spec: every index space of a module flattened once
// (imports first), so that per-instruction checks are O(1) array lookups instead of
// scans over the import list.
#pragma once

#include <cstdint>
#include <vector>

#include "binary/module.h"

namespace aperture {

struct ValidationContext {
  const Module* module = nullptr;
  std::vector<const FuncType*> funcs;  // C.funcs; entries are valid once build() succeeded
  std::vector<TableType> tables;       // C.tables
  std::vector<GlobalType> globals;     // C.globals (imported, then defined)
  uint32_t num_imported_globals = 0;   // the globals a 2.0 constant expression may read
  uint32_t num_memories = 0;           // C.mems (at most 1 without multiple memories)
  std::vector<uint8_t> memory64;       // per memory: 1 when indexed by i64 (memory64)
  uint32_t num_datas = 0;              // C.datas
  std::vector<uint8_t> declared;       // C.refs as a bitmap over function indices

  bool has_func(uint32_t i) const { return i < funcs.size(); }
  bool is_declared(uint32_t i) const { return i < declared.size() && declared[i]; }
};

}  // namespace aperture
