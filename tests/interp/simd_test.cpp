// SIMD (v128) in the engine under test beyond the spec suite: v128 values through
// Instance::call, locals between scalar ones, globals, blocks, select, call_indirect, and
// exact traps for accesses at the end of memory (nothing written by a store that traps).
// Engines without SIMD refuse the module; their tests are skipped.
#include <gtest/gtest.h>

#include <cstring>

#include "aperture/engine.h"
#include "aperture/error.h"
#include "aperture/memory.h"
#include "aperture/runtime.h"
#include "engine_under_test.h"
#include "module_support.h"

namespace aperture {
namespace {

using testing_support::trap_of;

class SimdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!engine_supports_simd(testing_support::engine_under_test().kind)) {
      EXPECT_THROW(testing_support::load_test_module("simd"), UnsupportedFeatureError);
      GTEST_SKIP() << "this engine does not run SIMD yet (the module is refused)";
    }
    // mix(a: i32, v: v128, b: i64) -> (v with its halves swapped and b, a added, a * 2)
    FuncType mix{{ValType::I32, ValType::V128, ValType::I64}, {ValType::V128, ValType::I32}};
    linker_.define("env", "mix", Extern::func(store_.create_host_function(
                                     mix, [](HostContext&, const uint64_t* args, uint64_t* results) {
                                       results[0] = args[2] + args[3];
                                       results[1] = args[1] + args[0];
                                       results[2] = args[0] * 2;
                                     })));
    inst_ = &store_.instantiate(testing_support::load_test_module("simd"), linker_);
    memory_ = inst_->find_export("memory")->as_memory();
  }
  Value call1(const std::string& name, std::vector<Value> args) {
    std::vector<Value> r = inst_->call(name, args);
    EXPECT_EQ(r.size(), 1u);
    return r.at(0);
  }
  uint8_t* bytes() { return memory_->base(); }

  Store store_;
  Linker linker_;
  Instance* inst_ = nullptr;
  Memory* memory_ = nullptr;
};

constexpr uint64_t kPageEnd = 65536;

void expect_v128(const Value& v, uint64_t low, uint64_t high) {
  EXPECT_EQ(v.type, ValType::V128);
  EXPECT_EQ(v.bits, low) << std::hex << v.bits;
  EXPECT_EQ(v.high, high) << std::hex << v.high;
}

TEST_F(SimdTest, ParamsAndResults) {
  // i32x4.add lane-wise, with carries that must not cross lanes.
  Value r = call1("add", {Value::v128(0x00000001FFFFFFFFull, 0x7FFFFFFF00000003ull),
                          Value::v128(0x0000000100000001ull, 0x0000000100000004ull)});
  expect_v128(r, 0x0000000200000000ull, 0x8000000000000007ull);
  expect_v128(call1("indirect", {Value::v128(1, 2), Value::v128(3, 4)}), 4, 6);
}

TEST_F(SimdTest, LocalsBetweenScalarsBlocksAndSelect) {
  Value v = Value::v128(0x1111111111111111ull, 0x2222222222222222ull);
  // a == 0: the branch is taken with v + i64x2.splat(b), added as i32x4
  std::vector<Value> r = inst_->call("mixed", std::vector<Value>{Value::i32(0), v, Value::i64(1)});
  ASSERT_EQ(r.size(), 3u);
  expect_v128(r[0], 0x1111111111111112ull, 0x2222222222222223ull);
  EXPECT_EQ(r[1].as_u32(), 1u);
  EXPECT_EQ(r[2].as_u64(), 3u);
  // a != 0: select picks v; the scalars still come from their own slots
  r = inst_->call("mixed", std::vector<Value>{Value::i32(5), v, Value::i64(7)});
  expect_v128(r[0], v.bits, v.high);
  EXPECT_EQ(r[1].as_u32(), 6u);
  EXPECT_EQ(r[2].as_u64(), 21u);
}

