/* Bad use of the C API gets an error or a trap object with a message: wrong import
 * counts and types, calls with wrong arguments, invalid module bytes, regions that cannot
 * be opened, bad window requests, misused tables and globals, NULL arguments. Nothing
 * crashes and nothing leaks (the ASan stage runs this under LeakSanitizer). */
#define _GNU_SOURCE  /* mkstemp, ftruncate under -std=c11 */
#include <stdint.h>
#include <unistd.h>

#include "capi_test.h"

static wasm_trap_t* identity_callback(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  wasm_val_copy(&results->data[0], &args->data[0]);
  return NULL;
}

/* Returns an i64 where its type promises an i32. */
static wasm_trap_t* wrong_kind_callback(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)args;
  results->data[0].kind = WASM_I64;
  results->data[0].of.i64 = 1;
  return NULL;
}

static wasm_func_t* new_func_i32_i32(wasm_store_t* store, wasm_func_callback_t cb) {
  wasm_functype_t* type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* f = wasm_func_new(store, type, cb);
  wasm_functype_delete(type);
  return f;
}

/* bad_use.wat instantiated with `callback` as its import "" "f". */
typedef struct {
  wasm_module_t* module;
  wasm_func_t* f;
  wasm_instance_t* instance;
  wasm_extern_vec_t exports;
} bad_use_instance;

