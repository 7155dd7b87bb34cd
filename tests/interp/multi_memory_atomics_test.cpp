// Atomics with a memory index: each form acts on the memory it names (memory 1 or 2),
// never on another; unaligned and out-of-bounds accesses trap as on memory 0.
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

// Memory 1 and memory 2 take different paths in the interpreter (interp/iop.h).
class MultiMemoryAtomicsOnMemory : public MultiMemoryAtomicsTest, public ::testing::WithParamInterface<int> {
 protected:
  // The export `name` for the memory under test: "add" -> "add1" or "add2".
  std::string on(const std::string& name) const { return name + std::to_string(GetParam()); }
  // The export that reads memory `index` with a plain load.
  static std::string plain(int index) { return "plain" + std::to_string(index); }
};

TEST_P(MultiMemoryAtomicsOnMemory, EveryFormAddressesTheNamedMemory) {
  const int other = GetParam() == 1 ? 2 : 1;
  EXPECT_EQ(call(on("add"), {Value::i32(8), Value::i32(5)}), 0);
  EXPECT_EQ(call(on("add"), {Value::i32(8), Value::i32(2)}), 5);
  EXPECT_EQ(call(on("load"), {Value::i32(8)}), 7);
  EXPECT_EQ(call(on("plain"), {Value::i32(8)}), 7);
  EXPECT_EQ(call("plain0", {Value::i32(8)}), 0) << "memory 0 untouched";
  EXPECT_EQ(call(plain(other), {Value::i32(8)}), 0) << "memory " << other << " untouched";
  EXPECT_EQ(call(on("cmpxchg"), {Value::i32(8), Value::i32(7), Value::i32(40)}), 7);
  EXPECT_EQ(call(on("plain"), {Value::i32(8)}), 40);
  inst_->call(on("store"), std::vector<Value>{Value::i32(16), Value::i64(0x1122334455667788ull)});
  EXPECT_EQ(call(on("plain"), {Value::i32(16)}), 0x55667788);
  EXPECT_EQ(call("plain0", {Value::i32(16)}), 0);
  EXPECT_EQ(call(plain(other), {Value::i32(16)}), 0);
}

TEST_P(MultiMemoryAtomicsOnMemory, WaitAndNotifyUseTheNamedMemory) {
  EXPECT_EQ(call(on("notify"), {Value::i32(8)}), 0) << "no waiter";
  EXPECT_EQ(call(on("wait"), {Value::i32(8), Value::i32(1)}), 1) << "not equal";
  EXPECT_EQ(call(on("wait"), {Value::i32(8), Value::i32(0)}), 2) << "timed out (the memory is shared)";
}

TEST_P(MultiMemoryAtomicsOnMemory, UnalignedAndOutOfBoundsTrap) {
  EXPECT_EQ(trap(on("add"), {Value::i32(6), Value::i32(1)}), "unaligned atomic");
  EXPECT_EQ(trap(on("load"), {Value::i32(65536)}), "out of bounds memory access");
}

INSTANTIATE_TEST_SUITE_P(Memories, MultiMemoryAtomicsOnMemory, ::testing::Values(1, 2),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return "Memory" + std::to_string(info.param);
                         });

TEST_F(MultiMemoryAtomicsTest, WaitOnAnUnsharedMemoryTraps) {
  EXPECT_NE(trap("wait0", {Value::i32(8)}), "no trap") << "memory 0 is not shared";
}

}  // namespace
}  // namespace aperture
