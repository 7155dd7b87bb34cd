// Interruption from another thread, fuel and resource limits (aperture/control.h), in
// the engine under test: every kind of loop back-edge is a check point, an interrupted
// store keeps working, fuel counts exactly, limits bite where documented.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

#include "aperture/memory.h"
#include "aperture/runtime.h"
#include "engine_under_test.h"

namespace aperture {
namespace {

using namespace std::chrono_literals;

std::vector<uint8_t> wasm(const std::string& name) {
  std::ifstream in(std::string(APERTURE_WAT_DIR) + "/" + name + ".wasm", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<Value> call_export(Instance& inst, const std::string& name, std::vector<Value> args) {
  return inst.call(name, args);
}

std::shared_ptr<const CompiledModule> control_module() {
  static auto m = compile(wasm("control"), testing_support::engine_under_test());
  return m;
}

// One store with the control module; host.reenter calls `reenter_target` (if set).
struct Fixture {
  Store store;
  Linker linker;
  Instance* inst = nullptr;
  std::string reenter_target;
  int host_calls = 0;

  explicit Fixture(const StoreLimits& limits = {}) : store(limits) {
    linker.define("host", "reenter", Extern::func(store.create_host_function(
                                         FuncType{}, [this](HostContext&, const uint64_t*, uint64_t*) {
                                           ++host_calls;
                                           if (!reenter_target.empty()) inst->call(reenter_target, {});
                                         })));
  }
  Instance& instantiate() {
    inst = &store.instantiate(control_module(), linker);
    return *inst;
  }
};

// Calls `name` and interrupts the store from another thread after `delay`; returns the
// trap message ("" when the call returned). Should the interrupt not stop the code, the
// test binary aborts after 10 s with a message instead of hanging.
std::string call_interrupted(Fixture& f, const std::string& name, std::vector<Value> args,
                             std::chrono::milliseconds delay = 20ms) {
  InterruptHandle handle = f.store.interrupt_handle();
  std::atomic<bool> returned{false};
  std::thread stopper([handle, delay, &returned, name] {
    std::this_thread::sleep_for(delay);
    handle.interrupt();
    for (int i = 0; i < 1000 && !returned; ++i) std::this_thread::sleep_for(10ms);
    if (!returned) {
      std::fprintf(stderr, "'%s' was not stopped by an interrupt within 10 s\n", name.c_str());
      std::abort();
    }
  });
  std::string message;
  try {
    call_export(*f.inst, name, args);
  } catch (const Trap& t) {
    message = t.what();
  }
  returned = true;
  stopper.join();
  return message;
}

TEST(InterruptTest, EveryKindOfLoopBackEdgeIsStopped) {
  Fixture f;
  f.instantiate();
  const std::vector<std::pair<std::string, std::vector<Value>>> spins = {
      {"spin_br", {}},          {"spin_br_if", {}},       {"spin_br_if_cmp", {Value::i32(3)}},
      {"spin_br_if_eqz", {Value::i32(0)}}, {"spin_br_drop", {}}, {"spin_br_if_drop", {}},
      {"spin_br_table", {}},    {"spin_calls", {}}};
  for (const auto& [name, args] : spins) {
    EXPECT_EQ(call_interrupted(f, name, args), "interrupted") << name;
    // The store and instance stay usable at once: the interrupt is not kept.
    EXPECT_EQ(call_export(*f.inst, "answer", {})[0].as_i32(), 42) << name;
  }
}

TEST(InterruptTest, TrapHasABacktraceAndTheHostCanRunAnotherInstance) {
  Fixture f;
  f.instantiate();
  InterruptHandle handle = f.store.interrupt_handle();
  std::thread stopper([handle] {
    std::this_thread::sleep_for(20ms);
    handle.interrupt();
  });
  try {
    call_export(*f.inst, "spin_br", {});
    ADD_FAILURE() << "spin_br returned";
  } catch (const Trap& t) {
    EXPECT_STREQ(t.what(), "interrupted");
    ASSERT_FALSE(t.backtrace.empty());
    EXPECT_NE(t.backtrace[0].find("spin_br"), std::string::npos) << t.backtrace[0];
  }
  stopper.join();
  Instance& second = f.store.instantiate(control_module(), f.linker);
  EXPECT_EQ(call_export(second, "answer", {})[0].as_i32(), 42);
  call_export(second, "count_down", {Value::i32(100000)});
}

TEST(InterruptTest, AnInterruptWhileNothingRunsIsNotKept) {
  Fixture f;
  f.instantiate();
  f.store.interrupt();
  f.store.interrupt_handle().interrupt();
  EXPECT_NO_THROW(call_export(*f.inst, "count_down", {Value::i32(100000)}));
}

TEST(InterruptTest, StopsCodeReenteredFromAHostFunction) {
  Fixture f;
  f.instantiate();
  f.reenter_target = "spin_br";
  EXPECT_EQ(call_interrupted(f, "spin_nested", {}), "interrupted");
  EXPECT_EQ(f.host_calls, 1);
  EXPECT_EQ(call_export(*f.inst, "answer", {})[0].as_i32(), 42);
}

TEST(InterruptTest, StopsEveryThreadRunningTheStore) {
  Fixture f;
  f.instantiate();
  Instance& other = f.store.instantiate(control_module(), f.linker);
  std::atomic<int> stopped{0};
  std::thread t2([&] {
    try {
      call_export(other, "spin_br_if", {});
    } catch (const Trap& t) {
      if (std::string(t.what()) == "interrupted") ++stopped;
    }
  });
  if (call_interrupted(f, "spin_br", {}, 50ms) == "interrupted") ++stopped;
  t2.join();
  EXPECT_EQ(stopped, 2);
}

TEST(InterruptTest, OtherStoresAreNotStopped) {
  Fixture a, b;
  a.instantiate();
  b.instantiate();
  std::atomic<bool> done{false};
  std::thread runner([&] {
    call_export(*b.inst, "count_down", {Value::i32(20000000)});
    done = true;
  });
  EXPECT_EQ(call_interrupted(a, "spin_br", {}), "interrupted");
  runner.join();
  EXPECT_TRUE(done);
}

TEST(FuelTest, CountsFunctionEntriesAndLoopBackEdgesExactly) {
  Fixture f;
  f.instantiate();
  EXPECT_EQ(f.store.fuel(), std::nullopt);
  f.store.set_fuel(10);
  call_export(*f.inst, "count_down", {Value::i32(10)});  // 1 entry + 9 back-edges
  EXPECT_EQ(f.store.fuel(), 0u);
  f.store.set_fuel(9);
  try {
    call_export(*f.inst, "count_down", {Value::i32(10)});
    ADD_FAILURE() << "9 units ran a 10-unit loop";
  } catch (const Trap& t) {
    EXPECT_STREQ(t.what(), "all fuel consumed");
  }
  EXPECT_EQ(f.store.fuel(), 0u);
  f.store.set_fuel(100);
  call_export(*f.inst, "three_calls", {});  // 1 + 3 entries of $leaf
  EXPECT_EQ(f.store.fuel(), 96u);
  call_export(*f.inst, "host_call", {});  // 1: host functions cost nothing
  EXPECT_EQ(f.host_calls, 1);
  EXPECT_EQ(f.store.fuel(), 95u);
  f.store.set_fuel(0);
  EXPECT_THROW(call_export(*f.inst, "answer", {}), Trap);  // even a function entry needs a unit
  f.store.disable_fuel();
  EXPECT_EQ(f.store.fuel(), std::nullopt);
  EXPECT_EQ(call_export(*f.inst, "answer", {})[0].as_i32(), 42);
}

TEST(LimitsTest, MemoryLimitAppliesToInstantiationAndGrow) {
  Fixture f({.max_memory_bytes = 3 * 65536});
  Instance& inst = f.instantiate();  // memory 1
  EXPECT_EQ(call_export(inst, "grow", {Value::i32(2)})[0].as_i32(), 1);
  EXPECT_EQ(call_export(inst, "grow", {Value::i32(1)})[0].as_i32(), -1);
  EXPECT_EQ(inst.memory()->pages(), 3u);
  Fixture small({.max_memory_bytes = 65535});
  try {
    small.instantiate();
    ADD_FAILURE() << "a 1-page memory passed a 65535-byte limit";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("larger than the store's memory limit of 65535 bytes"),
              std::string::npos) << e.what();
  }
}

TEST(LimitsTest, WasmStackLimit) {
  Fixture f({.max_wasm_stack = 64 << 10});
  f.instantiate();
  EXPECT_EQ(call_export(*f.inst, "deep", {Value::i32(100)})[0].as_i32(), 100);
  try {
    call_export(*f.inst, "deep", {Value::i32(100000)});
    ADD_FAILURE() << "100000 frames fit in 64 KiB";
  } catch (const Trap& t) {
    EXPECT_STREQ(t.what(), "call stack exhausted");
  }
  // The default (8 MiB) stops short of a million frames in either engine (the compiled
  // engine's frames of `deep` are smaller than the interpreter's: 100000 of them fit).
  Fixture normal;
  normal.instantiate();
  EXPECT_THROW(call_export(*normal.inst, "deep", {Value::i32(1000000)}), Trap);
  Fixture big({.max_wasm_stack = 64 << 20});
  big.instantiate();
  EXPECT_EQ(call_export(*big.inst, "deep", {Value::i32(100000)})[0].as_i32(), 100000);
  EXPECT_THROW(Store({.max_wasm_stack = 100}), Error);
  EXPECT_THROW(Store({.max_wasm_stack = 2ull << 30}), Error);
}

}  // namespace
}  // namespace aperture
