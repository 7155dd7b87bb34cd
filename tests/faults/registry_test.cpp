// Item 3 of the fault discipline: the signal handler must not read a Memory another thread
// may be destroying. Before, it walked Memory* records and called Memory::contains on
// each, racing with ~Memory (a use after free that ThreadSanitizer reports as a race with
// the free, and AddressSanitizer when the timing hits). Now it reads base addresses only.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "aperture/memory.h"
#include "fault_test_support.h"

namespace aperture {
namespace {

TEST(FaultRegistryTest, FaultsWhileOtherThreadsCreateAndDestroyMemories) {
  Store store;
  Instance& inst = store.instantiate(testing_support::load_test_module("bulk_ops"), Linker{});
  std::atomic<bool> done{false};
  std::thread churn([&] {
    MemoryType type;
    type.limits.min = 1;
    while (!done.load(std::memory_order_relaxed)) {
      auto* m = new Memory(type);
      delete m;
    }
  });
  int traps = 0;
  constexpr int kFaults = 3000;
  for (int i = 0; i < kFaults; ++i)
    if (testing_support::trap_of(inst, "load32", {Value::i32(0x7FFF0000)}) == "out of bounds memory access") ++traps;
  done = true;
  churn.join();
  EXPECT_EQ(traps, kFaults);
}

}  // namespace
}  // namespace aperture
