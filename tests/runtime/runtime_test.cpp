// Runtime: memory reservations, windows bookkeeping, linking, host functions, threads.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <fstream>
#include <iterator>
#include <thread>

#include "aperture/memory.h"
#include "aperture/runtime.h"
#include "engine_under_test.h"

namespace aperture {
namespace {

std::vector<uint8_t> wasm(const std::string& name) {
  std::ifstream in(std::string(APERTURE_WAT_DIR) + "/" + name + ".wasm", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Test module `name` compiled by the engine under test.
std::shared_ptr<const CompiledModule> load(const std::string& name) {
  return compile(wasm(name), testing_support::engine_under_test());
}

TEST(MemoryTest, ReservationNeverMovesAndGrowsByPages) {
  Memory m(MemoryType{Limits{1, 3}});
  uint8_t* base = m.base();
  EXPECT_EQ(m.pages(), 1u);
  EXPECT_EQ(m.grow(2), 1);
  EXPECT_EQ(m.base(), base);
  EXPECT_EQ(m.pages(), 3u);
  EXPECT_EQ(m.grow(1), -1);
  base[3 * 65536 - 1] = 7;  // committed and writable
  EXPECT_TRUE(m.range_accessible(0, 3 * 65536, true));
  EXPECT_FALSE(m.range_accessible(3 * 65536 - 1, 2, false));
}

TEST(MemoryTest, MinimumAboveFourGiBIsRejected) {
  EXPECT_THROW(Memory(MemoryType{Limits{65537, std::nullopt}}), Error);
}

TEST(MemoryTest, WindowTableRejectsOverlapAndRestoresPages) {
  Memory m(MemoryType{Limits{2, std::nullopt}});
  uint64_t page = host_page_size();
  m.base()[0] = 42;
  WindowRecord w;
  w.addr = 0;
  w.length = page;
  w.region_name = "r";
  ASSERT_TRUE(m.add_window(w));
  WindowRecord overlapping = w;
  overlapping.addr = 0;
  overlapping.length = 2 * page;
  EXPECT_FALSE(m.add_window(overlapping));
  EXPECT_FALSE(m.range_accessible(0, 1, true)) << "read-only window";
  EXPECT_TRUE(m.range_accessible(0, 1, false));
  ASSERT_TRUE(m.window_at(10).has_value());
  EXPECT_EQ(m.window_at(10)->region_name, "r");
  EXPECT_FALSE(m.window_at(page).has_value());
  ASSERT_EQ(m.remove_window(0, page), WindowChange::kDone);
  EXPECT_EQ(m.base()[0], 0) << "unmapping inside memory.size restores zero pages";
  EXPECT_EQ(m.window_count(), 0u);
}

TEST(MemoryTest, WindowAboveSizeIsAccessibleAndFreeRangeSkipsIt) {
  Memory m(MemoryType{Limits{1, std::nullopt}});
  uint64_t page = host_page_size();
  WindowRecord w;
  w.addr = 1ull << 20;
  w.length = 4 * page;
  w.writable = true;
  ASSERT_TRUE(m.add_window(w));
  EXPECT_TRUE(m.range_accessible(w.addr, w.length, true));
  EXPECT_FALSE(m.range_accessible(w.addr, w.length + 1, true));
}

TEST(MemoryTest, HighestFreeRangeIsBelowTheTopWindowsAndAboveSize) {
  Memory m(MemoryType{Limits{1, std::nullopt}});
  uint64_t page = host_page_size();
  WindowRecord w;
  w.length = page;
  std::optional<uint64_t> top = m.add_window_highest(w);
  ASSERT_TRUE(top);
  EXPECT_EQ(*top, Memory::kAddressSpace - page);
  w.addr = Memory::kAddressSpace - 3 * page;  // leaves a one-page hole below the top window
  ASSERT_TRUE(m.add_window(w));
  w.length = 2 * page;
  EXPECT_EQ(m.add_window_highest(w), Memory::kAddressSpace - 5 * page) << "the hole is too small";
  w.length = page;
  EXPECT_EQ(m.add_window_highest(w), Memory::kAddressSpace - 2 * page) << "the hole fits one page";
  w.length = Memory::kAddressSpace - 65536;
  EXPECT_FALSE(m.add_window_highest(w)) << "no room left above memory.size";
  EXPECT_EQ(m.grow(1), 1) << "growth below the windows";
}

TEST(MemoryTest, GrowStopsBelowAWindowAndGuestsChangeOnlyTheirOwnWindows) {
  Memory m(MemoryType{Limits{1, std::nullopt}});
  uint64_t page = host_page_size();
  WindowRecord w;
  w.addr = 2 * 65536;
  w.length = page;
  w.owner = 7;
  w.may_write = false;
  ASSERT_TRUE(m.add_window(w));
  EXPECT_EQ(m.grow(2), -1) << "page 2 holds a window";
  EXPECT_EQ(m.grow(1), 1);
  EXPECT_EQ(m.remove_window(w.addr, page, 8), WindowChange::kNotOwner);
  EXPECT_EQ(m.protect_window(w.addr, page, false, 8), WindowChange::kNotOwner);
  EXPECT_EQ(m.protect_window(w.addr, page, true, 7), WindowChange::kDenied) << "may_write is false";
  EXPECT_EQ(m.protect_window(w.addr, 2 * page, false, 7), WindowChange::kNoWindow);
  EXPECT_EQ(m.protect_window(w.addr, page, false, 7), WindowChange::kDone);
  EXPECT_EQ(m.remove_window(w.addr, page, 7), WindowChange::kDone);
  EXPECT_EQ(m.grow(1), 2) << "the window is gone";
}

class HostCallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    memory_ = store_.create_memory(MemoryType{Limits{1, std::nullopt}});
    FuncType unary{{ValType::I32}, {ValType::I32}};
    linker_.define("env", "twice",
                   Extern::func(store_.create_host_function(
                       unary, [this](HostContext& ctx, const uint64_t* args, uint64_t* results) {
                         seen_memory_ = ctx.memory();
                         results[0] = static_cast<uint32_t>(args[0] * 2);
                       })));
    linker_.define("env", "fail",
                   Extern::func(store_.create_host_function(
                       FuncType{}, [](HostContext&, const uint64_t*, uint64_t*) {
                         throw Trap("host said no");
                       })));
    linker_.define("env", "mem", Extern::memory(memory_));
  }
  Store store_;
  Linker linker_;
  Memory* memory_ = nullptr;
  Memory* seen_memory_ = nullptr;
};

TEST_F(HostCallTest, WasmCallsHostFunctionsWithCallerMemory) {
  Instance& inst = store_.instantiate(load("host_calls"), linker_);
  auto r = inst.call("quad", std::vector<Value>{Value::i32(5)});
  EXPECT_EQ(r.at(0).as_u32(), 20u);
  EXPECT_EQ(seen_memory_, memory_);
}

TEST_F(HostCallTest, HostTrapPropagatesAndEngineRecovers) {
  Instance& inst = store_.instantiate(load("host_calls"), linker_);
  EXPECT_THROW(inst.call("call_fail", {}), Trap);
  EXPECT_EQ(inst.call("quad", std::vector<Value>{Value::i32(1)}).at(0).as_u32(), 4u);
}

TEST_F(HostCallTest, ImportedMemoryIsShared) {
  Instance& inst = store_.instantiate(load("host_calls"), linker_);
  inst.call("poke", std::vector<Value>{Value::i32(16), Value::i32(0xABCD)});
  uint32_t v;
  std::memcpy(&v, memory_->base() + 16, 4);
  EXPECT_EQ(v, 0xABCDu);
}

TEST(LinkTest, MissingAndMismatchedImportsAreLinkErrors) {
  Store store;
  Linker linker;
  auto module = load("host_calls");
  EXPECT_THROW(store.instantiate(module, linker), LinkError);
  linker.define("env", "fail", Extern::func(store.create_host_function(FuncType{}, [](HostContext&, const uint64_t*, uint64_t*) {})));
  linker.define("env", "mem", Extern::memory(store.create_memory(MemoryType{Limits{1, {}}})));
  linker.define("env", "twice",
                Extern::func(store.create_host_function(FuncType{}, [](HostContext&, const uint64_t*,
                                                                     uint64_t*) {})));
  try {
    store.instantiate(module, linker);
    FAIL();
  } catch (const LinkError& e) {
    EXPECT_NE(std::string(e.what()).find("twice"), std::string::npos) << e.what();
  }
}

TEST(ThreadTest, TwoInstancesRunConcurrently) {
  auto module = load("host_calls");
  auto run = [&](uint32_t n, uint32_t* out) {
    Store store;
    Linker linker;
    FuncType unary{{ValType::I32}, {ValType::I32}};
    auto noop = [](HostContext&, const uint64_t* a, uint64_t* r) { r[0] = a[0]; };
    linker.define("env", "twice", Extern::func(store.create_host_function(unary, noop)));
    linker.define("env", "fail", Extern::func(store.create_host_function(FuncType{}, [](HostContext&, const uint64_t*, uint64_t*) {})));
    linker.define("env", "mem", Extern::memory(store.create_memory(MemoryType{Limits{1, {}}})));
    Instance& inst = store.instantiate(module, linker);
    *out = inst.call("spin", std::vector<Value>{Value::i32(n)}).at(0).as_u32();
  };
  auto expected = [](uint32_t n) {
    uint32_t acc = 0;
    for (; n != 0; --n) acc = acc * 31 + n;
    return acc;
  };
  uint32_t a = 0, b = 0;
  std::thread t1(run, 30'000'000u, &a);
  std::thread t2(run, 20'000'000u, &b);
  t1.join();
  t2.join();
  EXPECT_EQ(a, expected(30'000'000u));
  EXPECT_EQ(b, expected(20'000'000u));
}

TEST(FaultTest, FaultOutsideWasmIsStillACrash) {
  EXPECT_DEATH(
      {
        Memory m(MemoryType{Limits{1, std::nullopt}});
        volatile uint8_t* p = m.base() + (1ull << 31);  // PROT_NONE, but not inside wasm code
        *p = 1;
      },
      "");
}

}  // namespace
}  // namespace aperture
