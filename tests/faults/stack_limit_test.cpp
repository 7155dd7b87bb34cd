// Item 5 of the fault discipline: per-thread state stays per thread.
//  - The stack limit: compiled code used to keep it in the instance context, which every
//    thread shares; a direct call stored the caller thread's limit into the callee's
//    context. Two threads in one library instance then checked against each other's
//    stacks: a spurious "call stack exhausted", or no check at all and a real overflow
//    that killed the process. It is an argument of every compiled function now.
//  - Attention (interrupt/fuel): one process-wide word made every store's code take the
//    slow path while any store metered fuel; each store has its own word now.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "fault_test_support.h"
#include "runtime/exec_control.h"
#include "wasm_bytes.h"

namespace aperture {
namespace {

using testing_support::call;

using testing_support::trap_of;
using testing_support::load_test_module;

constexpr int kDeepCalls = 1000;

struct Counts {
  int deep_traps = 0, deep_other = 0, shallow_traps = 0, shallow_calls = 0;
};

// Two threads, each with its own caller instance of one shared library instance. In each
// of two phases one thread overflows its stack kDeepCalls times while the other calls a
// leaf function until it is done; then they swap, so that either thread's stack may lie
// above the other's.
int run_two_threads(Counts* out) {
  StoreLimits limits;
  limits.max_wasm_stack = 1u << 20;  // overflow quickly
  Store store(limits);
  Instance& lib = store.instantiate(load_test_module("stack_library"), Linker{});
  Linker linker;
  linker.define_instance("lib", lib);
  Instance* callers[2] = {&store.instantiate(load_test_module("stack_caller"), linker),
                          &store.instantiate(load_test_module("stack_caller"), linker)};
  std::atomic<int> phase_done[2] = {0, 0};
  Counts counts[2];
  auto body = [&](int self) {
    Counts& c = counts[self];
    for (int phase = 0; phase < 2; ++phase) {
      if (phase == self) {
        for (int i = 0; i < kDeepCalls; ++i) {
          std::string t = trap_of(*callers[self], "deep", {});
          if (t == "call stack exhausted") ++c.deep_traps;
          else ++c.deep_other;
        }
        phase_done[phase] = 1;
      } else {
        while (!phase_done[phase].load()) {
          ++c.shallow_calls;
          std::string t = trap_of(*callers[self], "shallow", {});
          if (t != "no trap") ++c.shallow_traps;
        }
      }
    }
  };
  std::thread a(body, 0), b(body, 1);
  a.join();
  b.join();
  for (const Counts& c : counts) {
    out->deep_traps += c.deep_traps;
    out->deep_other += c.deep_other;
    out->shallow_traps += c.shallow_traps;
    out->shallow_calls += c.shallow_calls;
  }
  return 0;
}

TEST(StackLimitTest, TwoThreadsInOneLibraryInstanceEachKeepTheirOwnLimit) {
  // In a child: before the fix, the overflowing thread could run past its stack and die.
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  std::string ended = testing_support::in_child([&] {
    Counts c;
    run_two_threads(&c);
    return write(pipefd[1], &c, sizeof c) == sizeof c ? 0 : 1;
  }, 120);
  close(pipefd[1]);
  Counts c;
  ssize_t n = read(pipefd[0], &c, sizeof c);
  close(pipefd[0]);
  ASSERT_EQ(ended, "exit 0") << "signal 11: a thread overflowed its stack unchecked";
  ASSERT_EQ(n, static_cast<ssize_t>(sizeof c));
  EXPECT_EQ(c.deep_traps, 2 * kDeepCalls);
  EXPECT_EQ(c.deep_other, 0);
  EXPECT_EQ(c.shallow_traps, 0) << "of " << c.shallow_calls << " shallow calls";
  EXPECT_GT(c.shallow_calls, 0);
}

TEST(StackLimitTest, AStoreMeteringFuelLeavesOtherStoresOnTheFastPath) {
  Store metered, plain;
  Instance& a = metered.instantiate(load_test_module("stack_library"), Linker{});
  Instance& b = plain.instantiate(load_test_module("stack_library"), Linker{});
  metered.set_fuel(1'000'000);
  EXPECT_NE(a.control_->attention.load(), 0u);
  EXPECT_EQ(b.control_->attention.load(), 0u) << "the other store's check points would take the slow path";
  EXPECT_EQ(call(b, "rec", {Value::i32(100)}).at(0).as_u32(), 100u);
  EXPECT_EQ(call(a, "rec", {Value::i32(100)}).at(0).as_u32(), 100u);
  EXPECT_LT(*metered.fuel(), 1'000'000u) << "fuel is still charged in the metered store";
  metered.disable_fuel();
  EXPECT_EQ(a.control_->attention.load(), 0u);
}

// Issue 20, item 13: the compiled engine checked a large function's frame against an
// estimate of 64 bytes per local and per value-producing instruction, so a function of
// ~150,000 of them could never be called from an 8 MiB stack, where the interpreter (and
// V8) run it; its real frame is a few dozen bytes. Recursing through it must still stop
// with "call stack exhausted", not overflow the host stack.
TEST(StackLimitTest, ALargeFunctionWithASmallFrameIsCalledAndStillRecursesToATrap) {
  std::vector<uint8_t> bytes = testing_support::big_frame_module(50'000, 100'000);
  Store store;  // default limits: the thread's own stack
  Instance& inst = store.instantiate(compile(bytes, testing_support::engine_under_test()), Linker{});
  EXPECT_EQ(trap_of(inst, "big", {Value::i32(0)}), "no trap");
  EXPECT_EQ(call(inst, "big", {Value::i32(2)}).at(0).as_u32(), 2u);
  EXPECT_EQ(trap_of(inst, "big", {Value::i32(1'000'000'000)}), "call stack exhausted");
}

}  // namespace
}  // namespace aperture
