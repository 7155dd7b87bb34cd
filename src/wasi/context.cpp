// wasi::Context: registers every wasi_snapshot_preview1 import and runs _start.
#include <string>

#include "aperture/wasi.h"
#include "wasi/calls.h"

namespace aperture::wasi {
namespace {

// Functions of preview 1 that Aperture does not implement: defined, returning ENOSYS.
const CallDef kUnsupported[] = {
    {"fd_advise", "iIIi", true, nullptr},
    {"fd_allocate", "iII", true, nullptr},
    {"fd_fdstat_set_rights", "iII", true, nullptr},
    {"fd_filestat_set_times", "iIIi", true, nullptr},
    {"path_filestat_set_times", "iiiiIIi", true, nullptr},
    {"path_link", "iiiiiii", true, nullptr},
    {"proc_raise", "i", true, nullptr},
    {"sock_accept", "iii", true, nullptr},
    {"sock_recv", "iiiiii", true, nullptr},
    {"sock_send", "iiiii", true, nullptr},
    {"sock_shutdown", "ii", true, nullptr},
};

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
  for (auto& list : {path_calls(), misc_calls()}) defs.insert(defs.end(), list.begin(), list.end());
  defs.insert(defs.end(), std::begin(kUnsupported), std::end(kUnsupported));
  ContextImpl* impl = impl_.get();
  for (const CallDef& def : defs) {
    CallFn fn = def.fn;
    bool has_result = def.returns_errno;
    HostCallback callback = [impl, fn, has_result](HostContext& ctx, const uint64_t* args,
                                                   uint64_t* results) {
      uint32_t err = kEnosys;
      if (fn) err = fn(*impl, GuestMemory(ctx.memory()), args);
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
