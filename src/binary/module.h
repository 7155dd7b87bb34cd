// The decoded form of a WebAssembly module: what the binary layer produces and every later
// layer (validate, runtime, interp) consumes. Function bodies are fully decoded into Instr
// vectors, so no later layer ever reads LEB128 or raw bytes again.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aperture/types.h"
#include "binary/opcode.h"

namespace aperture {

struct BlockType {
  enum class Kind : uint8_t { Empty, Value, TypeIndex };
  Kind kind = Kind::Empty;
  union {  // keeps Instr at 32 bytes now that a ValType takes 32 bits
    ValType value = ValType::I32;  // for Kind::Value
    uint32_t type_index;           // for Kind::TypeIndex
  };
};

// One decoded instruction. Field use per immediate kind is documented in ImmKind.
struct Instr {
  Opcode op = Opcode::Nop;
  uint8_t lane = 0;     // lane index of SIMD lane instructions (ImmKind::Lane, MemArgLane)
  uint32_t offset = 0;  // byte offset of the opcode in the module (for diagnostics)
  uint32_t a = 0;
  uint32_t b = 0;
  uint64_t imm = 0;
  BlockType block;      // for ImmKind::BlockType

  // The 16 bytes of a v128.const or i8x16.shuffle immediate (ImmKind::V128, Shuffle).
  uint64_t v128_low() const { return imm; }
  uint64_t v128_high() const { return a | (uint64_t{b} << 32); }
};
static_assert(sizeof(Instr) == 32, "one decoded instruction stays 32 bytes");

struct LocalDecl {
  uint32_t count = 0;
  ValType type = ValType::I32;
};

// Locals stay (count, type) runs as declared, never one entry per local: a few bytes of
// module can declare 50,000 locals per function (binary/limits.h).
struct FunctionBody {
  std::vector<LocalDecl> locals;      // as declared (run-length), already checked for overflow
  std::vector<uint32_t> local_ends;   // local_ends[i] = locals in runs 0..i (for lookups)
  uint32_t num_locals = 0;            // declared locals; params are NOT included
  std::vector<Instr> code;            // ends with the function's final End
  std::vector<uint32_t> br_table_targets;  // storage for BrTable immediates
  uint32_t offset = 0;                // byte offset of the body (its size LEB) in the module
  uint32_t code_offset = 0;           // byte offset just after the size: the function's start

  // Appends a run of `count` locals of type `type`.
  void add_locals(uint32_t count, ValType type) {
    locals.push_back({count, type});
    num_locals += count;
    local_ends.push_back(num_locals);
  }
  // The type of declared local `i` (params not counted; i < num_locals): O(log runs).
  ValType local_type(uint32_t i) const;
};

// A constant expression (globals, segment offsets, element items) as decoded instructions,
// final End excluded. The validator checks that it is constant and well-typed.
struct ConstExpr {
  std::vector<Instr> code;
  uint32_t offset = 0;
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t func_type = 0;  // Func: type index
  TableType table;         // Table
  MemoryType memory;       // Memory
  GlobalType global;       // Global
  uint32_t offset = 0;     // byte offset of the import entry (for diagnostics)
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
  uint32_t offset = 0;     // byte offset of the export entry (for diagnostics)
};

struct GlobalDef {  // a defined global (runtime::Global is the live object)
  GlobalType type;
  ConstExpr init;
};

struct ElemSegment {
  enum class Mode : uint8_t { Active, Passive, Declarative };
  Mode mode = Mode::Passive;
  ValType type = ValType::FuncRef;
  uint32_t table = 0;            // Active
  ConstExpr offset;              // Active
  std::vector<ConstExpr> items;  // each yields one reference (ref.func i / ref.null t / global.get)
};

struct DataSegment {
  enum class Mode : uint8_t { Active, Passive };
  Mode mode = Mode::Passive;
  uint32_t memory = 0;    // Active
  ConstExpr offset;       // Active
  std::vector<uint8_t> bytes;
};

struct CustomSection {
  std::string name;
  std::vector<uint8_t> bytes;  // payload after the name
  uint32_t offset = 0;         // byte offset of the payload in the module
};

struct Module {
  std::vector<FuncType> types;
  std::vector<Import> imports;
  std::vector<uint32_t> funcs;        // type index of each defined (non-imported) function
  std::vector<TableType> tables;      // defined tables
  std::vector<ConstExpr> table_inits; // per defined table: its initialiser (empty: null)
  std::vector<MemoryType> memories;   // defined memories
  std::vector<GlobalDef> globals;       // defined globals
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  uint32_t start_offset = 0;          // byte offset of the start section's index
  std::vector<uint32_t> table_offsets;   // byte offset of each defined table's type
  std::vector<uint32_t> memory_offsets;  // byte offset of each defined memory's type
  std::vector<ElemSegment> elems;
  std::vector<DataSegment> datas;
  std::optional<uint32_t> data_count; // from the DataCount section, when present
  std::vector<FunctionBody> bodies;   // one per entry of `funcs`
  std::vector<CustomSection> customs;
  // Byte offset of the module's first use of SIMD (a v128 type or a 0xFD instruction), if
  // any: engines without SIMD refuse the module with it.
  std::optional<uint32_t> simd_offset;
  // Byte offset of the first use of typed function references (a `(ref ...)` type, a table
  // initialiser, call_ref, ref.as_non_null, br_on_null, br_on_non_null), if any.
  std::optional<uint32_t> typed_ref_offset;

  // From the `name` custom section (best effort: a malformed name section is ignored).
  std::optional<std::string> module_name;
  std::map<uint32_t, std::string> function_names;  // function index -> name

  // Counts including imports (index spaces).
  uint32_t num_imported_funcs = 0;
  uint32_t num_imported_tables = 0;
  uint32_t num_imported_memories = 0;
  uint32_t num_imported_globals = 0;

  uint32_t num_funcs() const { return num_imported_funcs + static_cast<uint32_t>(funcs.size()); }
  uint32_t num_tables() const { return num_imported_tables + static_cast<uint32_t>(tables.size()); }
  uint32_t num_memories() const {
    return num_imported_memories + static_cast<uint32_t>(memories.size());
  }
  uint32_t num_globals() const {
    return num_imported_globals + static_cast<uint32_t>(globals.size());
  }

  // Type lookups across the index spaces (imports first). Indices must be valid.
  const FuncType& func_type(uint32_t func_index) const;
  uint32_t func_type_index(uint32_t func_index) const;
  TableType table_type(uint32_t table_index) const;
  MemoryType memory_type(uint32_t memory_index) const;
  GlobalType global_type(uint32_t global_index) const;
  // A printable name for function `index`: its name-section name, else "func[index]".
  std::string function_name(uint32_t index) const;
  // Whether a function body uses relaxed SIMD (WebAssembly 3.0) instructions.
  bool uses_relaxed_simd() const;
  // Whether a function body uses return_call / return_call_indirect (WebAssembly 3.0).
  bool uses_tail_calls() const;
  // Whether a constant expression uses extended constants (WebAssembly 3.0): arithmetic,
  // or global.get of a global the module defines.
  bool uses_extended_const() const;
};

// Subtyping of value types in module `m` (WebAssembly 3.0 function references):
// (ref ht) <: (ref null ht); a type index and nofunc <: func; noextern <: extern; two
// type indices match when their function types are equal. Equal types are subtypes.
bool is_subtype(const Module& m, ValType a, ValType b);
// The reference part of is_subtype: false unless both are reference types.
bool ref_subtype(const Module& m, ValType a, ValType b);

}  // namespace aperture
