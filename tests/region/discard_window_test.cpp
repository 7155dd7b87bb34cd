// memory.discard over windows: the region's bytes are zeroed (for every process that maps
// them) and their pages freed; a read-only window traps as a store would.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"
#include "engine_under_test.h"
#include "wasm_bytes.h"

namespace aperture {
namespace {

constexpr uint32_t kPage = 65536;

// Bytes the region's backing occupies (st_blocks counts 512-byte units).
uint64_t allocated_bytes(const Region& r) {
  struct stat st;
  return fstat(r.fd(), &st) == 0 ? static_cast<uint64_t>(st.st_blocks) * 512 : 0;
}

class DiscardWindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto compiled = compile(testing_support::discard_module(4), testing_support::engine_under_test());
    inst_ = &store_.instantiate(compiled, Linker{});
    mem_ = inst_->memory(0);
  }
  uint32_t load(uint32_t addr) { return inst_->call("load", std::vector<Value>{Value::i32(addr)}).at(0).as_u32(); }
  void fill(uint32_t addr, uint32_t v, uint32_t n) {
    inst_->call("fill", std::vector<Value>{Value::i32(addr), Value::i32(v), Value::i32(n)});
  }
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
  Memory* mem_ = nullptr;
};

TEST_F(DiscardWindowTest, ZeroesTheRegionsBytesAndFreesItsPages) {
  auto r = Region::create_memfd(2 * kPage, "samples");
  std::memset(r->data(), 0x11, 2 * kPage);
  const uint32_t at = 0x100000;  // above memory.size
  map_window(*mem_, r, kPage, kPage, at, Access::ReadWrite);
  uint64_t before = allocated_bytes(*r);
  EXPECT_EQ(discard(at, kPage), "no trap");
  // Measured before anything reads the hole again (a read fault allocates a page).
  EXPECT_LE(allocated_bytes(*r) + kPage, before) << "the hole frees the region's pages";
  EXPECT_EQ(load(at + 40), 0u);
  EXPECT_EQ(r->data()[kPage], 0) << "the host's view of the region is zeroed";
  EXPECT_EQ(r->data()[2 * kPage - 1], 0);
  EXPECT_EQ(r->data()[kPage - 1], 0x11) << "region bytes outside the window are kept";
  fill(at, 0x22, 16);
  EXPECT_EQ(r->data()[kPage + 15], 0x22) << "the window is still mapped and shared";
}

TEST_F(DiscardWindowTest, ARangeOverMemoryAndAWindowZeroesBoth) {
  const uint64_t host_page = host_page_size();
  auto r = Region::create_memfd(host_page, "small");
  std::memset(r->data(), 0x33, host_page);
  fill(0, 0x44, 4 * kPage);
  map_window(*mem_, r, 0, host_page, kPage + host_page, Access::ReadWrite);  // inside page 1
  EXPECT_EQ(discard(0, 3 * kPage), "no trap");
  EXPECT_EQ(load(0), 0u);
  EXPECT_EQ(load(kPage + static_cast<uint32_t>(host_page)), 0u);
  EXPECT_EQ(load(3 * kPage - 4), 0u);
  EXPECT_EQ(r->data()[0], 0);
  EXPECT_EQ(r->data()[host_page - 1], 0);
  EXPECT_EQ(load(3 * kPage), 0x44444444u) << "the fourth page was not in the range";
}

TEST_F(DiscardWindowTest, ReadOnlyWindowTrapsAsAStoreAndKeepsItsBytes) {
  auto r = Region::create_memfd(kPage, "calibration");
  std::memset(r->data(), 0x55, kPage);
  fill(0, 0x66, 4 * kPage);
  map_window(*mem_, r, 0, kPage, 2 * kPage, Access::Read);
  std::string t = discard(kPage, 2 * kPage);
  EXPECT_EQ(t.rfind("write to read-only window of region 'calibration'", 0), 0u) << t;
  EXPECT_EQ(r->data()[0], 0x55);
  EXPECT_EQ(load(kPage), 0x66666666u) << "nothing was discarded";
}

TEST_F(DiscardWindowTest, AWindowAboveMemoryNeedsTheWholeRangeMapped) {
  auto r = Region::create_memfd(kPage, "edge");
  map_window(*mem_, r, 0, kPage, 0x200000, Access::ReadWrite);
  EXPECT_EQ(discard(0x200000, 2 * kPage), "out of bounds memory access")
      << "the second page is neither memory nor window";
}

}  // namespace
}  // namespace aperture
