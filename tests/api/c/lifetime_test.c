/* Lifetimes in the C API: which handles keep which objects, when instances are freed,
 * when host-info and environment finalizers run, and reference identity across handles
 * and through wasm. Run under AddressSanitizer in the ASan stage, which turns any object
 * freed too early into a failure. */
#include <stdint.h>

#include "capi_test.h"

static char finalized[64];
static size_t finalized_count;

static void note_finalized(void* info) {
  if (finalized_count + 1 < sizeof finalized) finalized[finalized_count++] = (char)(intptr_t)info;
}

static void reset_log(void) {
  finalized_count = 0;
  finalized[0] = '\0';
}

static const char* log_text(void) {
  finalized[finalized_count] = '\0';
  return finalized;
}

static wasm_instance_t* instantiate(wasm_store_t* store, wasm_module_t* module,
                                   wasm_extern_t** imports, size_t n) {
  wasm_extern_vec_t vec = {n, imports};
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &vec, &trap);
  if (!instance) {
    fprintf(stderr, "instantiation failed: %s\n", trap ? trap_text(trap) : "?");
    exit(2);
  }
  return instance;
}

static void test_unreferenced_instance_is_freed(void) {
  printf("an instance nothing refers to goes with its last handle\n");
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, "plain");
  reset_log();
  wasm_instance_t* a = instantiate(store, module, NULL, 0);
  wasm_instance_set_host_info_with_finalizer(a, (void*)'a', note_finalized);
  wasm_instance_t* a2 = wasm_instance_copy(a);
  CHECK(wasm_instance_same(a, a2));
  CHECK(wasm_instance_get_host_info(a2) == (void*)'a');
  wasm_instance_delete(a);
  CHECK(strcmp(log_text(), "") == 0);  /* a copy still refers to it */
  wasm_instance_delete(a2);
  CHECK(strcmp(log_text(), "a") == 0);

  /* Exports handed out: the instance stays until the store goes, and its function works. */
  wasm_instance_t* b = instantiate(store, module, NULL, 0);
  wasm_instance_set_host_info_with_finalizer(b, (void*)'b', note_finalized);
  wasm_extern_vec_t exports;
  wasm_instance_exports(b, &exports);
  wasm_instance_delete(b);
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t rv = WASM_ARRAY_VEC(r);
  CHECK(wasm_func_call(wasm_extern_as_func(exports.data[0]), &none, &rv) == NULL);
  CHECK(r[0].of.i32 == 42);
  wasm_extern_vec_delete(&exports);
  CHECK(strcmp(log_text(), "a") == 0);
  wasm_module_delete(module);
  wasm_store_delete(store);
  CHECK(strcmp(log_text(), "ab") == 0);
  wasm_engine_delete(engine);
}

static void test_function_in_imported_table_outlives_handle(void) {
  printf("an instance whose function sits in an imported table stays\n");
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, "table_import");
  wasm_limits_t limits = {1, 1};
  wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &limits);
  wasm_table_t* table = wasm_table_new(store, tt, NULL);
  wasm_tabletype_delete(tt);
  wasm_extern_t* imports[] = {wasm_table_as_extern(table)};
  wasm_instance_t* instance = instantiate(store, module, imports, 1);
  wasm_instance_delete(instance);
  wasm_ref_t* ref = wasm_table_get(table, 0);
  wasm_func_t* f = wasm_ref_as_func(ref);
  CHECK(f != NULL);
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t rv = WASM_ARRAY_VEC(r);
  CHECK(f && wasm_func_call(f, &none, &rv) == NULL && r[0].of.i32 == 42);
  wasm_ref_delete(ref);
  wasm_table_delete(table);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

static wasm_trap_t* nothing(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)env, (void)args, (void)results;
  return NULL;
}

