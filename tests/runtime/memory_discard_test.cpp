// memory.discard (memory-control proposal, 0xFC 0x12) in linear memory: zeroing, pages
// given back to the OS, alignment and bounds traps. Windows: tests/region/discard_window_test.cpp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "aperture/memory.h"
#include "aperture/runtime.h"
#include "engine_under_test.h"
#include "wasm_bytes.h"

namespace aperture {
namespace {

constexpr uint32_t kPage = 65536;

// Resident set size of this process in bytes (/proc/self/statm, second field).
uint64_t resident_bytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long long size = 0, resident = 0;
  int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

class DiscardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto compiled = compile(testing_support::discard_module(4), testing_support::engine_under_test());
    inst_ = &store_.instantiate(compiled, Linker{});
  }
  uint32_t load(uint32_t addr) { return inst_->call("load", std::vector<Value>{Value::i32(addr)}).at(0).as_u32(); }
  void store(uint32_t addr, uint32_t v) { inst_->call("store", std::vector<Value>{Value::i32(addr), Value::i32(v)}); }
  void fill(uint32_t addr, uint32_t v, uint32_t n) {
    inst_->call("fill", std::vector<Value>{Value::i32(addr), Value::i32(v), Value::i32(n)});
  }
  // The trap message of discard(addr, len), or "no trap".
  std::string discard(uint32_t addr, uint32_t len) {
    try {
      inst_->call("discard", std::vector<Value>{Value::i32(addr), Value::i32(len)});
    } catch (const Trap& t) {
      return t.what();
    }
    return "no trap";
  }
  Store store_;
  Instance* inst_ = nullptr;
};

TEST_F(DiscardTest, ZeroesExactlyTheDiscardedPagesAndTheyStayWritable) {
  fill(0, 0x5A, 4 * kPage);
  EXPECT_EQ(discard(kPage, 2 * kPage), "no trap");
  EXPECT_EQ(load(kPage - 4), 0x5A5A5A5Au) << "the page before is kept";
  EXPECT_EQ(load(kPage), 0u);
  EXPECT_EQ(load(2 * kPage + 100), 0u);
  EXPECT_EQ(load(3 * kPage - 4), 0u);
  EXPECT_EQ(load(3 * kPage), 0x5A5A5A5Au) << "the page after is kept";
  store(kPage + 8, 77);
  EXPECT_EQ(load(kPage + 8), 77u) << "discarded pages are ordinary memory again";
  EXPECT_EQ(inst_->memory(0)->pages(), 4u) << "the size does not change";
}

TEST_F(DiscardTest, ZeroLengthAndTheWholeMemoryAreValid) {
  fill(0, 1, 4 * kPage);
  EXPECT_EQ(discard(4 * kPage, 0), "no trap") << "empty range at the end";
  EXPECT_EQ(load(0), 0x01010101u);
  EXPECT_EQ(discard(0, 4 * kPage), "no trap");
  EXPECT_EQ(load(4 * kPage - 4), 0u);
}

TEST_F(DiscardTest, GivesThePagesBackToTheOperatingSystem) {
  constexpr uint32_t kPages = 1024;  // 64 MiB
  ASSERT_EQ(inst_->call("grow", std::vector<Value>{Value::i32(kPages)}).at(0).as_u32(), 4u);
  fill(4 * kPage, 0xEE, kPages * kPage);
  uint64_t before = resident_bytes();
  EXPECT_EQ(discard(4 * kPage, kPages * kPage), "no trap");
  uint64_t after = resident_bytes();
  ASSERT_GT(before, 0u);
  EXPECT_LT(after + (48ull << 20), before)
      << "resident set before " << before << " bytes, after " << after;
  EXPECT_EQ(load(4 * kPage + 12345 * 4), 0u);
}

TEST_F(DiscardTest, MisalignedAddressOrLengthTrapsAndDiscardsNothing) {
  fill(0, 3, 4 * kPage);
  std::string t = discard(kPage + 4096, kPage);
  EXPECT_EQ(t.rfind("unaligned memory.discard", 0), 0u) << t;
  t = discard(kPage, 100);
  EXPECT_EQ(t.rfind("unaligned memory.discard", 0), 0u) << t;
  EXPECT_EQ(load(kPage + 4096), 0x03030303u);
  EXPECT_EQ(load(kPage), 0x03030303u);
}

TEST_F(DiscardTest, OutOfBoundsTrapsAndDiscardsNothing) {
  fill(0, 9, 4 * kPage);
  EXPECT_EQ(discard(3 * kPage, 2 * kPage), "out of bounds memory access") << "one page past the end";
  EXPECT_EQ(discard(0xFFFF0000u, 2 * kPage), "out of bounds memory access") << "wraps around 4 GiB";
  EXPECT_EQ(discard(0, 0xFFFF0000u), "out of bounds memory access");
  EXPECT_EQ(discard(5 * kPage, 0), "out of bounds memory access") << "an empty range past the end";
  EXPECT_EQ(load(3 * kPage), 0x09090909u);
  EXPECT_EQ(load(0), 0x09090909u);
}

TEST(DiscardValidationTest, NeedsAMemory) {
  // The discard body without a memory section: (func (param i32 i32) local.get 0 local.get 1 memory.discard 0)
  testing_support::Bytes m = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  testing_support::section(m, 1, {1, 0x60, 2, 0x7F, 0x7F, 0});
  testing_support::section(m, 3, {1, 0});
  testing_support::section(m, 10, {1, 9, 0, 0x20, 0, 0x20, 1, 0xFC, 0x12, 0, 0x0B});
  try {
    compile(m, testing_support::engine_under_test());
    FAIL() << "a module without memory validated";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown memory"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace aperture
