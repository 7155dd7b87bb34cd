// The tiered engine: a module starts in the interpreter and its functions move to
// compiled code while threads run them (docs/architecture.md, "Tiering").
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "aperture/runtime.h"
#include "compile/engine.h"
#include "runtime/compiled_module.h"

namespace aperture {
namespace {

std::vector<uint8_t> wasm(const std::string& name) {
  std::ifstream in(std::string(APERTURE_WAT_DIR) + "/" + name + ".wasm", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::shared_ptr<const CompiledModule> compile_tiered() {
  EngineConfig config;
  config.kind = EngineKind::Tiered;  // no cache_dir: always compiled in the background
  return compile(wasm("tiered"), config);
}

uint32_t expected_work(uint32_t n) {
  uint32_t acc = 0;
  for (uint32_t i = 0; i < n; ++i) acc += (i + 1) + ((i & 1) ? 2 * i : i + 1) + 2 * (i & 7);
  return acc;
}

Linker host_linker(Store& store) {
  Linker linker;
  FuncType type{{ValType::I32}, {ValType::I32}};
  linker.define("host", "twice",
                Extern::func(store.create_host_function(
                    type, [](HostContext&, const uint64_t* args, uint64_t* results) {
                      results[0] = static_cast<uint32_t>(args[0]) * 2;
                    })));
  return linker;
}

const Engine* engine_of(const Function& f) {
  return std::atomic_ref<const Engine* const>(f.engine_).load(std::memory_order_acquire);
}

bool wait_for_compiled_code(const CompiledModule& module) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (compiling_in_background(module)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// Threads keep calling while the module's functions move from the interpreter to compiled
// code under them (direct calls, a table, an import): every result stays right.
TEST(TieredTest, ThreadsCallFunctionsWhileTheyMoveToCompiledCode) {
  std::shared_ptr<const CompiledModule> module = compile_tiered();
  Store store;
  Linker linker = host_linker(store);
  Instance& inst = store.instantiate(module, linker);
  Function* work = inst.exported_function("work");
  ASSERT_NE(work, nullptr);
  EXPECT_NE(engine_of(*work), &compiling_engine()) << "started compiled";

  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::atomic<int> calls_interpreted{0};
  std::atomic<int> calls_compiled{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      uint32_t n = 200 + 37 * t;
      while (!stop) {
        bool compiled_before = engine_of(*work) == &compiling_engine();
        std::vector<Value> r = inst.call("work", std::vector<Value>{Value::i32(n)});
        if (r.size() != 1 || r[0].as_i32() != static_cast<int32_t>(expected_work(n))) ++wrong;
        ++(compiled_before ? calls_compiled : calls_interpreted);
      }
    });
  }
  bool compiled = wait_for_compiled_code(*module);
  // Some more calls after the move, then stop.
  int target = calls_compiled + 300;
  while (compiled && calls_compiled < target) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  stop = true;
  for (std::thread& t : threads) t.join();

  ASSERT_TRUE(compiled) << "background compilation did not finish in 5 minutes";
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(engine_of(*work), &compiling_engine());
  EXPECT_GT(calls_interpreted, 0) << "the code was compiled before any call";
  EXPECT_GE(calls_compiled, 300);
}

// A trap reads the same before and after the move.
TEST(TieredTest, TrapsAreTheSameBeforeAndAfterTheMove) {
  std::shared_ptr<const CompiledModule> module = compile_tiered();
  Store store;
  Linker linker = host_linker(store);
  Instance& inst = store.instantiate(module, linker);
  auto trap_of = [&] {
    try {
      inst.call("fail", std::vector<Value>{Value::i32(3)});
    } catch (const Trap& t) {
      return std::string(t.what()) + "\n" + [&] {
        std::string lines;
        for (const std::string& l : t.backtrace) lines += l + "\n";
        return lines;
      }();
    }
    return std::string("no trap");
  };
  std::string before = trap_of();
  ASSERT_TRUE(wait_for_compiled_code(*module));
  EXPECT_EQ(engine_of(*inst.exported_function("fail")), &compiling_engine());
  EXPECT_EQ(trap_of(), before);
  EXPECT_NE(before.find("unreachable"), std::string::npos) << before;
}

// An instance made after the code is ready starts compiled; dropping a module whose
// compilation is under way neither waits for it to end nor leaks it (ASan).
TEST(TieredTest, LaterInstancesStartCompiledAndDroppedModulesStopCompiling) {
  std::shared_ptr<const CompiledModule> module = compile_tiered();
  ASSERT_TRUE(wait_for_compiled_code(*module));
  Store store;
  Linker linker = host_linker(store);
  Instance& inst = store.instantiate(module, linker);
  EXPECT_EQ(engine_of(*inst.exported_function("work")), &compiling_engine());
  EXPECT_EQ(inst.call("work", std::vector<Value>{Value::i32(50)})[0].as_i32(),
            static_cast<int32_t>(expected_work(50)));
  for (int i = 0; i < 3; ++i) compile_tiered().reset();
}

// A SIMD module tiers up like any other (it used to stay in the interpreter).
TEST(TieredTest, SimdModulesMoveToCompiledCode) {
  EngineConfig config;
  config.kind = EngineKind::Tiered;
  std::shared_ptr<const CompiledModule> module = compile(wasm("tiered_simd"), config);
  Store store;
  Linker linker;
  Instance& inst = store.instantiate(module, linker);
  // i16 lanes 1..8 dotted with lanes of 2: 2 * 36
  Value a = Value::v128(0x0004000300020001ull, 0x0008000700060005ull);
  Value b = Value::v128(0x0002000200020002ull, 0x0002000200020002ull);
  EXPECT_EQ(inst.call("dot", std::vector<Value>{a, b})[0].as_i32(), 72);
  ASSERT_TRUE(wait_for_compiled_code(*module));
  EXPECT_EQ(engine_of(*inst.exported_function("dot")), &compiling_engine());
  EXPECT_EQ(inst.call("dot", std::vector<Value>{a, b})[0].as_i32(), 72);
}

}  // namespace
}  // namespace aperture
