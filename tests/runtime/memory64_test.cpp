// 64-bit memories (memory64) in every engine: addresses above 4 GiB reach their own bytes
// (not the low 32 bits' ones), memory.size/grow are i64 with -1 for a failed grow, bulk
// operations take i64 operands, atomics and wait/notify take i64 addresses, and the
// explicit bounds compare (docs/architecture.md, "64-bit memories") traps where a 64-bit
// sum would wrap around or leave the reservation.
#include <gtest/gtest.h>

#include "aperture/memory.h"
#include "aperture/runtime.h"
#include "aperture/trap.h"
#include "engine_under_test.h"
#include "module_support.h"

namespace aperture {
namespace {

constexpr uint64_t k4GiB = 1ull << 32;

Instance& instantiate(Store& store, const std::string& name) {
  return store.instantiate(testing_support::load_test_module(name), Linker{});
}

using testing_support::trap_of;

class Memory64Test : public ::testing::Test {
 protected:
  Store store_;
  Instance& inst_ = instantiate(store_, "memory64");
  uint64_t call64(const std::string& fn, std::vector<Value> args = {}) {
    return inst_.call(fn, args).at(0).bits;
  }
};

TEST_F(Memory64Test, AddressesAbove4GiBAreTheirOwnBytes) {
  inst_.call("store", std::vector<Value>{Value::i64(8), Value::i64(0x1111)});
  inst_.call("store", std::vector<Value>{Value::i64(k4GiB + 8), Value::i64(0x2222)});
  EXPECT_EQ(call64("load", {Value::i64(8)}), 0x1111u);
  EXPECT_EQ(call64("load", {Value::i64(k4GiB + 8)}), 0x2222u) << "not wrapped to address 8";
  EXPECT_EQ(call64("load_offset_16", {Value::i64(k4GiB - 8)}), 0x2222u) << "index + offset crosses 4 GiB";
  uint64_t host = 0;
  ASSERT_TRUE(inst_.exported_memory("mem")->read(k4GiB + 8, &host, 8));
  EXPECT_EQ(host, 0x2222u) << "the host sees the same bytes";
  EXPECT_TRUE(inst_.exported_memory("mem")->is64());
}

TEST_F(Memory64Test, OutOfBoundsAccessesTrap) {
  const std::string oob = trap_msg::kMemoryOutOfBounds;
  const uint64_t size = 65537ull * 65536;
  EXPECT_EQ(trap_of(inst_, "load", {Value::i64(size - 8)}), "no trap") << "the last 8 bytes";
  EXPECT_EQ(trap_of(inst_, "load", {Value::i64(size - 7)}), oob) << "straddles the end";
  EXPECT_EQ(trap_of(inst_, "load8", {Value::i64(size)}), oob) << "inside the reservation, beyond size";
  EXPECT_EQ(trap_of(inst_, "load", {Value::i64(1ull << 40)}), oob) << "beyond the reservation";
  EXPECT_EQ(trap_of(inst_, "load", {Value::i64(~0ull)}), oob) << "index 2^64-1";
  // 2^64-8 + 16 wraps to 8 in 64 bits: the 65-bit sum is out of bounds.
  EXPECT_EQ(trap_of(inst_, "load_offset_16", {Value::i64(~0ull - 7)}), oob) << "index + offset overflows";
  EXPECT_EQ(trap_of(inst_, "store", {Value::i64(~0ull - 3), Value::i64(1)}), oob);
}

TEST_F(Memory64Test, SizeAndGrowAreI64) {
  EXPECT_EQ(call64("size"), 65537u);
  EXPECT_EQ(call64("grow", {Value::i64(1ull << 40)}), ~0ull) << "-1: more than 2^48 pages in all";
  EXPECT_EQ(call64("grow", {Value::i64(1ull << 20)}), ~0ull) << "-1: beyond the 64 GiB reservation";
  EXPECT_EQ(call64("grow", {Value::i64(1)}), 65537u);
  EXPECT_EQ(call64("size"), 65538u);
  inst_.call("store", std::vector<Value>{Value::i64(65537ull * 65536), Value::i64(7)});
  EXPECT_EQ(call64("load", {Value::i64(65537ull * 65536)}), 7u) << "the new page is usable";
}

TEST_F(Memory64Test, BulkOperationsTakeI64Operands) {
  inst_.call("fill", std::vector<Value>{Value::i64(k4GiB + 64), Value::i32(0xAB), Value::i64(8)});
  EXPECT_EQ(call64("load", {Value::i64(k4GiB + 64)}), 0xABABABABABABABABull);
  EXPECT_EQ(call64("load", {Value::i64(64)}), 0u) << "not filled at the low 32 bits' address";
  inst_.call("copy", std::vector<Value>{Value::i64(128), Value::i64(k4GiB + 64), Value::i64(8)});
  EXPECT_EQ(call64("load", {Value::i64(128)}), 0xABABABABABABABABull);
  EXPECT_EQ(trap_of(inst_, "fill", {Value::i64(~0ull), Value::i32(0), Value::i64(2)}),
            trap_msg::kMemoryOutOfBounds);
  EXPECT_EQ(trap_of(inst_, "copy", {Value::i64(0), Value::i64(8), Value::i64(~0ull)}),
            trap_msg::kMemoryOutOfBounds);
}

TEST(Memory64SharedTest, AtomicsAndWaitNotifyTakeI64Addresses) {
  Store store;
  Instance& inst = instantiate(store, "memory64_shared");
  auto call32 = [&](const std::string& fn, std::vector<Value> args) {
    return inst.call(fn, args).at(0).as_u32();
  };
  EXPECT_EQ(call32("add", {Value::i64(k4GiB + 16), Value::i32(5)}), 0u);
  EXPECT_EQ(call32("add", {Value::i64(k4GiB + 16), Value::i32(2)}), 5u);
  EXPECT_EQ(call32("load", {Value::i64(k4GiB + 16)}), 7u);
  EXPECT_EQ(call32("load", {Value::i64(16)}), 0u) << "not the low 32 bits' address";
  EXPECT_EQ(inst.call("cmpxchg", std::vector<Value>{Value::i64(k4GiB + 24), Value::i64(0), Value::i64(9)})
                .at(0).bits, 0u);
  EXPECT_EQ(call32("wait", {Value::i64(k4GiB + 16), Value::i32(1), Value::i64(0)}), 1u) << "not-equal";
  EXPECT_EQ(call32("wait", {Value::i64(k4GiB + 16), Value::i32(7), Value::i64(0)}), 2u) << "timed-out";
  EXPECT_EQ(call32("notify", {Value::i64(k4GiB + 16), Value::i32(1)}), 0u);
  EXPECT_EQ(trap_of(inst, "add", {Value::i64(~0ull - 3), Value::i32(1)}), trap_msg::kMemoryOutOfBounds);
  EXPECT_EQ(trap_of(inst, "add", {Value::i64(k4GiB + 18), Value::i32(1)}), trap_msg::kUnalignedAtomic);
  EXPECT_EQ(trap_of(inst, "notify", {Value::i64(1ull << 40), Value::i32(1)}), trap_msg::kMemoryOutOfBounds);
}

}  // namespace
}  // namespace aperture

