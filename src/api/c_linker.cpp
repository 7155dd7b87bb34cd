// aperture.h: linking imports by name (host externs, other instances, WASI, the guest
// region API), bindings established before the start function, and WASI configuration.
#include "aperture/memory.h"
#include "api/c_api_internal.h"
#include "binary/module.h"
#include "runtime/compiled_module.h"
#include "wasi/wasi_types.h"

#include <map>

using namespace aperture;
using namespace aperture::capi;

// A window every instance of the linker gets before its start function runs.
struct HostBinding {
  uint32_t memory_index;
  std::shared_ptr<Region> region;
  uint64_t offset;
  uint64_t length;
  uint64_t addr;
  Access access;
  WindowOptions options;
};

struct aperture_linker_t {
  wasm_store_t* store;
  Linker linker;
  std::vector<HostBinding> bindings;
  // Regions by name, for modules' aperture.bind sections.
  std::map<std::string, std::shared_ptr<Region>> regions;
  // Memories backed by a region, by memory index (they replace the section's record).
  std::map<uint32_t, ResolvedBinding> memories;
  std::vector<std::shared_ptr<SharedHeap>> heaps;
  std::vector<std::shared_ptr<SharedHeapChain>> heap_chains;
};

namespace {

void apply_binding(Instance& inst, const HostBinding& b) {
  Memory* mem = inst.memory(b.memory_index);
  if (mem == nullptr)
    throw RegionError(wasi::kEinval, "binding of region '" + b.region->name() +
                                         "': the module has no memory " +
                                         std::to_string(b.memory_index));
  // kMapAnywhere passes through
  map_window(*mem, b.region, b.offset, b.length, b.addr, b.access, b.options);
}

// The module's aperture.bind records (minus memories the linker backs itself) plus the
// linker's memories, each with its region; throws BindError for a region no
// aperture_linker_define_region provides (the CLI's message, with the C call to make).
std::vector<ResolvedBinding> resolve_module_bindings(const aperture_linker_t& l, const Module& m) {
  std::vector<aperture::Binding> wanted;
  for (aperture::Binding& b : module_bindings(m)) {
    if (b.kind == aperture::Binding::Kind::Memory && l.memories.count(b.memory)) continue;
    if (!l.regions.count(b.region))
      throw BindError("the module binds region '" + b.region + "' (" + describe_binding(b) +
                      "), but no region of that name is provided; define it "
                      "(aperture_linker_define_region(linker, \"" + b.region + "\", region))");
    wanted.push_back(std::move(b));
  }
  std::vector<ResolvedBinding> out = resolve_bindings(wanted, [&l](const std::string& name) {
    return l.regions.at(name);
  });
  for (const auto& [index, rb] : l.memories) out.push_back(rb);
  return out;
}

}  // namespace

