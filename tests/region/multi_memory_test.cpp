// Regions and windows on memory 1 of a module with two memories: the host API, the guest
// API's memory-index calls, the growth rule per memory, bulk operations between
// memories and traps. (The multi-memory spec suites cover the instructions themselves.)
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"
#include "engine_under_test.h"

namespace aperture {
namespace {

const uint64_t kPage = host_page_size();
constexpr int64_t kEinval = -28, kEperm = -63, kEbusy = -10;
constexpr int32_t kRead = 1, kReadWrite = 3;

std::shared_ptr<const CompiledModule> two_memories() {
  std::ifstream in(std::string(APERTURE_WAT_DIR) + "/two_memories.wasm", std::ios::binary);
  std::vector<uint8_t> b{std::istreambuf_iterator<char>(in), {}};
  return compile(b, testing_support::engine_under_test());
}

class MultiMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    region_ = Region::create_memfd(4 * kPage, "shared");
    guest_.grant("shared", region_, Access::ReadWrite);
    guest_.define_imports(store_, linker_);
    inst_ = &store_.instantiate(two_memories(), linker_);
  }
  int64_t call(const std::string& fn, std::vector<Value> args) {
    std::vector<Value> r = inst_->call(fn, args);
    if (r.empty()) return 0;
    if (r[0].type == ValType::I64) return static_cast<int64_t>(r[0].bits);
    return static_cast<int32_t>(r[0].as_u32());
  }
  std::string trap(const std::string& fn, std::vector<Value> args) {
    try {
      inst_->call(fn, args);
    } catch (const Trap& t) {
      return t.what();
    }
    return "no trap";
  }
  void set_region_word(uint64_t offset, uint32_t v) { std::memcpy(region_->data() + offset, &v, 4); }
  uint32_t region_word(uint64_t offset) {
    uint32_t v;
    std::memcpy(&v, region_->data() + offset, 4);
    return v;
  }

  Store store_;
  Linker linker_;
  GuestRegions guest_;
  std::shared_ptr<Region> region_;
  Instance* inst_ = nullptr;
};

TEST_F(MultiMemoryTest, HostWindowInMemoryOneLeavesMemoryZeroAlone) {
  Memory& m1 = *inst_->memory(1);
  const uint64_t addr = 1u << 20;  // above memory 1's two pages
  map_window(m1, region_, 0, 0, addr, Access::ReadWrite);
  set_region_word(8, 0xFEED);
  EXPECT_EQ(call("load1", {Value::i32(addr + 8)}), 0xFEED) << "memory 1 sees the region";
  call("store1", {Value::i32(addr + 12), Value::i32(99)});
  EXPECT_EQ(region_word(12), 99u) << "the region sees memory 1's store";
  EXPECT_EQ(trap("load0", {Value::i32(addr + 8)}), "out of bounds memory access") << "memory 0 has no window";
  EXPECT_EQ(inst_->memory(0)->window_count(), 0u);
  EXPECT_EQ(call("load1", {Value::i32(16)}), 0x656e6f) << "memory 1's own data ('one') is intact";
}

TEST_F(MultiMemoryTest, GuestMapsUnmapsAndProtectsOnMemoryOne) {
  int64_t h = call("open", {Value::i32(kReadWrite)});
  ASSERT_GT(h, 0);
  auto handle = Value::i32(static_cast<uint32_t>(h));
  int64_t at = call("map", {Value::i32(1), handle, Value::i64(-1), Value::i32(kReadWrite)});
  EXPECT_EQ(static_cast<uint64_t>(at), Memory::kAddressSpace - region_->size()) << "highest free range of memory 1";
  EXPECT_EQ(inst_->memory(1)->window_count(), 1u);
  EXPECT_EQ(inst_->memory(0)->window_count(), 0u);
  set_region_word(0, 0xABCD);
  EXPECT_EQ(call("load1", {Value::i32(static_cast<uint32_t>(at))}), 0xABCD);
  auto size = Value::i64(region_->size());
  EXPECT_EQ(call("unmap", {Value::i32(0), Value::i64(at), size}), kEinval) << "no such window in memory 0";
  EXPECT_EQ(call("protect", {Value::i32(1), Value::i64(at), size, Value::i32(kRead)}), 0);
  std::string t = trap("store1", {Value::i32(static_cast<uint32_t>(at)), Value::i32(1)});
  EXPECT_EQ(t.rfind("write to read-only window of region 'shared'", 0), 0u) << t;
  EXPECT_EQ(call("unmap", {Value::i32(1), Value::i64(at), size}), 0);
  EXPECT_EQ(trap("load1", {Value::i32(static_cast<uint32_t>(at))}), "out of bounds memory access");
}

