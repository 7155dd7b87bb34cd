// Bulk memory operations with windows follow the spec exactly, in the engine under test:
// zero-length operations still check their address (windows do not switch that off),
// and memory.copy between two windows of the same region (a ring buffer mapped twice), or
// between a region-backed memory and a window of its region, behaves as if copied through
// a temporary buffer.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "aperture/bindings.h"
#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"
#include "engine_under_test.h"

namespace aperture {
namespace {

const uint64_t kPage = host_page_size();
constexpr uint64_t kMemoryBytes = 65536;  // window_ops.wat: one page

class BulkSemanticsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(std::string(APERTURE_WAT_DIR) + "/window_ops.wasm", std::ios::binary);
    std::vector<uint8_t> b{std::istreambuf_iterator<char>(in), {}};
    inst_ = &store_.instantiate(compile(b, testing_support::engine_under_test()), Linker{});
    mem_ = inst_->memory(0);
  }
  // "ok" or the trap message.
  std::string call(const std::string& fn, uint64_t a, uint64_t b, uint64_t n) {
    try {
      inst_->call(fn, std::vector<Value>{Value::i32(static_cast<uint32_t>(a)), Value::i32(static_cast<uint32_t>(b)),
                                         Value::i32(static_cast<uint32_t>(n))});
    } catch (const Trap& t) {
      return t.what();
    }
    return "ok";
  }
  // Zero-length fill, copy (as destination and as source) and init at `addr`.
  void expect_zero_length(uint64_t addr, bool traps) {
    std::string want = traps ? "out of bounds memory access" : "ok";
    EXPECT_EQ(call("fill", addr, 0, 0), want) << "memory.fill at " << addr;
    EXPECT_EQ(call("copy", addr, 0, 0), want) << "memory.copy to " << addr;
    EXPECT_EQ(call("copy", 0, addr, 0), want) << "memory.copy from " << addr;
    EXPECT_EQ(call("init", addr, 0, 0), want) << "memory.init at " << addr;
  }
  Store store_;
  Instance* inst_ = nullptr;
  Memory* mem_ = nullptr;
};

TEST_F(BulkSemanticsTest, ZeroLengthOperationsCheckTheirAddressWithOrWithoutWindows) {
  expect_zero_length(kMemoryBytes, false);
  expect_zero_length(kMemoryBytes + 1, true);
  expect_zero_length(0xFFFFFFFF, true);
  const uint64_t window = 1ull << 24;
  map_window(*mem_, Region::create_memfd(kPage, "w"), 0, kPage, window, Access::ReadWrite);
  expect_zero_length(kMemoryBytes, false);
  expect_zero_length(kMemoryBytes + 1, true);
  expect_zero_length(0xFFFFFFFF, true);
  expect_zero_length(window - 1, true);
  expect_zero_length(window, false);
  expect_zero_length(window + kPage, false);  // the end of a window is like the end of memory
  expect_zero_length(window + kPage + 1, true);
}

// The same region mapped twice back to back, as ring buffers do: [A, A+L) and [A+L, A+2L).
class RingTest : public BulkSemanticsTest {
 protected:
  void SetUp() override {
    BulkSemanticsTest::SetUp();
    region_ = Region::create_memfd(kL, "ring");
    map_window(*mem_, region_, 0, kL, kA, Access::ReadWrite);
    map_window(*mem_, region_, 0, kL, kA + kL, Access::ReadWrite);
    for (uint64_t i = 0; i < kL; ++i) region_->data()[i] = static_cast<uint8_t>(i * 7 + i / 251);
    before_.assign(region_->data(), region_->data() + kL);
  }
  // The region after copying n bytes from wasm address src to dst through a temporary
  // buffer; addresses in [A, A+2L) map to region offset (addr - A) mod L.
  std::vector<uint8_t> expected(uint64_t dst, uint64_t src, uint64_t n) const {
    std::vector<uint8_t> tmp(n), out = before_;
    for (uint64_t i = 0; i < n; ++i) tmp[i] = before_[(src + i - kA) % kL];
    for (uint64_t i = 0; i < n; ++i) out[(dst + i - kA) % kL] = tmp[i];
    return out;
  }
  std::vector<uint8_t> now() const { return {region_->data(), region_->data() + kL}; }
  static constexpr uint64_t kA = 1ull << 24;
  const uint64_t kL = 4 * kPage;
  std::shared_ptr<Region> region_;
  std::vector<uint8_t> before_;
};

TEST_F(RingTest, CopyForwardAcrossTheAliasIsAsIfThroughATemporaryBuffer) {
  // dst lies 1 byte further in the ring than src, but in the second mapping.
  uint64_t src = kA, dst = kA + kL + 1, n = kL - 1;
  std::vector<uint8_t> want = expected(dst, src, n);
  ASSERT_EQ(call("copy", dst, src, n), "ok");
  EXPECT_TRUE(now() == want) << "data smeared";
}

TEST_F(RingTest, CopyBackwardAcrossTheAliasIsAsIfThroughATemporaryBuffer) {
  uint64_t src = kA + kL + 100, dst = kA + 36, n = 3 * kPage;
  std::vector<uint8_t> want = expected(dst, src, n);
  ASSERT_EQ(call("copy", dst, src, n), "ok");
  EXPECT_TRUE(now() == want) << "data smeared";
}