static void test_finalizers(void) {
  printf("finalizers: environments, host info, creation order, modules and traps\n");
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  reset_log();
  wasm_foreign_t* x = wasm_foreign_new(store);
  wasm_foreign_t* y = wasm_foreign_new(store);
  wasm_foreign_set_host_info_with_finalizer(y, (void*)'1', note_finalized);
  wasm_foreign_set_host_info_with_finalizer(x, (void*)'0', note_finalized);
  wasm_foreign_t* y2 = wasm_foreign_copy(y);
  wasm_foreign_set_host_info_with_finalizer(y2, (void*)'2', note_finalized);  /* replaces '1' */
  CHECK(strcmp(log_text(), "1") == 0);
  CHECK(wasm_foreign_get_host_info(y) == (void*)'2');
  CHECK(!wasm_foreign_same(x, y));
  wasm_functype_t* t = wasm_functype_new_0_0();
  wasm_func_t* f = wasm_func_new_with_env(store, t, nothing, (void*)'e', note_finalized);
  wasm_functype_delete(t);
  wasm_func_delete(f);
  wasm_foreign_delete(x);
  wasm_foreign_delete(y);
  wasm_foreign_delete(y2);
  CHECK(strcmp(log_text(), "1") == 0);  /* objects stay with the store */

  wasm_module_t* module = load_module(store, "plain");
  wasm_module_t* m2 = wasm_module_copy(module);
  wasm_module_set_host_info_with_finalizer(module, (void*)'m', note_finalized);
  wasm_module_delete(module);
  CHECK(strcmp(log_text(), "1") == 0);
  wasm_module_delete(m2);
  CHECK(strcmp(log_text(), "1m") == 0);

  wasm_message_t msg;
  wasm_name_new_from_string_nt(&msg, "boom");
  wasm_trap_t* trap = wasm_trap_new(store, &msg);
  wasm_name_delete(&msg);
  wasm_trap_set_host_info_with_finalizer(trap, (void*)'t', note_finalized);
  wasm_trap_delete(trap);
  CHECK(strcmp(log_text(), "1mt") == 0);

  wasm_store_delete(store);
  /* host info in creation order (x, then y), then the function's environment */
  CHECK(strcmp(log_text(), "1mt02e") == 0);
  printf("  finalized: %s\n", log_text());
  wasm_engine_delete(engine);
}

static void test_references_through_wasm(void) {
  printf("references keep their identity through wasm\n");
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, "identity");
  wasm_instance_t* instance = instantiate(store, module, NULL, 0);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_func_t* id = wasm_extern_as_func(exports.data[0]);

  wasm_foreign_t* foreign = wasm_foreign_new(store);
  wasm_foreign_set_host_info(foreign, (void*)0x1234);
  wasm_message_t msg;
  wasm_name_new_from_string_nt(&msg, "kept by the store");
  wasm_trap_t* trap = wasm_trap_new(store, &msg);
  wasm_name_delete(&msg);
  wasm_ref_t* refs[3] = {wasm_foreign_as_ref(foreign), wasm_trap_as_ref(trap), wasm_func_as_ref(id)};
  wasm_ref_t* back[3] = {NULL, NULL, NULL};
  for (int i = 0; i < 3; ++i) {
    wasm_val_t a[1] = {WASM_REF_VAL(refs[i])};
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t av = WASM_ARRAY_VEC(a), rv = WASM_ARRAY_VEC(r);
    CHECK(wasm_func_call(id, &av, &rv) == NULL);
    back[i] = r[0].of.ref;
    CHECK(back[i] && wasm_ref_same(back[i], refs[i]));
  }
  CHECK(wasm_ref_get_host_info(back[0]) == (void*)0x1234);
  CHECK(wasm_ref_as_foreign(back[0]) != NULL && wasm_ref_as_trap(back[0]) == NULL);
  wasm_trap_delete(trap);  /* wasm saw it: the store keeps the trap alive */
  CHECK(wasm_ref_as_trap(back[1]) != NULL);
  if (wasm_ref_as_trap(back[1])) CHECK(contains(trap_text(wasm_ref_as_trap(back[1])), "kept by the store"));
  CHECK(wasm_ref_as_func(back[2]) != NULL && wasm_ref_as_extern(back[2]) != NULL);
  for (int i = 0; i < 3; ++i) wasm_ref_delete(back[i]);

  wasm_foreign_delete(foreign);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

int main(void) {
  test_unreferenced_instance_is_freed();
  test_function_in_imported_table_outlives_handle();
  test_finalizers();
  test_references_through_wasm();
  return test_summary("lifetime_test");
}