TEST_F(MultiMemoryTest, MemoryIndexTheModuleDoesNotHaveIsEinval) {
  int64_t h = call("open", {Value::i32(kReadWrite)});
  auto handle = Value::i32(static_cast<uint32_t>(h));
  EXPECT_EQ(call("map", {Value::i32(2), handle, Value::i64(-1), Value::i32(kReadWrite)}), kEinval);
  EXPECT_EQ(call("map", {Value::i32(0xFFFFFFFF), handle, Value::i64(-1), Value::i32(kReadWrite)}), kEinval);
  EXPECT_EQ(call("unmap", {Value::i32(7), Value::i64(0), Value::i64(kPage)}), kEinval);
  EXPECT_EQ(call("protect", {Value::i32(7), Value::i64(0), Value::i64(kPage), Value::i32(kRead)}), kEinval);
}

TEST_F(MultiMemoryTest, HostBindingOnMemoryOneIsFixedForTheGuest) {
  const uint64_t addr = 1u << 24;
  map_window(*inst_->memory(1), region_, 0, 0, addr, Access::ReadWrite);
  auto size = Value::i64(region_->size());
  EXPECT_EQ(call("unmap", {Value::i32(1), Value::i64(addr), size}), kEperm);
  EXPECT_EQ(call("protect", {Value::i32(1), Value::i64(addr), size, Value::i32(kRead)}), kEperm);
}

TEST_F(MultiMemoryTest, GrowthRuleHoldsPerMemory) {
  const uint64_t addr = 3 * 65536;  // memory 1 has 2 pages: room for one more
  map_window(*inst_->memory(1), region_, 0, 0, addr, Access::ReadWrite);
  EXPECT_EQ(call("grow1", {Value::i32(2)}), -1) << "memory 1 would cover its window";
  EXPECT_EQ(call("grow1", {Value::i32(1)}), 2);
  EXPECT_EQ(call("grow0", {Value::i32(10)}), 1) << "memory 0 has no window in the way";
  EXPECT_EQ(call("size1", {}), 3);
}

TEST_F(MultiMemoryTest, BulkOperationsBetweenMemoriesAndWindows) {
  const uint64_t addr = 1u << 20;
  map_window(*inst_->memory(1), region_, 0, 0, addr, Access::ReadWrite);
  call("fill1", {Value::i32(addr), Value::i32(0x5A), Value::i32(static_cast<uint32_t>(region_->size()))});
  EXPECT_EQ(region_->data()[region_->size() - 1], 0x5A) << "fill reaches the window's last byte";
  call("copy_1_to_0", {Value::i32(100), Value::i32(addr), Value::i32(8)});
  EXPECT_EQ(call("load0", {Value::i32(100)}), 0x5A5A5A5A) << "memory.copy from a window in memory 1 to memory 0";
  EXPECT_EQ(trap("fill1", {Value::i32(addr), Value::i32(0), Value::i32(static_cast<uint32_t>(region_->size() + 1))}),
            "out of bounds memory access");
  EXPECT_EQ(region_->data()[0], 0x5A) << "a trapping fill writes nothing";
  EXPECT_EQ(trap("copy_1_to_0", {Value::i32(0), Value::i32(addr + region_->size() - 4), Value::i32(8)}),
            "out of bounds memory access") << "source range leaves the window";
}

TEST_F(MultiMemoryTest, GuestAttachesAndDetachesOnMemoryOne) {
  int64_t h = call("open", {Value::i32(kReadWrite)});
  ASSERT_GT(h, 0);
  auto handle = Value::i32(static_cast<uint32_t>(h));
  const uint64_t addr = 1u << 20;
  auto size = Value::i64(region_->size());
  int64_t at = call("attach", {Value::i32(1), handle, Value::i64(addr), Value::i32(2)});  // exclusive
  ASSERT_EQ(at, static_cast<int64_t>(addr));
  EXPECT_EQ(window_attach_mode(*inst_->memory(1), addr), Attach::Exclusive);
  EXPECT_EQ(inst_->memory(0)->window_count(), 0u) << "memory 0 has no window";
  // The attachment is held: a second writer (the host, on memory 0) is refused.
  WindowOptions exclusive;
  exclusive.attach = Attach::Exclusive;
  try {
    map_window(*inst_->memory(0), region_, 0, 0, addr, Access::ReadWrite, exclusive);
    ADD_FAILURE() << "a second exclusive attachment was granted";
  } catch (const RegionError& e) {
    EXPECT_EQ(-static_cast<int64_t>(e.wasi_errno()), kEbusy);
  }
  EXPECT_EQ(call("attach", {Value::i32(1), handle, Value::i64(1u << 24), Value::i32(2)}), kEbusy);
  EXPECT_EQ(call("detach", {Value::i32(0), Value::i64(addr), size}), kEinval) << "no such window in memory 0";
  EXPECT_EQ(call("attach", {Value::i32(3), handle, Value::i64(addr), Value::i32(2)}), kEinval);
  EXPECT_EQ(call("detach", {Value::i32(1), Value::i64(addr), size}), 0);
  EXPECT_EQ(inst_->memory(1)->window_count(), 0u);
  // Released: now the host gets it.
  EXPECT_NO_THROW(map_window(*inst_->memory(0), region_, 0, 0, addr, Access::ReadWrite, exclusive));
}