TEST_F(RingTest, WholeRingRotation) {
  uint64_t src = kA + kL, dst = kA + 64, n = kL;  // dst spans both mappings
  std::vector<uint8_t> want = expected(dst, src, n);
  ASSERT_EQ(call("copy", dst, src, n), "ok");
  EXPECT_TRUE(now() == want) << "rotating the whole ring by 64 bytes";
}

TEST_F(RingTest, CopyWithinOneMappingIsAnOrdinaryOverlappingCopy) {
  uint64_t src = kA + 10, dst = kA + 20, n = kPage;
  std::vector<uint8_t> want = expected(dst, src, n);
  ASSERT_EQ(call("copy", dst, src, n), "ok");
  EXPECT_TRUE(now() == want);
}

// Memory 1 of defined_memory.wasm is region R (a region-backed memory: address x of memory
// 1 is R[x]), and R's first kL bytes are also a window at kA of memory 1 and of memory 0.
// Addresses say nothing about which bytes a copy meets twice.
class BackedMemoryAliasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(std::string(APERTURE_WAT_DIR) + "/defined_memory.wasm", std::ios::binary);
    std::vector<uint8_t> b{std::istreambuf_iterator<char>(in), {}};
    region_ = Region::create_memfd(kWasmPageSize, "backing");
    Linker linker;
    guest_.define_imports(store_, linker);
    inst_ = &store_.instantiate(compile(b, testing_support::engine_under_test()), linker, {},
                                MemoryBackings{{1, region_memory_backing(region_)}});
    WindowOptions mapped;  // an alias needs the region's own pages (a copy window is a copy)
    mapped.mode = WindowMode::Map;
    map_window(*inst_->memory(1), region_, 0, kL, kA, Access::ReadWrite, mapped);
    map_window(*inst_->memory(0), region_, 0, kL, kA, Access::ReadWrite, mapped);
    for (uint64_t i = 0; i < kWasmPageSize; ++i) region_->data()[i] = static_cast<uint8_t>(i * 7 + i / 251);
    before_.assign(region_->data(), region_->data() + kWasmPageSize);
  }
  // The region offset of a wasm address (memory 1's own pages or either window).
  uint64_t offset(uint64_t addr) const { return addr >= kA ? addr - kA : addr; }
  // The region after copying n bytes from src to dst through a temporary buffer.
  std::vector<uint8_t> expected(uint64_t dst, uint64_t src, uint64_t n) const {
    std::vector<uint8_t> tmp(n), out = before_;
    for (uint64_t i = 0; i < n; ++i) tmp[i] = before_[offset(src + i)];
    for (uint64_t i = 0; i < n; ++i) out[offset(dst + i)] = tmp[i];
    return out;
  }
  std::vector<uint8_t> now() const { return {region_->data(), region_->data() + kWasmPageSize}; }
  void copy(const std::string& fn, uint64_t dst, uint64_t src, uint64_t n) {
    inst_->call(fn, std::vector<Value>{Value::i32(static_cast<uint32_t>(dst)), Value::i32(static_cast<uint32_t>(src)),
                                       Value::i32(static_cast<uint32_t>(n))});
  }
  // Runs `fn` and compares the region with the temporary-buffer result.
  void expect_exact(const std::string& fn, uint64_t dst, uint64_t src, uint64_t n) {
    std::vector<uint8_t> want = expected(dst, src, n);
    copy(fn, dst, src, n);
    EXPECT_TRUE(now() == want) << fn << "(" << dst << ", " << src << ", " << n << "): data smeared";
    std::memcpy(region_->data(), before_.data(), before_.size());
  }
  static constexpr uint64_t kA = 1ull << 24;
  const uint64_t kL = 4 * kPage;
  Store store_;
  GuestRegions guest_;
  Instance* inst_ = nullptr;
  std::shared_ptr<Region> region_;
  std::vector<uint8_t> before_;
};

TEST_F(BackedMemoryAliasTest, CopyBetweenTheMemorysPagesAndAWindowInItIsExact) {
  expect_exact("copy11", 8, kA, kL - 8);       // lower address, higher bytes
  expect_exact("copy11", kA, 8, kL - 8);       // higher address, lower bytes
  expect_exact("copy11", kA + 40, 0, kL - 40);
}

TEST_F(BackedMemoryAliasTest, CopyBetweenTheMemoryAndAWindowInAnotherMemoryIsExact) {
  // Whichever reservation lies lower, one direction of each pair meets the bytes in the
  // opposite order of the addresses.
  expect_exact("copy01", kA + 8, 0, kL - 8);
  expect_exact("copy01", kA, 8, kL - 8);
  expect_exact("copy10", 8, kA, kL - 8);
  expect_exact("copy10", 0, kA + 8, kL - 8);
}

TEST_F(BackedMemoryAliasTest, CopyWithinTheMemorysOwnPagesIsAnOrdinaryOverlappingCopy) {
  expect_exact("copy11", 20, 10, kWasmPageSize - 20);
  expect_exact("copy11", 10, 20, kWasmPageSize - 20);
}

}  // namespace
}  // namespace aperture
