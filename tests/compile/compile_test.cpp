// The compiled engine beside the interpreter: the same trap messages and backtraces,
// calls across engines and through the host, code shared by instances and threads, and
// an object loader that refuses malformed input.
#include <gtest/gtest.h>
#include <pthread.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <thread>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"
#include "compile/codegen_library.h"
#include "compile/engine.h"
#include "compile/object_loader.h"
#include "runtime/compiled_module.h"

namespace aperture {
namespace {

std::vector<uint8_t> wasm(const std::string& name) {
  std::ifstream in(std::string(APERTURE_WAT_DIR) + "/" + name + ".wasm", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

EngineConfig config(EngineKind kind) {
  EngineConfig c;
  c.kind = kind;
  return c;
}

constexpr EngineKind kInterp = EngineKind::Interpreter;
constexpr EngineKind kCompiled = EngineKind::Compiled;

struct Outcome {
  bool trapped = false;
  std::string message;
  std::vector<std::string> backtrace;
};

// traps.wat, compiled once per engine.
std::shared_ptr<const CompiledModule> traps_module(EngineKind kind) {
  static std::map<EngineKind, std::shared_ptr<const CompiledModule>> modules;
  auto& m = modules[kind];
  if (!m) m = compile(wasm("traps"), config(kind));
  return m;
}

// Calls `name` of traps.wat in a fresh instance; `setup` may map windows first.
Outcome run_trap(EngineKind kind, const std::string& name, std::vector<Value> args,
                 const std::function<void(Instance&)>& setup = {}) {
  Store store;
  Instance& inst = store.instantiate(traps_module(kind), Linker{});
  if (setup) setup(inst);
  Outcome out;
  try {
    inst.call(name, args);
  } catch (const Trap& t) {
    out.trapped = true;
    out.message = t.what();
    out.backtrace = t.backtrace;
  }
  return out;
}

TEST(CompiledTraps, SameMessageAndBacktraceAsTheInterpreter) {
  struct Case {
    std::string name;
    std::vector<Value> args;
    std::string message;
  } cases[] = {
      {"unreachable", {}, "unreachable"},
      {"div_zero", {Value::i32(0)}, "integer divide by zero"},
      {"div_overflow", {}, "integer overflow"},
      {"load", {Value::i32(0xFFFFFFF0u)}, "out of bounds memory access"},
      {"load", {Value::i32(65533)}, "out of bounds memory access"},
      {"recurse", {}, "call stack exhausted"},
      {"indirect", {Value::i32(9)}, "undefined element"},
      {"indirect", {Value::i32(2)}, "uninitialized element 2"},
      {"indirect", {Value::i32(0)}, "indirect call type mismatch"},
      {"tail_unreachable", {}, "unreachable"},
      {"tail_indirect", {Value::i32(9)}, "undefined element"},
      {"tail_indirect", {Value::i32(2)}, "uninitialized element 2"},
      {"tail_indirect", {Value::i32(0)}, "indirect call type mismatch"},
      {"convert", {Value::f64(std::nan(""))}, "invalid conversion to integer"},
      {"convert", {Value::f64(1e10)}, "integer overflow"},
      {"fill", {Value::i32(65530), Value::i32(100)}, "out of bounds memory access"},
      // Out-of-bounds loads whose values the optimiser can prove unused.
      {"dead_load_overwritten", {Value::i32(0xFFFFFFCAu)}, "out of bounds memory access"},
      {"dead_load_times_zero", {Value::i32(65536)}, "out of bounds memory access"},
      {"dead_load_selected_away", {Value::i32(65530)}, "out of bounds memory access"},
      {"load_used_in_one_branch", {Value::i32(0x80000000u), Value::i32(0)}, "out of bounds memory access"},
      {"dead_float_load", {Value::i32(65528)}, "out of bounds memory access"},
  };
  for (const Case& c : cases) {
    Outcome interp = run_trap(kInterp, c.name, c.args);
    Outcome compiled = run_trap(kCompiled, c.name, c.args);
    ASSERT_TRUE(interp.trapped) << c.name;
    EXPECT_TRUE(compiled.trapped) << c.name;
    if (!compiled.trapped) continue;
    EXPECT_EQ(interp.message, c.message) << c.name;
    EXPECT_EQ(compiled.message, interp.message) << c.name;
    EXPECT_EQ(compiled.backtrace, interp.backtrace) << c.name;
  }
  // The backtrace names the functions, innermost first.
  Outcome div = run_trap(kCompiled, "div_zero", {Value::i32(0)});
  EXPECT_EQ(div.backtrace, (std::vector<std::string>{"#0 divide", "#1 div_zero"}));
  Outcome deep = run_trap(kCompiled, "unreachable", {});
  EXPECT_EQ(deep.backtrace,
            (std::vector<std::string>{"#0 leaf_unreachable", "#1 middle", "#2 unreachable"}));
  // tail_to_middle made a tail call: its frame is middle's now.
  Outcome tail = run_trap(kCompiled, "tail_unreachable", {});
  EXPECT_EQ(tail.backtrace,
            (std::vector<std::string>{"#0 leaf_unreachable", "#1 middle", "#2 tail_unreachable"}));
  Outcome recursion = run_trap(kCompiled, "recurse", {});
  ASSERT_EQ(recursion.backtrace.size(), 65u);  // 64 frames and "..."
  EXPECT_EQ(recursion.backtrace[0], "#0 recurse");
  EXPECT_EQ(recursion.backtrace[64], "...");
}

// Memory as the trap leaves it is part of the result: a store that wasm executed before
// a trapping access must have happened in every engine.
TEST(CompiledTraps, StoresBeforeATrapAreDone) {
  for (EngineKind kind : {kInterp, kCompiled}) {
    Store store;
    Instance& inst = store.instantiate(traps_module(kind), Linker{});
    EXPECT_THROW(inst.call("store_before_trap", std::vector<Value>{Value::i32(70000)}), Trap);
    EXPECT_EQ(inst.call("peek16", {}).at(0).as_u32(), 1u) << engine_name(kind);
  }
}

TEST(CompiledTraps, ReadOnlyWindowWriteNamesTheRegionInBothEngines) {
  const uint64_t page = host_page_size();
  auto region = Region::create_memfd(page, "calibration");
  auto map = [&](Instance& inst) { map_window(*inst.memory(0), region, 0, page, 1u << 20, Access::Read); };
  std::vector<Value> args{Value::i32(1u << 20), Value::i32(7)};
  Outcome interp = run_trap(kInterp, "store", args, map);
  Outcome compiled = run_trap(kCompiled, "store", args, map);
  ASSERT_TRUE(compiled.trapped);
  EXPECT_EQ(compiled.message, "write to read-only window of region 'calibration' at address 1048576");
  EXPECT_EQ(compiled.message, interp.message);
  EXPECT_EQ(compiled.backtrace, (std::vector<std::string>{"#0 poke", "#1 store"}));
  EXPECT_EQ(compiled.backtrace, interp.backtrace);
}

// mixed.wat in engine `a`, importing other.wat instantiated in engine `b`.
class CrossEngineTest : public ::testing::TestWithParam<std::pair<EngineKind, EngineKind>> {
 protected:
  void SetUp() override {
    auto [a, b] = GetParam();
    Instance& other = store_.instantiate(compile(wasm("other"), config(b)), Linker{});
    linker_.define_instance("other", other);
    FuncType add{{ValType::I32, ValType::I32}, {ValType::I32}};
    linker_.define("env", "host_add", Extern::func(store_.create_host_function(
        add, [](HostContext&, const uint64_t* args, uint64_t* results) {
          results[0] = static_cast<uint32_t>(args[0] + args[1]);
        })));
    FuncType unary{{ValType::I32}, {ValType::I32}};
    linker_.define("env", "reenter", Extern::func(store_.create_host_function(
        unary, [this](HostContext& ctx, const uint64_t* args, uint64_t* results) {
          EXPECT_EQ(ctx.caller, mixed_);
          if (throw_at_ && args[0] == *throw_at_) throw std::runtime_error("host failed");
          std::vector<Value> r = mixed_->call("countdown", std::vector<Value>{Value::i32(static_cast<uint32_t>(args[0]))});
          results[0] = r.at(0).bits;
        })));
    mixed_ = &store_.instantiate(compile(wasm("mixed"), config(a)), linker_);
  }
  uint32_t call1(const std::string& name, std::vector<Value> args) {
    return mixed_->call(name, args).at(0).as_u32();
  }

  Store store_;
  Linker linker_;
  Instance* mixed_ = nullptr;
  std::optional<uint64_t> throw_at_;
};

TEST_P(CrossEngineTest, CallsWorkInEveryDirection) {
  EXPECT_EQ(call1("call_import", {Value::i32(7)}), 49u);
  EXPECT_EQ(call1("call_host", {Value::i32(5)}), 1005u);
  EXPECT_EQ(call1("call_table", {Value::i32(0), Value::i32(6)}), 36u);
  EXPECT_EQ(call1("call_table", {Value::i32(1), Value::i32(6)}), static_cast<uint32_t>(-6));
  EXPECT_EQ(call1("square", {Value::i32(9)}), 81u);
  EXPECT_EQ(mixed_->find_export("counter")->as_global()->get().as_u32(), 1u);
  std::vector<Value> multi =
      mixed_->call("multi", std::vector<Value>{Value::i64(0x100000002ull), Value::f32(1.5f)});
  ASSERT_EQ(multi.size(), 3u);
  EXPECT_EQ(multi[0].as_f32(), 1.5f);
  EXPECT_EQ(multi[1].as_u64(), 0x100000002ull);
  EXPECT_EQ(multi[2].as_u32(), 2u);
}

TEST_P(CrossEngineTest, HostReentersWasmRepeatedly) {
  // wasm -> host -> wasm -> host ... 50 levels deep.
  EXPECT_EQ(call1("countdown", {Value::i32(50)}), 50u);
}

TEST_P(CrossEngineTest, HostExceptionsPassThroughWasmFrames) {
  throw_at_ = 3;
  try {
    call1("countdown", {Value::i32(10)});
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "host failed");
  }
  throw_at_.reset();
  EXPECT_EQ(call1("countdown", {Value::i32(4)}), 4u);  // the engine recovered
}

INSTANTIATE_TEST_SUITE_P(Engines, CrossEngineTest,
                         ::testing::Values(std::make_pair(kCompiled, kInterp),
                                           std::make_pair(kInterp, kCompiled),
                                           std::make_pair(kCompiled, kCompiled)));

TEST(CompiledCode, InstancesShareCodeButNotState) {
  auto module = compile(wasm("other"), config(kCompiled));
  Store store;
  Instance& a = store.instantiate(module, Linker{});
  Instance& b = store.instantiate(module, Linker{});
  EXPECT_EQ(a.exported_function("square")->code_, b.exported_function("square")->code_);
  EXPECT_NE(a.exported_function("square")->context_, b.exported_function("square")->context_);
  EXPECT_EQ(a.call("square", std::vector<Value>{Value::i32(12)}).at(0).as_u32(), 144u);
  EXPECT_EQ(b.call("square", std::vector<Value>{Value::i32(13)}).at(0).as_u32(), 169u);
}

TEST(CompiledCode, ThreadsRunOneModuleConcurrently) {
  auto module = compile(wasm("traps"), config(kCompiled));
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Store store;
      Instance& inst = store.instantiate(module, Linker{});
      for (int i = 0; i < 200; ++i) {
        inst.call("store", std::vector<Value>{Value::i32(64), Value::i32(static_cast<uint32_t>(t * 1000 + i))});
        if (inst.call("load", std::vector<Value>{Value::i32(60)}).at(0).as_u32() != static_cast<uint32_t>(t * 1000 + i)) return;
        try {
          inst.call("div_zero", std::vector<Value>{Value::i32(0)});
          return;
        } catch (const Trap&) {
        }
      }
      ok[t] = 1;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok, std::vector<int>(4, 1));
}

TEST(CompiledCode, SmallThreadStackTrapsInsteadOfOverflowing) {
  auto module = compile(wasm("traps"), config(kCompiled));
  struct Arg {
    std::shared_ptr<const CompiledModule> module;
    std::string message;
  } arg{module, ""};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 4u << 20);
  pthread_t thread;
  auto body = [](void* p) -> void* {
    auto* a = static_cast<Arg*>(p);
    Store store;
    Instance& inst = store.instantiate(a->module, Linker{});
    try {
      inst.call("recurse", {});
    } catch (const Trap& t) {
      a->message = t.what();
    }
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, body, &arg), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  EXPECT_EQ(arg.message, "call stack exhausted");
}

// Objects for a real module, straight from the code generator.
std::vector<std::vector<uint8_t>> generated_objects() {
  auto module = compile(wasm("mixed"), config(kInterp));
  native::CodegenRequest request;
  request.module = &module->module;
  request.layout = native::runtime_layout();
  return native::generate_code(request).objects;
}

bool loads(const std::vector<std::vector<uint8_t>>& objects) {
  std::vector<std::span<const uint8_t>> spans(objects.begin(), objects.end());
  try {
    native::load_objects(spans);
    return true;
  } catch (const Error&) {
    return false;
  }
}

TEST(ObjectLoader, LoadsGeneratedCodeAndRefusesMalformedObjects) {
  std::vector<std::vector<uint8_t>> objects = generated_objects();
  ASSERT_FALSE(objects.empty());
  EXPECT_TRUE(loads(objects));
  EXPECT_FALSE(loads({{}}));
  EXPECT_FALSE(loads({{0x7F, 'E', 'L', 'F'}}));
  std::vector<uint8_t> foreign = objects[0];
  foreign[18] = 0xB7;  // e_machine: AArch64
  EXPECT_FALSE(loads({foreign}));
  for (size_t n = 0; n < objects[0].size(); n += 61) {
    std::vector<uint8_t> cut(objects[0].begin(), objects[0].begin() + static_cast<ptrdiff_t>(n));
    EXPECT_FALSE(loads({cut})) << "truncated to " << n;
  }
  // Random corruption: refused or loaded, never a crash (corrupt code is never run here).
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> bad = objects[0];
    for (int k = 0; k < 4; ++k) bad[rng() % bad.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    loads({bad});
  }
}

}  // namespace
}  // namespace aperture
