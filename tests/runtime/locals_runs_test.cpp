// Functions whose locals are declared in several (count, type) runs, up to the per-function
// limit, run correctly in the engine under test: each local has its run's type and starts
// at zero.
#include <gtest/gtest.h>

#include "aperture/runtime.h"
#include "binary/limits.h"
#include "engine_under_test.h"

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

// Exports "f" (param i64) (result i64): locals are `i32_count` i32 then one i64 then one
// f64. It returns param + the i64 local (zero) after storing the param in the last i32
// local and adding it back, so both runs are addressed at their far ends.
Bytes module(uint32_t i32_count) {
  Bytes m = {0, 'a', 's', 'm', 1, 0, 0, 0};
  section(m, 1, {1, 0x60, 1, 0x7E, 1, 0x7E});
  section(m, 3, {1, 0});
  section(m, 7, {1, 1, 'f', 0, 0});
  Bytes body = {3};
  leb(body, i32_count);
  body.push_back(0x7F);
  body.insert(body.end(), {1, 0x7E, 1, 0x7C});
  uint32_t last_i32 = i32_count, i64_local = i32_count + 1, f64_local = i32_count + 2;
  // local.get 0; i32.wrap_i64; local.set last_i32
  body.insert(body.end(), {0x20, 0, 0xA7, 0x21});
  leb(body, last_i32);
  // local.get last_i32; i64.extend_i32_u; local.get i64_local; i64.add
  body.push_back(0x20);
  leb(body, last_i32);
  body.push_back(0xAD);
  body.push_back(0x20);
  leb(body, i64_local);
  body.push_back(0x7C);
  // local.get f64_local; i64.trunc_f64_s; i64.add (zero if the f64 local starts at 0.0)
  body.push_back(0x20);
  leb(body, f64_local);
  body.insert(body.end(), {0xB0, 0x7C, 0x0B});
  Bytes code = {1};
  leb(code, body.size());
  code.insert(code.end(), body.begin(), body.end());
  section(m, 10, code);
  return m;
}

uint64_t call_f(uint32_t i32_count, uint64_t arg) {
  Store store;
  Instance& inst = store.instantiate(compile(module(i32_count), testing_support::engine_under_test()), Linker{});
  return inst.call("f", std::vector<Value>{Value::i64(arg)}).at(0).as_u64();
}

TEST(LocalsRunsTest, SmallAndLargeRuns) {
  EXPECT_EQ(call_f(1, 41), 41u);
  EXPECT_EQ(call_f(1000, 0xFFFFFFFFu), 0xFFFFFFFFu);
  EXPECT_EQ(call_f(static_cast<uint32_t>(kMaxFunctionLocals) - 2, 7), 7u) << "at the per-function limit";
}

TEST(LocalsRunsTest, OneMoreLocalIsRefused) {
  EXPECT_THROW(compile(module(static_cast<uint32_t>(kMaxFunctionLocals) - 1), testing_support::engine_under_test()),
               DecodeError);
}

}  // namespace
}  // namespace aperture
