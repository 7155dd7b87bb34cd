// Capabilities are per instance (docs/regions.md, "Capabilities"): region handles belong
// to the instance that opened them, and a guest may unmap or protect only the windows it
// mapped itself. Growth never covers a window ("Growth"). The guest side is a wasm module
// (tests/region/wat/guest_calls.wat) calling the real imports.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"
#include "engine_under_test.h"

namespace aperture {
namespace {

const uint64_t kPage = host_page_size();
constexpr int64_t kEbadf = -8, kEperm = -63, kEexist = -20;
constexpr int32_t kRead = 1, kReadWrite = 3;

std::shared_ptr<const CompiledModule> load(const std::string& name) {
  std::ifstream in(std::string(APERTURE_WAT_DIR) + "/" + name + ".wasm", std::ios::binary);
  std::vector<uint8_t> b{std::istreambuf_iterator<char>(in), {}};
  return compile(b, testing_support::engine_under_test());
}

int64_t call(Instance& inst, const std::string& fn, std::vector<Value> args) {
  std::vector<Value> r = inst.call(fn, args);
  if (r.at(0).type == ValType::I64) return static_cast<int64_t>(r[0].bits);
  return static_cast<int32_t>(r[0].as_u32());
}

uint32_t read32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

class CapabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    region_ = Region::create_memfd(16 * kPage, "shared");
    guest_.grant("shared", region_, Access::ReadWrite);
    guest_.define_imports(store_, linker_);
  }
  Instance& instantiate() { return store_.instantiate(load("guest_calls"), linker_); }

  Store store_;
  Linker linker_;
  GuestRegions guest_;
  std::shared_ptr<Region> region_;
};

TEST_F(CapabilityTest, HandlesBelongToTheInstanceThatOpenedThem) {
  Instance& a = instantiate();
  Instance& b = instantiate();
  int64_t h = call(a, "open", {Value::i32(kReadWrite)});
  ASSERT_GT(h, 0);
  auto handle = Value::i32(static_cast<uint32_t>(h));
  EXPECT_EQ(call(b, "size", {handle}), kEbadf) << "B cannot query A's handle";
  EXPECT_EQ(call(b, "map", {handle, Value::i64(-1), Value::i32(kReadWrite)}), kEbadf)
      << "B cannot map through A's handle";
  EXPECT_EQ(call(b, "close", {handle}), kEbadf) << "B cannot close A's handle";
  EXPECT_EQ(b.memory(0)->window_count(), 0u);
  EXPECT_EQ(call(a, "size", {handle}), static_cast<int64_t>(region_->size())) << "A still holds it";
  int64_t hb = call(b, "open", {Value::i32(kRead)});
  ASSERT_GT(hb, 0) << "B opens its own handle";
  EXPECT_EQ(call(b, "map", {Value::i32(static_cast<uint32_t>(hb)), Value::i64(-1), Value::i32(kReadWrite)}), -2)
      << "B's own handle is read-only, whatever A holds";
  EXPECT_EQ(call(a, "close", {handle}), 0);
}

TEST_F(CapabilityTest, GuestCannotUnmapOrProtectAHostBinding) {
  Instance& a = instantiate();
  const uint64_t addr = 1u << 24;
  reinterpret_cast<uint32_t*>(region_->data())[0] = 0xB0B;  // before mapping: also a copy sees it
  map_window(*a.memory(0), region_, 0, 0, addr, Access::ReadWrite);
  EXPECT_EQ(call(a, "unmap", {Value::i64(addr), Value::i64(region_->size())}), kEperm);
  EXPECT_EQ(call(a, "protect", {Value::i64(addr), Value::i64(region_->size()), Value::i32(kRead)}), kEperm);
  int64_t h = call(a, "open", {Value::i32(kReadWrite)});
  EXPECT_EQ(call(a, "map", {Value::i32(static_cast<uint32_t>(h)), Value::i64(addr), Value::i32(kRead)}), kEexist)
      << "nor replace it";
  EXPECT_EQ(call(a, "load32", {Value::i32(addr)}), 0xB0B) << "the binding is still in place";
  std::optional<WindowRecord> w = a.memory(0)->window_at(addr);
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->writable) << "and still read-write";
  unmap_window(*a.memory(0), addr, region_->size());  // the host may
  EXPECT_EQ(a.memory(0)->window_count(), 0u);
}

