// The elements of all tables of a store are bounded together (StoreLimits::table_elements):
// a 1 KB module of many large tables, or table.grow in a loop, cannot make the host
// allocate gigabytes.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>

#include "aperture/runtime.h"
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

// A module of `count` tables of `min` funcref elements each (no maximum).
Bytes many_tables(uint32_t count, uint32_t min) {
  Bytes m = {0, 'a', 's', 'm', 1, 0, 0, 0};
  Bytes payload;
  leb(payload, count);
  for (uint32_t i = 0; i < count; ++i) {
    payload.push_back(0x70);
    payload.push_back(0x00);
    leb(payload, min);
  }
  m.push_back(4);
  leb(m, payload.size());
  m.insert(m.end(), payload.begin(), payload.end());
  return m;
}

std::shared_ptr<const CompiledModule> load(const std::string& name) {
  std::ifstream in(std::string(APERTURE_WAT_DIR) + "/" + name + ".wasm", std::ios::binary);
  Bytes b{std::istreambuf_iterator<char>(in), {}};
  return compile(b, testing_support::engine_under_test());
}

int32_t call_i32(Instance& inst, const std::string& name, std::vector<Value> args = {}) {
  return inst.call(name, args).at(0).as_i32();
}

TEST(TableLimitTest, ManyLargeTablesAreRefusedBeforeAllocating) {
  Bytes m = many_tables(200, 10'000'000);  // 16 GB of elements
  ASSERT_LT(m.size(), 1300u);
  Store store;
  auto start = std::chrono::steady_clock::now();
  try {
    store.instantiate(compile(m, testing_support::engine_under_test()), Linker{});
    FAIL() << "instantiated 2 billion table elements";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot create a table of 10000000 elements: the store's "
                                         "tables already hold 10000000 of at most 10000000"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("--max-table-elements"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(store.table_elements(), 10'000'000u) << "only the first table exists";
}

TEST(TableLimitTest, TheLimitIsConfigurable) {
  Store store(StoreLimits{1000});
  EXPECT_THROW(store.instantiate(compile(many_tables(3, 400), testing_support::engine_under_test()), Linker{}),
               Error);
  Store roomy(StoreLimits{1200});
  roomy.instantiate(compile(many_tables(3, 400), testing_support::engine_under_test()), Linker{});
  EXPECT_EQ(roomy.table_elements(), 1200u);
  EXPECT_THROW(roomy.create_table(TableType{ValType::FuncRef, Limits{1, std::nullopt}}), Error);
}

TEST(TableLimitTest, TableGrowSharesTheBudgetAndFailsWithMinusOne) {
  Store store(StoreLimits{100});
  Instance& inst = store.instantiate(load("table_budget"), Linker{});
  EXPECT_EQ(call_i32(inst, "grow_a", {Value::i32(60)}), 10) << "old size";
  EXPECT_EQ(call_i32(inst, "grow_b", {Value::i32(31)}), -1) << "70 + 31 > 100";
  EXPECT_EQ(call_i32(inst, "grow_b", {Value::i32(30)}), 0);
  EXPECT_EQ(call_i32(inst, "grow_a", {Value::i32(1)}), -1);
  EXPECT_EQ(call_i32(inst, "grow_a", {Value::i32(0)}), 70) << "growing by 0 always works";
  EXPECT_EQ(call_i32(inst, "size_a"), 70);
  EXPECT_EQ(call_i32(inst, "size_b"), 30);
  EXPECT_EQ(store.table_elements(), 100u);
  // The default limit applies to table.grow too: 0xFFFFFFFF elements fail, not abort.
  Store defaults;
  Instance& big = defaults.instantiate(load("table_budget"), Linker{});
  EXPECT_EQ(call_i32(big, "grow_b", {Value::i32(-1)}), -1);
  EXPECT_EQ(call_i32(big, "grow_b", {Value::i32(10'000'000 - 10)}), 0);
  EXPECT_EQ(call_i32(big, "grow_a", {Value::i32(1)}), -1);
}

}  // namespace
}  // namespace aperture
