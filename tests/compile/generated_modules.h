// Generated WASI programs for the cold-start and compile-budget tests (cold_start_test.cpp,
// docs/performance.md "Cold start"): each prints "ready\n" first, then calls into a body of
// code built to be large or hard to compile.
#pragma once

#include <string>

#include "wasm_bytes.h"

namespace aperture::testing_support {

enum class GeneratedKind {
  Large,          // `count` ordinary functions of ~260 bytes (loops, memory, calls)
  ManyCalls,      // one function with `count` calls to a tiny function
  TinyFunctions,  // `count` tiny functions
  ManyLocals,     // 80 functions with `count` locals each
};

// _start: fd_write(1, "ready\n"), then f0(1) (ManyLocals, TinyFunctions: every function once).
inline Bytes generated_program(GeneratedKind kind, uint32_t count) {
  Bytes m = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  section(m, 1, {3,
                 0x60, 4, 0x7F, 0x7F, 0x7F, 0x7F, 1, 0x7F,  // 0: fd_write
                 0x60, 0, 0,                                // 1: () -> ()
                 0x60, 1, 0x7F, 1, 0x7F});                  // 2: (i32) -> i32
  Bytes imports = {1};
  name(imports, "wasi_snapshot_preview1");
  name(imports, "fd_write");
  imports.insert(imports.end(), {0x00, 0});
  section(m, 2, imports);
  uint32_t funcs = kind == GeneratedKind::ManyCalls ? 2 : kind == GeneratedKind::ManyLocals ? 80 : count;
  Bytes types;
  leb(types, funcs + 1);
  types.push_back(1);
  for (uint32_t i = 0; i < funcs; ++i) types.push_back(2);
  section(m, 3, types);
  section(m, 5, {1, 0x00, 1});  // memory 0: 1 page
  Bytes exports = {2};
  name(exports, "_start");
  exports.insert(exports.end(), {0x00, 1});
  name(exports, "memory");
  exports.insert(exports.end(), {0x02, 0});
  section(m, 7, exports);

  // Function i (i >= 0) is wasm function 2 + i.
  auto call = [](Bytes& b, uint32_t f) {
    b.push_back(0x10);
    leb(b, 2 + f);
  };
  auto i32_const = [](Bytes& b, int32_t v) {
    b.push_back(0x41);
    int64_t x = v;
    bool more = true;
    while (more) {
      uint8_t byte = x & 0x7F;
      x >>= 7;
      more = !((x == 0 && !(byte & 0x40)) || (x == -1 && (byte & 0x40)));
      b.push_back(static_cast<uint8_t>(byte | (more ? 0x80 : 0)));
    }
  };
  auto body = [](Bytes& code, const Bytes& b) {
    leb(code, b.size());
    code.insert(code.end(), b.begin(), b.end());
  };
  Bytes code;
  leb(code, funcs + 1);
  {  // _start
    Bytes b = {0};
    // fd_write(1, iovs=0, 1, nwritten=8)
    i32_const(b, 1), i32_const(b, 0), i32_const(b, 1), i32_const(b, 8);
    b.insert(b.end(), {0x10, 0, 0x1A});
    uint32_t calls = kind == GeneratedKind::Large || kind == GeneratedKind::ManyCalls ? 1 : funcs;
    for (uint32_t f = 0; f < calls; ++f) {
      i32_const(b, 1);
      call(b, f);
      b.push_back(0x1A);  // drop
    }
    b.push_back(0x0B);
    body(code, b);
  }
  for (uint32_t f = 0; f < funcs; ++f) {
    Bytes b;
    switch (kind) {
      case GeneratedKind::Large: {
        // local 1: loop counter, local 2: accumulator
        b = {1, 2, 0x7F};
        for (int block = 0; block < 6; ++block) {
          // acc = acc * 31 + x ^ load(x & 1023); store(x & 1023, acc)
          b.insert(b.end(), {0x20, 2});
          i32_const(b, 31 + block);
          b.insert(b.end(), {0x6C, 0x20, 0});
          b.push_back(0x6A);
          b.insert(b.end(), {0x20, 0});
          i32_const(b, 1020);
          b.insert(b.end(), {0x71, 0x28, 2, 0, 0x73, 0x21, 2});
          b.insert(b.end(), {0x20, 0});
          i32_const(b, 1020);
          b.insert(b.end(), {0x71, 0x20, 2, 0x36, 2, 0});
        }
        // for (i = x & 15; i; --i) acc += i * x
        b.insert(b.end(), {0x20, 0});
        i32_const(b, 15);
        b.insert(b.end(), {0x71, 0x21, 1});
        b.insert(b.end(), {0x02, 0x40, 0x03, 0x40, 0x20, 1, 0x45, 0x0D, 1});
        b.insert(b.end(), {0x20, 2, 0x20, 1, 0x20, 0, 0x6C, 0x6A, 0x21, 2});
        b.insert(b.end(), {0x20, 1});
        i32_const(b, 1);
        b.insert(b.end(), {0x6B, 0x21, 1, 0x0C, 0, 0x0B, 0x0B});
        // if (x < 64 && f + 1 < funcs) acc += f_{next}(x + 1)
        if (f + 1 < funcs) {
          b.insert(b.end(), {0x20, 0});
          i32_const(b, 64);
          b.insert(b.end(), {0x49, 0x04, 0x40, 0x20, 2, 0x20, 0});
          i32_const(b, 1);
          b.push_back(0x6A);
          call(b, f + 1);
          b.insert(b.end(), {0x6A, 0x21, 2, 0x0B});
        }
        b.insert(b.end(), {0x20, 2, 0x0B});
        break;
      }
      case GeneratedKind::ManyCalls:
        if (f == 0) {
          b = {0};
          b.insert(b.end(), {0x20, 0});
          for (uint32_t i = 0; i < count; ++i) call(b, 1);
          b.push_back(0x0B);
        } else {
          b = {0, 0x20, 0, 0x41, 1, 0x6A, 0x0B};  // x + 1
        }
        break;
      case GeneratedKind::TinyFunctions:
        b = {0, 0x20, 0};
        i32_const(b, static_cast<int32_t>(f));
        b.insert(b.end(), {0x6A, 0x0B});  // x + f
        break;
      case GeneratedKind::ManyLocals:
        b = {1};
        leb(b, count);
        b.push_back(0x7F);
        // local[count-1] = x; return local[count-1] + local[count/2]
        b.insert(b.end(), {0x20, 0, 0x21});
        leb(b, count);
        b.push_back(0x20);
        leb(b, count);
        b.push_back(0x20);
        leb(b, count / 2);
        b.insert(b.end(), {0x6A, 0x0B});
        break;
    }
    body(code, b);
  }
  section(m, 10, code);
  // Data: the iovec {16, 6} at 0 and "ready\n" at 16.
  Bytes data = {1, 0x00, 0x41, 0, 0x0B, 22, 16, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                'r', 'e', 'a', 'd', 'y', '\n'};
  section(m, 11, data);
  return m;
}

}  // namespace aperture::testing_support
