// Engine-independent parts of calling functions and describing frames.
#include "runtime/engine.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include "binary/printable_name.h"
#include "runtime/compiled_module.h"
#include "runtime/exec_control.h"
#include "runtime/fault_handler.h"

namespace aperture {

CompiledModule::CompiledModule() = default;
CompiledModule::~CompiledModule() = default;

namespace {

void call_host(Function& f, uint64_t* slots, Instance* caller) {
  HostContext ctx{caller};
  size_t num_results = slot_count(f.type().results);  // slots: a v128 takes two
  uint64_t small[16];
  std::vector<uint64_t> big;
  uint64_t* results = small;
  if (num_results > 16) {
    big.resize(num_results);
    results = big.data();
  }
  // A fault in host code is a host bug, never a wasm trap: no fault scope while it runs.
  FaultScope*& scope = current_fault_scope();
  FaultScope* saved = scope;
  scope = nullptr;
  struct Restore {
    FaultScope*& scope;
    FaultScope* saved;
    ~Restore() { scope = saved; }
  } restore{scope, saved};
  f.host_(ctx, slots, results);
  std::copy(results, results + num_results, slots);
}

}  // namespace

void invoke_function(Function& f, uint64_t* slots, Instance* caller) {
  // Acquire: the tiered engine may move `f` to compiled code at any time (runtime.h).
  const Engine* engine = std::atomic_ref<const Engine*>(f.engine_).load(std::memory_order_acquire);
  if (engine == nullptr) {
    call_host(f, slots, caller);
    return;
  }
  ExecScope scope(f.instance_->control_);  // what an interrupt of its store stops
  engine->invoke(f, slots);
}

std::string frame_name(const Function& f) { return frame_name(f.name_, f.index_); }

std::string backtrace_line(int n, const std::string& name) {
  std::string line = "#";
  line += std::to_string(n);
  line += ' ';
  line += name;
  return line;
}

std::string frame_name(const std::string& name, uint32_t index) {
  return name.empty() ? "func[" + std::to_string(index) + "]" : printable_name(name);
}

std::string function_display_name(const Module& m, uint32_t index) {
  auto it = m.function_names.find(index);
  if (it != m.function_names.end()) return it->second;
  for (const Export& e : m.exports)
    if (e.kind == ExternKind::Func && e.index == index) return e.name;
  return "";
}

}  // namespace aperture
