/* Typed function references (WebAssembly 3.0) through the C API: a (ref $t) result or
 * parameter is a WASM_FUNCREF for the embedder, null is refused for a non-nullable
 * parameter, and call_ref of null traps with the spec's message. */
#include "capi_test.h"

/* Hand-assembled (wabt 1.0.32 has no typed references); the module of
 * tests/runtime/func_refs_test.cpp:
 *   "call_inc" (i32) -> i32: call_ref $inc;  "call_null" (i32) -> i32: call_ref of null;
 *   "get_ref" () -> (ref 0): ref.func $inc;  "take_ref" (ref 0) -> i32: call_ref (i32 5). */
static const unsigned char kModule[] = {
    0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x15, 0x04, 0x60, 0x01, 0x7F, 0x01, 0x7F, 0x60, 0x00, 0x01, 0x7F, 0x60, 0x00, 0x01,
    0x64, 0x00, 0x60, 0x01, 0x64, 0x00, 0x01, 0x7F,
    0x03, 0x07, 0x06, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03,
    0x07, 0x40, 0x05,
    0x08, 'c', 'a', 'l', 'l', '_', 'i', 'n', 'c', 0x00, 0x01,
    0x09, 'c', 'a', 'l', 'l', '_', 'n', 'u', 'l', 'l', 0x00, 0x02,
    0x10, 'a', 's', '_', 'n', 'o', 'n', '_', 'n', 'u', 'l', 'l', '_', 'n', 'u', 'l', 'l', 0x00, 0x03,
    0x07, 'g', 'e', 't', '_', 'r', 'e', 'f', 0x00, 0x04,
    0x08, 't', 'a', 'k', 'e', '_', 'r', 'e', 'f', 0x00, 0x05,
    0x09, 0x05, 0x01, 0x03, 0x00, 0x01, 0x00,
    0x0A, 0x30, 0x06,
    0x07, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6A, 0x0B,
    0x08, 0x00, 0x20, 0x00, 0xD2, 0x00, 0x14, 0x00, 0x0B,
    0x08, 0x00, 0x20, 0x00, 0xD0, 0x00, 0x14, 0x00, 0x0B,
    0x06, 0x00, 0xD0, 0x70, 0xD4, 0xD1, 0x0B,
    0x04, 0x00, 0xD2, 0x00, 0x0B,
    0x08, 0x00, 0x41, 0x05, 0x20, 0x00, 0x14, 0x00, 0x0B,
};

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_byte_vec_t bytes;
  wasm_byte_vec_new(&bytes, sizeof kModule, (const char*)kModule);
  wasm_module_t* module = wasm_module_new(store, &bytes);
  wasm_byte_vec_delete(&bytes);
  if (!module) {
    aperture_error_t* e = aperture_last_error();
    fprintf(stderr, "cannot compile: %s\n", e ? aperture_error_message(e) : "?");
    return 2;
  }
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(instance != NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);

  printf("a (ref 0) result type is a funcref for the embedder\n");
  wasm_functype_t* type = wasm_func_type(export_func(module, &exports, "get_ref"));
  CHECK(wasm_functype_results(type)->size == 1);
  CHECK(wasm_valtype_kind(wasm_functype_results(type)->data[0]) == WASM_FUNCREF);
  wasm_functype_delete(type);

  printf("the reference comes out as a WASM_FUNCREF and goes back in as a (ref 0)\n");
  wasm_val_t ref_out[1] = {WASM_INIT_VAL};
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  wasm_val_vec_t ref_results = WASM_ARRAY_VEC(ref_out);
  CHECK(wasm_func_call(export_func(module, &exports, "get_ref"), &none, &ref_results) == NULL);
  CHECK(ref_out[0].kind == WASM_FUNCREF);
  CHECK(ref_out[0].of.ref != NULL);
  wasm_val_t result[1] = {WASM_INIT_VAL};
  wasm_val_vec_t results = WASM_ARRAY_VEC(result);
  wasm_val_vec_t ref_args = WASM_ARRAY_VEC(ref_out);
  CHECK(wasm_func_call(export_func(module, &exports, "take_ref"), &ref_args, &results) == NULL);
  CHECK(result[0].kind == WASM_I32 && result[0].of.i32 == 6);

  printf("null for a non-nullable parameter is refused, call_ref of null traps\n");
  wasm_val_t null_arg[1] = {WASM_REF_VAL(NULL)};
  null_arg[0].kind = WASM_FUNCREF;
  wasm_val_vec_t null_args = WASM_ARRAY_VEC(null_arg);
  CHECK_TRAP(wasm_func_call(export_func(module, &exports, "take_ref"), &null_args, &results),
             "expected a non-null reference");
  wasm_val_t one[1] = {WASM_I32_VAL(1)};
  wasm_val_vec_t one_args = WASM_ARRAY_VEC(one);
  CHECK_TRAP(wasm_func_call(export_func(module, &exports, "call_null"), &one_args, &results),
             "null function reference");

  wasm_val_delete(&ref_out[0]);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return test_summary("func_refs_test");
}
