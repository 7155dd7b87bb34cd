// The interpreter's pre-decoded form of a function: a flat array of 8-byte slots. Each
// instruction is a handler address (direct-threaded dispatch) followed by its decoded
// immediates. Branch targets are slot indices resolved at load time (turned into
// absolute pointers when the code is finalised); no LEB128 or block search at run time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aperture/runtime.h"

namespace aperture {

union Slot {
  const void* handler;
  const Slot* target;
  uint64_t u64;
  int64_t i64;
  uint32_t u32;
};
static_assert(sizeof(Slot) == 8);

// Move-only: after finalize() the branch targets in `code` are absolute pointers into its
// own buffer. A move keeps the buffer (and so the pointers) valid; a copy would get a new
// buffer whose branches jump back into the original, a use after free once it is gone.
struct InterpCode {
  InterpCode() = default;
  InterpCode(InterpCode&&) noexcept = default;
  InterpCode& operator=(InterpCode&&) noexcept = default;
  InterpCode(const InterpCode&) = delete;
  InterpCode& operator=(const InterpCode&) = delete;

  std::vector<Slot> code;
  uint32_t num_params = 0;
  uint32_t num_results = 0;
  uint32_t num_locals = 0;    // declared locals, excluding params
  uint32_t frame_slots = 0;   // params + locals + maximum operand stack height
  uint32_t func_index = 0;
  // (slot index, wasm byte offset) pairs for instructions that may trap; sorted.
  std::vector<std::pair<uint32_t, uint32_t>> offsets;
};

}  // namespace aperture
