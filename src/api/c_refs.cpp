// wasm.h references: handles, identity (`same`), host info, the casts between wasm_ref_t,
// wasm_extern_t and the object types, foreign objects, and the store that owns them.
#include <algorithm>

#include "aperture/memory.h"
#include "api/c_api_internal.h"

namespace aperture::capi {

const char* to_string(RefKind k) {
  switch (k) {
    case RefKind::Func: return "function";
    case RefKind::Global: return "global";
    case RefKind::Table: return "table";
    case RefKind::Memory: return "memory";
    case RefKind::Instance: return "instance";
    case RefKind::Foreign: return "foreign object";
    case RefKind::Module: return "module";
    case RefKind::Trap: return "trap";
  }
  return "reference";
}

namespace {

bool is_counted(RefKind k) { return k == RefKind::Module || k == RefKind::Trap; }

bool is_extern(RefKind k) {
  return k == RefKind::Func || k == RefKind::Global || k == RefKind::Table || k == RefKind::Memory;
}

}  // namespace

wasm_ref_t* new_handle(Object* obj, wasm_store_t* store) {
  if (is_counted(obj->kind)) static_cast<CountedObject*>(obj)->retain();
  if (obj->kind == RefKind::Instance) ++static_cast<StoreObject*>(obj)->handles;
  switch (obj->kind) {
    case RefKind::Func: return new wasm_func_t(obj, store);
    case RefKind::Global: return new wasm_global_t(obj, store);
    case RefKind::Table: return new wasm_table_t(obj, store);
    case RefKind::Memory: return new wasm_memory_t(obj, store);
    case RefKind::Instance: return new wasm_instance_t(obj, store);
    case RefKind::Foreign: return new wasm_foreign_t(obj, store);
    case RefKind::Module: return new wasm_module_t(obj, store);
    case RefKind::Trap: return new wasm_trap_t(obj, store);
  }
  return nullptr;
}

wasm_func_t* func_handle(wasm_store_t* store, Function* f) {
  return new_handle_as<wasm_func_t>(store->object_for(RefKind::Func, f), store);
}
wasm_global_t* global_handle(wasm_store_t* store, Global* g) {
  return new_handle_as<wasm_global_t>(store->object_for(RefKind::Global, g), store);
}
wasm_table_t* table_handle(wasm_store_t* store, Table* t) {
  return new_handle_as<wasm_table_t>(store->object_for(RefKind::Table, t), store);
}
wasm_memory_t* memory_handle(wasm_store_t* store, Memory* m) {
  return new_handle_as<wasm_memory_t>(store->object_for(RefKind::Memory, m), store);
}
wasm_instance_t* instance_handle(wasm_store_t* store, Instance* i) {
  return new_handle_as<wasm_instance_t>(store->object_for(RefKind::Instance, i), store);
}

wasm_extern_t* extern_handle(wasm_store_t* store, const Extern& e) {
  switch (e.kind) {
    case ExternKind::Func: return func_handle(store, e.as_func());
    case ExternKind::Table: return table_handle(store, e.as_table());
    case ExternKind::Memory: return memory_handle(store, e.as_memory());
    case ExternKind::Global: return global_handle(store, e.as_global());
  }
  return nullptr;
}

Extern to_extern(const wasm_extern_t* e) {
  switch (e->kind()) {
    case RefKind::Func: return Extern::func(static_cast<Function*>(e->runtime()));
    case RefKind::Global: return Extern::global(static_cast<Global*>(e->runtime()));
    case RefKind::Table: return Extern::table(static_cast<Table*>(e->runtime()));
    case RefKind::Memory: return Extern::memory(static_cast<Memory*>(e->runtime()));
    default: break;
  }
  return Extern{};
}

}  // namespace aperture::capi

using namespace aperture;
using namespace aperture::capi;

