// wasm.h vectors: wasm_X_vec_new_empty/_new_uninitialized/_new/_copy/_delete for every
// element type. An `own` vector owns its elements: copy deep-copies them, delete deletes
// them. Allocation failure yields an empty vector (and a last error), never an exception.
#include <new>

#include "api/c_api_internal.h"

namespace {

using aperture::capi::set_last_error;

template <typename Vec, typename Elem>
void vec_allocate(Vec* out, size_t size) {
  out->size = 0;
  out->data = nullptr;
  if (size == 0) return;
  out->data = new (std::nothrow) Elem[size]();
  if (out->data == nullptr) {
    set_last_error("cannot allocate a vector of " + std::to_string(size) + " elements");
    return;
  }
  out->size = size;
}

template <typename Vec, typename Elem>
void vec_release(Vec* v) {
  delete[] v->data;
  v->size = 0;
  v->data = nullptr;
}

}  // namespace

// Element kinds: plain values copied bitwise (bytes), values with references (val), and
// owned pointers to objects with their own copy/delete (types, externs, frames).
#define APERTURE_VEC_BASE(name, Elem)                                                   \
  extern "C" void wasm_##name##_vec_new_empty(wasm_##name##_vec_t* out) {              \
    out->size = 0;                                                                      \
    out->data = nullptr;                                                                \
  }                                                                                     \
  extern "C" void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t* out,        \
                                                      size_t size) {                    \
    vec_allocate<wasm_##name##_vec_t, Elem>(out, size);                                 \
  }                                                                                     \
  extern "C" void wasm_##name##_vec_new(wasm_##name##_vec_t* out, size_t size,         \
                                        Elem const data[]) {                            \
    vec_allocate<wasm_##name##_vec_t, Elem>(out, size);                                 \
    for (size_t i = 0; i < out->size; ++i) out->data[i] = data[i];                      \
  }

#define APERTURE_VEC_OF_POINTERS(name)                                                  \
  APERTURE_VEC_BASE(name, wasm_##name##_t*)                                             \
  extern "C" void wasm_##name##_vec_copy(wasm_##name##_vec_t* out,                     \
                                         const wasm_##name##_vec_t* v) {                \
    vec_allocate<wasm_##name##_vec_t, wasm_##name##_t*>(out, v->size);                  \
    for (size_t i = 0; i < out->size; ++i)                                              \
      out->data[i] = v->data[i] ? wasm_##name##_copy(v->data[i]) : nullptr;             \
  }                                                                                     \
  extern "C" void wasm_##name##_vec_delete(wasm_##name##_vec_t* v) {                   \
    for (size_t i = 0; i < v->size; ++i)                                                \
      if (v->data[i]) wasm_##name##_delete(v->data[i]);                                 \
    vec_release<wasm_##name##_vec_t, wasm_##name##_t*>(v);                              \
  }

APERTURE_VEC_BASE(byte, wasm_byte_t)
extern "C" void wasm_byte_vec_copy(wasm_byte_vec_t* out, const wasm_byte_vec_t* v) {
  vec_allocate<wasm_byte_vec_t, wasm_byte_t>(out, v->size);
  if (out->size) std::memcpy(out->data, v->data, out->size);
}
extern "C" void wasm_byte_vec_delete(wasm_byte_vec_t* v) {
  vec_release<wasm_byte_vec_t, wasm_byte_t>(v);
}

APERTURE_VEC_BASE(val, wasm_val_t)
extern "C" void wasm_val_vec_copy(wasm_val_vec_t* out, const wasm_val_vec_t* v) {
  vec_allocate<wasm_val_vec_t, wasm_val_t>(out, v->size);
  for (size_t i = 0; i < out->size; ++i) wasm_val_copy(&out->data[i], &v->data[i]);
}
extern "C" void wasm_val_vec_delete(wasm_val_vec_t* v) {
  for (size_t i = 0; i < v->size; ++i) wasm_val_delete(&v->data[i]);
  vec_release<wasm_val_vec_t, wasm_val_t>(v);
}

APERTURE_VEC_OF_POINTERS(valtype)
APERTURE_VEC_OF_POINTERS(functype)
APERTURE_VEC_OF_POINTERS(globaltype)
APERTURE_VEC_OF_POINTERS(tabletype)
APERTURE_VEC_OF_POINTERS(memorytype)
APERTURE_VEC_OF_POINTERS(externtype)
APERTURE_VEC_OF_POINTERS(importtype)
APERTURE_VEC_OF_POINTERS(exporttype)
APERTURE_VEC_OF_POINTERS(frame)
APERTURE_VEC_OF_POINTERS(extern)
