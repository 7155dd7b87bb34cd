// wasm.h type representations: value, function, global, table, memory, extern, import and
// export types, and their conversion to and from the runtime's types.
#include "api/c_api_internal.h"

namespace aperture::capi {

std::optional<ValType> to_valtype(wasm_valkind_t k) {
  switch (k) {
    case WASM_I32: return ValType::I32;
    case WASM_I64: return ValType::I64;
    case WASM_F32: return ValType::F32;
    case WASM_F64: return ValType::F64;
    case WASM_EXTERNREF: return ValType::ExternRef;
    case WASM_FUNCREF: return ValType::FuncRef;
  }
  return std::nullopt;
}

wasm_valkind_t to_valkind(ValType t) {
  switch (api_type(t)) {  // a typed function reference is a funcref for the C API
    case ValType::I32: return WASM_I32;
    case ValType::I64: return WASM_I64;
    case ValType::F32: return WASM_F32;
    case ValType::F64: return WASM_F64;
    case ValType::ExternRef: return WASM_EXTERNREF;
    case ValType::FuncRef: return WASM_FUNCREF;
    case ValType::V128: break;
  }
  // wasm.h has no kind for v128: 4, the next free number below the reference kinds.
  return 4;
}

wasm_valtype_t* new_valtype(ValType t) { return new wasm_valtype_t{to_valkind(t)}; }

namespace {

void new_valtype_vec(wasm_valtype_vec_t* out, const std::vector<ValType>& types) {
  wasm_valtype_vec_new_uninitialized(out, types.size());
  for (size_t i = 0; i < out->size; ++i) out->data[i] = new_valtype(types[i]);
}

wasm_limits_t to_c_limits(const Limits& l) {
  wasm_limits_t out;
  out.min = static_cast<uint32_t>(l.min);
  out.max = l.max ? static_cast<uint32_t>(*l.max) : wasm_limits_max_default;
  return out;
}

}  // namespace

Limits to_limits(const wasm_limits_t& l) {
  Limits out;
  out.min = l.min;
  if (l.max != wasm_limits_max_default) out.max = l.max;
  return out;
}

wasm_functype_t* new_functype(const FuncType& t) {
  auto* f = new wasm_functype_t;
  new_valtype_vec(&f->params, t.params);
  new_valtype_vec(&f->results, t.results);
  return f;
}

wasm_globaltype_t* new_globaltype(const GlobalType& t) {
  auto* g = new wasm_globaltype_t;
  g->content = new_valtype(t.type);
  g->mutability = t.mut ? WASM_VAR : WASM_CONST;
  return g;
}

wasm_tabletype_t* new_tabletype(const TableType& t) {
  auto* tt = new wasm_tabletype_t;
  tt->element = new_valtype(t.elem);
  tt->limits = to_c_limits(t.limits);
  return tt;
}

wasm_memorytype_t* new_memorytype(const MemoryType& t) {
  auto* m = new wasm_memorytype_t;
  m->limits = to_c_limits(t.limits);
  return m;
}

std::optional<FuncType> to_functype(const wasm_functype_t* t, std::string* error) {
  if (t == nullptr) {
    *error = "function type is NULL";
    return std::nullopt;
  }
  FuncType out;
  auto convert = [&](const wasm_valtype_vec_t& v, std::vector<ValType>& to, const char* what) {
    for (size_t i = 0; i < v.size; ++i) {
      std::optional<ValType> vt = v.data[i] ? to_valtype(v.data[i]->kind) : std::nullopt;
      if (!vt) {
        *error = std::string(what) + " " + std::to_string(i) + " of the function type is not a valid value type";
        return false;
      }
      to.push_back(*vt);
    }
    return true;
  };
  if (!convert(t->params, out.params, "parameter") || !convert(t->results, out.results, "result"))
    return std::nullopt;
  return out;
}

}  // namespace aperture::capi

using namespace aperture::capi;

wasm_functype_t::~wasm_functype_t() {
  wasm_valtype_vec_delete(&params);
  wasm_valtype_vec_delete(&results);
}

wasm_importtype_t::~wasm_importtype_t() {
  wasm_name_delete(&module);
  wasm_name_delete(&name);
  delete type;
}

wasm_exporttype_t::~wasm_exporttype_t() {
  wasm_name_delete(&name);
  delete type;
}