static bad_use_instance instantiate_bad_use(wasm_store_t* store, wasm_func_callback_t callback) {
  bad_use_instance b;
  b.module = load_module(store, "bad_use");
  b.f = new_func_i32_i32(store, callback);
  wasm_extern_t* one[] = {wasm_func_as_extern(b.f)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(one);
  b.instance = wasm_instance_new(store, b.module, &imports, NULL);
  if (!b.instance) {
    fprintf(stderr, "cannot instantiate bad_use.wasm\n");
    exit(2);
  }
  wasm_instance_exports(b.instance, &b.exports);
  return b;
}

static void delete_bad_use(bad_use_instance* b) {
  wasm_extern_vec_delete(&b->exports);
  wasm_instance_delete(b->instance);
  wasm_func_delete(b->f);
  wasm_module_delete(b->module);
}

static void test_invalid_module_bytes(wasm_store_t* store) {
  printf("invalid module bytes\n");
  wasm_byte_vec_t junk;
  wasm_byte_vec_new(&junk, 8, "\0asm\x02\0\0\0");
  CHECK(!wasm_module_validate(store, &junk));
  CHECK_LAST_ERROR("malformed module at offset 4");
  CHECK(wasm_module_new(store, &junk) == NULL);
  CHECK_LAST_ERROR("malformed module at offset 4");
  wasm_module_t* m = NULL;
  CHECK_ERROR(aperture_module_new(store, &junk, &m), "malformed", 0);
  CHECK(m == NULL);
  wasm_byte_vec_delete(&junk);

  /* Well-formed but invalid: (func (result i32)) with an empty body. */
  static const char invalid[] = "\0asm\1\0\0\0\1\5\1\x60\0\1\x7f\3\2\1\0\n\4\1\2\0\x0b";
  wasm_byte_vec_t bytes;
  wasm_byte_vec_new(&bytes, sizeof invalid - 1, invalid);
  CHECK_ERROR(aperture_module_validate(store, &bytes), "invalid module", 0);
  CHECK(wasm_module_new(store, &bytes) == NULL);
  CHECK_LAST_ERROR("type mismatch");
  wasm_byte_vec_delete(&bytes);

  wasm_byte_vec_t empty = WASM_EMPTY_VEC;
  CHECK(wasm_module_new(store, &empty) == NULL);
  CHECK_LAST_ERROR("malformed");
  CHECK(wasm_module_new(store, NULL) == NULL);
  CHECK_LAST_ERROR("must not be NULL");
  CHECK(wasm_module_new(NULL, &empty) == NULL);
  CHECK_LAST_ERROR("must not be NULL");

  /* Not something wasm_module_serialize produced. */
  wasm_byte_vec_t fake;
  wasm_byte_vec_new(&fake, 6, "APERTU");
  CHECK(wasm_module_deserialize(store, &fake) == NULL);
  CHECK_LAST_ERROR("not a serialized Aperture module");
  wasm_byte_vec_delete(&fake);
}

/* plain.wat serialized in one engine's store runs in a store of every engine. */
static void check_runs_in_every_engine(const wasm_byte_vec_t* blob) {
  for (size_t i = 0; i < aperture_engine_count(); ++i) {
    wasm_config_t* config = wasm_config_new();
    CHECK_OK(aperture_config_set_engine(config, aperture_engine_name_at(i)));
    wasm_engine_t* engine = wasm_engine_new_with_config(config);
    wasm_store_t* store = wasm_store_new(engine);
    wasm_module_t* module = wasm_module_deserialize(store, blob);
    CHECK(module != NULL);
    if (module) {
      wasm_extern_vec_t imports = WASM_EMPTY_VEC;
      wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
      CHECK(instance != NULL);
      if (instance) {
        wasm_extern_vec_t exports;
        wasm_instance_exports(instance, &exports);
        wasm_val_t result = WASM_INIT_VAL;
        wasm_val_vec_t args = WASM_EMPTY_VEC, results = {1, &result};
        CHECK(wasm_func_call(export_func(module, &exports, "answer"), &args, &results) == NULL);
        CHECK(result.kind == WASM_I32 && result.of.i32 == 42);
        wasm_extern_vec_delete(&exports);
        wasm_instance_delete(instance);
      }
      wasm_module_delete(module);
    }
    wasm_store_delete(store);
    wasm_engine_delete(engine);
  }
}

static void test_serialized_module_checks(wasm_store_t* store, const char* engine_name) {
  printf("serialized modules: truncation and corruption\n");
  wasm_module_t* module = load_module(store, "bad_use");
  wasm_byte_vec_t blob;
  wasm_module_serialize(module, &blob);
  wasm_module_t* back = wasm_module_deserialize(store, &blob);
  CHECK(back != NULL);
  wasm_module_delete(back);
  wasm_byte_vec_t cut;
  wasm_byte_vec_new(&cut, blob.size - 3, blob.data);
  CHECK(wasm_module_deserialize(store, &cut) == NULL);
  CHECK_LAST_ERROR("truncated");
  wasm_byte_vec_delete(&cut);
  /* The compiled engine's form (payload kind 1) carries machine code, checksummed. */
  bool compiled = strcmp(engine_name, "compiled") == 0;
  CHECK(blob.data[12] == (compiled ? 1 : 0));
  if (compiled) {
    wasm_byte_vec_t bad;
    wasm_byte_vec_new(&bad, blob.size, blob.data);
    bad.data[bad.size - 1] ^= 1;  /* the artifact's checksum */
    CHECK(wasm_module_deserialize(store, &bad) == NULL);
    CHECK_LAST_ERROR("corrupt compiled code");
    memset(bad.data + 24, 0xff, 8);  /* the module binary's length */
    CHECK(wasm_module_deserialize(store, &bad) == NULL);
    CHECK_LAST_ERROR("length exceeds the payload");
    wasm_byte_vec_delete(&bad);
  }
  blob.data[8] = 9;  /* format version */
  CHECK(wasm_module_deserialize(store, &blob) == NULL);
  CHECK_LAST_ERROR("format version 9");
  wasm_byte_vec_delete(&blob);
  wasm_module_delete(module);

  printf("serialized modules: into a store of every engine\n");
  module = load_module(store, "plain");
  wasm_module_serialize(module, &blob);
  check_runs_in_every_engine(&blob);
  wasm_byte_vec_delete(&blob);
  wasm_module_delete(module);
}

static void test_wrong_imports(wasm_store_t* store) {
  printf("wrong import counts and types\n");
  wasm_module_t* module = load_module(store, "bad_use");
  wasm_trap_t* trap = NULL;

  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  CHECK(wasm_instance_new(store, module, &none, &trap) == NULL);
  CHECK_TRAP(trap, "needs 1 imports (func \"\" \"f\"), got 0");
  CHECK(wasm_instance_new(store, module, NULL, NULL) == NULL);  /* no trap wanted */
  CHECK_LAST_ERROR("needs 1 imports");

  wasm_func_t* good = new_func_i32_i32(store, identity_callback);
  wasm_extern_t* two[] = {wasm_func_as_extern(good), wasm_func_as_extern(good)};
  wasm_extern_vec_t too_many = WASM_ARRAY_VEC(two);
  CHECK(wasm_instance_new(store, module, &too_many, &trap) == NULL);
  CHECK_TRAP(trap, "got 2");

  /* A function of another type. */
  wasm_functype_t* t = wasm_functype_new_0_0();
  wasm_func_t* wrong_type = wasm_func_new(store, t, identity_callback);
  wasm_functype_delete(t);
  wasm_extern_t* one[] = {wasm_func_as_extern(wrong_type)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(one);
  CHECK(wasm_instance_new(store, module, &imports, &trap) == NULL);
  CHECK_TRAP(trap, "incompatible import type for \"\" \"f\": expected (i32) -> (i32), got () -> ()");

  /* A global where a function is expected. */
  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
  wasm_val_t v = WASM_I32_VAL(1);
  wasm_global_t* global = wasm_global_new(store, gt, &v);
  wasm_globaltype_delete(gt);
  one[0] = wasm_global_as_extern(global);
  CHECK(wasm_instance_new(store, module, &imports, &trap) == NULL);
  CHECK_TRAP(trap, "expected func, got global");

  /* NULL in the vector, and an extern of another store. */
  one[0] = NULL;
  CHECK(wasm_instance_new(store, module, &imports, &trap) == NULL);
  CHECK_TRAP(trap, "import 0 (\"\" \"f\") is NULL");
  wasm_store_t* other = wasm_store_new(NULL);
  CHECK(other == NULL);
  CHECK_LAST_ERROR("the engine is NULL");
  wasm_engine_t* engine2 = wasm_engine_new();
  wasm_store_t* store2 = wasm_store_new(engine2);
  wasm_func_t* foreign_store_func = new_func_i32_i32(store2, identity_callback);
  one[0] = wasm_func_as_extern(foreign_store_func);
  CHECK(wasm_instance_new(store, module, &imports, &trap) == NULL);
  CHECK_TRAP(trap, "belongs to another store");

  /* The linker names a missing import. */
  aperture_linker_t* linker = aperture_linker_new(store);
  CHECK(aperture_linker_instantiate(linker, module, &trap) == NULL);
  CHECK_TRAP(trap, "unknown import \"\" \"f\"");
  wasm_extern_vec_t resolved;
  CHECK_ERROR(aperture_linker_imports(linker, module, &resolved), "unknown import", 0);
  CHECK(resolved.size == 0);
  CHECK_ERROR(aperture_linker_define(linker, "", "f", wasm_func_as_extern(foreign_store_func)),
              "another store", 0);
  CHECK_OK(aperture_linker_define(linker, "", "f", wasm_func_as_extern(good)));
  CHECK_OK(aperture_linker_imports(linker, module, &resolved));
  CHECK(resolved.size == 1);
  wasm_extern_vec_delete(&resolved);
  aperture_linker_delete(linker);

  wasm_func_delete(foreign_store_func);
  wasm_store_delete(store2);
  wasm_engine_delete(engine2);
  wasm_global_delete(global);
  wasm_func_delete(wrong_type);
  wasm_func_delete(good);
  wasm_module_delete(module);
}

static void test_wrong_call_arguments(wasm_store_t* store) {
  printf("calls with wrong arguments\n");
  bad_use_instance b = instantiate_bad_use(store, wrong_kind_callback);
  wasm_func_t* add = export_func(b.module, &b.exports, "add");

  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t results = WASM_ARRAY_VEC(r);
  wasm_val_t one_arg[1] = {WASM_I32_VAL(1)};
  wasm_val_vec_t args1 = WASM_ARRAY_VEC(one_arg);
  CHECK_TRAP(wasm_func_call(add, &args1, &results), "takes 2 arguments, got 1");
  wasm_val_t swapped[2] = {WASM_I64_VAL(1), WASM_I32_VAL(2)};
  wasm_val_vec_t args2 = WASM_ARRAY_VEC(swapped);
  CHECK_TRAP(wasm_func_call(add, &args2, &results), "argument 0: expected i32, got i64");
  wasm_val_t good[2] = {WASM_I32_VAL(40), WASM_I64_VAL(2)};
  wasm_val_vec_t args_ok = WASM_ARRAY_VEC(good);
  wasm_val_vec_t no_results = WASM_EMPTY_VEC;
  CHECK_TRAP(wasm_func_call(add, &args_ok, &no_results), "has room for 0");
  CHECK(wasm_func_call(add, &args_ok, &results) == NULL);
  CHECK(r[0].kind == WASM_I64 && r[0].of.i64 == 42);
  wasm_val_t bad_kind[2] = {{.kind = 77, .of = {.i32 = 0}}, WASM_I64_VAL(2)};
  wasm_val_vec_t args_bad = WASM_ARRAY_VEC(bad_kind);
  CHECK_TRAP(wasm_func_call(add, &args_bad, &results), "an invalid value kind");
  wasm_val_vec_t missing_data = {2, NULL};
  CHECK_TRAP(wasm_func_call(add, &missing_data, &results), "has no data");
  CHECK_TRAP(wasm_func_call(NULL, &args_ok, &results), "the function is NULL");

  /* A host function whose result has the wrong kind traps its wasm caller. */
  wasm_val_vec_t a1 = WASM_ARRAY_VEC(one_arg);
  wasm_val_t r1[1] = {WASM_INIT_VAL};
  wasm_val_vec_t rv1 = WASM_ARRAY_VEC(r1);
  CHECK_TRAP(wasm_func_call(export_func(b.module, &b.exports, "call_f"), &a1, &rv1),
             "host function returned a bad result 0: expected i32, got i64");

  /* A funcref argument that is no function. */
  wasm_functype_t* takes_ref = wasm_functype_new_1_0(wasm_valtype_new_funcref());
  wasm_func_t* ref_taker = wasm_func_new(store, takes_ref, identity_callback);
  wasm_functype_delete(takes_ref);
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  wasm_val_t ref_arg[1] = {{.kind = WASM_FUNCREF, .of = {.ref = wasm_foreign_as_ref(foreign)}}};
  wasm_val_vec_t ref_args = WASM_ARRAY_VEC(ref_arg);
  CHECK_TRAP(wasm_func_call(ref_taker, &ref_args, &no_results), "a funcref must be a function or null, got a foreign object");
  wasm_foreign_delete(foreign);
  wasm_func_delete(ref_taker);
  delete_bad_use(&b);
}

static void test_tables_globals_memories(wasm_store_t* store) {
  printf("tables, globals and memories misused\n");
  bad_use_instance b = instantiate_bad_use(store, identity_callback);
  wasm_func_t* f = b.f;
  wasm_table_t* table = wasm_extern_as_table(find_export(b.module, &b.exports, "table"));
  wasm_global_t* constant = wasm_extern_as_global(find_export(b.module, &b.exports, "const"));
  CHECK(table && constant);
  CHECK(wasm_extern_as_func(find_export(b.module, &b.exports, "table")) == NULL);

  CHECK(!wasm_table_set(table, 2, NULL));
  CHECK_LAST_ERROR("index 2 is out of bounds for a table of 2 elements");
  CHECK(wasm_table_get(table, 5) == NULL);
  CHECK_LAST_ERROR("out of bounds");
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  CHECK(!wasm_table_set(table, 0, wasm_foreign_as_ref(foreign)));
  CHECK_LAST_ERROR("a funcref must be a function");
  CHECK(wasm_table_set(table, 0, wasm_func_as_ref(f)));
  CHECK(!wasm_table_grow(table, 0xFFFFFFFFu, NULL));
  CHECK_LAST_ERROR("exceed");

  wasm_val_t v = WASM_I32_VAL(9);
  wasm_global_set(constant, &v);
  CHECK_LAST_ERROR("immutable");
  wasm_val_t got;
  wasm_global_get(constant, &got);
  CHECK(got.kind == WASM_I32 && got.of.i32 == 7);
  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_f64(), WASM_VAR);
  CHECK(wasm_global_new(store, gt, &v) == NULL);
  CHECK_LAST_ERROR("initial value: expected f64, got i32");
  wasm_globaltype_delete(gt);

  wasm_limits_t too_big = {70000, 0xffffffff};
  wasm_memorytype_t* mt = wasm_memorytype_new(&too_big);
  CHECK(wasm_memory_new(store, mt) == NULL);
  CHECK_LAST_ERROR("exceeds the limit of 65536");
  wasm_memorytype_delete(mt);
  wasm_limits_t inverted = {3, 2};
  wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &inverted);
  CHECK(wasm_table_new(store, tt, NULL) == NULL);
  CHECK_LAST_ERROR("minimum 3 exceeds maximum 2");
  wasm_tabletype_delete(tt);
  tt = wasm_tabletype_new(wasm_valtype_new_i32(), &inverted);
  CHECK(wasm_table_new(store, tt, NULL) == NULL);
  CHECK_LAST_ERROR("element type must be");
  wasm_tabletype_delete(tt);
  CHECK(wasm_valtype_new(42) == NULL);
  CHECK_LAST_ERROR("42 is not a value kind");
  CHECK(wasm_func_new(store, NULL, identity_callback) == NULL);
  CHECK_LAST_ERROR("function type is NULL");
  CHECK(aperture_instance_memory(b.instance, 0) == NULL);
  CHECK_LAST_ERROR("has no memory 0");

  wasm_foreign_delete(foreign);
  delete_bad_use(&b);
}

