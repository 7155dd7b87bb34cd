// Threads proposal in the engine under test, beyond the spec suite: real host threads on
// one shared memory, wait/notify counts and timeouts, traps.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "aperture/memory.h"
#include "aperture/runtime.h"
#include "engine_under_test.h"
#include "module_support.h"
#include "thread_support.h"

namespace aperture {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing_support::current_tid;
using testing_support::wait_until_blocked_in_futex;

std::shared_ptr<const CompiledModule> load(const std::string& name) {
  return testing_support::load_test_module(name);
}

// One shared memory and any number of instances of atomics.wat importing it.
class SharedMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    module_ = load("atomics");
    memory_ = store_.create_memory(MemoryType{Limits{1, 2, true}});
    linker_.define("env", "memory", Extern::memory(memory_));
  }
  Instance& instance() { return store_.instantiate(module_, linker_); }
  static uint32_t call32(Instance& inst, const std::string& name, std::vector<Value> args) {
    return inst.call(name, args).at(0).as_u32();
  }
  uint32_t word(uint64_t addr) const {
    return __atomic_load_n(reinterpret_cast<uint32_t*>(memory_->base() + addr), __ATOMIC_SEQ_CST);
  }

  Store store_;
  Linker linker_;
  Memory* memory_ = nullptr;
  std::shared_ptr<const CompiledModule> module_;
};

