// What the C API's opaque types are (wasm.h and aperture/aperture.h), and the helpers the
// C API files share. Only src/api/c_*.cpp include this.
//
// Object model:
//  * Runtime objects (functions, globals, tables, memories, instances, foreign objects)
//    live as long as their store, as in wasmtime's C API: deleting a handle releases the
//    handle, never the object. Each object has one identity record (StoreObject, owned
//    by the store) that carries its host info; handles point to it, so copies compare
//    `same` and share host info. Host-info finalizers run when the store is deleted.
//  * Modules and traps are reference-counted (CountedObject): the object and its host
//    info die with the last handle (or with the store, if wasm code holds it as an
//    externref).
//  * A handle (wasm_ref_t and its subtypes) is allocated as its most derived C type, so
//    the as_ref/as_extern/ref_as_* casts are plain pointer conversions after a kind check.
//  * No C++ exception crosses the C boundary: every entry point catches and turns the
//    exception into a NULL/false result, a trap object or an aperture_error_t, and
//    records the message for aperture_last_error().
#pragma once

#include <wasm.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "aperture/aperture.h"
#include "aperture/bindings.h"
#include "aperture/engine.h"
#include "aperture/region.h"
#include "aperture/shared_heap.h"
#include "aperture/runtime.h"
#include "aperture/wasi.h"

namespace aperture::capi {

enum class RefKind : uint8_t { Func, Global, Table, Memory, Instance, Foreign, Module, Trap };
const char* to_string(RefKind k);

// Identity and host info of a referenced object.
struct Object {
  explicit Object(RefKind k) : kind(k) {}
  virtual ~Object() { finalize(); }
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  // Replacing host info finalizes the previous info (it would leak otherwise).
  void set_host_info(void* info, void (*fin)(void*)) {
    finalize();
    host_info = info;
    finalizer = fin;
  }
  void finalize() {
    if (finalizer) finalizer(host_info);
    finalizer = nullptr;
  }

  RefKind kind;
  void* host_info = nullptr;
  void (*finalizer)(void*) = nullptr;
};

// A runtime object owned by a store (Function*, Global*, Table*, Memory*, Instance*; null
// for a foreign object).
struct StoreObject : Object {
  StoreObject(RefKind k, void* r, uint64_t s) : Object(k), runtime(r), seq(s) {}
  void* runtime;
  uint64_t seq;  // creation order: the store finalizes host info in this order
  // Instances only: live handles, and whether anything outside the instance may refer to
  // its objects. An instance that never escaped is freed with its last handle.
  uint32_t handles = 0;
  bool escaped = false;
};

// A reference-counted object (modules, traps).
struct CountedObject : Object {
  using Object::Object;
  void retain() { refs.fetch_add(1, std::memory_order_relaxed); }
  void release() {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
  std::atomic<uint32_t> refs{1};
};

// One frame of a trap's backtrace.
struct FrameInfo {
  Instance* instance = nullptr;
  uint32_t func_index = 0;
  size_t func_offset = 0;
  size_t module_offset = 0;
};

struct TrapObject : CountedObject {
  TrapObject() : CountedObject(RefKind::Trap) {}
  std::string message;
  std::vector<FrameInfo> frames;  // innermost first
  std::optional<int> exit_status;  // WASI proc_exit
};

// Where a module's code came from and how to re-create it (serialize, share).
struct ModuleSource {
  std::shared_ptr<const CompiledModule> compiled;
  std::vector<uint8_t> bytes;  // the validated binary
  EngineConfig engine;  // the engine that prepared `compiled`
};

struct ModuleObject : CountedObject {
  explicit ModuleObject(std::shared_ptr<const ModuleSource> s)
      : CountedObject(RefKind::Module), source(std::move(s)) {}
  std::shared_ptr<const ModuleSource> source;
};

// Failure report of the C API (thread-local "last error" and aperture_error_t).
struct ErrorInfo {
  std::string message;
  uint32_t wasi_errno = 0;  // for region and window errors: what the guest API would return
};

// Records `e` as this thread's last error.
void set_last_error(ErrorInfo e);
void set_last_error(const std::string& message);
// The error for the exception being handled (call inside a catch block).
ErrorInfo current_exception_error();

}  // namespace aperture::capi

// ---- The opaque C types ----

struct wasm_config_t {
  aperture::EngineConfig engine;
};

struct wasm_engine_t {
  aperture::EngineConfig engine;
};

struct wasm_store_t {
  explicit wasm_store_t(wasm_engine_t* e) : engine(e->engine) {}
  ~wasm_store_t();

  // The identity record of a runtime object of this store (created on first use). A
  // record for a function of an instance means the function escaped its instance.
  aperture::capi::StoreObject* object_for(aperture::capi::RefKind kind, void* runtime);
  aperture::capi::StoreObject* new_foreign();
  // Keeps a counted object alive as long as the store (it is referenced from wasm).
  void pin(aperture::capi::CountedObject* obj);
  // From now on, `instance` lives as long as the store (its objects may be referenced
  // from outside it).
  void mark_escaped(aperture::Instance* instance);
  // The last handle of an instance that never escaped is gone: free it. None of its code
  // can be running: calling it takes a handle to one of its functions (which marks it
  // escaped), and its start function finished before its first handle existed.
  void instance_unreferenced(aperture::capi::StoreObject* instance);