namespace {

wasm_externtype_t* copy_externtype(const wasm_externtype_t* t);

// Takes over a caller's `own` vector (its storage moves; the caller's struct is emptied).
void adopt(wasm_valtype_vec_t* to, wasm_valtype_vec_t* from) {
  *to = *from;
  from->size = 0;
  from->data = nullptr;
}

}  // namespace

extern "C" {

// ---- Value types ----

wasm_valtype_t* wasm_valtype_new(wasm_valkind_t k) {
  if (!to_valtype(k)) {
    set_last_error("wasm_valtype_new: " + std::to_string(k) +
                   " is not a value kind (use WASM_I32, WASM_I64, WASM_F32, WASM_F64, "
                   "WASM_EXTERNREF or WASM_FUNCREF)");
    return nullptr;
  }
  return new wasm_valtype_t{k};
}
void wasm_valtype_delete(wasm_valtype_t* t) { delete t; }
wasm_valtype_t* wasm_valtype_copy(const wasm_valtype_t* t) { return new wasm_valtype_t{t->kind}; }
wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t* t) { return t->kind; }

// ---- Function types ----

wasm_functype_t* wasm_functype_new(wasm_valtype_vec_t* params, wasm_valtype_vec_t* results) {
  auto* f = new wasm_functype_t;
  adopt(&f->params, params);
  adopt(&f->results, results);
  return f;
}
void wasm_functype_delete(wasm_functype_t* t) { delete t; }
wasm_functype_t* wasm_functype_copy(const wasm_functype_t* t) {
  auto* f = new wasm_functype_t;
  wasm_valtype_vec_copy(&f->params, &t->params);
  wasm_valtype_vec_copy(&f->results, &t->results);
  return f;
}
const wasm_valtype_vec_t* wasm_functype_params(const wasm_functype_t* t) { return &t->params; }
const wasm_valtype_vec_t* wasm_functype_results(const wasm_functype_t* t) { return &t->results; }

// ---- Global types ----

wasm_globaltype_t* wasm_globaltype_new(wasm_valtype_t* content, wasm_mutability_t mutability) {
  auto* g = new wasm_globaltype_t;
  g->content = content;
  g->mutability = mutability;
  return g;
}
void wasm_globaltype_delete(wasm_globaltype_t* t) { delete t; }
wasm_globaltype_t* wasm_globaltype_copy(const wasm_globaltype_t* t) {
  auto* g = new wasm_globaltype_t;
  g->content = t->content ? wasm_valtype_copy(t->content) : nullptr;
  g->mutability = t->mutability;
  return g;
}
const wasm_valtype_t* wasm_globaltype_content(const wasm_globaltype_t* t) { return t->content; }
wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t* t) { return t->mutability; }

// ---- Table types ----

wasm_tabletype_t* wasm_tabletype_new(wasm_valtype_t* element, const wasm_limits_t* limits) {
  auto* t = new wasm_tabletype_t;
  t->element = element;
  if (limits) t->limits = *limits;
  return t;
}
void wasm_tabletype_delete(wasm_tabletype_t* t) { delete t; }
wasm_tabletype_t* wasm_tabletype_copy(const wasm_tabletype_t* t) {
  auto* c = new wasm_tabletype_t;
  c->element = t->element ? wasm_valtype_copy(t->element) : nullptr;
  c->limits = t->limits;
  return c;
}
const wasm_valtype_t* wasm_tabletype_element(const wasm_tabletype_t* t) { return t->element; }
const wasm_limits_t* wasm_tabletype_limits(const wasm_tabletype_t* t) { return &t->limits; }

// ---- Memory types ----

wasm_memorytype_t* wasm_memorytype_new(const wasm_limits_t* limits) {
  auto* m = new wasm_memorytype_t;
  if (limits) m->limits = *limits;
  return m;
}
void wasm_memorytype_delete(wasm_memorytype_t* t) { delete t; }
wasm_memorytype_t* wasm_memorytype_copy(const wasm_memorytype_t* t) {
  auto* m = new wasm_memorytype_t;
  m->limits = t->limits;
  return m;
}
const wasm_limits_t* wasm_memorytype_limits(const wasm_memorytype_t* t) { return &t->limits; }

// ---- Extern types ----

void wasm_externtype_delete(wasm_externtype_t* t) { delete t; }
wasm_externtype_t* wasm_externtype_copy(const wasm_externtype_t* t) { return copy_externtype(t); }
wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t* t) { return t->kind; }

