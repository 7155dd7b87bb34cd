// Item 4 of the fault discipline: a thread that runs wasm gets an alternate signal stack
// (faults are handled on it), and it must be freed when the thread exits: wasi-threads
// start a host thread per guest thread. Before, every such thread left 64 KiB and one
// mapping behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>

#include <cstdio>
#include <cstring>
#include <thread>

#include "fault_test_support.h"

namespace aperture {
namespace {

// Whether [p, p + 1 page) is mapped in this process.
bool mapped(void* p) {
  unsigned char v;
  return mincore(p, 4096, &v) == 0;
}

// Written at the bottom of each thread's alternate stack (the handler uses its top), so a
// page mapped there after the thread ended is told apart from the stack itself: under
// ThreadSanitizer the runtime's own allocations reuse the freed address at once.
constexpr char kMarker[] = "aperture alt stack";

// Whether the thread's alternate stack at p is still mapped: mapped and still marked.
bool still_ours(void* p) { return mapped(p) && std::memcmp(p, kMarker, sizeof kMarker) == 0; }

TEST(SignalStackTest, ThreadsThatRanWasmFreeTheirSignalStacks) {
  Store store;
  Instance& inst = store.instantiate(testing_support::load_test_module("bulk_ops"), Linker{});
  int ours = 0, still_mapped = 0;
  for (int i = 0; i < 32; ++i) {
    void* alt = nullptr;
    std::thread t([&] {
      stack_t before{};
      sigaltstack(nullptr, &before);
      // A trap: the fault handler runs on the thread's alternate stack.
      testing_support::trap_of(inst, "load32", {Value::i32(0x7FFF0000)});
      stack_t after{};
      sigaltstack(nullptr, &after);
      if ((before.ss_flags & SS_DISABLE) && !(after.ss_flags & SS_DISABLE)) {
        alt = after.ss_sp;
        std::memcpy(alt, kMarker, sizeof kMarker);
      }
    });
    t.join();
    if (alt == nullptr) continue;  // a sanitizer's own stack was there already
    ++ours;
    if (still_ours(alt)) ++still_mapped;
  }
  if (ours == 0) GTEST_SKIP() << "every thread had an alternate signal stack already (a sanitizer's)";
  EXPECT_EQ(still_mapped, 0) << "of " << ours << " threads' alternate signal stacks";
}

}  // namespace
}  // namespace aperture
