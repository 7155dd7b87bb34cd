#include "compile/tiered_engine.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "compile/artifact.h"
#include "compile/engine.h"
#include "compile/native_code.h"
#include "interp/engine.h"
#include "runtime/compiled_module.h"

namespace aperture {
namespace native {
namespace {

// $APERTURE_TIER_UP, for tests: "background" (the default) or "mixed": the module's
// machine code is made before it starts (cache or compiler) and only its even-numbered
// defined functions run compiled, the others stay interpreted, so every call between
// neighbours crosses engines (spec suite in the tiered engine, tests/CMakeLists.txt).
enum class TierUpMode { Background, Mixed };

TierUpMode tier_up_mode() {
  const char* env = std::getenv("APERTURE_TIER_UP");
  if (env == nullptr || *env == '\0' || std::strcmp(env, "background") == 0)
    return TierUpMode::Background;
  if (std::strcmp(env, "mixed") == 0) return TierUpMode::Mixed;
  throw Error(std::string("APERTURE_TIER_UP=") + env + ": expected 'background' or 'mixed'");
}

struct TierUp;

// How long a module runs in the interpreter before its compilation starts.
constexpr std::chrono::milliseconds kStartDelay{20};

// An instance of a tiered module: known to its module's TierUp until it is destroyed, so
// that the compile thread can move its functions to compiled code.
struct TieredInstanceState final : EngineInstanceState {
  TieredInstanceState(TierUp& t, Instance& i) : tier(t), instance(i) {}
  ~TieredInstanceState() override;
  TierUp& tier;
  Instance& instance;
  std::unique_ptr<NativeInstanceState> native;  // the compiled code's context, once moved
};

// What the module code, its compile thread and its instances share.
struct TierUp {
  std::mutex mutex;
  std::vector<TieredInstanceState*> instances;  // guarded by mutex
  std::unique_ptr<NativeModuleCode> native;     // set once (under mutex), then constant
  bool every_other = false;                     // TierUpMode::Mixed
  std::atomic<bool> cancel{false};
  std::atomic<bool> compiling{false};
  std::condition_variable wake;  // cancel was set (the start delay ends early)

  // Moves an instance's functions to compiled code. mutex held, native set.
  void move_to_native(TieredInstanceState& s) {
    s.native = native->make_state(s.instance);
    for (uint32_t i = 0; i < native->function_count(); ++i)
      if (!every_other || i % 2 == 0) native->switch_function(s.instance, i, *s.native);
  }
};

TieredInstanceState::~TieredInstanceState() {
  std::lock_guard<std::mutex> lock(tier.mutex);
  std::erase(tier.instances, this);
}

class TieredModuleCode final : public ModuleCode {
 public:
  explicit TieredModuleCode(std::unique_ptr<ModuleCode> interp) : interp_(std::move(interp)) {}

  ~TieredModuleCode() override {
    // The instances are gone (they own a reference to the module); only the compiler may
    // still run. It stops at its next function.
    {
      std::lock_guard<std::mutex> lock(tier_.mutex);
      tier_.cancel = true;
    }
    tier_.wake.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void bind(Instance& instance) const override {
    interp_->bind(instance);
    auto state = std::make_unique<TieredInstanceState>(tier_, instance);
    std::lock_guard<std::mutex> lock(tier_.mutex);
    if (tier_.native)
      tier_.move_to_native(*state);
    else
      tier_.instances.push_back(state.get());
    instance.engine_state_ = std::move(state);
  }

  // The code is ready (mixed mode): instances start with it.
  void set_native(std::unique_ptr<NativeModuleCode> native, bool every_other) {
    tier_.native = std::move(native);
    tier_.every_other = every_other;
  }

  void compile_in_background(const CompiledModule& module, const CacheKey& key, EngineConfig config) {
    tier_.compiling = true;
    thread_ = std::thread([this, &module, key, config = std::move(config)] {
      // A program that is over within kStartDelay never pays for loading LLVM (tens of
      // milliseconds of CPU and ~45 MB); a longer one gets compiled code that much later.
      {
        std::unique_lock<std::mutex> lock(tier_.mutex);
        tier_.wake.wait_for(lock, kStartDelay, [&] { return tier_.cancel.load(); });
      }
      if (tier_.cancel) {
        tier_.compiling = false;
        return;
      }
      // One core is left to the program, and compiling yields to it slightly (nice 1,
      // inherited by the code generator's threads: nice is per thread on Linux). A
      // larger nice value starves the compilation whenever other processes keep the
      // machine busy, leaving the program interpreted for ten times longer.
      setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 1);
      unsigned threads = std::max(1u, std::thread::hardware_concurrency() - 1);
      try {
        CompiledCode code = generate(module.module, config.opt_level, nullptr, &tier_.cancel, threads);
        store_cached_code(key, config, code);
        std::unique_ptr<NativeModuleCode> native = load_native_code(module, code);
        std::lock_guard<std::mutex> lock(tier_.mutex);
        tier_.native = std::move(native);
        for (TieredInstanceState* s : tier_.instances) tier_.move_to_native(*s);
        tier_.instances.clear();
      } catch (const std::exception& e) {
        if (!tier_.cancel && config.on_warning)
          config.on_warning(std::string("compiling in the background failed (") + e.what() +
                            "); the module goes on in the interpreter");
      }
      tier_.compiling = false;
    });
  }

  bool compiling() const { return tier_.compiling; }

 private:
  std::unique_ptr<ModuleCode> interp_;
  mutable TierUp tier_;  // bind() registers instances with it
  std::thread thread_;
};

class TieredEngine final : public Engine {
 public:
  EngineKind kind() const override { return EngineKind::Tiered; }
  // Both of its engines run SIMD: a SIMD module tiers up like any other.
  bool supports_simd() const override { return true; }

  // A cache hit starts compiled, as the compiled engine would. Otherwise the interpreter's
  // code now, and the compiled engine's in the background.
  std::unique_ptr<ModuleCode> prepare(const CompiledModule& module, std::span<const uint8_t> bytes,
                                      const EngineConfig& config) const override {
    TierUpMode mode = tier_up_mode();
    CacheKey key = cache_key(bytes, config);
    std::unique_ptr<NativeModuleCode> cached = load_cached_code(module, key, config);
    if (cached && mode == TierUpMode::Background) return cached;
    auto code = std::make_unique<TieredModuleCode>(interpreter_engine().prepare(module, bytes, config));
    if (mode == TierUpMode::Mixed) {
      if (!cached) {
        CompiledCode generated = generate(module.module, config.opt_level);
        store_cached_code(key, config, generated);
        cached = load_native_code(module, generated);
      }
      code->set_native(std::move(cached), /*every_other=*/true);
      return code;
    }
    code->compile_in_background(module, key, config);
    return code;
  }

  // Functions of tiered modules run in the interpreter or the compiled engine (their
  // engine_ names which), never in this one.
  void invoke(Function& f, uint64_t* slots) const override { invoke_function(f, slots, nullptr); }
};

}  // namespace
}  // namespace native

const Engine& tiered_engine() {
  static const native::TieredEngine engine;
  return engine;
}

bool tiered_compiling(const CompiledModule& module) {
  auto* tiered = dynamic_cast<const native::TieredModuleCode*>(module.code.get());
  return tiered != nullptr && tiered->compiling();
}

}  // namespace aperture
