// Stopping running wasm code from another thread (docs/limits.md). Every engine
// honours it the same way; fuel and resource limits are Store's (aperture/runtime.h).
//
//   aperture::Store store({.max_memory_bytes = 64 << 20});
//   aperture::InterruptHandle stop = store.interrupt_handle();
//   std::thread watchdog([stop] { sleep(1); stop.interrupt(); });
//   inst.call("run", {});   // throws Trap("interrupted") if still running after 1 s
#pragma once

#include <cstdint>
#include <memory>

namespace aperture {

struct ExecControl;  // runtime/exec_control.h

// Stops the wasm code of one Store from any thread, even from a signal handler. Cheap to
// copy; stays valid (and harmless) after the Store is gone.
class InterruptHandle {
 public:
  explicit InterruptHandle(std::shared_ptr<ExecControl> control) : control_(std::move(control)) {}
  // Every invocation of the store's code that is running now traps with "interrupted"
  // at its next loop iteration or function call (wasm code that neither loops nor calls
  // ends by itself soon). A host function that is running finishes first. Invocations
  // that start afterwards run normally: an interrupt is not kept for later.
  void interrupt() const;

 private:
  std::shared_ptr<ExecControl> control_;
};

}  // namespace aperture
