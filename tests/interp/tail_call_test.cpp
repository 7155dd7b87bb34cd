// Tail calls (return_call, return_call_indirect) and extended constant expressions, in
// the engine under test. A tail call must not grow either stack: 10 million of them run
// where 10 million ordinary calls exhaust the stack (docs/architecture.md, "Tail calls").
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "aperture/runtime.h"
#include "engine_under_test.h"
#include "module_support.h"

namespace aperture {
namespace {

constexpr int64_t kDeep = 10'000'000;

class TailCallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(std::string(APERTURE_WAT_DIR) + "/tail_calls.wasm", std::ios::binary);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    ASSERT_FALSE(bytes.empty());
    Linker linker;
    linker.define("host", "twice", Extern::func(store_.create_host_function(
        FuncType{{ValType::I64}, {ValType::I64}},
        [](HostContext&, const uint64_t* args, uint64_t* results) { results[0] = args[0] * 2; })));
    linker.define("host", "base",
                  Extern::global(store_.create_global(GlobalType{ValType::I32, false}, Value::i32(10))));
    inst_ = &store_.instantiate(compile(bytes, testing_support::engine_under_test()), linker);
  }
  int64_t call_i64(const std::string& name, std::vector<Value> args) {
    std::vector<Value> r = inst_->call(name, args);
    EXPECT_EQ(r.size(), 1u);
    return r.empty() ? -1 : r[0].as_i64();
  }
  std::string trap_of(const std::string& name, std::vector<Value> args) {
    return testing_support::trap_of(*inst_, name, std::move(args));
  }
  Store store_;
  Instance* inst_ = nullptr;
};

TEST_F(TailCallTest, DeepSelfTailRecursionRunsInConstantStack) {
  EXPECT_EQ(call_i64("count", {Value::i64(kDeep)}), 0);
  // The same depth with call + return exhausts the stack: the test above can fail.
  EXPECT_EQ(trap_of("count_no_tail", {Value::i64(kDeep)}).rfind("call stack exhausted", 0), 0u);
}

TEST_F(TailCallTest, DeepMutualTailRecursionRunsInConstantStack) {
  EXPECT_EQ(call_i64("even", {Value::i64(kDeep)}), 1);
  EXPECT_EQ(call_i64("even", {Value::i64(kDeep + 1)}), 0);
  EXPECT_EQ(call_i64("odd", {Value::i64(7)}), 1);
}

TEST_F(TailCallTest, DeepIndirectTailRecursionRunsInConstantStack) {
  EXPECT_EQ(call_i64("even_indirect", {Value::i64(kDeep)}), 1);
  EXPECT_EQ(call_i64("even_indirect", {Value::i64(kDeep - 1)}), 0);
}

TEST_F(TailCallTest, CalleesWithMoreParametersThanTheCaller) {
  // 2 million tail calls alternating between 1-, 9- and 2-parameter functions.
  const int64_t n = 1'000'000;
  EXPECT_EQ(call_i64("sum_down", {Value::i64(n)}), n * (n + 1) / 2);
}

TEST_F(TailCallTest, MultipleResultsAndHostCallees) {
  std::vector<Value> r = inst_->call("pair_via_tail", std::vector<Value>{Value::i64(4)});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].as_i64(), 40);
  EXPECT_EQ(r[1].as_i64(), 41);
  EXPECT_EQ(call_i64("host_tail", {Value::i64(20)}), 42) << "a tail call to a host function";
}

TEST_F(TailCallTest, IndirectTailCallsTrapAsCallIndirectDoes) {
  EXPECT_EQ(call_i64("indirect", {Value::i32(2), Value::i64(5)}), 0) << "element 2: count";
  EXPECT_EQ(call_i64("indirect", {Value::i32(0), Value::i64(5)}), 0) << "element 0: even";
  EXPECT_EQ(trap_of("indirect", {Value::i32(6), Value::i64(1)}).rfind("undefined element", 0), 0u);
  EXPECT_EQ(trap_of("indirect", {Value::i32(-1), Value::i64(1)}).rfind("undefined element", 0), 0u);
  EXPECT_EQ(trap_of("indirect", {Value::i32(5), Value::i64(1)}).rfind("uninitialized element 5", 0), 0u);
  EXPECT_EQ(trap_of("indirect_wrong_type", {Value::i32(0)}).rfind("indirect call type mismatch", 0), 0u);
}

TEST_F(TailCallTest, ExtendedConstExpressions) {
  EXPECT_EQ(inst_->call("scaled", {})[0].as_i32(), 43) << "global.get base * 4 + 3";
  EXPECT_EQ(call_i64("derived", {}), int64_t{3} * 0x100000000 + 1);
  EXPECT_EQ(inst_->call("byte_at", std::vector<Value>{Value::i32(44)})[0].as_i32(), 42)
      << "a data segment at an extended-constant offset";
}

}  // namespace
}  // namespace aperture