wasm_externtype_t* wasm_functype_as_externtype(wasm_functype_t* t) { return t; }
wasm_externtype_t* wasm_globaltype_as_externtype(wasm_globaltype_t* t) { return t; }
wasm_externtype_t* wasm_tabletype_as_externtype(wasm_tabletype_t* t) { return t; }
wasm_externtype_t* wasm_memorytype_as_externtype(wasm_memorytype_t* t) { return t; }
const wasm_externtype_t* wasm_functype_as_externtype_const(const wasm_functype_t* t) { return t; }
const wasm_externtype_t* wasm_globaltype_as_externtype_const(const wasm_globaltype_t* t) { return t; }
const wasm_externtype_t* wasm_tabletype_as_externtype_const(const wasm_tabletype_t* t) { return t; }
const wasm_externtype_t* wasm_memorytype_as_externtype_const(const wasm_memorytype_t* t) { return t; }

#define APERTURE_EXTERNTYPE_AS(name, KIND)                                                  \
  wasm_##name##_t* wasm_externtype_as_##name(wasm_externtype_t* t) {                       \
    return t && t->kind == KIND ? static_cast<wasm_##name##_t*>(t) : nullptr;               \
  }                                                                                         \
  const wasm_##name##_t* wasm_externtype_as_##name##_const(const wasm_externtype_t* t) {   \
    return t && t->kind == KIND ? static_cast<const wasm_##name##_t*>(t) : nullptr;         \
  }
APERTURE_EXTERNTYPE_AS(functype, WASM_EXTERN_FUNC)
APERTURE_EXTERNTYPE_AS(globaltype, WASM_EXTERN_GLOBAL)
APERTURE_EXTERNTYPE_AS(tabletype, WASM_EXTERN_TABLE)
APERTURE_EXTERNTYPE_AS(memorytype, WASM_EXTERN_MEMORY)
#undef APERTURE_EXTERNTYPE_AS

// ---- Import and export types ----

wasm_importtype_t* wasm_importtype_new(wasm_name_t* module, wasm_name_t* name,
                                       wasm_externtype_t* type) {
  auto* i = new wasm_importtype_t;
  i->module = *module;
  i->name = *name;
  i->type = type;
  module->size = name->size = 0;
  module->data = name->data = nullptr;
  return i;
}
void wasm_importtype_delete(wasm_importtype_t* t) { delete t; }
wasm_importtype_t* wasm_importtype_copy(const wasm_importtype_t* t) {
  auto* i = new wasm_importtype_t;
  wasm_name_copy(&i->module, &t->module);
  wasm_name_copy(&i->name, &t->name);
  i->type = t->type ? copy_externtype(t->type) : nullptr;
  return i;
}
const wasm_name_t* wasm_importtype_module(const wasm_importtype_t* t) { return &t->module; }
const wasm_name_t* wasm_importtype_name(const wasm_importtype_t* t) { return &t->name; }
const wasm_externtype_t* wasm_importtype_type(const wasm_importtype_t* t) { return t->type; }

wasm_exporttype_t* wasm_exporttype_new(wasm_name_t* name, wasm_externtype_t* type) {
  auto* e = new wasm_exporttype_t;
  e->name = *name;
  e->type = type;
  name->size = 0;
  name->data = nullptr;
  return e;
}
void wasm_exporttype_delete(wasm_exporttype_t* t) { delete t; }
wasm_exporttype_t* wasm_exporttype_copy(const wasm_exporttype_t* t) {
  auto* e = new wasm_exporttype_t;
  wasm_name_copy(&e->name, &t->name);
  e->type = t->type ? copy_externtype(t->type) : nullptr;
  return e;
}
const wasm_name_t* wasm_exporttype_name(const wasm_exporttype_t* t) { return &t->name; }
const wasm_externtype_t* wasm_exporttype_type(const wasm_exporttype_t* t) { return t->type; }

}  // extern "C"

namespace {

wasm_externtype_t* copy_externtype(const wasm_externtype_t* t) {
  switch (t->kind) {
    case WASM_EXTERN_FUNC: return wasm_functype_copy(static_cast<const wasm_functype_t*>(t));
    case WASM_EXTERN_GLOBAL: return wasm_globaltype_copy(static_cast<const wasm_globaltype_t*>(t));
    case WASM_EXTERN_TABLE: return wasm_tabletype_copy(static_cast<const wasm_tabletype_t*>(t));
    case WASM_EXTERN_MEMORY: return wasm_memorytype_copy(static_cast<const wasm_memorytype_t*>(t));
  }
  return nullptr;
}

}  // namespace