static void test_regions_that_cannot_be_opened(wasm_store_t* store) {
  printf("regions that cannot be opened, windows that cannot be mapped\n");
  aperture_region_t* r = NULL;
  CHECK_ERROR(aperture_region_open_shm("/aperture-capi-no-such-region", 0, true, &r),
              "cannot open shm region '/aperture-capi-no-such-region'", 44);
  CHECK(r == NULL);
  CHECK_ERROR(aperture_region_open_shm("no-slash", 0, true, &r), "cannot open shm region 'no-slash'", 44);
  CHECK_ERROR(aperture_region_open_file("/nonexistent/dir/file", 0, 4096, false, true, &r),
              "/nonexistent/dir/file", 44);
  CHECK_ERROR(aperture_region_open_device("/nonexistent/uio0", 0, 4096, true, &r), "/nonexistent/uio0", 44);
  CHECK_ERROR(aperture_region_create_memfd(0, "empty", &r), "size must not be 0", 28);
  CHECK_ERROR(aperture_region_from_fd(-1, 0, 4096, true, "nofd", &r), "nofd", 8);
  CHECK_ERROR(aperture_region_open_shm(NULL, 0, true, &r), "shm_name must not be NULL", 28);
  CHECK_ERROR(aperture_region_create_anonymous(4096, NULL, NULL), "out must not be NULL", 28);
  CHECK_ERROR(aperture_region_remove_shm("/aperture-capi-no-such-region"), "No such file", 44);

  wasm_limits_t limits = {1, 2};
  wasm_memorytype_t* mt = wasm_memorytype_new(&limits);
  wasm_memory_t* memory = wasm_memory_new(store, mt);
  wasm_memorytype_delete(mt);
  aperture_region_t* region = NULL;
  CHECK_OK(aperture_region_create_memfd(8192, "req", &region));
  CHECK_ERROR(aperture_memory_map(memory, region, 0, 0, 0x1001, APERTURE_ACCESS_READ, NULL),
              "must be multiples of the page size", 28);
  CHECK_ERROR(aperture_memory_map(memory, region, 0, 0x10000, 0x100000, APERTURE_ACCESS_READ, NULL),
              "outside the region", 28);
  CHECK_ERROR(aperture_memory_map(memory, region, 0, 0, 0xFFFFF000, APERTURE_ACCESS_READ, NULL),
              "leaves the 4 GiB address space", 28);
  CHECK_ERROR(aperture_memory_map(memory, region, 0, 0, 0x100000, 7, NULL), "access 7 is invalid", 28);
  CHECK_OK(aperture_memory_map(memory, region, 0, 0, 0x100000, APERTURE_ACCESS_READ, NULL));
  CHECK_ERROR(aperture_memory_map(memory, region, 0, 0, 0x101000, APERTURE_ACCESS_READ, NULL),
              "overlaps an existing window", 20);
  CHECK_ERROR(aperture_memory_unmap(memory, 0x100000, 4096), "no window at 0x100000", 28);
  CHECK_ERROR(aperture_memory_protect(memory, 0x200000, 4096, APERTURE_ACCESS_READ), "no window", 28);
  CHECK(!wasm_memory_grow(memory, 5));
  CHECK_LAST_ERROR("growing by 5 pages");
  char buf[16];
  CHECK_ERROR(aperture_memory_read(memory, 0x300000, buf, sizeof buf), "out of bounds memory access", 21);
  CHECK_ERROR(aperture_memory_read(memory, 0x10000 - 4, buf, sizeof buf), "out of bounds", 21);
  CHECK_ERROR(aperture_memory_write(memory, 0x100000, buf, sizeof buf), "read-only window of region 'req'", 21);
  CHECK_ERROR(aperture_memory_map(NULL, region, 0, 0, 0, APERTURE_ACCESS_READ, NULL), "memory must not be NULL", 28);

  aperture_region_t* ro = NULL;
  char path[] = "/tmp/aperture-capi-ro-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0 && ftruncate(fd, 4096) == 0);
  CHECK_OK(aperture_region_open_file(path, 0, 0, false, false, &ro));
  CHECK_ERROR(aperture_memory_map(memory, ro, 0, 0, 0x400000, APERTURE_ACCESS_READ_WRITE, NULL),
              "the region is read-only", 2);
  aperture_linker_t* linker = aperture_linker_new(store);
  CHECK_ERROR(aperture_linker_bind(linker, 0, ro, 0, 0, 0x400000, APERTURE_ACCESS_READ_WRITE), "read-only", 2);
  aperture_linker_delete(linker);
  aperture_region_delete(ro);
  close(fd);
  unlink(path);

  aperture_region_delete(region);
  wasm_memory_delete(memory);
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  CHECK(aperture_last_error() == NULL);
  test_invalid_module_bytes(store);
  test_serialized_module_checks(store, aperture_engine_name(engine));
  test_wrong_imports(store);
  test_wrong_call_arguments(store);
  test_tables_globals_memories(store);
  test_regions_that_cannot_be_opened(store);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return test_summary("bad_use_test");
}