namespace aperture {
namespace {

// SIMD loads and stores take the whole 64-bit address and trap where the scalar ones do,
// in every engine (the interpreter: a Mem64Check before the operation's 64-bit form).
TEST(Memory64SimdTest, VectorAccessesAbove4GiBAndTheirTraps) {
  Store store;
  Instance& inst = store.instantiate(testing_support::load_test_module("memory64"), Linker{});
  const auto call64 = [&](const char* fn, std::vector<Value> args) {
    return inst.call(fn, args).at(0).bits;
  };
  const uint64_t k4GiB = 1ull << 32, size = 65537ull * 65536;
  inst.call("v_store", std::vector<Value>{Value::i64(k4GiB + 32), Value::i64(0x1122334455667788)});
  EXPECT_EQ(call64("load", {Value::i64(k4GiB + 40)}), 0x1122334455667788u) << "both halves stored above 4 GiB";
  EXPECT_EQ(call64("load", {Value::i64(32)}), 0u) << "not at the low 32 bits' address";
  EXPECT_EQ(call64("v_load", {Value::i64(k4GiB + 32)}), 0x1122334455667788u);
  EXPECT_EQ(call64("v_load32_splat", {Value::i64(k4GiB + 32)}), 0x55667788u);
  inst.call("v_store_lane", std::vector<Value>{Value::i64(k4GiB + 64), Value::i64(0x0102030405060708)});
  EXPECT_EQ(call64("load", {Value::i64(k4GiB + 64)}), 0x0102030405060708u);
  EXPECT_EQ(call64("v_load_lane", {Value::i64(k4GiB + 64)}), 0x0102030405060708u);

  const std::string oob = trap_msg::kMemoryOutOfBounds;
  using testing_support::trap_of;
  EXPECT_EQ(trap_of(inst, "v_load", {Value::i64(size - 16)}), "no trap") << "the last 16 bytes";
  EXPECT_EQ(trap_of(inst, "v_load", {Value::i64(size - 8)}), oob) << "straddles the end";
  EXPECT_EQ(trap_of(inst, "v_load", {Value::i64(1ull << 40)}), oob) << "beyond the reservation";
  EXPECT_EQ(trap_of(inst, "v_load", {Value::i64(~0ull - 3)}), oob) << "address + 16 overflows";
  EXPECT_EQ(trap_of(inst, "v_load32_splat", {Value::i64(~0ull)}), oob);
  EXPECT_EQ(trap_of(inst, "v_store", {Value::i64(~0ull - 7), Value::i64(1)}), oob);
  EXPECT_EQ(trap_of(inst, "v_store_lane", {Value::i64(size - 4), Value::i64(1)}), oob);
  EXPECT_EQ(trap_of(inst, "v_load_lane", {Value::i64(~0ull - 1)}), oob);
  EXPECT_EQ(call64("load", {Value::i64(size - 8)}), 0u) << "the trapping stores wrote nothing";
}

}  // namespace
}  // namespace aperture
