// Limits and control options of `aperture run` (docs/limits.md): --timeout, --fuel,
// --max-memory, --max-wasm-stack, --max-table-elements.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "aperture/runtime.h"

namespace CLI {
class App;
}

namespace aperture::cli {

struct LimitOptions {
  std::optional<std::string> timeout;             // DURATION
  std::optional<std::string> fuel;                // N
  std::optional<std::string> max_memory;          // BYTES
  std::optional<std::string> max_wasm_stack;      // BYTES
  std::optional<std::string> max_table_elements;  // N
};

struct Limits {
  std::optional<std::chrono::nanoseconds> timeout;
  std::optional<uint64_t> fuel;
  StoreLimits store;
};

void add_limit_options(CLI::App& run, LimitOptions& options);
// Parses the values (defaults where not given); throws UsageError naming the option.
Limits make_limits(const LimitOptions& options);

// Interrupts a store once `timeout` has passed, unless destroyed first.
class Watchdog {
 public:
  Watchdog(InterruptHandle handle, std::optional<std::chrono::nanoseconds> timeout);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  // True once the watchdog has interrupted the store.
  bool fired();

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;
};

}  // namespace aperture::cli
