// Traps: the way WebAssembly execution stops abnormally. Raised by the interpreter (as a
// Trap exception at the invoke boundary) and thrown by host functions to trap their caller.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace aperture {

class Instance;

// One wasm frame of a trap (what the C API's wasm_frame_t reports).
struct TrapFrame {
  Instance* instance = nullptr;  // the instance whose function runs in the frame
  uint32_t func_index = 0;       // the function's index in its module
  // Byte offset in the module of the instruction the frame was executing (the trapping
  // instruction, or the call in an outer frame); nullopt when the engine cannot tell
  // (the interpreter at a memory fault).
  std::optional<uint32_t> offset;
};

class Trap : public std::runtime_error {
 public:
  explicit Trap(const std::string& message) : std::runtime_error(message) {}

  // A host function (WASI proc_exit) ends the whole computation with an exit status.
  static Trap exit(int status) {
    Trap t("exit with status " + std::to_string(status));
    t.exit_status_ = status;
    return t;
  }
  const std::optional<int>& exit_status() const { return exit_status_; }

  // Wasm frames innermost first, e.g. "#0 func[3] (fib)". Filled at the invoke boundary.
  std::vector<std::string> backtrace;
  // The same frames, structured; also filled for traps thrown by host functions (each
  // invocation the trap passes through appends its frames).
  std::vector<TrapFrame> frames;

  // Message plus backtrace, one frame per line.
  std::string describe() const;

 private:
  std::optional<int> exit_status_;
};

// Spec trap messages (the spec test suite matches on these prefixes).
namespace trap_msg {
inline constexpr const char* kUnreachable = "unreachable";
inline constexpr const char* kMemoryOutOfBounds = "out of bounds memory access";
inline constexpr const char* kTableOutOfBounds = "out of bounds table access";
inline constexpr const char* kIntegerDivideByZero = "integer divide by zero";
inline constexpr const char* kIntegerOverflow = "integer overflow";
inline constexpr const char* kInvalidConversion = "invalid conversion to integer";
inline constexpr const char* kUndefinedElement = "undefined element";
inline constexpr const char* kUninitializedElement = "uninitialized element";
inline constexpr const char* kIndirectCallTypeMismatch = "indirect call type mismatch";
inline constexpr const char* kNullFunctionReference = "null function reference";  // call_ref
inline constexpr const char* kNullReference = "null reference";  // ref.as_non_null
inline constexpr const char* kCallStackExhausted = "call stack exhausted";
inline constexpr const char* kUnalignedAtomic = "unaligned atomic";
inline constexpr const char* kWaitOnUnsharedMemory =
    "expected shared memory: memory.atomic.wait needs a memory declared `shared` (for a "
    "window of an unshared memory, use the aperture.wait32/wait64 guest calls)";
// Not spec messages: the host stopped the code (Store::interrupt, `run --timeout`) or
// its fuel ran out (Store::set_fuel, `run --fuel`).
inline constexpr const char* kInterrupted = "interrupted";
inline constexpr const char* kOutOfFuel = "all fuel consumed";
}  // namespace trap_msg

}  // namespace aperture
