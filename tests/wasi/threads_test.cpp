// wasi-threads: thread ids, shared memory between the spawned instances, and a trap in a
// spawned thread handed to the exit handler.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>

#include "aperture/memory.h"
#include "aperture/runtime.h"
#include "aperture/wasi.h"
#include "engine_under_test.h"
#include "module_support.h"

namespace aperture {
namespace {

std::shared_ptr<const CompiledModule> load(const std::string& name) {
  return testing_support::load_test_module(name);
}

// Records what the exit handler receives.
struct Exits {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> traps;
  wasi::Threads::ExitHandler handler() {
    return [this](const Trap& t) {
      std::lock_guard<std::mutex> lock(mutex);
      traps.push_back(t.what());
      changed.notify_all();
    };
  }
  std::string wait_first() {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return !traps.empty(); });
    return traps.front();
  }
};

class ThreadSpawnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    memory_ = store_.create_memory(MemoryType{Limits{1, 1, true}});
    linker_.define("env", "memory", Extern::memory(memory_));
    threads_.define_imports(store_, linker_);
  }
  int32_t call(Instance& inst, const std::string& name, std::vector<Value> args) {
    auto r = inst.call(name, args);
    return r.empty() ? 0 : r[0].as_i32();
  }

  Store store_;
  Linker linker_;
  Memory* memory_ = nullptr;
  Exits exits_;
  wasi::Threads threads_{exits_.handler()};  // after the store: waits for its threads first
};

TEST_F(ThreadSpawnTest, EachThreadRunsItsOwnInstanceOnTheSharedMemory) {
  Instance& main = store_.instantiate(load("spawn"), linker_);
  constexpr int kThreads = 6;
  std::set<int32_t> tids;
  std::vector<int32_t> returned;
  for (int i = 0; i < kThreads; ++i) {
    int32_t tid = call(main, "spawn", {Value::i32(i)});
    EXPECT_GT(tid, 0);
    EXPECT_LT(tid, 1 << 29);
    tids.insert(tid);
    returned.push_back(tid);
  }
  EXPECT_EQ(tids.size(), size_t{kThreads}) << "thread ids are unique";
  call(main, "wait_started", {Value::i32(kThreads)});
  for (int i = 0; i < kThreads; ++i)
    EXPECT_EQ(call(main, "tid_of", {Value::i32(i)}), returned[i]) << "thread " << i;
  EXPECT_TRUE(exits_.traps.empty());
}

TEST_F(ThreadSpawnTest, ATrapInASpawnedThreadReachesTheExitHandler) {
  Instance& main = store_.instantiate(load("spawn"), linker_);
  EXPECT_GT(call(main, "spawn", {Value::i32(99)}), 0);
  EXPECT_EQ(exits_.wait_first(), "unreachable");
}

TEST_F(ThreadSpawnTest, AModuleWithoutWasiThreadStartTrapsTheCaller) {
  Instance& main = store_.instantiate(load("spawn_without_start"), linker_);
  try {
    call(main, "spawn", {Value::i32(0)});
    FAIL() << "spawn without wasi_thread_start succeeded";
  } catch (const Trap& t) {
    EXPECT_NE(std::string(t.what()).find("no export 'wasi_thread_start'"), std::string::npos) << t.what();
  }
  EXPECT_EQ(threads_.running(), 0u);
}

}  // namespace
}  // namespace aperture
