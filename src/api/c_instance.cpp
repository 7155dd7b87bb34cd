// wasm.h instances: instantiation with positional imports, and exports in module order.
#include "aperture/memory.h"
#include "api/c_api_internal.h"
#include "binary/module.h"
#include "runtime/compiled_module.h"

namespace aperture::capi {

namespace {

std::string import_list(const Module& m) {
  std::string out;
  for (const Import& imp : m.imports) {
    if (!out.empty()) out += ", ";
    out += std::string(aperture::to_string(imp.kind)) + " \"" + imp.module + "\" \"" + imp.name + "\"";
  }
  return out.empty() ? "none" : out;
}

// Whether the module's code can hand its own functions to objects outside the instance
// (an imported table, a reference-typed global, or a function taking a funcref).
bool may_leak_references(const Module& m) {
  for (const Import& imp : m.imports) {
    if (imp.kind == ExternKind::Table) return true;
    if (imp.kind == ExternKind::Global && is_ref(imp.global.type)) return true;
    if (imp.kind != ExternKind::Func) continue;
    for (ValType p : m.types[imp.func_type].params)
      if (p == ValType::FuncRef) return true;
  }
  return false;
}

}  // namespace

wasm_instance_t* instantiate(wasm_store_t* store, const wasm_module_t* module,
                             std::span<const Extern> imports, const Store::BeforeStart& before_start,
                             wasm_trap_t** trap, const MemoryBackings& defined_memories) {
  std::string message;
  try {
    Instance& inst = store->store.instantiate(module->source().compiled, imports, before_start, defined_memories);
    if (may_leak_references(inst.module())) store->mark_escaped(&inst);
    return instance_handle(store, &inst);
  } catch (const Trap& t) {
    message = std::string("instantiation trapped: ") + t.what();
    if (trap) *trap = new_trap(store, t);
  } catch (...) {
    message = current_exception_error().message;
    if (trap) *trap = new_trap(store, message);
  }
  set_last_error(message);
  return nullptr;
}

}  // namespace aperture::capi

using namespace aperture;
using namespace aperture::capi;

namespace {

wasm_instance_t* fail(wasm_store_t* store, const std::string& message, wasm_trap_t** trap) {
  set_last_error(message);
  if (trap) *trap = new_trap(store, message);
  return nullptr;
}

}  // namespace

extern "C" {

wasm_instance_t* wasm_instance_new(wasm_store_t* store, const wasm_module_t* module,
                                   const wasm_extern_vec_t* imports, wasm_trap_t** trap) {
  if (trap) *trap = nullptr;
  if (store == nullptr || module == nullptr)
    return fail(store, "wasm_instance_new: store and module must not be NULL", trap);
  const Module& m = module->source().compiled->module;
  size_t given = imports ? imports->size : 0;
  if (given != m.imports.size())
    return fail(store, "wasm_instance_new: the module needs " + std::to_string(m.imports.size()) +
                           " imports (" + import_list(m) + "), got " + std::to_string(given),
                trap);
  // An aperture.bind section needs regions by name, which only a linker provides: say
  // so instead of instantiating without its windows (the guest would trap "out of bounds").
  try {
    std::vector<Binding> bindings = module_bindings(m);
    if (!bindings.empty())
      return fail(store, "wasm_instance_new: the module binds region '" + bindings[0].region + "' (" +
                             describe_binding(bindings[0]) + ") in its " + kBindSectionName +
                             " section; provide its regions with aperture_linker_define_region and "
                             "instantiate with aperture_linker_instantiate",
                  trap);
  } catch (...) {
    return fail(store, "wasm_instance_new: " + current_exception_error().message, trap);
  }
  std::vector<Extern> externs(given);
  for (size_t i = 0; i < given; ++i) {
    const wasm_extern_t* e = imports->data[i];
    const Import& imp = m.imports[i];
    std::string which = "wasm_instance_new: import " + std::to_string(i) + " (\"" + imp.module +
                        "\" \"" + imp.name + "\")";
    if (e == nullptr) return fail(store, which + " is NULL", trap);
    if (e->store != store) return fail(store, which + " belongs to another store", trap);
    externs[i] = to_extern(e);
  }
  return instantiate(store, module, externs, {}, trap);
}

void wasm_instance_exports(const wasm_instance_t* instance, wasm_extern_vec_t* out) {
  Instance& inst = *instance->instance();
  const std::vector<Export>& exports = inst.module().exports;
  if (!exports.empty()) instance->store->mark_escaped(&inst);
  wasm_extern_vec_new_uninitialized(out, exports.size());
  for (size_t i = 0; i < out->size; ++i) {
    const Export& e = exports[i];
    Extern x;
    switch (e.kind) {
      case ExternKind::Func: x = Extern::func(inst.funcs_[e.index]); break;
      case ExternKind::Table: x = Extern::table(inst.tables_[e.index]); break;
      case ExternKind::Memory: x = Extern::memory(inst.memories_[e.index]); break;
      case ExternKind::Global: x = Extern::global(inst.globals_[e.index]); break;
    }
    out->data[i] = extern_handle(instance->store, x);
  }
}

wasm_memory_t* aperture_instance_memory(const wasm_instance_t* instance, uint32_t index) {
  if (instance == nullptr) return nullptr;
  Memory* m = instance->instance()->memory(index);
  if (m == nullptr) {
    set_last_error("aperture_instance_memory: the instance has no memory " + std::to_string(index));
    return nullptr;
  }
  instance->store->mark_escaped(instance->instance());
  return memory_handle(instance->store, m);
}

}  // extern "C"