TEST_F(SimdTest, HostFunctionsTakeAndReturnV128InTwoSlots) {
  std::vector<Value> r = inst_->call(
      "via_host", std::vector<Value>{Value::i32(5), Value::v128(0x100, 0x200), Value::i64(0x30)});
  ASSERT_EQ(r.size(), 2u);
  expect_v128(r[0], 0x230, 0x105);
  EXPECT_EQ(r[1].as_u32(), 10u);
}

TEST_F(SimdTest, Globals) {
  expect_v128(call1("get_g", {}), 1, 2);
  inst_->call("set_g", std::vector<Value>{Value::v128(0xAA, 0xBB)});
  expect_v128(call1("get_g", {}), 0xAA, 0xBB);
  Value g = inst_->find_export("g")->as_global()->get();
  expect_v128(g, 0xAA, 0xBB);
}

// Relaxed SIMD lets hosts differ; Aperture's engines all take the documented choice
// (docs/architecture.md, "SIMD"), so these exact results hold in every engine.
TEST_F(SimdTest, RelaxedSimdTakesTheDocumentedChoices) {
  auto splat32 = [](uint32_t x) { return Value::v128(x | uint64_t{x} << 32, x | uint64_t{x} << 32); };
  // (1 + 2^-12)^2 - (1 + 2^-11): 0 when the product is rounded first, 2^-24 when fused.
  Value a = splat32(0x3F800800), c = splat32(0xBF801000);
  expect_v128(call1("relaxed_madd", {a, a, c}), 0, 0);
  expect_v128(call1("relaxed_nmadd", {a, a, splat32(0x3F801000)}), 0, 0);
  // trunc = trunc_sat: NaN -> 0, 3e9 -> INT32_MAX, -3e9 -> INT32_MIN, -1.5 -> -1
  expect_v128(call1("relaxed_trunc", {Value::v128(0x4F32D05E7FC00000ull, 0xBFC00000CF32D05Eull)}),
              0x7FFFFFFF00000000ull, 0xFFFFFFFF80000000ull);
  // f64x2 unsigned with zeroed upper lanes: -1.0 -> 0, 5e9 -> UINT32_MAX
  expect_v128(call1("relaxed_trunc_u_zero", {Value::v128(0xBFF0000000000000ull, 0x41F2A05F20000000ull)}),
              0xFFFFFFFF00000000ull, 0);
  // swizzle: indices of 16 and more give 0
  Value bytes = Value::v128(0x0706050403020100ull, 0x0F0E0D0C0B0A0908ull);
  expect_v128(call1("relaxed_swizzle", {bytes, Value::v128(0x0F0110FF8020000Full, 0x0001020304050607ull)}),
              0x0F0100000000000Full, 0x0001020304050607ull);
  // laneselect = bitselect: every bit of the mask counts, not only each lane's top bit
  expect_v128(call1("relaxed_laneselect", {Value::v128(~0ull, ~0ull), Value::v128(0, 0),
                                           Value::v128(0x00FF00FF0000FFFFull, 0x1)}),
              0x00FF00FF0000FFFFull, 0x1);
  // min/max as min/max: -0 below +0 in either order
  expect_v128(call1("relaxed_min", {splat32(0x00000000), splat32(0x80000000)}), 0x8000000080000000ull,
              0x8000000080000000ull);
  expect_v128(call1("relaxed_max", {Value::v128(0x8000000000000000ull, 0), Value::v128(0, 0x8000000000000000ull)}),
              0, 0);
  // q15mulr saturates -32768 * -32768 to 32767
  expect_v128(call1("relaxed_q15mulr", {Value::v128(0x8000800080008000ull, 0x8000800080008000ull),
                                        Value::v128(0x8000800080008000ull, 0x4000400040004000ull)}),
              0x7FFF7FFF7FFF7FFFull, 0xC000C000C000C000ull);
  // dot: both operands' bytes signed, the i16 sum wraps: 2 * (-128 * -128) = 32768 -> -32768
  Value all_80 = Value::v128(0x8080808080808080ull, 0x8080808080808080ull);
  expect_v128(call1("relaxed_dot", {all_80, all_80}), 0x8000800080008000ull, 0x8000800080008000ull);
  // dot_add: the two wrapped i16 sums (-32768 each), sign-extended, plus the accumulator
  expect_v128(call1("relaxed_dot_add", {all_80, all_80, Value::v128(0x0000000100000000ull, 0)}),
              0xFFFF0001FFFF0000ull, 0xFFFF0000FFFF0000ull);
}

