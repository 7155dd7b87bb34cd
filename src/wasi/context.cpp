// wasi::Context: registers every wasi_snapshot_preview1 import and runs _start.
#include <mutex>
#include <string>
#include <string_view>

#include "aperture/wasi.h"
#include "wasi/calls.h"

namespace aperture::wasi {
namespace {

// Calls that run without the fd-table lock: they never touch the table, or (the
// transfers and socket calls) take it themselves just for the lookup, because they may
// block for long (a read from a pipe, a sleep in poll_oneoff, waiting for a connection).
bool runs_unlocked(std::string_view name) {
  static const std::string_view kUnlocked[] = {
      "fd_read", "fd_write", "fd_pread", "fd_pwrite", "poll_oneoff", "sched_yield",
      "proc_exit", "clock_res_get", "clock_time_get", "random_get", "args_get",
      "args_sizes_get", "environ_get", "environ_sizes_get", "sock_accept", "sock_recv",
      "sock_send"};
  for (std::string_view n : kUnlocked)
    if (n == name) return true;
  return false;
}

FuncType signature(const CallDef& def) {
  FuncType t;
  for (const char* p = def.params; *p; ++p) t.params.push_back(*p == 'I' ? ValType::I64 : ValType::I32);
  if (def.returns_errno) t.results.push_back(ValType::I32);
  return t;
}

}  // namespace

Context::Context(Config config) : impl_(std::make_unique<ContextImpl>(std::move(config))) {}
Context::~Context() = default;

void Context::define_imports(Store& store, Linker& linker) {
  std::vector<CallDef> defs = fd_calls();
  for (auto& list : {path_calls(), misc_calls(), sock_calls()})
    defs.insert(defs.end(), list.begin(), list.end());
  ContextImpl* impl = impl_.get();
  for (const CallDef& def : defs) {
    CallFn fn = def.fn;
    bool has_result = def.returns_errno;
    bool locked = !runs_unlocked(def.name);
    HostCallback callback = [impl, fn, has_result, locked](HostContext& ctx, const uint64_t* args,
                                                           uint64_t* results) {
      uint32_t err = 0;
      if (locked) {
        std::lock_guard<std::mutex> lock(impl->table_mutex());
        err = fn(*impl, GuestMemory(ctx.memory()), args);
      } else {
        err = fn(*impl, GuestMemory(ctx.memory()), args);
      }
      if (has_result) results[0] = err;
    };
    std::string name = def.name;
    linker.define("wasi_snapshot_preview1", name,
                  Extern::func(store.create_host_function(signature(def), std::move(callback), name)));
  }
}

int Context::run_start(Store& store, Instance& instance) {
  Function* start = instance.exported_function("_start");
  if (start == nullptr) throw Error("module has no '_start' export (not a WASI command)");
  if (!start->type().params.empty() || !start->type().results.empty())
    throw Error("'_start' must have type () -> ()");
  try {
    store.invoke(*start, {});
  } catch (const Trap& t) {
    if (t.exit_status()) return *t.exit_status();
    throw;
  }
  return 0;
}

}  // namespace aperture::wasi
