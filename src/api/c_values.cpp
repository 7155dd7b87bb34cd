// wasm.h values: copy/delete, and conversion between C values and the runtime's untyped
// 64-bit slots. References cross as follows: a funcref slot is the runtime Function*; an
// externref slot is the address of the referenced object's identity record (any wasm.h
// reference can be an externref; modules and traps are then kept alive by the store).
#include "api/c_api_internal.h"

namespace aperture::capi {

namespace {

const char* kind_name(wasm_valkind_t k) {
  switch (k) {
    case WASM_I32: return "i32";
    case WASM_I64: return "i64";
    case WASM_F32: return "f32";
    case WASM_F64: return "f64";
    case WASM_EXTERNREF: return "externref";
    case WASM_FUNCREF: return "funcref";
  }
  return "an invalid value kind";
}

bool ref_to_slot(wasm_store_t* store, const wasm_ref_t* ref, ValType type, uint64_t* slot,
                 std::string* error) {
  if (ref == nullptr) {
    *slot = 0;
    return true;
  }
  bool store_object = ref->kind() != RefKind::Module && ref->kind() != RefKind::Trap;
  if (store_object && ref->store != store) {
    *error = std::string("the ") + to_string(ref->kind()) + " belongs to another store";
    return false;
  }
  if (type == ValType::FuncRef) {
    if (ref->kind() != RefKind::Func) {
      *error = std::string("a funcref must be a function or null, got a ") + to_string(ref->kind());
      return false;
    }
    *slot = reinterpret_cast<uintptr_t>(ref->runtime());
    return true;
  }
  if (!store_object) store->pin(static_cast<CountedObject*>(ref->obj));
  *slot = reinterpret_cast<uintptr_t>(ref->obj);
  return true;
}

}  // namespace

bool to_slot(wasm_store_t* store, const wasm_val_t& v, ValType type, uint64_t* slot,
             std::string* error) {
  wasm_valkind_t want = to_valkind(type);
  // A function handle is a valid funcref whichever reference kind the caller wrote.
  bool ref_ok = is_ref(type) && (v.kind == WASM_FUNCREF || v.kind == WASM_EXTERNREF);
  if (v.kind != want && !ref_ok) {
    *error = std::string("expected ") + kind_name(want) + ", got " + kind_name(v.kind);
    return false;
  }
  if (is_ref(type) && !is_nullable(type) && v.of.ref == nullptr) {
    *error = std::string("expected a non-null reference (") + to_string(type) + "), got null";
    return false;
  }
  switch (api_type(type)) {
    case ValType::I32: *slot = static_cast<uint32_t>(v.of.i32); return true;
    case ValType::I64: *slot = static_cast<uint64_t>(v.of.i64); return true;
    case ValType::F32: {
      uint32_t bits;
      std::memcpy(&bits, &v.of.f32, 4);
      *slot = bits;
      return true;
    }
    case ValType::F64: std::memcpy(slot, &v.of.f64, 8); return true;
    case ValType::FuncRef:
    case ValType::ExternRef: return ref_to_slot(store, v.of.ref, api_type(type), slot, error);
    case ValType::V128: break;
  }
  *error = "v128 values cannot cross the C API";
  return false;
}

void from_slot(wasm_store_t* store, ValType type, uint64_t slot, wasm_val_t* out) {
  out->kind = to_valkind(type);
  switch (api_type(type)) {
    case ValType::I32: out->of.i32 = static_cast<int32_t>(slot); return;
    case ValType::I64: out->of.i64 = static_cast<int64_t>(slot); return;
    case ValType::F32: {
      uint32_t bits = static_cast<uint32_t>(slot);
      std::memcpy(&out->of.f32, &bits, 4);
      return;
    }
    case ValType::F64: std::memcpy(&out->of.f64, &slot, 8); return;
    case ValType::FuncRef:
      out->of.ref = slot ? func_handle(store, reinterpret_cast<Function*>(slot)) : nullptr;
      return;
    case ValType::ExternRef:
      out->of.ref = slot ? new_handle(reinterpret_cast<Object*>(slot), store) : nullptr;
      return;
    case ValType::V128: break;
  }
  out->of.i64 = 0;
}

void new_name(wasm_name_t* out, const std::string& s) {
  wasm_byte_vec_new(out, s.size(), s.data());
}

void new_message(wasm_message_t* out, const std::string& s) {
  wasm_byte_vec_new(out, s.size() + 1, s.c_str());
}

std::string to_string(const wasm_name_t* name) {
  if (name == nullptr || name->data == nullptr) return {};
  size_t n = name->size;
  while (n > 0 && name->data[n - 1] == '\0') --n;
  return std::string(name->data, n);
}

}  // namespace aperture::capi

extern "C" {

void wasm_val_delete(wasm_val_t* v) {
  if (wasm_valkind_is_ref(v->kind) && v->of.ref) {
    wasm_ref_delete(v->of.ref);
    v->of.ref = nullptr;
  }
}

void wasm_val_copy(wasm_val_t* out, const wasm_val_t* v) {
  *out = *v;
  if (wasm_valkind_is_ref(v->kind) && v->of.ref) out->of.ref = wasm_ref_copy(v->of.ref);
}

}  // extern "C"