TEST_F(CapabilityTest, GuestCannotUnmapAnotherInstancesWindowInASharedMemory) {
  Memory* shared = store_.create_memory(MemoryType{Limits{1, std::nullopt}});
  linker_.define("env", "memory", Extern::memory(shared));
  auto module = load("guest_calls_imported_memory");
  Instance& a = store_.instantiate(module, linker_);
  Instance& b = store_.instantiate(module, linker_);
  int64_t h = call(a, "open", {Value::i32(kReadWrite)});
  int64_t at = call(a, "map", {Value::i32(static_cast<uint32_t>(h)), Value::i64(-1), Value::i32(kReadWrite)});
  ASSERT_GT(at, 0);
  auto size = Value::i64(region_->size());
  EXPECT_EQ(call(b, "unmap", {Value::i64(at), size}), kEperm);
  EXPECT_EQ(call(b, "protect", {Value::i64(at), size, Value::i32(kRead)}), kEperm);
  EXPECT_EQ(call(a, "protect", {Value::i64(at), size, Value::i32(kRead)}), 0);
  EXPECT_EQ(call(a, "unmap", {Value::i64(at), size}), 0);
}

TEST_F(CapabilityTest, ProtectNeverExceedsTheHandleTheWindowWasMappedThrough) {
  Instance& a = instantiate();
  int64_t h = call(a, "open", {Value::i32(kRead)});
  int64_t at = call(a, "map", {Value::i32(static_cast<uint32_t>(h)), Value::i64(-1), Value::i32(kRead)});
  ASSERT_GT(at, 0);
  EXPECT_EQ(call(a, "protect", {Value::i64(at), Value::i64(region_->size()), Value::i32(kReadWrite)}), -2)
      << "the grant allows rw, but the window was mapped through a read-only handle";
}

TEST_F(CapabilityTest, MapAnywherePicksTheHighestFreeRangeSoGrowthHasRoom) {
  Instance& a = instantiate();
  int64_t h = call(a, "open", {Value::i32(kReadWrite)});
  auto hv = Value::i32(static_cast<uint32_t>(h));
  int64_t first = call(a, "map", {hv, Value::i64(-1), Value::i32(kReadWrite)});
  EXPECT_EQ(static_cast<uint64_t>(first), Memory::kAddressSpace - region_->size());
  int64_t second = call(a, "map", {hv, Value::i64(-1), Value::i32(kReadWrite)});
  EXPECT_EQ(static_cast<uint64_t>(second), Memory::kAddressSpace - 2 * region_->size()) << "next one below";
  EXPECT_EQ(call(a, "grow", {Value::i32(1000)}), 1) << "growth below the windows works";
}

TEST_F(CapabilityTest, GrowthThatWouldCoverAWindowFailsAndLeavesItsBytesIntact) {
  Instance& a = instantiate();
  Memory& mem = *a.memory(0);
  for (uint64_t i = 0; i < region_->size(); ++i) region_->data()[i] = static_cast<uint8_t>(i * 31 + 7);
  const uint64_t addr = 4 * 65536;  // memory has 1 page: room to grow by 3 pages
  map_window(mem, region_, 0, 0, addr, Access::ReadWrite);
  EXPECT_EQ(call(a, "grow", {Value::i32(4)}), -1) << "page 4 would cover the window";
  EXPECT_EQ(mem.pages(), 1u);
  EXPECT_EQ(call(a, "grow", {Value::i32(3)}), 1) << "up to the window is fine";
  EXPECT_EQ(call(a, "grow", {Value::i32(1)}), -1);
  EXPECT_EQ(mem.grow(1), -1) << "the host API follows the same rule";
  for (uint64_t i = 0; i < region_->size(); ++i)
    ASSERT_EQ(region_->data()[i], static_cast<uint8_t>(i * 31 + 7)) << "byte " << i;
  unmap_window(mem, addr, region_->size());
  EXPECT_EQ(call(a, "grow", {Value::i32(1)}), 4) << "after unmap the memory grows again";
}

TEST_F(CapabilityTest, HostMapAnywhereUsesTheSameRule) {
  Instance& a = instantiate();
  uint64_t at = map_window(*a.memory(0), region_, 0, 0, kMapAnywhere, Access::Read);
  EXPECT_EQ(at, Memory::kAddressSpace - region_->size());
  EXPECT_EQ(read32(a.memory(0)->base() + at), read32(region_->data()));
}

}  // namespace
}  // namespace aperture