TEST_F(SharedMemoryTest, AtomicIncrementsFromManyThreadsAreExact) {
  constexpr int kThreads = 4, kIncrements = 20000;
  std::vector<Instance*> instances;
  for (int i = 0; i < kThreads; ++i) instances.push_back(&instance());
  std::vector<std::thread> threads;
  for (Instance* inst : instances)
    threads.emplace_back([inst] { inst->call("add_loop", {{Value::i32(64), Value::i32(kIncrements)}}); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(word(64), uint32_t{kThreads * kIncrements});
}

// The wasi-threads pattern: each thread instantiates the module itself, in one store,
// while the others already run.
TEST_F(SharedMemoryTest, InstancesCreatedOnManyThreadsShareTheMemory) {
  constexpr int kThreads = 4, kIncrements = 5000, kInstancesEach = 3;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([this] {
      for (int i = 0; i < kInstancesEach; ++i)
        instance().call("add_loop", {{Value::i32(96), Value::i32(kIncrements)}});
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(word(96), uint32_t{kThreads * kInstancesEach * kIncrements});
}

// A shared memory defined and exported by one instance, imported by others.
TEST(SharedMemoryExportTest, ExportedSharedMemoryIsImportedByOthers) {
  Store store;
  Linker linker;
  Instance& owner = store.instantiate(load("shared_exporter"), linker);
  ASSERT_TRUE(owner.exported_memory("memory")->shared());
  linker.define_instance("env", owner);
  Instance& a = store.instantiate(load("atomics"), linker);
  Instance& b = store.instantiate(load("atomics"), linker);
  std::thread ta([&] { a.call("add_loop", {{Value::i32(0), Value::i32(10000)}}); });
  std::thread tb([&] { b.call("add_loop", {{Value::i32(0), Value::i32(10000)}}); });
  ta.join();
  tb.join();
  EXPECT_EQ(owner.call("load", {{Value::i32(0)}}).at(0).as_u32(), 20000u);
}

TEST_F(SharedMemoryTest, MutexBuiltFromCmpxchgWaitNotifyExcludes) {
  constexpr int kThreads = 4, kRounds = 5000;
  std::vector<Instance*> instances;
  for (int i = 0; i < kThreads; ++i) instances.push_back(&instance());
  std::vector<std::thread> threads;
  for (Instance* inst : instances)
    threads.emplace_back([inst] {
      inst->call("locked_increments", {{Value::i32(0), Value::i32(8), Value::i32(kRounds)}});
    });
  for (auto& t : threads) t.join();
  uint64_t count;
  std::memcpy(&count, memory_->base() + 8, 8);
  EXPECT_EQ(count, uint64_t{kThreads * kRounds});
  EXPECT_EQ(word(0), 0u);  // unlocked at the end
}

TEST_F(SharedMemoryTest, NotifyReturnsExactlyTheNumberWoken) {
  constexpr int kWaiters = 5;
  std::vector<Instance*> instances;
  for (int i = 0; i < kWaiters; ++i) instances.push_back(&instance());
  Instance& notifier = instance();
  std::vector<std::atomic<pid_t>> tids(kWaiters);
  std::vector<uint32_t> results(kWaiters, 99);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWaiters; ++i)
    threads.emplace_back([&, i] {
      tids[i] = current_tid();
      results[i] = call32(*instances[i], "wait32", {Value::i32(128), Value::i32(0), Value::i64(-1)});
    });
  for (int i = 0; i < kWaiters; ++i) {
    while (tids[i].load() == 0) std::this_thread::yield();
    ASSERT_TRUE(wait_until_blocked_in_futex(tids[i], memory_->base() + 128));
  }
  EXPECT_EQ(call32(notifier, "notify", {Value::i32(128), Value::i32(0)}), 0u);
  EXPECT_EQ(call32(notifier, "notify", {Value::i32(132), Value::i32(10)}), 0u);  // other address
  EXPECT_EQ(call32(notifier, "notify", {Value::i32(128), Value::i32(2)}), 2u);
  EXPECT_EQ(call32(notifier, "notify", {Value::i32(128), Value::i32(0xFFFFFFFF)}), 3u);
  for (auto& t : threads) t.join();
  for (uint32_t r : results) EXPECT_EQ(r, 0u);  // "ok": woken
}

TEST_F(SharedMemoryTest, WaitTimesOutAfterTheRelativeTimeout) {
  Instance& inst = instance();
  auto start = steady_clock::now();
  EXPECT_EQ(call32(inst, "wait32", {Value::i32(0), Value::i32(0), Value::i64(30'000'000)}), 2u);
  EXPECT_GE(steady_clock::now() - start, milliseconds(30));
  start = steady_clock::now();
  EXPECT_EQ(call32(inst, "wait64", {Value::i32(0), Value::i64(0), Value::i64(20'000'000)}), 2u);
  EXPECT_GE(steady_clock::now() - start, milliseconds(20));
  EXPECT_EQ(call32(inst, "wait32", {Value::i32(0), Value::i32(0), Value::i64(0)}), 2u);
  EXPECT_EQ(call32(inst, "wait32", {Value::i32(0), Value::i32(1), Value::i64(-1)}), 1u);  // not equal
}

// wait64 compares all 64 bits: a value differing only in the high half is "not equal", and
// a waiter is woken by a notify after a change of the high half alone.
TEST_F(SharedMemoryTest, Wait64SeesBothHalves) {
  Instance& waiter = instance();
  Instance& notifier = instance();
  waiter.call("store64", {{Value::i32(256), Value::i64(0x1'0000'0000)}});
  EXPECT_EQ(call32(waiter, "wait64", {Value::i32(256), Value::i64(0), Value::i64(-1)}), 1u);
  std::atomic<pid_t> tid{0};
  uint32_t result = 99;
  std::thread t([&] {
    tid = current_tid();
    result = call32(waiter, "wait64", {Value::i32(256), Value::i64(0x1'0000'0000), Value::i64(-1)});
  });
  while (tid.load() == 0) std::this_thread::yield();
  ASSERT_TRUE(wait_until_blocked_in_futex(tid));
  notifier.call("store64", {{Value::i32(256), Value::i64(0x2'0000'0000)}});
  EXPECT_EQ(call32(notifier, "notify", {Value::i32(256), Value::i32(1)}), 1u);
  t.join();
  EXPECT_EQ(result, 0u);
}

TEST_F(SharedMemoryTest, UnalignedAndOutOfBoundsAccessesTrap) {
  Instance& inst = instance();
  auto trap_of = [&](const std::string& name, std::vector<Value> args) {
    return testing_support::trap_of(inst, name, std::move(args));
  };
  EXPECT_EQ(trap_of("wait32", {Value::i32(2), Value::i32(0), Value::i64(0)}), "unaligned atomic");
  EXPECT_EQ(trap_of("wait64", {Value::i32(4), Value::i64(0), Value::i64(0)}), "unaligned atomic");
  EXPECT_EQ(trap_of("notify", {Value::i32(1), Value::i32(1)}), "unaligned atomic");
  EXPECT_EQ(trap_of("load64", {Value::i32(65536)}), "out of bounds memory access");
  EXPECT_EQ(trap_of("notify", {Value::i32(65536), Value::i32(1)}), "out of bounds memory access");
  // The offset counts: 4 + offset 65532 = 65536 is past the one committed page.
  EXPECT_EQ(trap_of("wait32_offset", {Value::i32(4), Value::i32(0), Value::i64(0)}),
            "out of bounds memory access");
  EXPECT_EQ(trap_of("load32_offset", {Value::i32(1)}), "unaligned atomic");
  // Alignment is checked before bounds, as in the reference interpreter.
  EXPECT_EQ(trap_of("load64", {Value::i32(65537)}), "unaligned atomic");
  // After growing (shared memories grow in place), the second page is accessible.
  EXPECT_EQ(call32(inst, "grow", {Value::i32(1)}), 1u);
  EXPECT_EQ(inst.call("load64", {{Value::i32(65536)}}).at(0).as_u64(), 0u);
  EXPECT_EQ(call32(inst, "grow", {Value::i32(1)}), 0xFFFFFFFFu);  // maximum is 2 pages
}

TEST_F(SharedMemoryTest, NarrowReadModifyWriteForms) {
  Instance& inst = instance();
  inst.call("store64", {{Value::i32(16), Value::i64(0x8877665544332211)}});
  EXPECT_EQ(call32(inst, "rmw16_sub", {Value::i32(16), Value::i32(0x10012)}), 0x2211u);  // wraps
  EXPECT_EQ(inst.call("load64", {{Value::i32(16)}}).at(0).as_u64(), 0x88776655443321FFull);
  EXPECT_EQ(inst.call("rmw32_xchg", {{Value::i32(16), Value::i64(0xAAAAAAAABBBBBBBB)}}).at(0).as_u64(),
            0x443321FFull);
  EXPECT_EQ(inst.call("load64", {{Value::i32(16)}}).at(0).as_u64(), 0x88776655BBBBBBBBull);
  // Narrow cmpxchg compares the wrapped expected value: 0x1BB wraps to 0xBB.
  EXPECT_EQ(call32(inst, "cmpxchg8", {Value::i32(16), Value::i32(0x1BB), Value::i32(0x1CC)}), 0xBBu);
  EXPECT_EQ(inst.call("load64", {{Value::i32(16)}}).at(0).as_u64(), 0x88776655BBBBBBCCull);
  inst.call("fence", {});
}

TEST_F(SharedMemoryTest, GrowFromOneThreadIsSeenByAll) {
  Instance& a = instance();
  Instance& b = instance();
  std::thread t([&] { EXPECT_EQ(call32(a, "grow", {Value::i32(1)}), 1u); });
  t.join();
  EXPECT_EQ(call32(b, "size", {}), 2u);
  EXPECT_EQ(memory_->pages(), 2u);
}

TEST(UnsharedMemoryTest, WaitTrapsNotifyReturnsZeroAtomicsWork) {
  Store store;
  Linker linker;
  Instance& inst = store.instantiate(load("atomics_unshared"), linker);
  auto trap_of = [&](const std::string& name, std::vector<Value> args) {
    return testing_support::trap_of(inst, name, std::move(args));
  };
  EXPECT_EQ(trap_of("wait32", {Value::i32(0), Value::i32(0), Value::i64(0)})
                .rfind("expected shared memory", 0), 0u);
  EXPECT_EQ(trap_of("wait64", {Value::i32(0), Value::i64(0), Value::i64(0)})
                .rfind("expected shared memory", 0), 0u);
  EXPECT_EQ(inst.call("notify", {{Value::i32(0), Value::i32(5)}}).at(0).as_u32(), 0u);
  EXPECT_EQ(inst.call("add", {{Value::i32(0), Value::i32(5)}}).at(0).as_u32(), 0u);
  EXPECT_EQ(inst.call("add", {{Value::i32(0), Value::i32(5)}}).at(0).as_u32(), 5u);
}

TEST(SharedMemoryLinkTest, SharednessMustMatch) {
  Store store;
  Linker linker;
  linker.define("env", "memory", Extern::memory(store.create_memory(MemoryType{Limits{1, 2}})));
  try {
    store.instantiate(load("atomics"), linker);
    FAIL() << "an unshared memory satisfied a shared import";
  } catch (const LinkError& e) {
    EXPECT_NE(std::string(e.what()).find("expected a shared memory"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace aperture