TEST_F(MultiMemoryTest, GuestSyncsACopyWindowOfMemoryOne) {
  const uint64_t addr = 1u << 20;
  WindowOptions copy;
  copy.mode = WindowMode::Copy;
  map_window(*inst_->memory(1), region_, 0, 0, addr, Access::ReadWrite, copy);
  call("store1", {Value::i32(addr + 4), Value::i32(77)});
  EXPECT_EQ(region_word(4), 0u) << "a copy window reaches the region only on sync";
  auto size = Value::i64(region_->size());
  EXPECT_EQ(call("sync", {Value::i32(0), Value::i64(addr), size}), kEinval) << "no such window in memory 0";
  EXPECT_EQ(call("sync", {Value::i32(9), Value::i64(addr), size}), kEinval);
  EXPECT_EQ(call("sync", {Value::i32(1), Value::i64(addr), size}), 0);
  EXPECT_EQ(region_word(4), 77u);
}

TEST_F(MultiMemoryTest, GuestWaitsAndNotifiesOnMemoryOne) {
  call("store1", {Value::i32(32), Value::i32(5)});
  EXPECT_EQ(call("wait32", {Value::i32(1), Value::i32(32), Value::i32(4), Value::i64(-1)}), 1) << "not equal";
  EXPECT_EQ(call("wait32", {Value::i32(1), Value::i32(32), Value::i32(5), Value::i64(1000000)}), 2) << "timed out";
  EXPECT_EQ(call("wait32", {Value::i32(0), Value::i32(32), Value::i32(5), Value::i64(1000000)}), 1)
      << "memory 0's word is 0, not 5";
  EXPECT_EQ(call("wait64", {Value::i32(1), Value::i32(32), Value::i64(5), Value::i64(1000000)}), 2);
  EXPECT_EQ(call("notify", {Value::i32(1), Value::i32(32), Value::i32(1)}), 0);
  EXPECT_EQ(call("wait32", {Value::i32(2), Value::i32(32), Value::i32(5), Value::i64(0)}), kEinval);
  EXPECT_EQ(call("notify", {Value::i32(2), Value::i32(32), Value::i32(1)}), kEinval);
  EXPECT_EQ(call("wait32", {Value::i32(1), Value::i32(34), Value::i32(5), Value::i64(0)}), kEinval) << "unaligned";
  EXPECT_EQ(call("wait32", {Value::i32(1), Value::i32(1u << 20), Value::i32(0), Value::i64(0)}), -21)
      << "outside memory 1 and its windows";
}

TEST_F(MultiMemoryTest, NotifyOnMemoryOneWakesAWaiterOfAnotherInstanceThroughAWindow) {
  // Two instances map the region into their memory 1; one waits there, the other notifies.
  Instance& other = store_.instantiate(two_memories(), linker_);
  const uint64_t addr = 1u << 20;
  WindowOptions mapped;  // live sharing (copy windows would be two private copies)
  mapped.mode = WindowMode::Map;
  map_window(*inst_->memory(1), region_, 0, 0, addr, Access::ReadWrite, mapped);
  map_window(*other.memory(1), region_, 0, 0, addr, Access::ReadWrite, mapped);
  int64_t woke = -99;
  std::thread waiter([&] {
    std::vector<Value> r = other.call("wait32", std::vector<Value>{Value::i32(1), Value::i32(addr), Value::i32(0),
                                                                   Value::i64(10'000'000'000)});
    woke = static_cast<int32_t>(r[0].as_u32());
  });
  int64_t woken = 0;
  for (int i = 0; i < 1000 && woken == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    woken = call("notify", {Value::i32(1), Value::i32(addr), Value::i32(1)});
  }
  waiter.join();
  EXPECT_EQ(woken, 1);
  EXPECT_EQ(woke, 0) << "woken, not timed out";
}

}  // namespace
}  // namespace aperture
