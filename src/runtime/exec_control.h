// Interruption, fuel and the wasm stack limit of one Store, as engines see them.
//
// Every engine does the same at each wasm function entry and each taken branch back to
// the start of a loop (a "check point"):
//
//     if (instance->control_->attention.load(std::memory_order_relaxed) != 0)
//       if (const char* message = exec_check_slow(*instance->control_)) <trap with message>;
//
// one load and a predictable branch while nothing is asked (docs/performance.md has the
// measured cost). `attention` is the store's own: it is nonzero while the store has a
// pending interrupt or meters fuel, so a store metering fuel never slows another store's
// code. The slow path looks at the store: an interrupt that concerns this thread's
// invocation traps with "interrupted", fuel is charged one unit per check point,
// anything else goes on.
//
// Which invocations an interrupt stops: invoke_function() opens an ExecScope for the
// outermost entry of a thread into a store's code, remembering the store's interrupt
// epoch. interrupt() bumps the epoch and raises kExecInterrupt only while some
// invocation is active; the slow path traps when the scope's epoch is older. The flag
// is lowered when the last active invocation ends, so an interrupt never lingers to hit
// code that starts later.
#pragma once

#include <atomic>
#include <cstdint>

#include "aperture/runtime.h"

namespace aperture {

constexpr uint64_t kExecInterrupt = 1;       // an interrupt is pending for some invocation
constexpr uint64_t kExecFuel = 2;            // fuel is metered
constexpr uint64_t kExecCheckMask = kExecInterrupt | kExecFuel;
constexpr uint64_t kExecActiveOne = 1ull << 32;  // state's upper half: active invocations

struct ExecControl {
  // (kExecInterrupt raised ? 1 : 0) + (kExecFuel ? 1 : 0): what check points load. Compiled
  // code reads it through its instance context (compile/abi.h, kAttentionOffset).
  std::atomic<uint32_t> attention{0};
  std::atomic<uint64_t> state{0};  // flags (low half) | active invocations (high half)
  std::atomic<uint64_t> epoch{0};  // interrupts so far
  std::atomic<uint64_t> fuel{0};   // units left while kExecFuel is set
  StoreLimits limits;

  void interrupt();
  void enable_fuel(uint64_t units);
  void disable_fuel();
};

// The slow half of a check point: nullptr to go on, or the trap message.
const char* exec_check_slow(ExecControl& control);

// Marks this thread as running `control`'s code for its lifetime; nested scopes of the
// same control (host -> wasm -> host -> wasm) share the outermost one.
class ExecScope {
 public:
  explicit ExecScope(ExecControl* control);
  ~ExecScope();
  ExecScope(const ExecScope&) = delete;
  ExecScope& operator=(const ExecScope&) = delete;

  ExecControl* control() const { return control_; }
  uint64_t start_epoch() const { return start_epoch_; }
  const ExecScope* outer() const { return outer_; }

 private:
  ExecControl* control_;
  uint64_t start_epoch_ = 0;
  bool outermost_ = false;
  ExecScope* outer_;
};

}  // namespace aperture
