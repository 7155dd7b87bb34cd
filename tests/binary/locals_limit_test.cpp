// Locals are kept as (count, type) runs and bounded per function and per module: a small
// module cannot make the decoder (or an engine expanding locals) allocate gigabytes.
#include <gtest/gtest.h>

#include <chrono>

#include "aperture/error.h"
#include "binary/decoder.h"
#include "binary/limits.h"
#include "binary/module.h"

namespace aperture {
namespace {

using Bytes = std::vector<uint8_t>;

void leb(Bytes& out, uint64_t v) {
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    out.push_back(v ? byte | 0x80 : byte);
  } while (v);
}

void section(Bytes& m, uint8_t id, const Bytes& payload) {
  m.push_back(id);
  leb(m, payload.size());
  m.insert(m.end(), payload.begin(), payload.end());
}

// `functions` functions of type [] -> [], each body declaring `body_locals` (runs).
Bytes module_with_locals(uint32_t functions, const Bytes& body) {
  Bytes m = {0, 'a', 's', 'm', 1, 0, 0, 0};
  section(m, 1, {1, 0x60, 0, 0});
  Bytes funcs;
  leb(funcs, functions);
  funcs.insert(funcs.end(), functions, 0);
  section(m, 3, funcs);
  Bytes code;
  leb(code, functions);
  for (uint32_t i = 0; i < functions; ++i) {
    leb(code, body.size());
    code.insert(code.end(), body.begin(), body.end());
  }
  section(m, 10, code);
  return m;
}

// One run of 50,000 i32 locals; the body is `end`.
Bytes max_locals_body() {
  Bytes body = {1};
  leb(body, kMaxFunctionLocals);
  body.push_back(0x7F);
  body.push_back(0x0B);
  return body;
}

TEST(LocalsTest, KeptAsRunsWithLookup) {
  // (local i32 i32 i32) (local i64) (local f32 f32), then local.get 3 (i64), drop, end.
  Bytes body = {3, 3, 0x7F, 1, 0x7E, 2, 0x7D, 0x20, 3, 0x1A, 0x0B};
  Module m = decode_module(module_with_locals(1, body));
  const FunctionBody& b = m.bodies.at(0);
  EXPECT_EQ(b.locals.size(), 3u) << "three runs, not six entries";
  EXPECT_EQ(b.num_locals, 6u);
  EXPECT_EQ(b.local_type(0), ValType::I32);
  EXPECT_EQ(b.local_type(2), ValType::I32);
  EXPECT_EQ(b.local_type(3), ValType::I64);
  EXPECT_EQ(b.local_type(4), ValType::F32);
  EXPECT_EQ(b.local_type(5), ValType::F32);
}

TEST(LocalsTest, EmptyRunsAreFine) {
  Bytes body = {3, 0, 0x7F, 2, 0x7E, 0, 0x7D, 0x0B};
  Module m = decode_module(module_with_locals(1, body));
  EXPECT_EQ(m.bodies[0].num_locals, 2u);
  EXPECT_EQ(m.bodies[0].local_type(0), ValType::I64);
  EXPECT_EQ(m.bodies[0].local_type(1), ValType::I64);
}

TEST(LocalsTest, FunctionAtTheLimitDecodesWithOneRun) {
  Module m = decode_module(module_with_locals(1, max_locals_body()));
  EXPECT_EQ(m.bodies[0].num_locals, kMaxFunctionLocals);
  EXPECT_EQ(m.bodies[0].locals.size(), 1u);
}

// The example: 100,000 functions x 50,000 locals in an 800 KB module.
TEST(LocalsTest, ManyFunctionsWithManyLocalsAreRefusedQuickly) {
  Bytes m = module_with_locals(100'000, max_locals_body());
  ASSERT_LT(m.size(), 1'000'000u);
  auto start = std::chrono::steady_clock::now();
  try {
    decode_module(m);
    FAIL() << "decoded " << 100'000ull * kMaxFunctionLocals << " locals";
  } catch (const DecodeError& e) {
    EXPECT_NE(e.detail().find("too many locals: the module declares more than 4194304 locals"),
              std::string::npos)
        << e.what();
  }
  // Generous bound (sanitizers, a loaded machine): expanding the locals took minutes.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(LocalsTest, ModuleTotalAtTheLimitDecodes) {
  uint32_t functions = static_cast<uint32_t>(kMaxModuleLocals / kMaxFunctionLocals);
  Module m = decode_module(module_with_locals(functions, max_locals_body()));
  EXPECT_EQ(m.bodies.size(), functions);
}

}  // namespace
}  // namespace aperture
