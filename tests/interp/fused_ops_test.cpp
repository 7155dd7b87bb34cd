// The interpreter's superinstructions (interp/translate.cpp's peephole) compute what the
// instruction sequences they replace compute: local.get + const + OP, the same writing a
// local, local.tee + local.get, and no fusion across a branch target. Every engine runs
// these, so the compiled engine checks the same expectations.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "aperture/runtime.h"
#include "engine_under_test.h"

namespace aperture {
namespace {

class FusedOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(std::string(APERTURE_WAT_DIR) + "/fused_ops.wasm", std::ios::binary);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    ASSERT_FALSE(bytes.empty());
    Linker linker;
    inst_ = &store_.instantiate(compile(bytes, testing_support::engine_under_test()), linker);
  }
  Value call1(const std::string& name, Value arg) {
    std::vector<Value> args{arg};
    std::vector<Value> r = inst_->call(name, args);
    EXPECT_EQ(r.size(), 1u);
    return r.empty() ? Value{} : r[0];
  }
  Store store_;
  Instance* inst_ = nullptr;
};

// Operands where signed and unsigned comparisons, wrapping and shift masking differ.
const uint32_t kI32[] = {0, 1, 5, 0xFFFFFFFBu, 0xFFFFFFFFu, 0x80000000u, 0x7FFFFFFFu, 123456789};
const uint64_t kI64[] = {0, 1, 5, 0xFFFFFFFFFFFFFFFBull, 0x8000000000000000ull, 0xFFFFFFFFull,
                         0x123456789ABCDEFull};

TEST_F(FusedOpsTest, LocalConstOpI32) {
  const uint32_t c = static_cast<uint32_t>(-5);
  for (uint32_t x : kI32) {
    const int32_t sx = static_cast<int32_t>(x), sc = -5;
    const std::pair<const char*, uint32_t> cases[] = {
        {"i32.add", x + c}, {"i32.sub", x - c}, {"i32.mul", x * c}, {"i32.and", x & c},
        {"i32.or", x | c}, {"i32.xor", x ^ c}, {"i32.shl", x << (c & 31)},
        {"i32.shr_s", static_cast<uint32_t>(sx >> (c & 31))}, {"i32.shr_u", x >> (c & 31)},
        {"i32.eq", x == c}, {"i32.ne", x != c}, {"i32.lt_s", sx < sc}, {"i32.lt_u", x < c},
        {"i32.gt_s", sx > sc}, {"i32.gt_u", x > c}, {"i32.le_s", sx <= sc}, {"i32.le_u", x <= c},
        {"i32.ge_s", sx >= sc}, {"i32.ge_u", x >= c}};
    for (const auto& [name, expected] : cases)
      EXPECT_EQ(call1(name, Value::i32(x)).as_u32(), expected) << name << " of " << x;
  }
}

TEST_F(FusedOpsTest, LocalConstOpI64) {
  const uint64_t c = static_cast<uint64_t>(-5);
  for (uint64_t x : kI64) {
    const std::pair<const char*, uint64_t> cases[] = {
        {"i64.add", x + c}, {"i64.sub", x - c}, {"i64.mul", x * c}, {"i64.and", x & c},
        {"i64.or", x | c}, {"i64.xor", x ^ c}, {"i64.shl", x << (c & 63)},
        {"i64.shr_s", static_cast<uint64_t>(static_cast<int64_t>(x) >> (c & 63))},
        {"i64.shr_u", x >> (c & 63)}};
    for (const auto& [name, expected] : cases)
      EXPECT_EQ(call1(name, Value::i64(x)).as_u64(), expected) << name << " of " << x;
  }
}

// The fused ops that write their result to a local (set and tee, i32 and i64, the same
// local and another one, an i32 going below zero) and local.tee + local.get.
TEST_F(FusedOpsTest, ResultsStraightToLocals) {
  for (uint32_t n : {1u, 2u, 1000u}) {
    uint32_t i = 0, down = 0, t = 0;
    uint64_t sum = 0, w = 0;
    do {
      i = i + 1;
      t = i + 7;
      sum += t;
      down = down - 3;
      sum += static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(down)));
      down = i - 2;
      w += 0x100000000ull;
      w += 1;
      sum += w;
      t = i + i;
      sum += static_cast<uint32_t>(t + i);
    } while (i < n);
    EXPECT_EQ(call1("steps", Value::i32(n)).as_u64(), sum) << n;
  }
}

// A loop with a parameter starts between a local.get and a constant: the branch back
// brings the loop's value, not the local's, so the two must not fold into one op.
TEST_F(FusedOpsTest, NoFusionAcrossABranchTarget) {
  EXPECT_EQ(call1("loop_param", Value::i32(0)).as_u32(), 30u);
  EXPECT_EQ(call1("loop_param", Value::i32(1)).as_u32(), 31u);
  EXPECT_EQ(call1("loop_param", Value::i32(100)).as_u32(), 103u);
}

}  // namespace
}  // namespace aperture
