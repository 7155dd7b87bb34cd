// The fault discipline under load (docs/architecture.md, "Faults and threads"): 16 threads
// run mixed guests at once for APERTURE_STRESS_SECONDS (default 3; scripts/test --tsan
// runs 60 under ThreadSanitizer):
//   - 5 threads run bulk operations (memory.fill/copy/init) and loads over a window of one
//     shared file that another thread truncates and restores in a loop;
//   - 5 threads map and unmap a window of the same memories the bulk threads use, and
//     grow them;
//   - 1 thread truncates and restores the file;
//   - 3 threads wait and notify on a shared memory;
//   - 2 threads use WASI descriptors: one writes, one replaces and closes descriptors.
// Every call must end in a result or a trap ("out of bounds memory access", possibly
// naming a bus error or a window): no crash, no deadlock (CTest's timeout), no race
// (ThreadSanitizer), and every kind of work must have made progress.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "fault_test_support.h"

namespace aperture {
namespace {

using testing_support::call;

using testing_support::load_test_module;

const uint64_t kPage = host_page_size();
constexpr uint32_t kFileWindow = 1u << 21;   // the truncated file's window
constexpr uint32_t kChurnWindow = 1u << 22;  // mapped and unmapped all the time
constexpr int kBulkThreads = 5;

double stress_seconds() {
  const char* s = std::getenv("APERTURE_STRESS_SECONDS");
  return s ? std::atof(s) : 3.0;
}

struct Progress {
  std::atomic<uint64_t> bulk_ok{0}, bulk_traps{0}, unexpected{0}, maps{0}, truncations{0},
      waits{0}, notifies{0}, writes{0}, reopens{0};
};

// xorshift: each thread's own sequence.
struct Random {
  uint32_t x;
  uint32_t next() {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
  }
};

bool expected_trap(const std::string& t) { return t.rfind("out of bounds memory access", 0) == 0; }

void count(Progress& p, const std::string& outcome) {
  if (outcome == "no trap") p.bulk_ok++;
  else if (expected_trap(outcome)) p.bulk_traps++;
  else {
    p.unexpected++;
    std::fprintf(stderr, "unexpected outcome: %s\n", outcome.c_str());
  }
}

TEST(FaultStressTest, SixteenThreadsOfMixedGuestsWithTruncationAndWindowChurn) {
  Progress p;

  std::string path = std::string(APERTURE_BINARY_DIR) + "/fault_stress_" + std::to_string(getpid()) + ".bin";
  unlink(path.c_str());
  auto file = Region::open_file(path, 0, 4 * kPage, true);

  // The bulk threads' instances, one store each; the churn threads share their memories.
  std::vector<std::unique_ptr<Store>> stores;
  std::vector<Instance*> bulk;
  for (int i = 0; i < kBulkThreads; ++i) {
    stores.push_back(std::make_unique<Store>());
    Instance& inst = stores.back()->instantiate(load_test_module("bulk_ops"), Linker{});
    map_window(*inst.memory(0), file, 0, 4 * kPage, kFileWindow, Access::ReadWrite);
    bulk.push_back(&inst);
  }
  Store shared_store;
  Instance& waiter = shared_store.instantiate(load_test_module("shared_wait"), Linker{});

  testing_support::WasiFds fds;
  const int32_t fd_a = fds.run("open", {Value::i32(0)});
  ASSERT_GE(fd_a, 0);

  // The clock starts once every module is compiled (slow under sanitizers).
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(stress_seconds() * 1000));
  auto running = [&] { return std::chrono::steady_clock::now() < deadline; };
  std::vector<std::thread> threads;
  for (int i = 0; i < kBulkThreads; ++i) {
    threads.emplace_back([&, i] {  // bulk operations over the truncated file and the churned window
      Random r{0x9E3779B9u * (i + 1)};
      Instance& inst = *bulk[i];
      while (running()) {
        uint32_t base = (r.next() & 1) ? kFileWindow : kChurnWindow;
        auto at = [&] { return Value::i32(base + r.next() % (4 * kPage - 256)); };
        auto len = Value::i32(r.next() % 256);
        switch (r.next() % 5) {
          case 0: count(p, testing_support::trap_of(inst, "fill", {at(), Value::i32(r.next()), len})); break;
          case 1: count(p, testing_support::trap_of(inst, "copy", {at(), Value::i32(r.next() % 60000), len})); break;
          case 2: count(p, testing_support::trap_of(inst, "copy", {Value::i32(r.next() % 60000), at(), len})); break;
          case 3: count(p, testing_support::trap_of(inst, "init", {at(), Value::i32(0), Value::i32(r.next() % 11)})); break;
          case 4: count(p, testing_support::trap_of(inst, "load32", {Value::i32(base + (r.next() % kPage) * 4 % (4 * kPage))})); break;
        }
      }
    });
  }
  for (int i = 0; i < kBulkThreads; ++i) {
    threads.emplace_back([&, i] {  // window churn (and growth) on the same memories
      Memory& mem = *bulk[i]->memory(0);
      auto region = Region::create_memfd(4 * kPage, "churn");
      int grows = 0;
      while (running()) {
        map_window(mem, region, 0, 4 * kPage, kChurnWindow, Access::ReadWrite);
        std::this_thread::yield();
        unmap_window(mem, kChurnWindow, 4 * kPage);
        if (grows < 8 && call(*bulk[i], "grow", {Value::i32(1)}).at(0).as_i32() >= 0) ++grows;
        p.maps++;
      }
    });
  }
  threads.emplace_back([&] {  // truncates and restores the file under the windows
    while (running()) {
      if (truncate(path.c_str(), static_cast<off_t>(kPage)) == 0) p.truncations++;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      if (truncate(path.c_str(), static_cast<off_t>(4 * kPage)) != 0) p.unexpected++;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&] {  // waiters: woken, not-equal or timed out
      while (running()) {
        int32_t seen = call(waiter, "bump", {Value::i32(64)}).at(0).as_i32();
        int32_t r = call(waiter, "wait", {Value::i32(0), Value::i32(0), Value::i64(1'000'000)}).at(0).as_i32();
        if (r < 0 || r > 2 || seen < 0) p.unexpected++;
        p.waits++;
      }
    });
  }
  threads.emplace_back([&] {  // notifier
    while (running()) {
      call(waiter, "notify", {Value::i32(0), Value::i32(1)});
      p.notifies++;
      std::this_thread::yield();
    }
  });
  threads.emplace_back([&] {  // WASI writer
    while (running()) p.writes += static_cast<uint64_t>(fds.run("write", {Value::i32(fd_a), Value::i32(4)}));
  });
  threads.emplace_back([&] {  // WASI descriptor churn: replace `a`, open and close b.txt
    while (running()) {
      int32_t fresh = fds.run("open", {Value::i32(0)});
      if (fresh < 0 || fds.run("renumber", {Value::i32(fresh), Value::i32(fd_a)}) != 0) p.unexpected++;
      int32_t b = fds.run("open", {Value::i32(1)});
      if (b < 0 || fds.run("close", {Value::i32(b)}) != 0) p.unexpected++;
      p.reopens++;
    }
  });
  ASSERT_EQ(threads.size(), 16u);
  for (std::thread& t : threads) t.join();

  bool b_empty = fds.size_of("b.txt") == 0;
  unlink(path.c_str());

  EXPECT_EQ(p.unexpected.load(), 0u);
  EXPECT_GT(p.bulk_ok.load(), 0u);
  EXPECT_GT(p.bulk_traps.load(), 0u);
  EXPECT_GT(p.maps.load(), 0u);
  EXPECT_GT(p.truncations.load(), 0u);
  EXPECT_GT(p.waits.load(), 0u);
  EXPECT_GT(p.notifies.load(), 0u);
  EXPECT_GT(p.writes.load(), 0u);
  EXPECT_GT(p.reopens.load(), 0u);
  EXPECT_TRUE(b_empty) << "a write to guest fd 'a' reached b.txt";
  std::printf("bulk ok %llu, traps %llu, window maps %llu, truncations %llu, waits %llu, writes %llu, reopens %llu\n",
              (unsigned long long)p.bulk_ok.load(), (unsigned long long)p.bulk_traps.load(),
              (unsigned long long)p.maps.load(), (unsigned long long)p.truncations.load(),
              (unsigned long long)p.waits.load(), (unsigned long long)p.writes.load(),
              (unsigned long long)p.reopens.load());
}

}  // namespace
}  // namespace aperture
