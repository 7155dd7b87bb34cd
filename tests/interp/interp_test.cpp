// Interpreter behaviour through the public API: control flow, calls, memory, traps.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <cmath>
#include <limits>

#include "aperture/memory.h"
#include "aperture/runtime.h"
#include "engine_under_test.h"

namespace aperture {
namespace {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class InterpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto bytes = read_file(std::string(APERTURE_WAT_DIR) + "/basics.wasm");
    ASSERT_FALSE(bytes.empty());
    Linker linker;
    inst_ = &store_.instantiate(compile(bytes, testing_support::engine_under_test()), linker);
  }
  Value call1(const std::string& name, std::vector<Value> args) {
    auto r = inst_->call(name, args);
    EXPECT_EQ(r.size(), 1u);
    return r.empty() ? Value{} : r[0];
  }
  std::string trap_of(const std::string& name, std::vector<Value> args) {
    try {
      inst_->call(name, args);
    } catch (const Trap& t) {
      return t.what();
    }
    return "no trap";
  }
  Store store_;
  Instance* inst_ = nullptr;
};

TEST_F(InterpTest, Arithmetic) {
  EXPECT_EQ(call1("add", {Value::i32(2), Value::i32(40)}).as_u32(), 42u);
  EXPECT_EQ(call1("add", {Value::i32(0xFFFFFFFF), Value::i32(2)}).as_u32(), 1u);
}

TEST_F(InterpTest, RecursionAndLoops) {
  EXPECT_EQ(call1("fib", {Value::i32(20)}).as_u32(), 6765u);
  EXPECT_EQ(call1("sum_to", {Value::i64(100000)}).as_u64(), 5000050000ull);
}

TEST_F(InterpTest, BranchTableAndBlockResults) {
  EXPECT_EQ(call1("classify", {Value::i32(0)}).as_i32(), 100);
  EXPECT_EQ(call1("classify", {Value::i32(1)}).as_i32(), 101);
  EXPECT_EQ(call1("classify", {Value::i32(2)}).as_i32(), 102);
  EXPECT_EQ(call1("classify", {Value::i32(3)}).as_i32(), -1);
  EXPECT_EQ(call1("classify", {Value::i32(99)}).as_i32(), -1);
  EXPECT_EQ(call1("block_keep", {}).as_i32(), 9);
}

TEST_F(InterpTest, MultiValueAndSelect) {
  auto r = inst_->call("swap", std::vector<Value>{Value::i32(1), Value::i32(2)});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].as_u32(), 2u);
  EXPECT_EQ(r[1].as_u32(), 1u);
  EXPECT_EQ(call1("select", {Value::i32(1)}).as_u64(), 10u);
  EXPECT_EQ(call1("select", {Value::i32(0)}).as_u64(), 20u);
}

TEST_F(InterpTest, GlobalsPersistAcrossCalls) {
  EXPECT_EQ(call1("bump", {}).as_u32(), 1u);
  EXPECT_EQ(call1("bump", {}).as_u32(), 2u);
}

TEST_F(InterpTest, MemoryLoadStoreGrow) {
  EXPECT_EQ(call1("store_load", {Value::i32(100), Value::i64(0x1122334455667788)}).as_u64(),
            0x1122334455667788ull);
  Memory* mem = inst_->exported_memory("mem");
  ASSERT_NE(mem, nullptr);
  uint8_t* base = mem->base();
  EXPECT_EQ(call1("size", {}).as_u32(), 1u);
  EXPECT_EQ(call1("grow", {Value::i32(2)}).as_u32(), 1u);
  EXPECT_EQ(call1("size", {}).as_u32(), 3u);
  EXPECT_EQ(mem->base(), base) << "memory must never move";
  EXPECT_EQ(call1("grow", {Value::i32(2)}).as_i32(), -1) << "max is 4 pages";
  EXPECT_EQ(call1("load", {Value::i32(3 * 65536 - 4)}).as_u32(), 0u);
}

TEST_F(InterpTest, OutOfBoundsTraps) {
  EXPECT_EQ(trap_of("load", {Value::i32(65536)}), "out of bounds memory access");
  EXPECT_EQ(trap_of("load", {Value::i32(65533)}), "out of bounds memory access");
  EXPECT_EQ(trap_of("load", {Value::i32(0xFFFFFFFF)}), "out of bounds memory access");
  EXPECT_EQ(trap_of("fill", {Value::i32(65000), Value::i32(1), Value::i32(1000)}),
            "out of bounds memory access");
  // The engine keeps working after a fault.
  EXPECT_EQ(call1("add", {Value::i32(1), Value::i32(1)}).as_u32(), 2u);
}

TEST_F(InterpTest, IndirectCalls) {
  EXPECT_EQ(call1("dispatch", {Value::i32(0), Value::i32(9), Value::i32(4)}).as_u32(), 13u);
  EXPECT_EQ(call1("dispatch", {Value::i32(1), Value::i32(9), Value::i32(4)}).as_u32(), 5u);
  EXPECT_EQ(trap_of("dispatch", {Value::i32(2), Value::i32(0), Value::i32(0)}),
            "uninitialized element 2");
  EXPECT_EQ(trap_of("dispatch", {Value::i32(4), Value::i32(0), Value::i32(0)}),
            "undefined element");
}

TEST_F(InterpTest, ArithmeticTraps) {
  EXPECT_EQ(trap_of("div", {Value::i32(1), Value::i32(0)}), "integer divide by zero");
  EXPECT_EQ(trap_of("div", {Value::i32(0x80000000), Value::i32(-1)}), "integer overflow");
  EXPECT_EQ(trap_of("trunc", {Value::f64(std::numeric_limits<double>::quiet_NaN())}),
            "invalid conversion to integer");
  EXPECT_EQ(trap_of("trunc", {Value::f64(3e9)}), "integer overflow");
  EXPECT_EQ(call1("trunc", {Value::f64(-2147483648.9)}).as_i32(), INT32_MIN);
  EXPECT_EQ(trap_of("boom", {}), "unreachable");
}

TEST_F(InterpTest, FloatMinHandlesSignedZero) {
  EXPECT_TRUE(std::signbit(call1("fmin", {Value::f64(0.0), Value::f64(-0.0)}).as_f64()));
}

TEST_F(InterpTest, UnboundedRecursionTrapsWithBacktrace) {
  try {
    inst_->call("runaway", std::vector<Value>{Value::i32(1)});
    FAIL() << "expected a trap";
  } catch (const Trap& t) {
    EXPECT_STREQ(t.what(), "call stack exhausted");
    ASSERT_FALSE(t.backtrace.empty());
    EXPECT_NE(t.backtrace[0].find("runaway"), std::string::npos) << t.backtrace[0];
  }
  EXPECT_EQ(call1("fib", {Value::i32(10)}).as_u32(), 55u);
}

}  // namespace
}  // namespace aperture