extern "C" {

// ---- WASI configuration ----

aperture_wasi_config_t* aperture_wasi_config_new(void) {
  try {
    return new aperture_wasi_config_t;
  } catch (...) {
    set_last_error(current_exception_error());
    return nullptr;
  }
}

void aperture_wasi_config_delete(aperture_wasi_config_t* c) { delete c; }

void aperture_wasi_config_set_args(aperture_wasi_config_t* c, size_t argc, const char* const argv[]) {
  c->config.args.clear();
  for (size_t i = 0; i < argc; ++i) c->config.args.emplace_back(argv[i] ? argv[i] : "");
}

void aperture_wasi_config_add_env(aperture_wasi_config_t* c, const char* key, const char* value) {
  c->config.env.push_back(std::string(key ? key : "") + "=" + (value ? value : ""));
}

void aperture_wasi_config_add_preopen(aperture_wasi_config_t* c, const char* host_path,
                                      const char* guest_path) {
  c->config.preopens.push_back({host_path ? host_path : "", guest_path ? guest_path : ""});
}

void aperture_wasi_config_set_stdio(aperture_wasi_config_t* c, int stdin_fd, int stdout_fd,
                                    int stderr_fd) {
  c->config.stdin_fd = stdin_fd;
  c->config.stdout_fd = stdout_fd;
  c->config.stderr_fd = stderr_fd;
}

// ---- Linker ----

aperture_linker_t* aperture_linker_new(wasm_store_t* store) {
  if (store == nullptr) {
    set_last_error("aperture_linker_new: the store is NULL");
    return nullptr;
  }
  return new aperture_linker_t{store, {}, {}, {}, {}, {}, {}};
}

void aperture_linker_delete(aperture_linker_t* l) { delete l; }

aperture_error_t* aperture_linker_define(aperture_linker_t* l, const char* module, const char* name,
                                         const wasm_extern_t* item) {
  const char* api = "aperture_linker_define";
  if (!l) return null_argument(api, "linker");
  if (!module || !name) return null_argument(api, "module and name");
  if (!item) return null_argument(api, "item");
  if (item->store != l->store)
    return new_error(std::string(api) + ": \"" + module + "\" \"" + name +
                     "\" belongs to another store than the linker");
  return guarded([&] { l->linker.define(module, name, to_extern(item)); });
}

aperture_error_t* aperture_linker_define_instance(aperture_linker_t* l, const char* module,
                                                  const wasm_instance_t* instance) {
  const char* api = "aperture_linker_define_instance";
  if (!l || !module || !instance) return null_argument(api, "linker, module and instance");
  if (instance->store != l->store)
    return new_error(std::string(api) + ": the instance belongs to another store than the linker");
  l->store->mark_escaped(instance->instance());
  return guarded([&] { l->linker.define_instance(module, *instance->instance()); });
}

aperture_error_t* aperture_linker_define_wasi(aperture_linker_t* l, const aperture_wasi_config_t* c) {
  if (!l || !c) return null_argument("aperture_linker_define_wasi", "linker and config");
  return guarded([&] {
    auto context = std::make_shared<wasi::Context>(c->config);
    context->define_imports(l->store->store, l->linker);
    l->store->keep_alive.push_back(std::move(context));
  });
}

aperture_error_t* aperture_linker_define_grants(aperture_linker_t* l, const aperture_grants_t* g) {
  if (!l || !g) return null_argument("aperture_linker_define_grants", "linker and grants");
  return guarded([&] {
    g->regions->define_imports(l->store->store, l->linker);
    l->store->keep_alive.push_back(g->regions);
  });
}

aperture_error_t* aperture_linker_bind(aperture_linker_t* l, uint32_t memory_index,
                                       const aperture_region_t* region, uint64_t offset,
                                       uint64_t length, uint64_t addr, aperture_access_t access) {
  const char* api = "aperture_linker_bind";
  if (!l || !region) return null_argument(api, "linker and region");
  std::optional<Access> a = to_access(access);
  if (!a)
    return new_error(std::string(api) + ": access " + std::to_string(access) +
                         " is invalid (use APERTURE_ACCESS_READ or APERTURE_ACCESS_READ_WRITE)",
                     wasi::kEinval);
  if (*a == Access::ReadWrite && !region->region->writable())
    return new_error(std::string(api) + ": region '" + region->region->name() + "' is read-only",
                     wasi::kEacces);
  l->bindings.push_back({memory_index, region->region, offset, length, addr, *a, {}});
  return nullptr;
}

aperture_error_t* aperture_linker_bind_with_options(aperture_linker_t* l, uint32_t memory_index,
                                                    const aperture_region_t* region, uint64_t offset,
                                                    uint64_t length, uint64_t addr, aperture_access_t access,
                                                    const aperture_window_options_t* options) {
  WindowOptions o;
  aperture_error_t* error = nullptr;
  if (!to_window_options("aperture_linker_bind_with_options", options, &o, &error)) return error;
  error = aperture_linker_bind(l, memory_index, region, offset, length, addr, access);
  if (error == nullptr) l->bindings.back().options = o;
  return error;
}

aperture_error_t* aperture_linker_define_region(aperture_linker_t* l, const char* name,
                                                const aperture_region_t* region) {
  const char* api = "aperture_linker_define_region";
  if (!l || !name || !region) return null_argument(api, "linker, name and region");
  if (l->regions.count(name))
    return new_error(std::string(api) + ": region '" + name + "' is defined twice", wasi::kEexist);
  l->regions[name] = region->region;
  return nullptr;
}

aperture_error_t* aperture_linker_bind_memory(aperture_linker_t* l, uint32_t memory_index,
                                              const aperture_region_t* region, uint64_t offset,
                                              aperture_memory_growth_t growth) {
  const char* api = "aperture_linker_bind_memory";
  if (!l || !region) return null_argument(api, "linker and region");
  std::optional<MemoryGrowth> g = to_growth(growth);
  if (!g) return bad_growth(api, growth);
  aperture::Binding b;
  b.kind = aperture::Binding::Kind::Memory;
  b.region = region->region->name();
  b.memory = memory_index;
  b.offset = offset;
  b.growth = *g;
  l->memories[memory_index] = ResolvedBinding{b, region->region};
  return nullptr;
}

aperture_error_t* aperture_linker_define_shared_heap(aperture_linker_t* l, aperture_shared_heap_t* heap) {
  if (!l || !heap) return null_argument("aperture_linker_define_shared_heap", "linker and heap");
  return guarded([&] {
    heap->heap->define_imports(l->store->store, l->linker);
    l->heaps.push_back(heap->heap);
  });
}

aperture_error_t* aperture_linker_define_shared_heap_chain(aperture_linker_t* l, aperture_shared_heap_chain_t* chain) {
  if (!l || !chain) return null_argument("aperture_linker_define_shared_heap_chain", "linker and chain");
  return guarded([&] {
    chain->chain->define_imports(l->store->store, l->linker);
    l->heap_chains.push_back(chain->chain);
  });
}

aperture_error_t* aperture_linker_imports(const aperture_linker_t* l, const wasm_module_t* module,
                                          wasm_extern_vec_t* out) {
  const char* api = "aperture_linker_imports";
  if (!l || !module || !out) return null_argument(api, "linker, module and out");
  wasm_extern_vec_new_empty(out);
  return guarded([&] {
    std::vector<Extern> externs = l->linker.resolve(module->source().compiled->module);
    wasm_extern_vec_new_uninitialized(out, externs.size());
    for (size_t i = 0; i < out->size; ++i) out->data[i] = extern_handle(l->store, externs[i]);
  });
}

wasm_instance_t* aperture_linker_instantiate(aperture_linker_t* l, const wasm_module_t* module,
                                             wasm_trap_t** trap) {
  if (trap) *trap = nullptr;
  std::string message;
  if (!l || !module) {
    message = "aperture_linker_instantiate: linker and module must not be NULL";
    set_last_error(message);
    if (trap) *trap = new_trap(l ? l->store : nullptr, message);
    return nullptr;
  }
  // Per instantiation: memories bound to a region are defined in a copy of the linker.
  Linker linker = l->linker;
  MemoryBackings defined;
  std::vector<ResolvedBinding> resolved;
  std::vector<Extern> externs;
  try {
    const Module& m = module->source().compiled->module;
    resolved = resolve_module_bindings(*l, m);
    define_bound_memories(m, resolved, l->store->store, linker, &defined);
    externs = linker.resolve(m);
  } catch (...) {
    message = current_exception_error().message;
    set_last_error(message);
    if (trap) *trap = new_trap(l->store, message);
    return nullptr;
  }
  auto before_start = [l, &resolved](Instance& inst) {
    map_bound_windows(inst, resolved);
    for (const HostBinding& b : l->bindings) apply_binding(inst, b);
    if (l->heaps.empty() && l->heap_chains.empty()) return;
    Memory* mem = inst.memory(0);
    if (!mem) throw RegionError(wasi::kEinval, "the shared heap needs a module with a memory");
    for (const auto& heap : l->heaps) heap->attach(*mem);
    for (const auto& chain : l->heap_chains) chain->attach(*mem);
  };
  return instantiate(l->store, module, externs, before_start, trap, defined);
}

}  // extern "C"
