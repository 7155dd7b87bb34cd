// wasm.h globals, tables and memories created by the host or exported by instances.
#include "aperture/memory.h"
#include "api/c_api_internal.h"
#include "wasi/wasi_types.h"

using namespace aperture;
using namespace aperture::capi;

namespace {

std::optional<ValType> content_type(const wasm_valtype_t* t) {
  return t ? to_valtype(t->kind) : std::nullopt;
}

// A limit check shared by tables and memories; empty when fine.
std::string limits_problem(const wasm_limits_t& l, uint64_t max_allowed, const char* unit) {
  if (l.max != wasm_limits_max_default && l.min > l.max)
    return "minimum " + std::to_string(l.min) + " exceeds maximum " + std::to_string(l.max);
  if (l.min > max_allowed)
    return "minimum " + std::to_string(l.min) + " " + unit + " exceeds the limit of " +
           std::to_string(max_allowed);
  if (l.max != wasm_limits_max_default && l.max > max_allowed)
    return "maximum " + std::to_string(l.max) + " " + unit + " exceeds the limit of " +
           std::to_string(max_allowed);
  return {};
}

template <typename T>
T* fail(const std::string& message) {
  set_last_error(message);
  return nullptr;
}

}  // namespace

extern "C" {

// ---- Globals ----

wasm_global_t* wasm_global_new(wasm_store_t* store, const wasm_globaltype_t* type,
                               const wasm_val_t* val) {
  if (!store || !type || !val) return fail<wasm_global_t>("wasm_global_new: store, type and value must not be NULL");
  std::optional<ValType> vt = content_type(type->content);
  if (!vt) return fail<wasm_global_t>("wasm_global_new: the global type has no valid value type");
  uint64_t bits = 0;
  std::string error;
  if (!to_slot(store, *val, *vt, &bits, &error))
    return fail<wasm_global_t>("wasm_global_new: initial value: " + error);
  try {
    Global* g = store->store.create_global(GlobalType{*vt, type->mutability == WASM_VAR}, Value{*vt, bits});
    return global_handle(store, g);
  } catch (...) {
    set_last_error(current_exception_error());
    return nullptr;
  }
}

wasm_globaltype_t* wasm_global_type(const wasm_global_t* g) { return new_globaltype(g->global()->type()); }

void wasm_global_get(const wasm_global_t* g, wasm_val_t* out) {
  Value v = g->global()->get();
  from_slot(g->store, v.type, v.bits, out);
}

void wasm_global_set(wasm_global_t* g, const wasm_val_t* val) {
  Global& global = *g->global();
  if (!global.type().mut) {
    set_last_error("wasm_global_set: the global is immutable (declare it WASM_VAR to change it)");
    return;
  }
  uint64_t bits = 0;
  std::string error;
  if (!val || !to_slot(g->store, *val, global.type().type, &bits, &error)) {
    set_last_error("wasm_global_set: " + (val ? error : std::string("the value is NULL")));
    return;
  }
  try {
    global.set(Value{global.type().type, bits});  // a (ref $t) global takes only $t
  } catch (...) {
    set_last_error("wasm_global_set: " + current_exception_error().message);
  }
}

// ---- Tables ----

wasm_table_t* wasm_table_new(wasm_store_t* store, const wasm_tabletype_t* type, wasm_ref_t* init) {
  if (!store || !type) return fail<wasm_table_t>("wasm_table_new: store and type must not be NULL");
  std::optional<ValType> elem = content_type(type->element);
  if (!elem || !is_ref(*elem))
    return fail<wasm_table_t>("wasm_table_new: the element type must be WASM_FUNCREF or WASM_EXTERNREF");
  std::string problem = limits_problem(type->limits, 0xFFFFFFFFull, "elements");
  if (!problem.empty()) return fail<wasm_table_t>("wasm_table_new: " + problem);
  uint64_t bits = 0;
  std::string error;
  wasm_val_t v{to_valkind(*elem), {}};
  v.of.ref = init;
  if (!to_slot(store, v, *elem, &bits, &error))
    return fail<wasm_table_t>("wasm_table_new: initial element: " + error);
  try {
    Table* t = store->store.create_table(TableType{*elem, to_limits(type->limits)}, bits);
    return table_handle(store, t);
  } catch (...) {
    set_last_error(current_exception_error());
    return nullptr;
  }
}

wasm_tabletype_t* wasm_table_type(const wasm_table_t* t) {
  const Table& table = *t->table();
  return new_tabletype(TableType{table.type().elem, Limits{table.size(), table.type().limits.max}});
}

wasm_ref_t* wasm_table_get(const wasm_table_t* t, wasm_table_size_t index) {
  const Table& table = *t->table();
  if (index >= table.size())
    return fail<wasm_ref_t>("wasm_table_get: index " + std::to_string(index) +
                            " is out of bounds for a table of " + std::to_string(table.size()) +
                            " elements");
  wasm_val_t v;
  from_slot(t->store, table.type().elem, table.get(index), &v);
  return v.of.ref;
}

bool wasm_table_set(wasm_table_t* t, wasm_table_size_t index, wasm_ref_t* ref) {
  Table& table = *t->table();
  if (index >= table.size()) {
    set_last_error("wasm_table_set: index " + std::to_string(index) +
                   " is out of bounds for a table of " + std::to_string(table.size()) + " elements");
    return false;
  }
  uint64_t bits = 0;
  std::string error;
  wasm_val_t v{to_valkind(table.type().elem), {}};
  v.of.ref = ref;
  if (!to_slot(t->store, v, table.type().elem, &bits, &error)) {
    set_last_error("wasm_table_set: " + error);
    return false;
  }
  try {
    table.set(index, bits);  // a (ref $t) table takes only $t
  } catch (...) {
    set_last_error("wasm_table_set: " + current_exception_error().message);
    return false;
  }
  return true;
}

wasm_table_size_t wasm_table_size(const wasm_table_t* t) { return t->table()->size(); }

bool wasm_table_grow(wasm_table_t* t, wasm_table_size_t delta, wasm_ref_t* init) {
  Table& table = *t->table();
  uint64_t bits = 0;
  std::string error;
  wasm_val_t v{to_valkind(table.type().elem), {}};
  v.of.ref = init;
  if (!to_slot(t->store, v, table.type().elem, &bits, &error)) {
    set_last_error("wasm_table_grow: initial element: " + error);
    return false;
  }
  try {
    if (table.grow(delta, bits) >= 0) return true;
    set_last_error("wasm_table_grow: growing by " + std::to_string(delta) +
                   " elements would exceed the table's maximum");
  } catch (...) {
    set_last_error(current_exception_error());
  }
  return false;
}

// ---- Memories ----

wasm_memory_t* wasm_memory_new(wasm_store_t* store, const wasm_memorytype_t* type) {
  if (!store || !type) return fail<wasm_memory_t>("wasm_memory_new: store and type must not be NULL");
  std::string problem = limits_problem(type->limits, kMaxMemoryPages, "pages");
  if (!problem.empty()) return fail<wasm_memory_t>("wasm_memory_new: " + problem);
  try {
    Memory* m = store->store.create_memory(MemoryType{to_limits(type->limits)});
    return memory_handle(store, m);
  } catch (...) {
    set_last_error(current_exception_error());
    return nullptr;
  }
}

aperture_error_t* aperture_memory_new_from_region(wasm_store_t* store, const wasm_memorytype_t* type,
                                                  const aperture_region_t* region, uint64_t offset,
                                                  aperture_memory_growth_t growth, wasm_memory_t** out) {
  const char* api = "aperture_memory_new_from_region";
  if (out == nullptr) return null_argument(api, "out");
  *out = nullptr;
  if (!store || !type || !region) return null_argument(api, "store, type and region");
  std::optional<MemoryGrowth> g = to_growth(growth);
  if (!g) return bad_growth(api, growth);
  std::string problem = limits_problem(type->limits, kMaxMemoryPages, "pages");
  if (!problem.empty()) return new_error(std::string(api) + ": " + problem, wasi::kEinval);
  return guarded([&] {
    Memory* m = create_region_memory(store->store, MemoryType{to_limits(type->limits)}, region->region, offset, *g);
    *out = memory_handle(store, m);
  });
}

wasm_memorytype_t* wasm_memory_type(const wasm_memory_t* m) {
  const Memory& mem = *m->memory();
  return new_memorytype(MemoryType{Limits{mem.pages(), mem.max_pages()}});
}

byte_t* wasm_memory_data(wasm_memory_t* m) { return reinterpret_cast<byte_t*>(m->memory()->base()); }
size_t wasm_memory_data_size(const wasm_memory_t* m) { return m->memory()->size_bytes(); }
wasm_memory_pages_t wasm_memory_size(const wasm_memory_t* m) {
  return static_cast<wasm_memory_pages_t>(m->memory()->pages());
}

bool wasm_memory_grow(wasm_memory_t* m, wasm_memory_pages_t delta) {
  if (m->memory()->grow(delta) >= 0) return true;
  set_last_error("wasm_memory_grow: growing by " + std::to_string(delta) +
                 " pages would exceed the memory's maximum, cover a window, or the system "
                 "refused the pages");
  return false;
}

}  // extern "C"
