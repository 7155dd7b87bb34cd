// Type checking of one function body: the operand/control stack algorithm of the spec's
// validation appendix, including the polymorphic stack after unconditional branches.
//
// Runs at load time for every function, so it allocates nothing per instruction: both
// stacks are reused across functions and control frames refer to type sequences that
// live in the module (or in a static table for single-value block types).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "binary/module.h"
#include "validate/context.h"

namespace aperture {

class FunctionValidator {
 public:
  struct OpDesc;  // per-opcode facts generated from opcodes.def (see the .cpp)

  explicit FunctionValidator(const ValidationContext& c) : c_(c), m_(*c.module) {}

  // Validates defined function `index` (0 = first non-imported function). Throws
  // ValidationError at the offending instruction's offset.
  void validate(uint32_t index);

 private:
  // An operand type: a ValType (typed references packed, see aperture/types.h), or
  // kUnknown for the bottom type of unreachable code.
  using VT = uint32_t;
  static constexpr VT kUnknown = 0;

  // A borrowed sequence of value types (block params/results, label types).
  struct Types {
    const ValType* data = nullptr;
    uint32_t size = 0;
    bool operator==(const Types& o) const;
  };

  struct Ctrl {
    Opcode op;          // Block, Loop, If, Else (the function body is a Block)
    Types start_types;  // params
    Types end_types;    // results
    uint32_t height;    // operand stack height at entry (after popping params)
    uint32_t init_height;  // inits_ size at entry: locals set inside are unset at its end
    bool unreachable;
  };

  [[noreturn]] void fail(const char* what) const;
  [[noreturn]] void fail_index(const char* what, uint32_t index) const;

  void push(VT t) { vals_.push_back(t); }
  void push(ValType t) { vals_.push_back(static_cast<VT>(t)); }
  void push_all(Types ts) {
    for (uint32_t i = 0; i < ts.size; ++i) push(ts.data[i]);
  }
  VT pop();
  VT pop(VT expect);
  VT pop(ValType expect) { return pop(static_cast<VT>(expect)); }
  void pop_all(Types ts) {
    for (uint32_t i = ts.size; i-- > 0;) pop(ts.data[i]);
  }
  // Checks that the top of the stack matches `ts` without consuming it (br_table).
  void peek_all(Types ts);

  void push_ctrl(Opcode op, Types in, Types out);
  Ctrl pop_ctrl();
  static Types label_types(const Ctrl& c) {
    return c.op == Opcode::Loop ? c.start_types : c.end_types;
  }
  const Ctrl& label(uint32_t depth) const;
  void set_unreachable();

  static Types types_of(const std::vector<ValType>& v) {
    return {v.data(), static_cast<uint32_t>(v.size())};
  }
  void block_signature(const BlockType& bt, Types* in, Types* out) const;
  bool subtype(VT a, VT b) const;  // a <: b (kUnknown matches everything)
  void check_type(ValType t) const;  // a reference's type index exists
  ValType ref_operand();             // pops a reference (kUnknown stays kUnknown)
  void local_get(uint32_t index);
  void local_set(uint32_t index);
  void reset_inits(uint32_t height);

  void instruction(const Instr& in);
  void control(const Instr& in);
  void br_table(const Instr& in);
  void immediates(const Instr& in, const OpDesc& d);
  void simple(const OpDesc& d);
  void memory_access(const Instr& in, const OpDesc& d);
  bool index_typed(const Instr& in);
  ValType address_type(uint32_t memory) const;      // i64 on a 64-bit memory, else i32
  ValType table_index_type(uint32_t table) const;   // i64 on a 64-bit table, else i32
  void need_memory(uint32_t index) const;
  const TableType& need_table(uint32_t index) const;
  void need_data(uint32_t index) const;
  ValType need_elem(uint32_t index) const;
  const GlobalType& need_global(uint32_t index) const;
  const FuncType& need_func(uint32_t index) const;
  void tail_call_results(const FuncType& callee) const;
  ValType local_type(uint32_t index) const;

  const ValidationContext& c_;
  const Module& m_;
  const FunctionBody* body_ = nullptr;
  const FuncType* type_ = nullptr;
  uint32_t offset_ = 0;  // offset of the instruction being checked
  std::vector<VT> vals_;
  std::vector<Ctrl> ctrls_;
  // local_init: for functions with non-nullable reference locals (3.0), whether each
  // local is set (params and defaultable locals always are), and the locals set since
  // function entry in order, so a block's end can unset the ones set inside it.
  bool track_inits_ = false;
  std::vector<uint8_t> local_set_;
  std::vector<uint32_t> inits_;
};

}  // namespace aperture
