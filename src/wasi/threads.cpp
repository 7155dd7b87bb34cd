// wasi-threads: `wasi.thread-spawn` on host threads (include/aperture/wasi.h).
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>

#include "aperture/wasi.h"
#include "binary/module.h"
#include "wasi/wasi_types.h"

namespace aperture::wasi {

struct Threads::State {
  explicit State(ExitHandler handler) : on_exit(std::move(handler)) {}
  ExitHandler on_exit;
  std::mutex mutex;
  std::condition_variable all_done;
  size_t running = 0;
  std::atomic<uint32_t> next_tid{1};
};

namespace {

// wasi-threads: thread ids are positive and below 2^29; 0 is never used.
constexpr uint32_t kMaxTid = (1u << 29) - 1;

int32_t neg(uint32_t wasi_errno) { return -static_cast<int32_t>(wasi_errno); }

// The caller's imports in import order: the spawned instance links to exactly these, so
// it shares the caller's memory, tables, globals and host functions.
std::vector<Extern> imports_of(const Instance& inst) {
  std::vector<Extern> out;
  size_t funcs = 0, tables = 0, memories = 0, globals = 0;
  for (const Import& imp : inst.module().imports) {
    switch (imp.kind) {
      case ExternKind::Func: out.push_back(Extern::func(inst.funcs_[funcs++])); break;
      case ExternKind::Table: out.push_back(Extern::table(inst.tables_[tables++])); break;
      case ExternKind::Memory: out.push_back(Extern::memory(inst.memories_[memories++])); break;
      case ExternKind::Global: out.push_back(Extern::global(inst.globals_[globals++])); break;
    }
  }
  return out;
}

Function& thread_start_of(Instance& inst) {
  Function* start = inst.exported_function("wasi_thread_start");
  FuncType want{{ValType::I32, ValType::I32}, {}};
  if (start == nullptr || !(start->type() == want))
    throw Trap("wasi.thread-spawn: the module has no export 'wasi_thread_start' of type " +
               want.to_string() + " (build it for wasm32-wasip1-threads with -pthread)");
  return *start;
}

// Runs on the new host thread.
void thread_main(std::shared_ptr<Threads::State> state, Store* store, Function* start,
                 uint32_t tid, uint32_t arg) {
  try {
    store->invoke(*start, std::vector<Value>{Value::i32(tid), Value::i32(arg)});
  } catch (const Trap& t) {
    state->on_exit(t);
  } catch (const std::exception& e) {  // out of memory and the like: end the program too
    state->on_exit(Trap(std::string("thread ") + std::to_string(tid) + ": " + e.what()));
  }
  std::lock_guard<std::mutex> lock(state->mutex);
  if (--state->running == 0) state->all_done.notify_all();
}

int32_t spawn(const std::shared_ptr<Threads::State>& state, Store& store, HostContext& ctx,
              uint32_t arg) {
  if (ctx.caller == nullptr) return neg(kEinval);
  uint32_t tid = state->next_tid.fetch_add(1, std::memory_order_relaxed);
  if (tid > kMaxTid) return neg(kEagain);
  Instance* inst = nullptr;
  try {
    inst = &store.instantiate(ctx.caller->compiled_, imports_of(*ctx.caller));
  } catch (const Trap&) {
    throw;  // the start function trapped in the new instance: the caller traps
  } catch (const std::exception&) {
    return neg(kEagain);  // no memory or address space for another instance
  }
  Function& start = thread_start_of(*inst);
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    ++state->running;
  }
  try {
    std::thread(thread_main, state, &store, &start, tid, arg).detach();
  } catch (const std::system_error&) {
    std::lock_guard<std::mutex> lock(state->mutex);
    if (--state->running == 0) state->all_done.notify_all();
    return neg(kEagain);
  }
  return static_cast<int32_t>(tid);
}

}  // namespace

Threads::Threads(ExitHandler on_exit) : state_(std::make_shared<State>(std::move(on_exit))) {}

Threads::~Threads() {
  std::unique_lock<std::mutex> lock(state_->mutex);
  state_->all_done.wait(lock, [&] { return state_->running == 0; });
}

void Threads::define_imports(Store& store, Linker& linker) {
  std::shared_ptr<State> state = state_;
  Store* s = &store;
  HostCallback spawn_cb = [state, s](HostContext& ctx, const uint64_t* args, uint64_t* results) {
    results[0] = static_cast<uint32_t>(spawn(state, *s, ctx, static_cast<uint32_t>(args[0])));
  };
  linker.define("wasi", "thread-spawn",
                Extern::func(store.create_host_function(FuncType{{ValType::I32}, {ValType::I32}},
                                                        std::move(spawn_cb), "thread-spawn")));
}

size_t Threads::running() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->running;
}

}  // namespace aperture::wasi
