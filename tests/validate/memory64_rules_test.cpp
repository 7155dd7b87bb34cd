// Validation of 64-bit memories and tables (memory64, table64): limits up to 2^48 pages,
// i64 addresses and sizes where the memory or table is 64-bit and i32 ones elsewhere,
// memory.copy's length of the smaller index type, offsets above 2^32-1 only on 64-bit
// memories.
#include <gtest/gtest.h>

#include "validate/builder.h"

namespace aperture::test {
namespace {

using O = Opcode;

void memory64(ModuleBuilder& b, uint64_t min = 1, std::optional<uint64_t> max = {}) {
  b.m.memories.push_back({{min, max, false, true}});
}

std::string on_memory64(std::vector<ValType> params, std::vector<ValType> results, Body body) {
  return check_func(std::move(params), std::move(results), std::move(body),
                    [](ModuleBuilder& b) { memory64(b); });
}

TEST(Memory64Rules, Limits) {
  auto mem = [](uint64_t min, std::optional<uint64_t> max) {
    ModuleBuilder b;
    memory64(b, min, max);
    return check(b.m);
  };
  EXPECT_EQ(mem(65537, {}), "valid") << "above 4 GiB";
  EXPECT_EQ(mem(0, 1ull << 48), "valid");
  EXPECT_EQ(mem((1ull << 48) + 1, {}), "memory size must be at most 2^48 pages (16 EiB) for a 64-bit memory");
  EXPECT_EQ(mem(0, ~0ull), "memory size must be at most 2^48 pages (16 EiB) for a 64-bit memory");
  EXPECT_EQ(mem(3, 2), "size minimum must not be greater than maximum");
  ModuleBuilder table;
  table.m.tables.push_back({FUNCREF, {0x1'0000'0000ull, {}, false, true}});
  EXPECT_EQ(check(table.m), "valid") << "a 64-bit table's limits may exceed 2^32-1";
}

TEST(Memory64Rules, AddressesAreI64) {
  EXPECT_EQ(on_memory64({I64}, {I32}, Body().op(O::LocalGet, 0).mem(O::I32Load, 2)), "valid");
  EXPECT_EQ(on_memory64({I32}, {I32}, Body().op(O::LocalGet, 0).mem(O::I32Load, 2)), "type mismatch")
      << "an i32 address on a 64-bit memory";
  EXPECT_EQ(check_func({I64}, {I32}, Body().op(O::LocalGet, 0).mem(O::I32Load, 2),
                       [](ModuleBuilder& b) { b.memory(1); }),
            "type mismatch")
      << "an i64 address on a 32-bit memory";
  EXPECT_EQ(on_memory64({I64, I32}, {}, Body().op(O::LocalGet, 0).op(O::LocalGet, 1).mem(O::I32Store, 2)),
            "valid");
  EXPECT_EQ(on_memory64({I64, I32}, {I32},
                        Body().op(O::LocalGet, 0).op(O::LocalGet, 1).mem(O::I32AtomicRmwAdd, 2)),
            "valid");
  EXPECT_EQ(on_memory64({}, {I64}, Body().op(O::MemorySize)), "valid");
  EXPECT_EQ(on_memory64({}, {I32}, Body().op(O::MemorySize)), "type mismatch");
  EXPECT_EQ(on_memory64({I64}, {I64}, Body().op(O::LocalGet, 0).op(O::MemoryGrow)), "valid");
  EXPECT_EQ(on_memory64({I32}, {I32}, Body().op(O::LocalGet, 0).op(O::MemoryGrow)), "type mismatch");
  EXPECT_EQ(on_memory64({}, {}, Body().i64(0).i32(0).i64(0).op(O::MemoryFill)), "valid");
  EXPECT_EQ(on_memory64({}, {}, Body().i32(0).i32(0).i32(0).op(O::MemoryFill)), "type mismatch");
}

TEST(Memory64Rules, CopyBetweenA32AndA64BitMemoryTakesAnI32Length) {
  auto copy = [](Body body) {
    return check_func({}, {}, std::move(body), [](ModuleBuilder& b) {
      memory64(b);   // memory 0: 64-bit
      b.memory(1);   // memory 1: 32-bit
    });
  };
  // memory.copy 0 1: destination i64, source i32, length i32.
  EXPECT_EQ(copy(Body().i64(0).i32(0).i32(0).op(O::MemoryCopy, 0, 1)), "valid");
  EXPECT_EQ(copy(Body().i64(0).i32(0).i64(0).op(O::MemoryCopy, 0, 1)), "type mismatch");
  EXPECT_EQ(copy(Body().i64(0).i64(0).i64(0).op(O::MemoryCopy, 0, 0)), "valid");
}

TEST(Memory64Rules, OffsetsAbove4GiBOnlyOn64BitMemories) {
  EXPECT_EQ(on_memory64({I64}, {I32}, Body().op(O::LocalGet, 0).op(O::I32Load, 2, 0, 1ull << 40)), "valid");
  EXPECT_EQ(check_func({I32}, {I32}, Body().op(O::LocalGet, 0).op(O::I32Load, 2, 0, 1ull << 32),
                       [](ModuleBuilder& b) { b.memory(1); }),
            "offset out of range");
}

TEST(Memory64Rules, Table64IndicesAreI64) {
  auto on_table64 = [](std::vector<ValType> params, std::vector<ValType> results, Body body) {
    return check_func(std::move(params), std::move(results), std::move(body), [](ModuleBuilder& b) {
      b.m.tables.push_back({FUNCREF, {1, {}, false, true}});
    });
  };
  EXPECT_EQ(on_table64({I64}, {FUNCREF}, Body().op(O::LocalGet, 0).op(O::TableGet, 0)), "valid");
  EXPECT_EQ(on_table64({I32}, {FUNCREF}, Body().op(O::LocalGet, 0).op(O::TableGet, 0)), "type mismatch");
  EXPECT_EQ(on_table64({}, {I64}, Body().op(O::TableSize, 0)), "valid");
  EXPECT_EQ(on_table64({}, {I64}, Body().ref_null(FUNCREF).i64(1).op(O::TableGrow, 0)), "valid");
  EXPECT_EQ(on_table64({}, {I32}, Body().ref_null(FUNCREF).i32(1).op(O::TableGrow, 0)), "type mismatch");
}

}  // namespace
}  // namespace aperture::test