  aperture::EngineConfig engine;
  aperture::Store store;
  // Identity records by runtime object (foreign objects by their own address).
  std::unordered_map<const void*, std::unique_ptr<aperture::capi::StoreObject>> objects;
  uint64_t next_seq = 0;
  std::unordered_set<aperture::capi::CountedObject*> pinned;
  std::vector<std::shared_ptr<void>> keep_alive;  // WASI contexts, grants of this store
};

struct wasm_valtype_t {
  wasm_valkind_t kind;
};

struct wasm_externtype_t {
  explicit wasm_externtype_t(wasm_externkind_t k) : kind(k) {}
  virtual ~wasm_externtype_t() = default;
  wasm_externkind_t kind;
};

struct wasm_functype_t : wasm_externtype_t {
  wasm_functype_t() : wasm_externtype_t(WASM_EXTERN_FUNC) {}
  ~wasm_functype_t() override;
  wasm_valtype_vec_t params{0, nullptr};
  wasm_valtype_vec_t results{0, nullptr};
};

struct wasm_globaltype_t : wasm_externtype_t {
  wasm_globaltype_t() : wasm_externtype_t(WASM_EXTERN_GLOBAL) {}
  ~wasm_globaltype_t() override { delete content; }
  wasm_valtype_t* content = nullptr;
  wasm_mutability_t mutability = WASM_CONST;
};

struct wasm_tabletype_t : wasm_externtype_t {
  wasm_tabletype_t() : wasm_externtype_t(WASM_EXTERN_TABLE) {}
  ~wasm_tabletype_t() override { delete element; }
  wasm_valtype_t* element = nullptr;
  wasm_limits_t limits{0, wasm_limits_max_default};
};

struct wasm_memorytype_t : wasm_externtype_t {
  wasm_memorytype_t() : wasm_externtype_t(WASM_EXTERN_MEMORY) {}
  wasm_limits_t limits{0, wasm_limits_max_default};
};

struct wasm_importtype_t {
  ~wasm_importtype_t();
  wasm_name_t module{0, nullptr};
  wasm_name_t name{0, nullptr};
  wasm_externtype_t* type = nullptr;
};

struct wasm_exporttype_t {
  ~wasm_exporttype_t();
  wasm_name_t name{0, nullptr};
  wasm_externtype_t* type = nullptr;
};

struct wasm_ref_t {
  wasm_ref_t(aperture::capi::Object* o, wasm_store_t* s) : obj(o), store(s) {}
  virtual ~wasm_ref_t();
  wasm_ref_t(const wasm_ref_t&) = delete;
  wasm_ref_t& operator=(const wasm_ref_t&) = delete;

  aperture::capi::RefKind kind() const { return obj->kind; }
  // The runtime object of a store object (nullptr for modules, traps, foreign objects).
  void* runtime() const;

