/* The C API for regions, from C: every backing mapped into an instance's memory, the
 * guest writing what the host reads (and the reverse) through the same pages, read-only
 * windows that trap with a message and frames readable through wasm_trap_t, protect and
 * unmap, grants with the guest import module "aperture", bindings before the start
 * function, WASI configuration and engine choice. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capi_test.h"

#define WINDOW_ADDR 0x100000u  /* above the guest's 64 KiB memory */
#define RO_ADDR 0x200000u

typedef struct {
  wasm_engine_t* engine;
  wasm_store_t* store;
  wasm_module_t* module;
  wasm_instance_t* instance;
  wasm_extern_vec_t exports;
  wasm_memory_t* memory;  /* memory 0, through aperture_instance_memory */
} fixture;

static void setup(fixture* f, const char* module_name) {
  f->engine = wasm_engine_new();
  f->store = wasm_store_new(f->engine);
  f->module = load_module(f->store, module_name);
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  wasm_trap_t* trap = NULL;
  f->instance = wasm_instance_new(f->store, f->module, &none, &trap);
  if (!f->instance) {
    fprintf(stderr, "instantiation failed: %s\n", trap ? trap_text(trap) : "?");
    exit(2);
  }
  wasm_instance_exports(f->instance, &f->exports);
  f->memory = aperture_instance_memory(f->instance, 0);
}

static void teardown(fixture* f) {
  wasm_memory_delete(f->memory);
  wasm_extern_vec_delete(&f->exports);
  wasm_instance_delete(f->instance);
  wasm_module_delete(f->module);
  wasm_store_delete(f->store);
  wasm_engine_delete(f->engine);
}

/* Calls export `name` with up to 3 i32 arguments; returns its trap (NULL on success) and
 * the i32 result, if any, in *result. */
