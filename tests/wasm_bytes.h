// Hand-assembled test modules, for instructions that wat2wasm (wabt 1.0.32) cannot write,
// such as memory.discard of the memory-control proposal.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aperture::testing_support {

using Bytes = std::vector<uint8_t>;

inline void leb(Bytes& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    out.push_back(static_cast<uint8_t>(b | (v ? 0x80 : 0)));
  } while (v);
}

inline void name(Bytes& out, const std::string& s) {
  leb(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

// A section: id, byte length, contents.
inline void section(Bytes& out, uint8_t id, const Bytes& contents) {
  out.push_back(id);
  leb(out, contents.size());
  out.insert(out.end(), contents.begin(), contents.end());
}

// One memory (`min_pages`, no maximum) exported as "memory" and these functions, each
// exported under its name:
//   discard(addr i32, len i32)           memory.discard 0
//   load(addr i32) -> i32                i32.load
//   store(addr i32, value i32)           i32.store
//   fill(addr i32, value i32, len i32)   memory.fill
//   grow(pages i32) -> i32               memory.grow
inline Bytes discard_module(uint32_t min_pages) {
  Bytes m = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  section(m, 1, {3,                                   // types
                 0x60, 2, 0x7F, 0x7F, 0,              // 0: (i32 i32) -> ()
                 0x60, 1, 0x7F, 1, 0x7F,              // 1: (i32) -> i32
                 0x60, 3, 0x7F, 0x7F, 0x7F, 0});      // 2: (i32 i32 i32) -> ()
  section(m, 3, {5, 0, 1, 0, 2, 1});                  // functions' types
  Bytes mem = {1, 0x00};
  leb(mem, min_pages);
  section(m, 5, mem);
  Bytes exports = {6};
  name(exports, "memory");
  exports.insert(exports.end(), {0x02, 0});
  const char* funcs[] = {"discard", "load", "store", "fill", "grow"};
  for (uint8_t i = 0; i < 5; ++i) {
    name(exports, funcs[i]);
    exports.insert(exports.end(), {0x00, i});
  }
  section(m, 7, exports);
  const Bytes bodies[] = {
      {0, 0x20, 0, 0x20, 1, 0xFC, 0x12, 0, 0x0B},               // memory.discard 0
      {0, 0x20, 0, 0x28, 2, 0, 0x0B},                           // i32.load align=4
      {0, 0x20, 0, 0x20, 1, 0x36, 2, 0, 0x0B},                  // i32.store align=4
      {0, 0x20, 0, 0x20, 1, 0x20, 2, 0xFC, 0x0B, 0, 0x0B},      // memory.fill 0
      {0, 0x20, 0, 0x40, 0, 0x0B},                              // memory.grow 0
  };
  Bytes code = {5};
  for (const Bytes& b : bodies) {
    leb(code, b.size());
    code.insert(code.end(), b.begin(), b.end());
  }
  section(m, 10, code);
  return m;
}

}  // namespace aperture::testing_support
