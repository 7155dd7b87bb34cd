#include "cli/limit_options.h"

#include <CLI/CLI.hpp>

#include "cli/file_util.h"
#include "cli/option_values.h"

namespace aperture::cli {

void add_limit_options(CLI::App& run, LimitOptions& o) {
  StoreLimits defaults;
  auto* group = run.add_option_group("Limits", "Limits and control (docs/limits.md)");
  group->add_option("--timeout", o.timeout,
                    "stop the program after DURATION (1s, 500ms, 2m): it traps with 'interrupted'");
  group->add_option("--fuel", o.fuel,
                    "allow N units of fuel: one per wasm function entry and per branch back to a "
                    "loop's start; then the program traps with 'all fuel consumed'");
  group->add_option("--max-memory", o.max_memory,
                    "largest size of each linear memory in bytes (64K, 16M, 1G): larger initial "
                    "memories fail to instantiate, memory.grow beyond it returns -1");
  group->add_option("--max-wasm-stack", o.max_wasm_stack,
                    "bytes of wasm stack (default 8M, at most 1G): deeper recursion traps with "
                    "'call stack exhausted'");
  group->add_option("--max-table-elements", o.max_table_elements,
                    "elements all tables of the program may hold together (default " +
                        std::to_string(defaults.table_elements) + ")");
}

Limits make_limits(const LimitOptions& o) {
  Limits l;
  if (o.timeout) l.timeout = parse_duration("--timeout", *o.timeout);
  if (o.fuel) l.fuel = parse_count("--fuel", *o.fuel);
  if (o.max_memory) {
    l.store.max_memory_bytes = parse_byte_size("--max-memory", *o.max_memory);
    if (l.store.max_memory_bytes == 0) throw UsageError("--max-memory must be more than 0");
  }
  if (o.max_wasm_stack) {
    uint64_t bytes = parse_byte_size("--max-wasm-stack", *o.max_wasm_stack);
    if (bytes < kMinWasmStackLimit || bytes > kMaxWasmStackLimit)
      throw UsageError("--max-wasm-stack must be between 4K and 1G, got '" + *o.max_wasm_stack + "'");
    l.store.max_wasm_stack = bytes;
  }
  if (o.max_table_elements)
    l.store.table_elements = parse_count("--max-table-elements", *o.max_table_elements);
  return l;
}

Watchdog::Watchdog(InterruptHandle handle, std::optional<std::chrono::nanoseconds> timeout) {
  if (!timeout) return;
  thread_ = std::thread([this, handle, deadline = std::chrono::steady_clock::now() + *timeout] {
    std::unique_lock<std::mutex> lock(mutex_);
    if (wake_.wait_until(lock, deadline, [this] { return done_; })) return;
    fired_ = true;
    handle.interrupt();
  });
}

Watchdog::~Watchdog() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool Watchdog::fired() {
  std::lock_guard<std::mutex> lock(mutex_);
  return fired_;
}

}  // namespace aperture::cli
