#include "compile/native_code.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

#include "aperture/memory.h"
#include "compile/abi.h"
#include "compile/engine.h"
#include "compile/helpers.h"
#include "compile/perf_map.h"
#include "runtime/compiled_module.h"
#include "runtime/exec_control.h"

namespace aperture::native {
namespace {

// Loaded modules, for naming frames after a trap.
std::mutex g_modules_mutex;
std::vector<const NativeModuleCode*> g_modules;

}  // namespace

NativeModuleCode::NativeModuleCode(const CompiledModule& module, LoadedCode code,
                                   const std::vector<uint32_t>& entry_types)
    : module_(module), code_(std::move(code)) {
  const Module& m = module.module;
  if (entry_types.size() != m.funcs.size()) throw Error("compiled code does not match the module");
  auto symbol = [&](const std::string& name) {
    auto it = code_.symbols().find(name);
    if (it == code_.symbols().end()) throw Error("compiled code lacks symbol " + name);
    return it->second;
  };
  for (uint32_t i = 0; i < m.funcs.size(); ++i) {
    LoadedCode::Symbol f = symbol(kFunctionSymbolPrefix + std::to_string(i));
    if (entry_types[i] >= m.types.size() || !(m.types[entry_types[i]] == m.types[m.funcs[i]]))
      throw Error("compiled code does not match the module");
    LoadedCode::Symbol e = symbol(kEntrySymbolPrefix + std::to_string(entry_types[i]));
    functions_.push_back(reinterpret_cast<const void*>(f.address));
    entries_.push_back(reinterpret_cast<EntryStub>(e.address));
    ranges_.emplace_back(f.address, f.address + std::max<uint64_t>(f.size, 1));
    names_.push_back(aperture::frame_name(function_display_name(m, m.num_imported_funcs + i),
                                          m.num_imported_funcs + i));
    by_address_.push_back(i);
  }
  std::sort(by_address_.begin(), by_address_.end(),
            [&](uint32_t a, uint32_t b) { return ranges_[a].first < ranges_[b].first; });
  add_to_perf_map(ranges_, names_);
  if (!register_code_range(code_.code_begin(), code_.code_end()))
    throw Error("too many compiled modules loaded at once");
  std::lock_guard<std::mutex> lock(g_modules_mutex);
  g_modules.push_back(this);
}

NativeModuleCode::~NativeModuleCode() {
  unregister_code_range(code_.code_begin());
  std::lock_guard<std::mutex> lock(g_modules_mutex);
  g_modules.erase(std::find(g_modules.begin(), g_modules.end(), this));
}

std::optional<uint32_t> NativeModuleCode::function_at(uintptr_t pc) const {
  auto it = std::upper_bound(by_address_.begin(), by_address_.end(), pc,
                             [&](uintptr_t p, uint32_t f) { return p < ranges_[f].first; });
  if (it == by_address_.begin()) return std::nullopt;
  uint32_t f = *std::prev(it);
  if (pc >= ranges_[f].second) return std::nullopt;
  return f;
}

std::unique_ptr<NativeInstanceState> NativeModuleCode::make_state(Instance& inst) const {
  const Module& m = module_.module;
  ContextLayout layout(m);
  auto state = std::make_unique<NativeInstanceState>();
  state->context.assign((layout.size() + 7) / 8, 0);
  auto* ctx = reinterpret_cast<uint8_t*>(state->context.data());
  auto put = [&](uint32_t offset, const void* value) { std::memcpy(ctx + offset, &value, sizeof value); };
  put(kHelpersOffset, helper_table());
  put(kAttentionOffset, &inst.control_->attention);  // the store's own
  put(kEngineOffset, &compiling_engine());
  put(kTypeIdsOffset, module_.type_ids.data());
  put(kInstanceOffset, &inst);
  put(kModuleCodeOffset, this);
  for (uint32_t i = 0; i < layout.num_memories; ++i) put(layout.memory_base(i), inst.memories_[i]->base());
  for (uint32_t i = 0; i < layout.num_globals; ++i) put(layout.global_ptr(i), &inst.globals_[i]->bits_);
  for (uint32_t i = 0; i < layout.num_tables; ++i) put(layout.table_ptr(i), inst.tables_[i]);
  for (uint32_t i = 0; i < layout.num_funcs; ++i) put(layout.function_ptr(i), inst.funcs_[i]);
  return state;
}

void NativeModuleCode::switch_function(Instance& inst, uint32_t i, const NativeInstanceState& state) const {
  Function* f = inst.funcs_[module_.module.num_imported_funcs + i];
  f->code_ = functions_[i];
  f->context_ = const_cast<uint64_t*>(state.context.data());
  std::atomic_ref<const Engine*>(f->engine_).store(&compiling_engine(), std::memory_order_release);
}

void NativeModuleCode::bind(Instance& inst) const {
  std::unique_ptr<NativeInstanceState> state = make_state(inst);
  for (uint32_t i = 0; i < functions_.size(); ++i) switch_function(inst, i, *state);
  inst.engine_state_ = std::move(state);
}

void describe_native_frames(const NativeFrames& frames, Instance* entry, Trap& trap) {
  std::vector<std::string>& out = trap.backtrace;
  std::vector<const NativeModuleCode*> modules;  // of each frame in trap.frames
  bool complete = !frames.truncated;  // up to the outermost frame
  std::lock_guard<std::mutex> lock(g_modules_mutex);
  for (uint32_t i = 0; i < frames.count; ++i) {
    // Return addresses point after the call; look up the call instruction itself.
    uintptr_t pc = i == 0 ? frames.pcs[0] : frames.pcs[i] - 1;
    for (const NativeModuleCode* m : g_modules) {
      if (!m->contains(pc)) continue;
      if (std::optional<uint32_t> f = m->function_at(pc)) {
        out.push_back(backtrace_line(static_cast<int>(out.size()), m->frame_name(*f)));
        trap.frames.push_back({nullptr, m->module().module.num_imported_funcs + *f, std::nullopt});
        modules.push_back(m);
      }
      break;
    }
    if (static_cast<int>(out.size()) >= kMaxBacktraceFrames) {
      complete = complete && i + 1 == frames.count;
      break;
    }
  }
  if (frames.truncated || static_cast<int>(out.size()) >= kMaxBacktraceFrames) out.push_back("...");
  if (entry == nullptr || !complete) return;  // the outermost frame is not known
  const CompiledModule* entry_module = &entry->compiled();
  for (size_t i = modules.size(); i-- > 0;) {
    if (&modules[i]->module() != entry_module) break;
    trap.frames[i].instance = entry;
  }
}

}  // namespace aperture::native