wasm_ref_t::~wasm_ref_t() {
  if (is_counted(obj->kind)) {
    static_cast<CountedObject*>(obj)->release();  // may delete obj
    return;
  }
  if (obj->kind == RefKind::Instance) {
    auto* record = static_cast<StoreObject*>(obj);
    if (--record->handles == 0 && !record->escaped) store->instance_unreferenced(record);
  }
}

void* wasm_ref_t::runtime() const {
  if (is_counted(obj->kind)) return nullptr;
  return static_cast<StoreObject*>(obj)->runtime;
}

StoreObject* wasm_store_t::object_for(RefKind kind, void* runtime) {
  auto [it, inserted] = objects.try_emplace(runtime);
  if (!inserted) return it->second.get();
  it->second = std::make_unique<StoreObject>(kind, runtime, next_seq++);
  if (kind == RefKind::Func) {
    Instance* owner = static_cast<Function*>(runtime)->instance();
    if (owner) mark_escaped(owner);
  }
  return it->second.get();
}

StoreObject* wasm_store_t::new_foreign() {
  auto obj = std::make_unique<StoreObject>(RefKind::Foreign, nullptr, next_seq++);
  StoreObject* raw = obj.get();
  objects.emplace(raw, std::move(obj));
  return raw;
}

void wasm_store_t::pin(CountedObject* obj) {
  if (pinned.insert(obj).second) obj->retain();
}

void wasm_store_t::mark_escaped(Instance* instance) {
  object_for(RefKind::Instance, instance)->escaped = true;
}

void wasm_store_t::instance_unreferenced(StoreObject* record) {
  auto* instance = static_cast<Instance*>(record->runtime);
  objects.erase(instance);  // runs the host-info finalizer while the instance still exists
  store.destroy_instance(*instance);
}

wasm_store_t::~wasm_store_t() {
  for (CountedObject* obj : pinned) obj->release();
  pinned.clear();
  // Host-info finalizers run in creation order, while the runtime objects still exist;
  // then the runtime objects go (host-function environments are finalized there), then
  // (as members) WASI contexts and grants.
  std::vector<std::unique_ptr<StoreObject>> records;
  records.reserve(objects.size());
  for (auto& [key, record] : objects) records.push_back(std::move(record));
  objects.clear();
  std::sort(records.begin(), records.end(),
            [](const auto& a, const auto& b) { return a->seq < b->seq; });
  for (auto& record : records) record.reset();
}

namespace {

wasm_externkind_t extern_kind(RefKind k) {
  switch (k) {
    case RefKind::Global: return WASM_EXTERN_GLOBAL;
    case RefKind::Table: return WASM_EXTERN_TABLE;
    case RefKind::Memory: return WASM_EXTERN_MEMORY;
    default: return WASM_EXTERN_FUNC;
  }
}

}  // namespace

#define APERTURE_REF_BASE(name)                                                              \
  void wasm_##name##_delete(wasm_##name##_t* r) { delete r; }                               \
  wasm_##name##_t* wasm_##name##_copy(const wasm_##name##_t* r) {                           \
    return r ? static_cast<wasm_##name##_t*>(new_handle(r->obj, r->store)) : nullptr;        \
  }                                                                                          \
  bool wasm_##name##_same(const wasm_##name##_t* a, const wasm_##name##_t* b) {             \
    return a && b ? a->obj == b->obj : a == b;                                               \
  }                                                                                          \
  void* wasm_##name##_get_host_info(const wasm_##name##_t* r) {                             \
    return r ? r->obj->host_info : nullptr;                                                  \
  }                                                                                          \
  void wasm_##name##_set_host_info(wasm_##name##_t* r, void* info) {                        \
    if (r) r->obj->set_host_info(info, nullptr);                                             \
  }                                                                                          \
  void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t* r, void* info,           \
                                                  void (*finalizer)(void*)) {                \
    if (r) r->obj->set_host_info(info, finalizer);                                           \
  }

