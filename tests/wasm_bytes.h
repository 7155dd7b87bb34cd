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

// The code section (id 10) of these function bodies (each: locals, instructions, end).
inline void code_section(Bytes& out, const std::vector<Bytes>& bodies) {
  Bytes code;
  leb(code, bodies.size());
  for (const Bytes& b : bodies) {
    leb(code, b.size());
    code.insert(code.end(), b.begin(), b.end());
  }
  section(out, 10, code);
}

// The export section (id 7): functions 1, 2, ... under `function_names` in that order
// (function 0 is left unexported, as the test modules' helper), after `other` (entries
// already encoded: name, kind, index).
inline void export_section(Bytes& out, const std::vector<std::string>& function_names,
                           uint32_t other_count = 0, const Bytes& other = {}) {
  Bytes exports;
  leb(exports, function_names.size() + other_count);
  exports.insert(exports.end(), other.begin(), other.end());
  for (size_t i = 0; i < function_names.size(); ++i) {
    name(exports, function_names[i]);
    exports.push_back(0x00);
    leb(exports, i + 1);
  }
  section(out, 7, exports);
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

// A function with a large body that needs almost no stack, exported as "big":
//   big(n i32) -> i32   returns n by recursing n times
// It declares `locals` unused i64 locals and evaluates `producers` constants it drops,
// then recurses while n > 0. Each call's real frame is small (nothing is live across the
// body); an estimate per local and per value-producing instruction is not.
inline Bytes big_frame_module(uint32_t locals, uint32_t producers) {
  Bytes m = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  section(m, 1, {1, 0x60, 1, 0x7F, 1, 0x7F});  // (i32) -> i32
  section(m, 3, {1, 0});
  Bytes exports = {1};
  name(exports, "big");
  exports.insert(exports.end(), {0x00, 0});
  section(m, 7, exports);
  Bytes body = {1};  // one run of locals
  leb(body, locals);
  body.push_back(0x7E);  // i64
  for (uint32_t i = 0; i < producers; ++i) body.insert(body.end(), {0x41, 0x01, 0x1A});  // i32.const 1, drop
  body.insert(body.end(), {0x20, 0, 0x04, 0x7F,                   // local.get 0, if (result i32)
                           0x20, 0, 0x41, 1, 0x6B, 0x10, 0,        //   n - 1, call big
                           0x41, 1, 0x6A,                          //   + 1
                           0x05, 0x41, 0, 0x0B, 0x0B});            // else 0 end, end
  Bytes code = {1};
  leb(code, body.size());
  code.insert(code.end(), body.begin(), body.end());
  section(m, 10, code);
  return m;
}

}  // namespace aperture::testing_support
