// Type checking of one function body: the operand/control stack algorithm of the spec's
// validation appendix, including the polymorphic stack after unconditional branches.
#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "binary/module.h"

namespace aperture {

class FunctionValidator {
 public:
  FunctionValidator(const Module& m, const std::set<uint32_t>& declared_refs)
      : m_(m), declared_refs_(declared_refs) {}

  // Validates defined function `index`. Throws ValidationError.
  void validate(uint32_t index);

 private:
  // An operand type; kUnknown stands for the bottom type of unreachable code.
  using VT = uint8_t;
  static constexpr VT kUnknown = 0;

  struct Ctrl {
    Opcode op;
    std::vector<ValType> start_types;
    std::vector<ValType> end_types;
    size_t height;
    bool unreachable;
  };

  [[noreturn]] void fail(const std::string& what) const;
  void push(VT t) { vals_.push_back(t); }
  void push(ValType t) { vals_.push_back(static_cast<VT>(t)); }
  void push_all(const std::vector<ValType>& ts) { for (ValType t : ts) push(t); }
  VT pop();
  VT pop(VT expect);
  VT pop(ValType expect) { return pop(static_cast<VT>(expect)); }
  void pop_all(const std::vector<ValType>& ts) {
    for (size_t i = ts.size(); i-- > 0;) pop(ts[i]);
  }
  void push_ctrl(Opcode op, std::vector<ValType> in, std::vector<ValType> out);
  Ctrl pop_ctrl();
  const std::vector<ValType>& label_types(const Ctrl& c) const {
    return c.op == Opcode::Loop ? c.start_types : c.end_types;
  }
  const Ctrl& label(uint32_t depth) const;
  void set_unreachable();

  void block_signature(const BlockType& bt, std::vector<ValType>* in, std::vector<ValType>* out);
  void instruction(const Instr& in);
  void simple(const OpcodeInfo& info);
  void memory_access(const Instr& in, const OpcodeInfo& info);
  void need_memory(uint32_t index);
  void need_table(uint32_t index);
  void need_data(uint32_t index);
  void need_elem(uint32_t index);
  ValType local_type(uint32_t index);

  const Module& m_;
  const std::set<uint32_t>& declared_refs_;
  const FunctionBody* body_ = nullptr;
  const FuncType* type_ = nullptr;
  uint32_t offset_ = 0;  // offset of the instruction being checked
  std::vector<VT> vals_;
  std::vector<Ctrl> ctrls_;
};

}  // namespace aperture