#define APERTURE_REF(name, MATCHES)                                                           \
  APERTURE_REF_BASE(name)                                                                    \
  wasm_ref_t* wasm_##name##_as_ref(wasm_##name##_t* r) { return r; }                        \
  const wasm_ref_t* wasm_##name##_as_ref_const(const wasm_##name##_t* r) { return r; }      \
  wasm_##name##_t* wasm_ref_as_##name(wasm_ref_t* r) {                                       \
    return r && MATCHES(r->kind()) ? static_cast<wasm_##name##_t*>(r) : nullptr;             \
  }                                                                                          \
  const wasm_##name##_t* wasm_ref_as_##name##_const(const wasm_ref_t* r) {                   \
    return r && MATCHES(r->kind()) ? static_cast<const wasm_##name##_t*>(r) : nullptr;       \
  }

#define APERTURE_IS(KIND) [](RefKind k) { return k == RefKind::KIND; }

extern "C" {

APERTURE_REF_BASE(ref)
APERTURE_REF(func, APERTURE_IS(Func))
APERTURE_REF(global, APERTURE_IS(Global))
APERTURE_REF(table, APERTURE_IS(Table))
APERTURE_REF(memory, APERTURE_IS(Memory))
APERTURE_REF(instance, APERTURE_IS(Instance))
APERTURE_REF(foreign, APERTURE_IS(Foreign))
APERTURE_REF(module, APERTURE_IS(Module))
APERTURE_REF(trap, APERTURE_IS(Trap))
APERTURE_REF(extern, is_extern)

wasm_foreign_t* wasm_foreign_new(wasm_store_t* store) {
  if (store == nullptr) {
    set_last_error("wasm_foreign_new: the store is NULL");
    return nullptr;
  }
  return new_handle_as<wasm_foreign_t>(store->new_foreign(), store);
}

// ---- Externals ----

wasm_externkind_t wasm_extern_kind(const wasm_extern_t* e) { return extern_kind(e->kind()); }

wasm_externtype_t* wasm_extern_type(const wasm_extern_t* e) {
  Extern x = to_extern(e);
  switch (x.kind) {
    case ExternKind::Func: return new_functype(x.as_func()->type());
    case ExternKind::Global: return new_globaltype(x.as_global()->type());
    case ExternKind::Table: {
      const Table* t = x.as_table();
      return new_tabletype(TableType{t->type().elem, Limits{t->size(), t->type().limits.max}});
    }
    case ExternKind::Memory: {
      const Memory* m = x.as_memory();
      return new_memorytype(MemoryType{Limits{m->pages(), m->max_pages()}});
    }
  }
  return nullptr;
}

wasm_extern_t* wasm_func_as_extern(wasm_func_t* f) { return f; }
wasm_extern_t* wasm_global_as_extern(wasm_global_t* g) { return g; }
wasm_extern_t* wasm_table_as_extern(wasm_table_t* t) { return t; }
wasm_extern_t* wasm_memory_as_extern(wasm_memory_t* m) { return m; }
const wasm_extern_t* wasm_func_as_extern_const(const wasm_func_t* f) { return f; }
const wasm_extern_t* wasm_global_as_extern_const(const wasm_global_t* g) { return g; }
const wasm_extern_t* wasm_table_as_extern_const(const wasm_table_t* t) { return t; }
const wasm_extern_t* wasm_memory_as_extern_const(const wasm_memory_t* m) { return m; }

#define APERTURE_EXTERN_AS(name, KIND)                                                      \
  wasm_##name##_t* wasm_extern_as_##name(wasm_extern_t* e) {                               \
    return e && e->kind() == RefKind::KIND ? static_cast<wasm_##name##_t*>(e) : nullptr;    \
  }                                                                                         \
  const wasm_##name##_t* wasm_extern_as_##name##_const(const wasm_extern_t* e) {           \
    return e && e->kind() == RefKind::KIND ? static_cast<const wasm_##name##_t*>(e)         \
                                           : nullptr;                                       \
  }
APERTURE_EXTERN_AS(func, Func)
APERTURE_EXTERN_AS(global, Global)
APERTURE_EXTERN_AS(table, Table)
APERTURE_EXTERN_AS(memory, Memory)

}  // extern "C"
