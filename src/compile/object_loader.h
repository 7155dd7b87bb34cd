// Loads relocatable ELF objects (of this machine, target/target.h) produced by the code generator into executable
// memory, without LLVM: sections are laid out in one mapping (so every PC-relative
// reference fits), symbols are resolved across the objects, and the few external
// symbols LLVM may call (memcpy, memset, libm rounding) go through stubs.
//
// Input is checked, not trusted: a malformed or unexpected object (bad offsets,
// unknown relocation, undefined symbol) is refused with an Error, never executed.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace aperture::native {

class LoadedCode {
 public:
  LoadedCode() = default;
  ~LoadedCode();
  LoadedCode(LoadedCode&& other) noexcept;
  LoadedCode& operator=(LoadedCode&& other) noexcept;
  LoadedCode(const LoadedCode&) = delete;
  LoadedCode& operator=(const LoadedCode&) = delete;

  struct Symbol {
    uintptr_t address = 0;
    uint64_t size = 0;
  };
  // Defined global symbols by name (functions: wasm_<i>, entry_<t>).
  const std::map<std::string, Symbol>& symbols() const { return symbols_; }
  // The executable part: every address compiled code may run at.
  uintptr_t code_begin() const { return code_begin_; }
  uintptr_t code_end() const { return code_end_; }

 private:
  friend LoadedCode load_objects(std::span<const std::span<const uint8_t>> objects);
  void release();

  uint8_t* mapping_ = nullptr;
  size_t mapping_size_ = 0;
  uintptr_t code_begin_ = 0, code_end_ = 0;
  std::map<std::string, Symbol> symbols_;
};

// Loads the objects together (they may refer to each other's global symbols). Throws Error.
LoadedCode load_objects(std::span<const std::span<const uint8_t>> objects);

}  // namespace aperture::native