static wasm_trap_t* call_i32(fixture* f, const char* name, int nargs, int32_t a, int32_t b,
                             int32_t c, int32_t* result) {
  wasm_func_t* fn = export_func(f->module, &f->exports, name);
  wasm_val_t args[3] = {WASM_I32_VAL(a), WASM_I32_VAL(b), WASM_I32_VAL(c)};
  wasm_val_t res[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args_vec = {(size_t)nargs, args};
  wasm_val_vec_t res_vec = {wasm_func_result_arity(fn), res};
  wasm_trap_t* trap = wasm_func_call(fn, &args_vec, &res_vec);
  if (!trap && result && res_vec.size) *result = res[0].of.i32;
  return trap;
}

static char shm_name[64];

/* Maps `region` read-write at WINDOW_ADDR; the guest writes, the host reads the region's
 * bytes; the host writes, the guest reads. */
static void check_shared_bytes(fixture* f, aperture_region_t* region, const char* what) {
  printf("%s region '%s', %llu bytes\n", what, aperture_region_name(region),
         (unsigned long long)aperture_region_size(region));
  uint64_t at = 0;
  CHECK_OK(aperture_memory_map(f->memory, region, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ_WRITE, &at));
  CHECK(at == WINDOW_ADDR);
  CHECK(aperture_memory_window_count(f->memory) == 1);
  int32_t result = 0;
  CHECK(call_i32(f, "fill", 3, WINDOW_ADDR, 64, 5, NULL) == NULL);
  const int32_t* host = (const int32_t*)aperture_region_data(region);
  CHECK(host != NULL);
  for (int i = 0; host && i < 64; ++i) CHECK(host[i] == 5 * i + i);
  int32_t* host_w = (int32_t*)aperture_region_data(region);
  int32_t expected = 0;
  for (int i = 0; host_w && i < 64; ++i) {
    host_w[i] = 1000 + i;
    expected += 1000 + i;
  }
  CHECK(call_i32(f, "sum", 2, WINDOW_ADDR, 64, 0, &result) == NULL);
  CHECK(result == expected);
  /* The checked host copies see the same bytes. */
  int32_t word = 0;
  CHECK_OK(aperture_memory_read(f->memory, WINDOW_ADDR + 4, &word, sizeof word));
  CHECK(word == 1001);
  word = 77;
  CHECK_OK(aperture_memory_write(f->memory, WINDOW_ADDR, &word, sizeof word));
  CHECK(host && host[0] == 77);
  CHECK_OK(aperture_memory_unmap(f->memory, WINDOW_ADDR, aperture_region_size(region)));
  CHECK(aperture_memory_window_count(f->memory) == 0);
}

static void test_shm_region_guest_writes_host_reads(void) {
  printf("shm region: guest writes, host reads\n");
  fixture f;
  setup(&f, "regions");
  aperture_region_t* shm = NULL;
  CHECK_OK(aperture_region_create_shm(shm_name, 64 * 1024, &shm));
  CHECK(shm && aperture_region_backing(shm) == APERTURE_BACKING_SHM);
  CHECK(shm && aperture_region_writable(shm));
  if (shm) check_shared_bytes(&f, shm, "shm");
  /* Another open of the same shm object (as another process would) sees the guest's
   * bytes. */
  uint64_t at = 0;
  CHECK_OK(aperture_memory_map(f.memory, shm, 0, 0, APERTURE_MAP_ANYWHERE, APERTURE_ACCESS_READ_WRITE, &at));
  CHECK(at >= 64 * 1024 && at % aperture_page_size() == 0);
  CHECK(call_i32(&f, "fill", 3, (int32_t)at, 8, 9, NULL) == NULL);
  aperture_region_t* again = NULL;
  CHECK_OK(aperture_region_open_shm(shm_name, 0, false, &again));
  if (again) {
    CHECK(!aperture_region_writable(again));
    const int32_t* other = (const int32_t*)aperture_region_data(again);
    for (int i = 0; other && i < 8; ++i) CHECK(other[i] == 9 * i + i);
    aperture_region_delete(again);
  }
  CHECK_OK(aperture_region_remove_shm(shm_name));
  aperture_region_delete(shm);  /* the window keeps the mapping alive */
  CHECK(call_i32(&f, "fill", 3, (int32_t)at, 8, 1, NULL) == NULL);
  teardown(&f);
}

static void test_every_backing(void) {
  printf("every backing\n");
  fixture f;
  setup(&f, "regions");
  aperture_region_t* r = NULL;

  CHECK_OK(aperture_region_create_anonymous(8192, "anon-test", &r));
  if (r) {
    CHECK(aperture_region_backing(r) == APERTURE_BACKING_ANONYMOUS);
    check_shared_bytes(&f, r, "anonymous");
    aperture_region_delete(r);
  }
  CHECK_OK(aperture_region_create_memfd(8192, NULL, &r));
  if (r) {
    CHECK(aperture_region_backing(r) == APERTURE_BACKING_MEMFD);
    check_shared_bytes(&f, r, "memfd");
    aperture_region_delete(r);
  }
  char path[] = "/tmp/aperture-capi-file-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  CHECK_OK(aperture_region_open_file(path, 0, 8192, true, true, &r));
  if (r) {
    CHECK(aperture_region_backing(r) == APERTURE_BACKING_FILE);
    check_shared_bytes(&f, r, "file");
    aperture_region_delete(r);
    /* The guest's last bytes reached the file. */
    int32_t first = 0;
    CHECK(pread(fd, &first, sizeof first, 0) == (ssize_t)sizeof first);
    CHECK(first == 77);
  }
  /* A device region over a regular file stands in for UIO or /dev/mem here. */
  CHECK_OK(aperture_region_open_device(path, 0, 8192, true, &r));
  if (r) {
    CHECK(aperture_region_backing(r) == APERTURE_BACKING_DEVICE);
    check_shared_bytes(&f, r, "device");
    aperture_region_delete(r);
  }
  close(fd);
  unlink(path);
  int mfd = memfd_create("capi-test-fd", 0);
  CHECK(mfd >= 0 && ftruncate(mfd, 8192) == 0);
  aperture_region_t* own_size = NULL;
  CHECK_OK(aperture_region_from_fd(mfd, 0, 0, true, "own-size", &own_size));  /* 0: the fd's size */
  CHECK(own_size && aperture_region_size(own_size) == 8192);
  aperture_region_delete(own_size);
  CHECK_OK(aperture_region_from_fd(mfd, 0, 8192, true, "handed-in", &r));
  close(mfd);  /* the region holds its own duplicate */
  if (r) {
    CHECK(aperture_region_backing(r) == APERTURE_BACKING_FD);
    CHECK(strcmp(aperture_region_name(r), "handed-in") == 0);
    check_shared_bytes(&f, r, "fd");
    aperture_region_t* copy = aperture_region_copy(r);
    CHECK(copy && aperture_region_size(copy) == aperture_region_size(r));
    aperture_region_delete(copy);
    aperture_region_delete(r);
  }
  teardown(&f);
}

static void print_frame(const wasm_frame_t* frame) {
  printf("  frame: func %u, module offset 0x%zx, function offset 0x%zx\n",
         wasm_frame_func_index(frame), wasm_frame_module_offset(frame),
         wasm_frame_func_offset(frame));
}

static void test_read_only_window_traps_with_frames(void) {
  printf("read-only window: write traps; message and frames through wasm_trap_t\n");
  fixture f;
  setup(&f, "regions");
  aperture_region_t* r = NULL;
  CHECK_OK(aperture_region_create_memfd(4096, "calibration", &r));
  CHECK_OK(aperture_memory_map(f.memory, r, 0, 0, RO_ADDR, APERTURE_ACCESS_READ, NULL));

  /* Direct: poke (function 2) writes the read-only window. */
  wasm_trap_t* trap = call_i32(&f, "poke", 2, RO_ADDR + 8, 1, 0, NULL);
  CHECK(trap != NULL);
  if (trap) {
    printf("  trap: %s\n", trap_text(trap));
    CHECK(contains(trap_text(trap), "read-only window of region 'calibration'"));
    wasm_frame_t* origin = wasm_trap_origin(trap);
    CHECK(origin != NULL);
    if (origin) {
      print_frame(origin);
      CHECK(wasm_frame_func_index(origin) == 2);
      CHECK(wasm_instance_same(wasm_frame_instance(origin), f.instance));
      wasm_frame_t* copy = wasm_frame_copy(origin);
      CHECK(wasm_frame_func_index(copy) == 2);
      wasm_frame_delete(copy);
      wasm_frame_delete(origin);
    }
    wasm_trap_delete(trap);
  }
  /* Through a call: two frames, innermost (poke) first, the caller at its call. */
  trap = call_i32(&f, "poke_via_call", 2, RO_ADDR, 1, 0, NULL);
  CHECK(trap != NULL);
  if (trap) {
    wasm_frame_vec_t trace;
    wasm_trap_trace(trap, &trace);
    CHECK(trace.size == 2);
    for (size_t i = 0; i < trace.size; ++i) print_frame(trace.data[i]);
    if (trace.size == 2) {
      CHECK(wasm_frame_func_index(trace.data[0]) == 2);
      CHECK(wasm_frame_func_index(trace.data[1]) == 3);
      /* The interpreter knows where the caller stands (its call); compiled frames do not
       * record instruction offsets and report the function's start (docs/embedding.md). */
      if (strcmp(aperture_engine_name(f.engine), "interp") == 0)
        CHECK(wasm_frame_func_offset(trace.data[1]) > 0);
      else
        CHECK(wasm_frame_func_offset(trace.data[1]) == 0);
      CHECK(wasm_instance_same(wasm_frame_instance(trace.data[1]), f.instance));
    }
    wasm_frame_vec_delete(&trace);
    wasm_trap_delete(trap);
  }
  /* Reads are fine; the host's checked write is refused with the same reason. */
  int32_t result = -1;
  CHECK(call_i32(&f, "sum", 2, RO_ADDR, 4, 0, &result) == NULL);
  CHECK(result == 0);
  int32_t word = 5;
  CHECK_ERROR(aperture_memory_write(f.memory, RO_ADDR, &word, sizeof word), "read-only", 0);

  /* protect: read-write now, the write lands in the region. */
  CHECK_OK(aperture_memory_protect(f.memory, RO_ADDR, 4096, APERTURE_ACCESS_READ_WRITE));
  CHECK(call_i32(&f, "poke", 2, RO_ADDR + 8, 42, 0, NULL) == NULL);
  CHECK(((int32_t*)aperture_region_data(r))[2] == 42);
  /* unmap: the address above the memory's size is out of bounds again. */
  CHECK_OK(aperture_memory_unmap(f.memory, RO_ADDR, 4096));
  CHECK_TRAP(call_i32(&f, "poke", 2, RO_ADDR, 1, 0, NULL), "out of bounds memory access");
  aperture_region_delete(r);
  teardown(&f);
}

static void test_grants_and_guest_api(void) {
  printf("grants: the guest maps a granted region itself\n");
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, "grants");
  aperture_region_t* r = NULL;
  CHECK_OK(aperture_region_create_memfd(4096, "shared-results", &r));
  aperture_grants_t* grants = aperture_grants_new();
  CHECK_OK(aperture_grants_add(grants, "shared", r, APERTURE_ACCESS_READ_WRITE));
  aperture_linker_t* linker = aperture_linker_new(store);
  CHECK_OK(aperture_linker_define_grants(linker, grants));
  aperture_grants_delete(grants);  /* the store keeps what the guest API needs */
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = aperture_linker_instantiate(linker, module, &trap);
  CHECK(instance != NULL && trap == NULL);
  if (instance) {
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_val_t args[1] = {WASM_I32_VAL(0x5EED)};
    wasm_val_t res[1] = {WASM_INIT_VAL};
    wasm_val_vec_t a = WASM_ARRAY_VEC(args), rv = WASM_ARRAY_VEC(res);
    CHECK(wasm_func_call(export_func(module, &exports, "write_shared"), &a, &rv) == NULL);
    printf("  guest mapped the region at 0x%llx\n", (unsigned long long)res[0].of.i64);
    CHECK(res[0].kind == WASM_I64 && res[0].of.i64 >= 65536);
    CHECK(((int32_t*)aperture_region_data(r))[0] == 0x5EED);
    wasm_val_vec_t none = WASM_EMPTY_VEC;
    wasm_val_t r1[1] = {WASM_INIT_VAL};
    wasm_val_vec_t rv1 = WASM_ARRAY_VEC(r1);
    CHECK(wasm_func_call(export_func(module, &exports, "open_missing"), &none, &rv1) == NULL);
    CHECK(r1[0].of.i32 == -44);  /* ENOENT: only granted names can be opened */
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
  }
  /* Granting write access to a read-only region is refused. */
  aperture_region_t* ro = NULL;
  CHECK_ERROR(aperture_region_open_shm(shm_name, 0, false, &ro), "No such file", 44);
  CHECK(ro == NULL);  /* removed above */
  CHECK_OK(aperture_region_create_shm(shm_name, 4096, &ro));
  aperture_region_t* ro_view = NULL;
  CHECK_OK(aperture_region_open_shm(shm_name, 0, false, &ro_view));
  aperture_grants_t* g2 = aperture_grants_new();
  CHECK_ERROR(aperture_grants_add(g2, "x", ro_view, APERTURE_ACCESS_READ_WRITE), "read-only", 0);
  CHECK_ERROR(aperture_grants_add(g2, "x", ro_view, 2), "access 2 is invalid", 28);
  aperture_grants_delete(g2);
  aperture_region_delete(ro_view);
  aperture_region_delete(ro);
  CHECK_OK(aperture_region_remove_shm(shm_name));
  aperture_linker_delete(linker);
  aperture_region_delete(r);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

static void test_binding_before_start(void) {
  printf("bindings: a window in place before the start function runs\n");
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, "bind_start");
  aperture_region_t* r = NULL;
  CHECK_OK(aperture_region_create_memfd(4096, "boot", &r));
  aperture_linker_t* linker = aperture_linker_new(store);

  /* Without the binding the start function traps: instantiation fails with a trap. */
  wasm_trap_t* trap = NULL;
  CHECK(aperture_linker_instantiate(linker, module, &trap) == NULL);
  CHECK_TRAP(trap, "out of bounds memory access");

  CHECK_OK(aperture_linker_bind(linker, 0, r, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ_WRITE));
  wasm_instance_t* instance = aperture_linker_instantiate(linker, module, &trap);
  CHECK(instance != NULL && trap == NULL);
  CHECK(((uint32_t*)aperture_region_data(r))[0] == 0xC0FFEE);
  wasm_instance_delete(instance);

  /* A binding that cannot be established fails instantiation with its reason. */
  aperture_linker_t* bad = aperture_linker_new(store);
  CHECK_OK(aperture_linker_bind(bad, 0, r, 0, 0, WINDOW_ADDR + 1, APERTURE_ACCESS_READ));
  CHECK(aperture_linker_instantiate(bad, module, &trap) == NULL);
  CHECK_TRAP(trap, "multiples of the page size");
  CHECK_LAST_ERROR("multiples of the page size");
  aperture_linker_delete(bad);
  aperture_linker_delete(linker);
  aperture_region_delete(r);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

static void test_wasi_configuration(void) {
  printf("WASI: args, env, stdio, proc_exit\n");
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, "wasi");
  char path[] = "/tmp/aperture-capi-stdout-XXXXXX";
  int out = mkstemp(path);
  CHECK(out >= 0);
  aperture_wasi_config_t* config = aperture_wasi_config_new();
  const char* argv[] = {"prog", "one", "two"};
  aperture_wasi_config_set_args(config, 3, argv);
  aperture_wasi_config_add_env(config, "MODE", "test");
  aperture_wasi_config_set_stdio(config, 0, out, 2);
  aperture_linker_t* linker = aperture_linker_new(store);
  CHECK_OK(aperture_linker_define_wasi(linker, config));
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = aperture_linker_instantiate(linker, module, &trap);
  CHECK(instance != NULL);
  if (instance) {
    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_val_vec_t none = WASM_EMPTY_VEC;
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t rv = WASM_ARRAY_VEC(r);
    CHECK(wasm_func_call(export_func(module, &exports, "argc"), &none, &rv) == NULL);
    CHECK(r[0].of.i32 == 3);
    CHECK(wasm_func_call(export_func(module, &exports, "envc"), &none, &rv) == NULL);
    CHECK(r[0].of.i32 == 1);
    wasm_trap_t* exit_trap = wasm_func_call(export_func(module, &exports, "_start"), &none, &none);
    int status = -1;
    CHECK(exit_trap && aperture_trap_exit_status(exit_trap, &status) && status == 3);
    wasm_trap_delete(exit_trap);
    char buf[64] = {0};
    CHECK(pread(out, buf, sizeof buf - 1, 0) == 16);
    CHECK(strcmp(buf, "hello from wasi\n") == 0);
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
  }
  /* A preopen that cannot be opened is an error, before anything runs. */
  aperture_wasi_config_add_preopen(config, "/nonexistent/aperture-dir", "/data");
  CHECK_ERROR(aperture_linker_define_wasi(linker, config), "/nonexistent/aperture-dir", 0);
  aperture_wasi_config_delete(config);
  aperture_linker_delete(linker);
  close(out);
  unlink(path);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

static void test_engine_choice(void) {
  printf("engines\n");
  CHECK(aperture_engine_count() >= 1);
  for (size_t i = 0; i < aperture_engine_count(); ++i) {
    const char* name = aperture_engine_name_at(i);
    printf("  engine %zu: %s\n", i, name);
    wasm_config_t* config = wasm_config_new();
    CHECK_OK(aperture_config_set_engine(config, name));
    wasm_engine_t* engine = wasm_engine_new_with_config(config);
    CHECK(strcmp(aperture_engine_name(engine), name) == 0);
    wasm_engine_delete(engine);
  }
  CHECK(aperture_engine_name_at(aperture_engine_count()) == NULL);
  wasm_config_t* config = wasm_config_new();
  CHECK_ERROR(aperture_config_set_engine(config, "warp-drive"), "unknown engine 'warp-drive'; available: ", 0);
  CHECK_ERROR(aperture_config_set_opt_level(config, 9), "outside 0..3", 0);
  CHECK_OK(aperture_config_set_opt_level(config, 1));
  wasm_config_delete(config);
  CHECK(strcmp(aperture_version(), "0.1.0") == 0);
}

int main(void) {
  snprintf(shm_name, sizeof shm_name, "/aperture-capi-test-%d", (int)getpid());
  test_shm_region_guest_writes_host_reads();
  test_every_backing();
  test_read_only_window_traps_with_frames();
  test_grants_and_guest_api();
  test_binding_before_start();
  test_wasi_configuration();
  test_engine_choice();
  aperture_error_delete(aperture_region_remove_shm(shm_name));  /* whatever happened */
  return test_summary("region_api_test");
}
