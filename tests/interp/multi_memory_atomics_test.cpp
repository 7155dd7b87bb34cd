// Atomics with a memory index: each form acts on the memory it names (memory 1 here),
// never on memory 0; unaligned and out-of-bounds accesses trap as on memory 0.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "aperture/memory.h"
#include "aperture/runtime.h"
#include "engine_under_test.h"

namespace aperture {
namespace {

class MultiMemoryAtomicsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(std::string(APERTURE_WAT_DIR) + "/atomics_two_memories.wasm", std::ios::binary);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    ASSERT_FALSE(bytes.empty());
    inst_ = &store_.instantiate(compile(bytes, testing_support::engine_under_test()), Linker{});
  }
  int64_t call(const std::string& fn, std::vector<Value> args) {
    return static_cast<int32_t>(inst_->call(fn, args).at(0).as_u32());
  }
  std::string trap(const std::string& fn, std::vector<Value> args) {
    try {
      inst_->call(fn, args);
    } catch (const Trap& t) {
      return t.what();
    }
    return "no trap";
  }
  Store store_;
  Instance* inst_ = nullptr;
};

TEST_F(MultiMemoryAtomicsTest, EveryFormAddressesMemoryOne) {
  EXPECT_EQ(call("add1", {Value::i32(8), Value::i32(5)}), 0);
  EXPECT_EQ(call("add1", {Value::i32(8), Value::i32(2)}), 5);
  EXPECT_EQ(call("load1", {Value::i32(8)}), 7);
  EXPECT_EQ(call("plain1", {Value::i32(8)}), 7);
  EXPECT_EQ(call("plain0", {Value::i32(8)}), 0) << "memory 0 untouched";
  EXPECT_EQ(call("cmpxchg1", {Value::i32(8), Value::i32(7), Value::i32(40)}), 7);
  EXPECT_EQ(call("plain1", {Value::i32(8)}), 40);
  inst_->call("store1", std::vector<Value>{Value::i32(16), Value::i64(0x1122334455667788ull)});
  EXPECT_EQ(call("plain1", {Value::i32(16)}), 0x55667788);
  EXPECT_EQ(call("plain0", {Value::i32(16)}), 0);
}

TEST_F(MultiMemoryAtomicsTest, WaitAndNotifyUseTheNamedMemory) {
  EXPECT_EQ(call("notify1", {Value::i32(8)}), 0) << "no waiter";
  EXPECT_EQ(call("wait1", {Value::i32(8), Value::i32(1)}), 1) << "not equal";
  EXPECT_EQ(call("wait1", {Value::i32(8), Value::i32(0)}), 2) << "timed out (memory 1 is shared)";
  EXPECT_NE(trap("wait0", {Value::i32(8)}), "no trap") << "memory 0 is not shared";
}

TEST_F(MultiMemoryAtomicsTest, UnalignedAndOutOfBoundsTrap) {
  EXPECT_EQ(trap("add1", {Value::i32(6), Value::i32(1)}), "unaligned atomic");
  EXPECT_EQ(trap("load1", {Value::i32(65536)}), "out of bounds memory access");
}

}  // namespace
}  // namespace aperture
