// Windows in a 64-bit memory (memory64): a 16 GiB shm region (sparse) mapped at 8 GiB,
// written by wasm code through i64 addresses and read by another process; the window's
// end traps like a 32-bit memory's; a window must lie inside the 64 GiB reservation
// (docs/regions.md, "64-bit memories").
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"
#include "engine_under_test.h"
#include "module_support.h"

namespace aperture {
namespace {

constexpr uint64_t kGiB = 1ull << 30;

class Memory64WindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(std::string(APERTURE_WAT_DIR) + "/memory64_window.wasm", std::ios::binary);
    std::vector<uint8_t> b{std::istreambuf_iterator<char>(in), {}};
    ASSERT_FALSE(b.empty());
    inst_ = &store_.instantiate(compile(b, testing_support::engine_under_test()), Linker{});
    shm_name_ = "/aperture-test-m64-" + std::to_string(getpid());
  }
  void TearDown() override {
    if (created_) Region::remove_shm(shm_name_);
  }
  uint64_t call(const std::string& fn, std::vector<Value> args) {
    std::vector<Value> r = inst_->call(fn, args);
    return r.empty() ? 0 : r[0].bits;
  }
  std::string trap(const std::string& fn, std::vector<Value> args) {
    return testing_support::trap_of(*inst_, fn, std::move(args));
  }

  Store store_;
  Instance* inst_ = nullptr;
  std::string shm_name_;
  bool created_ = false;
};

TEST_F(Memory64WindowTest, SixteenGiBShmRegionAtEightGiBIsSharedWithAnotherProcess) {
  std::shared_ptr<Region> region = Region::create_shm(shm_name_, 16 * kGiB);
  created_ = true;
  Memory& memory = *inst_->memory(0);
  ASSERT_TRUE(memory.is64());
  // Mapped, in the copy/ runs too: a copy window would copy 16 GiB into the memory.
  WindowOptions mapped;
  mapped.mode = WindowMode::Map;
  EXPECT_EQ(map_window(memory, region, 0, 0, 8 * kGiB, Access::ReadWrite, mapped), 8 * kGiB);
  const uint64_t last = 8 * kGiB + 16 * kGiB - 8;  // the window's last word, above 16 GiB
  call("store", {Value::i64(8 * kGiB), Value::i64(0x1111222233334444ull)});
  call("store", {Value::i64(last), Value::i64(0x5555666677778888ull)});
  uint64_t host = 0;
  std::memcpy(&host, region->data() + 16 * kGiB - 8, 8);
  EXPECT_EQ(host, 0x5555666677778888ull) << "the region holds the guest's store";
  EXPECT_EQ(call("load", {Value::i64(8 * kGiB)}), 0x1111222233334444ull);
  EXPECT_EQ(trap("load", {Value::i64(24 * kGiB)}), "out of bounds memory access") << "past the window";
  EXPECT_EQ(trap("load", {Value::i64(8 * kGiB - 8)}), "out of bounds memory access") << "below the window";
  EXPECT_EQ(call("grow", {Value::i64(8 * kGiB / 65536)}), ~0ull) << "growth stops below the window";

  // Another process opens the shm object by name and sees both words.
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::shared_ptr<Region> other = Region::open_shm(shm_name_, 0, /*writable=*/false);
    uint64_t a = 0, b = 0;
    std::memcpy(&a, other->data(), 8);
    std::memcpy(&b, other->data() + 16 * kGiB - 8, 8);
    _exit(a == 0x1111222233334444ull && b == 0x5555666677778888ull ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the other process saw other bytes";
}

TEST_F(Memory64WindowTest, AWindowMustLieInsideTheReservation) {
  std::shared_ptr<Region> region = Region::create_memfd(1 << 20, "small");
  try {
    map_window(*inst_->memory(0), region, 0, 0, Memory::kAddressSpace64, Access::ReadWrite);
    FAIL() << "a window at 64 GiB was mapped";
  } catch (const RegionError& e) {
    EXPECT_NE(std::string(e.what()).find("leaves the 64 GiB address space"), std::string::npos) << e.what();
  }
  // Just below the end is fine: 63 GiB + 1 MiB.
  EXPECT_EQ(map_window(*inst_->memory(0), region, 0, 0, Memory::kAddressSpace64 - (1 << 20), Access::ReadWrite),
            Memory::kAddressSpace64 - (1 << 20));
}

}  // namespace
}  // namespace aperture