TEST_F(SimdTest, KernelOverMemory) {
  // 1024 bytes: each i16 lane sums at most 64 * 510, no overflow
  for (int i = 0; i < 1024; ++i) bytes()[1024 + i] = static_cast<uint8_t>(i * 7);
  uint32_t want = 0;
  for (int i = 0; i < 1024; ++i) want += static_cast<uint8_t>(i * 7);
  EXPECT_EQ(call1("sum_bytes", {Value::i32(1024), Value::i32(1024)}).as_u32(), want);
}

TEST_F(SimdTest, AccessesAtTheEndOfMemoryTrapExactly) {
  const std::string oob = "out of bounds memory access";
  for (uint64_t i = 0; i < 32; ++i) bytes()[kPageEnd - 32 + i] = static_cast<uint8_t>(i);
  // The last 16 bytes load; one byte further traps.
  Value last = call1("load", {Value::i32(kPageEnd - 16)});
  uint64_t low;
  std::memcpy(&low, bytes() + kPageEnd - 16, 8);
  EXPECT_EQ(last.bits, low);
  EXPECT_EQ(trap_of(*inst_, "load", {Value::i32(kPageEnd - 15)}), oob);
  EXPECT_EQ(trap_of(*inst_, "load", {Value::i32(0xFFFFFFFF)}), oob);
  // A store that straddles the end writes nothing.
  uint8_t before[32];
  std::memcpy(before, bytes() + kPageEnd - 32, 32);
  EXPECT_EQ(trap_of(*inst_, "store", {Value::i32(kPageEnd - 8), Value::v128(~0ull, ~0ull)}), oob);
  EXPECT_EQ(std::memcmp(before, bytes() + kPageEnd - 32, 32), 0);
  // Lane, zero, splat and extending forms access only their width.
  EXPECT_NO_THROW(inst_->call("load_lane", std::vector<Value>{Value::i32(kPageEnd - 8), Value::v128(0, 0)}));
  EXPECT_EQ(trap_of(*inst_, "load_lane", {Value::i32(kPageEnd - 7), Value::v128(0, 0)}), oob);
  expect_v128(call1("load_zero", {Value::i32(kPageEnd - 4)}), 0x1F1E1D1Cull, 0);
  EXPECT_EQ(trap_of(*inst_, "load_zero", {Value::i32(kPageEnd - 3)}), oob);
  expect_v128(call1("load_splat", {Value::i32(kPageEnd - 2)}), 0x1F1E1F1E1F1E1F1Eull,
              0x1F1E1F1E1F1E1F1Eull);
  EXPECT_EQ(trap_of(*inst_, "load_splat", {Value::i32(kPageEnd - 1)}), oob);
  EXPECT_NO_THROW(inst_->call("load_extend", std::vector<Value>{Value::i32(kPageEnd - 8)}));
  EXPECT_EQ(trap_of(*inst_, "load_extend", {Value::i32(kPageEnd - 7)}), oob);
  // store32_lane 3 writes lane 3 into the last 4 bytes; 3 bytes before the end traps.
  EXPECT_NO_THROW(inst_->call("store_lane", std::vector<Value>{Value::i32(kPageEnd - 4),
                                                               Value::v128(0, 0xA1B2C3D400000000ull)}));
  uint32_t tail;
  std::memcpy(&tail, bytes() + kPageEnd - 4, 4);
  EXPECT_EQ(tail, 0xA1B2C3D4u);
  EXPECT_EQ(trap_of(*inst_, "store_lane", {Value::i32(kPageEnd - 3), Value::v128(0, 0)}), oob);
}

}  // namespace
}  // namespace aperture