  aperture::capi::Object* obj;
  wasm_store_t* store;  // null for traps and modules made outside a store
};

struct wasm_extern_t : wasm_ref_t {
  using wasm_ref_t::wasm_ref_t;
};
struct wasm_func_t : wasm_extern_t {
  using wasm_extern_t::wasm_extern_t;
  aperture::Function* func() const { return static_cast<aperture::Function*>(runtime()); }
};
struct wasm_global_t : wasm_extern_t {
  using wasm_extern_t::wasm_extern_t;
  aperture::Global* global() const { return static_cast<aperture::Global*>(runtime()); }
};
struct wasm_table_t : wasm_extern_t {
  using wasm_extern_t::wasm_extern_t;
  aperture::Table* table() const { return static_cast<aperture::Table*>(runtime()); }
};
struct wasm_memory_t : wasm_extern_t {
  using wasm_extern_t::wasm_extern_t;
  aperture::Memory* memory() const { return static_cast<aperture::Memory*>(runtime()); }
};
struct wasm_instance_t : wasm_ref_t {
  using wasm_ref_t::wasm_ref_t;
  aperture::Instance* instance() const { return static_cast<aperture::Instance*>(runtime()); }
};
struct wasm_foreign_t : wasm_ref_t {
  using wasm_ref_t::wasm_ref_t;
};
struct wasm_module_t : wasm_ref_t {
  using wasm_ref_t::wasm_ref_t;
  const aperture::capi::ModuleSource& source() const {
    return *static_cast<aperture::capi::ModuleObject*>(obj)->source;
  }
};
struct wasm_trap_t : wasm_ref_t {
  using wasm_ref_t::wasm_ref_t;
  aperture::capi::TrapObject& trap() const { return *static_cast<aperture::capi::TrapObject*>(obj); }
};

struct wasm_shared_module_t {
  std::shared_ptr<const aperture::capi::ModuleSource> source;
};

struct wasm_frame_t {
  ~wasm_frame_t() { delete instance; }
  wasm_instance_t* instance = nullptr;  // owned; null when the instance is unknown
  uint32_t func_index = 0;
  size_t func_offset = 0;
  size_t module_offset = 0;
};

struct aperture_error_t {
  aperture::capi::ErrorInfo info;
};

struct aperture_region_t {
  std::shared_ptr<aperture::Region> region;
};

struct aperture_shared_heap_t {
  std::shared_ptr<aperture::SharedHeap> heap;
};

struct aperture_shared_heap_chain_t {
  std::shared_ptr<aperture::SharedHeapChain> chain;
};

struct aperture_grants_t {
  std::shared_ptr<aperture::GuestRegions> regions = std::make_shared<aperture::GuestRegions>();
};

struct aperture_wasi_config_t {
  aperture::wasi::Config config;
};

namespace aperture::capi {

// A new handle of the C type that matches obj->kind. Counted objects are retained.
wasm_ref_t* new_handle(Object* obj, wasm_store_t* store);
template <typename T>
T* new_handle_as(Object* obj, wasm_store_t* store) {
  return static_cast<T*>(new_handle(obj, store));
}
// Handles for runtime objects of `store`.
wasm_func_t* func_handle(wasm_store_t* store, Function* f);
wasm_global_t* global_handle(wasm_store_t* store, Global* g);
wasm_table_t* table_handle(wasm_store_t* store, Table* t);
wasm_memory_t* memory_handle(wasm_store_t* store, Memory* m);
wasm_instance_t* instance_handle(wasm_store_t* store, Instance* i);
wasm_extern_t* extern_handle(wasm_store_t* store, const Extern& e);
// The runtime extern behind a handle.
Extern to_extern(const wasm_extern_t* e);

// A new trap with `message` (and frames/exit status from a runtime Trap).
wasm_trap_t* new_trap(wasm_store_t* store, const std::string& message);
wasm_trap_t* new_trap(wasm_store_t* store, const Trap& t);

// Instantiates `module` with resolved imports; `before_start` (may be empty) runs after
// segment initialisation. On failure returns nullptr, records the reason as the last
// error and, when `trap` is not null, sets *trap to a trap with that message.
wasm_instance_t* instantiate(wasm_store_t* store, const wasm_module_t* module,
                             std::span<const Extern> imports, const Store::BeforeStart& before_start,
                             wasm_trap_t** trap, const MemoryBackings& defined_memories = {});

// Runs `f`; returns nullptr, or the error for the exception it threw.
template <typename F>
aperture_error_t* guarded(F&& f) {
  try {
    f();
    return nullptr;
  } catch (...) {
    return new aperture_error_t{current_exception_error()};
  }
}
// An error value with `message`.
inline aperture_error_t* new_error(std::string message, uint32_t wasi_errno = 0) {
  return new aperture_error_t{ErrorInfo{std::move(message), wasi_errno}};
}
// The runtime access for a C access value, or nullopt for an invalid one.
std::optional<Access> to_access(aperture_access_t a);
// The errors for a NULL argument and an invalid access value (EINVAL, as the guest API).
aperture_error_t* null_argument(const char* api, const char* what);
aperture_error_t* bad_access(const char* api, aperture_access_t a);
// The runtime growth of a region-backed memory, or nullopt (and bad_growth's error).
std::optional<MemoryGrowth> to_growth(aperture_memory_growth_t g);
aperture_error_t* bad_growth(const char* api, aperture_memory_growth_t g);
// The runtime window options for C ones (NULL = defaults); false with *error for values
// outside their enums.
bool to_window_options(const char* api, const aperture_window_options_t* in, WindowOptions* out,
                       aperture_error_t** error);

// Value kinds and types.
std::optional<ValType> to_valtype(wasm_valkind_t k);
wasm_valkind_t to_valkind(ValType t);
wasm_valtype_t* new_valtype(ValType t);
wasm_functype_t* new_functype(const FuncType& t);
wasm_globaltype_t* new_globaltype(const GlobalType& t);
wasm_tabletype_t* new_tabletype(const TableType& t);
wasm_memorytype_t* new_memorytype(const MemoryType& t);
// The type a C type describes, or nullopt with a message when it names no valid type.
std::optional<FuncType> to_functype(const wasm_functype_t* t, std::string* error);
Limits to_limits(const wasm_limits_t& l);

// A C value as a runtime slot of type `type`. False (with `error`) when the kinds differ
// or a reference does not fit (a non-function as funcref, an object of another store).
bool to_slot(wasm_store_t* store, const wasm_val_t& v, ValType type, uint64_t* slot,
             std::string* error);
// A runtime slot as a C value; references become new handles owned by `out`.
void from_slot(wasm_store_t* store, ValType type, uint64_t slot, wasm_val_t* out);

// Byte/name vectors from C++ strings.
void new_name(wasm_name_t* out, const std::string& s);
void new_message(wasm_message_t* out, const std::string& s);  // NUL-terminated
std::string to_string(const wasm_name_t* name);  // stops at a terminating NUL

}  // namespace aperture::capi
