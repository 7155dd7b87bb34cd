/* The region features of aperture.h beyond plain windows (issue 24), one test each:
 * host-memory regions, attach modes (non-blocking and with a timeout), copy mode and
 * sync, windows on memory 1, wait/notify from the host (also across a fork), the shared
 * heap, region-backed memories (imported and defined, with extend), bindings with
 * options, and a module's aperture.bind section (and the error for a missing region).
 * Compiled as C11 with -Wall -Wextra -Werror; run in every engine and under ASan. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capi_test.h"

#define WINDOW_ADDR 0x100000u
#define EBUSY_ 10
#define EINVAL_ 28
#define EACCES_ 2
#define ENOTSUP_ 58
#define ETIMEDOUT_ 73

typedef struct {
  wasm_engine_t* engine;
  wasm_store_t* store;
  wasm_module_t* module;
  aperture_linker_t* linker;
} world;

static void world_new(world* w, const char* module_name) {
  w->engine = wasm_engine_new();
  w->store = wasm_store_new(w->engine);
  w->module = load_module(w->store, module_name);
  w->linker = aperture_linker_new(w->store);
}

static void world_delete(world* w) {
  aperture_linker_delete(w->linker);
  wasm_module_delete(w->module);
  wasm_store_delete(w->store);
  wasm_engine_delete(w->engine);
}

/* An instance of w->module through the linker; exits when instantiation fails. */
static wasm_instance_t* instantiate(world* w) {
  wasm_trap_t* trap = NULL;
  wasm_instance_t* i = aperture_linker_instantiate(w->linker, w->module, &trap);
  if (!i) {
    fprintf(stderr, "instantiation failed: %s\n", trap ? trap_text(trap) : "?");
    exit(2);
  }
  return i;
}

/* Calls export `name` of `instance` with up to two i32 arguments; returns the i32 result
 * (0 for none); a trap is a failed check. */
static int32_t call(world* w, wasm_instance_t* instance, const char* name, int nargs, int32_t a,
                    int32_t b) {
  wasm_extern_vec_t exports;
  wasm_val_t args[2];
  wasm_val_t res[1];
  wasm_val_vec_t args_vec;
  wasm_val_vec_t res_vec;
  wasm_func_t* fn;
  wasm_trap_t* trap;
  wasm_instance_exports(instance, &exports);
  fn = export_func(w->module, &exports, name);
  args[0].kind = WASM_I32;
  args[0].of.i32 = a;
  args[1].kind = WASM_I32;
  args[1].of.i32 = b;
  res[0].kind = WASM_I32;
  res[0].of.i32 = 0;
  args_vec.size = (size_t)nargs;
  args_vec.data = args;
  res_vec.size = wasm_func_result_arity(fn);
  res_vec.data = res;
  trap = wasm_func_call(fn, &args_vec, &res_vec);
  if (trap) {
    fprintf(stderr, "%s trapped: %s\n", name, trap_text(trap));
    ++test_failures;
    wasm_trap_delete(trap);
  }
  wasm_extern_vec_delete(&exports);
  return res[0].of.i32;
}

static void test_host_memory_region(void) {
  static uint32_t buffer[1024];  /* 4 KiB: a vendor library's buffer, no fd */
  world w;
  wasm_instance_t* inst;
  wasm_memory_t* mem;
  aperture_region_t* r = NULL;
  aperture_region_t* none = NULL;
  aperture_window_options_t attach = {APERTURE_WINDOW_DEFAULT, APERTURE_ATTACH_SHARED, 0};
  printf("host-memory region: a copy window, synced back to the buffer\n");
  world_new(&w, "two_memories");
  inst = instantiate(&w);
  mem = aperture_instance_memory(inst, 0);
  buffer[0] = 7;
  CHECK_OK(aperture_region_from_host_memory(buffer, sizeof buffer, true, "vendor", &r));
  CHECK(aperture_region_backing(r) == APERTURE_BACKING_HOST_MEMORY);
  CHECK_OK(aperture_memory_map(mem, r, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ_WRITE, NULL));
  CHECK(aperture_memory_window_mode(mem, WINDOW_ADDR) == APERTURE_WINDOW_COPY);
  CHECK(call(&w, inst, "load", 1, WINDOW_ADDR, 0) == 7);
  call(&w, inst, "store", 2, WINDOW_ADDR + 4, 99);
  CHECK(buffer[1] == 0);  /* a copy: the buffer changes on sync */
  CHECK_OK(aperture_memory_sync(mem, WINDOW_ADDR, 4096));
  CHECK(buffer[1] == 99);
  CHECK_ERROR(aperture_memory_sync(mem, WINDOW_ADDR + 4096, 4096), "", EINVAL_);
  /* Attach modes need a descriptor. */
  CHECK_ERROR(aperture_memory_map_with_options(mem, r, 0, 0, 2 * WINDOW_ADDR, APERTURE_ACCESS_READ,
                                               &attach, NULL),
              "", ENOTSUP_);
  CHECK_ERROR(aperture_region_from_host_memory(NULL, 4096, true, "null", &none), "null pointer", EINVAL_);
  CHECK(none == NULL);
  CHECK_OK(aperture_memory_unmap(mem, WINDOW_ADDR, 4096));
  aperture_region_delete(r);
  wasm_memory_delete(mem);
  wasm_instance_delete(inst);
  world_delete(&w);
}

static void test_attach_modes(void) {
  world w;
  wasm_instance_t *a, *b;
  wasm_memory_t *ma, *mb;
  aperture_region_t* r = NULL;
  aperture_window_options_t excl = {APERTURE_WINDOW_DEFAULT, APERTURE_ATTACH_EXCLUSIVE, 0};
  aperture_window_options_t shared = {APERTURE_WINDOW_DEFAULT, APERTURE_ATTACH_SHARED, 0};
  aperture_window_options_t bad = {APERTURE_WINDOW_DEFAULT, 7, 0};
  struct timespec t0, t1;
  double waited;
  printf("attach modes: exclusive writer, shared readers, EBUSY and ETIMEDOUT\n");
  world_new(&w, "two_memories");
  a = instantiate(&w);
  b = instantiate(&w);
  ma = aperture_instance_memory(a, 0);
  mb = aperture_instance_memory(b, 0);
  CHECK_OK(aperture_region_create_memfd(65536, "frames", &r));
  CHECK_OK(aperture_memory_map_with_options(ma, r, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ_WRITE, &excl, NULL));
  CHECK(aperture_memory_window_attach(ma, WINDOW_ADDR) == APERTURE_ATTACH_EXCLUSIVE);
  CHECK_ERROR(aperture_memory_map_with_options(mb, r, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ, &shared, NULL),
              "", EBUSY_);
  shared.wait_ns = 50 * 1000 * 1000;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK_ERROR(aperture_memory_map_with_options(mb, r, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ, &shared, NULL),
              "", ETIMEDOUT_);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  CHECK(waited >= 0.045);
  CHECK_ERROR(aperture_memory_map_with_options(mb, r, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ, &excl, NULL),
              "", EINVAL_);  /* exclusive must be read-write */
  CHECK_ERROR(aperture_memory_map_with_options(mb, r, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ, &bad, NULL),
              "attach mode 7 is invalid", EINVAL_);
  /* The writer detaches: two readers share. */
  CHECK_OK(aperture_memory_unmap(ma, WINDOW_ADDR, 65536));
  shared.wait_ns = 0;
  CHECK_OK(aperture_memory_map_with_options(ma, r, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ, &shared, NULL));
  CHECK_OK(aperture_memory_map_with_options(mb, r, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ, &shared, NULL));
  CHECK(aperture_memory_window_attach(mb, WINDOW_ADDR) == APERTURE_ATTACH_SHARED);
  aperture_region_delete(r);
  wasm_memory_delete(ma);
  wasm_memory_delete(mb);
  wasm_instance_delete(a);
  wasm_instance_delete(b);
  world_delete(&w);
}

/* Unmaps the writer's window after 50 ms (another thread, another store). */
typedef struct {
  wasm_memory_t* memory;
  aperture_error_t* error;  /* checked by the main thread after the join */
} release_arg;

static void* release_later(void* p) {
  release_arg* a = (release_arg*)p;
  usleep(50000);
  a->error = aperture_memory_unmap(a->memory, WINDOW_ADDR, 4096);
  return NULL;
}

static void test_attach_waits_until_released(void) {
  world wa, wb;
  wasm_instance_t *a, *b;
  aperture_region_t* r = NULL;
  aperture_window_options_t excl = {APERTURE_WINDOW_MAP, APERTURE_ATTACH_EXCLUSIVE, 0};
  aperture_window_options_t forever = {APERTURE_WINDOW_MAP, APERTURE_ATTACH_SHARED, APERTURE_WAIT_FOREVER};
  release_arg arg;
  pthread_t thread;
  printf("attach with APERTURE_WAIT_FOREVER: granted once the writer detaches\n");
  world_new(&wa, "two_memories");
  world_new(&wb, "two_memories");
  a = instantiate(&wa);
  b = instantiate(&wb);
  arg.memory = aperture_instance_memory(a, 0);
  arg.error = NULL;
  CHECK_OK(aperture_region_create_memfd(4096, "handover", &r));
  CHECK_OK(aperture_memory_map_with_options(arg.memory, r, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ_WRITE, &excl, NULL));
  call(&wa, a, "store", 2, WINDOW_ADDR, 2024);
  CHECK(pthread_create(&thread, NULL, release_later, &arg) == 0);
  {
    wasm_memory_t* mb = aperture_instance_memory(b, 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_OK(aperture_memory_map_with_options(mb, r, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ, &forever, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* It waited for the unmap, 50 ms after the thread started. */
    CHECK((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 30);
    CHECK(call(&wb, b, "load", 1, WINDOW_ADDR, 0) == 2024);
    wasm_memory_delete(mb);
  }
  pthread_join(thread, NULL);
  CHECK_OK(arg.error);
  aperture_region_delete(r);
  wasm_memory_delete(arg.memory);
  wasm_instance_delete(a);
  wasm_instance_delete(b);
  world_delete(&wa);
  world_delete(&wb);
}

static void test_copy_mode_and_default(void) {
  world w;
  wasm_instance_t* inst;
  wasm_memory_t* mem;
  aperture_region_t* r = NULL;
  aperture_window_options_t copy = {APERTURE_WINDOW_COPY, APERTURE_ATTACH_NONE, 0};
  aperture_window_mode_t mode = APERTURE_WINDOW_DEFAULT;
  uint32_t* data;
  printf("copy mode: writes reach the region on sync; the process default\n");
  world_new(&w, "two_memories");
  inst = instantiate(&w);
  mem = aperture_instance_memory(inst, 0);
  CHECK_OK(aperture_region_create_memfd(4096, "copied", &r));
  data = (uint32_t*)aperture_region_data(r);
  CHECK_OK(aperture_memory_map_with_options(mem, r, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ_WRITE, &copy, NULL));
  CHECK(aperture_memory_window_mode(mem, WINDOW_ADDR) == APERTURE_WINDOW_COPY);
  call(&w, inst, "store", 2, WINDOW_ADDR, 1234);
  CHECK(data[0] == 0);
  CHECK_OK(aperture_memory_sync(mem, WINDOW_ADDR, 4096));
  CHECK(data[0] == 1234);
  call(&w, inst, "store", 2, WINDOW_ADDR, 5678);
  CHECK_OK(aperture_memory_unmap(mem, WINDOW_ADDR, 4096));  /* unmap writes back too */
  CHECK(data[0] == 5678);
  /* The default mode: Map, then Copy for windows made with DEFAULT. */
  CHECK_OK(aperture_default_window_mode(&mode));
  CHECK(mode == APERTURE_WINDOW_MAP);
  CHECK_OK(aperture_set_default_window_mode(APERTURE_WINDOW_COPY));
  CHECK_OK(aperture_memory_map(mem, r, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ, NULL));
  CHECK(aperture_memory_window_mode(mem, WINDOW_ADDR) == APERTURE_WINDOW_COPY);
  CHECK_OK(aperture_set_default_window_mode(APERTURE_WINDOW_MAP));
  CHECK_ERROR(aperture_set_default_window_mode(APERTURE_WINDOW_DEFAULT), "use APERTURE_WINDOW_MAP", EINVAL_);
  CHECK(aperture_memory_window_mode(mem, 0) == APERTURE_WINDOW_DEFAULT);  /* no window there */
  aperture_region_delete(r);
  wasm_memory_delete(mem);
  wasm_instance_delete(inst);
  world_delete(&w);
}

static void test_window_on_memory_1(void) {
  world w;
  wasm_instance_t* inst;
  wasm_memory_t* mem1;
  aperture_region_t* r = NULL;
  aperture_region_t* bound = NULL;
  printf("windows on memory 1, mapped and bound\n");
  world_new(&w, "two_memories");
  CHECK_OK(aperture_region_create_memfd(4096, "one", &r));
  CHECK_OK(aperture_region_create_memfd(4096, "bound1", &bound));
  ((uint32_t*)aperture_region_data(bound))[0] = 31;
  CHECK_OK(aperture_linker_bind(w.linker, 1, bound, 0, 0, 2 * WINDOW_ADDR, APERTURE_ACCESS_READ));
  inst = instantiate(&w);
  CHECK(call(&w, inst, "load1", 1, 2 * WINDOW_ADDR, 0) == 31);
  mem1 = aperture_instance_memory(inst, 1);
  CHECK(mem1 != NULL);
  ((uint32_t*)aperture_region_data(r))[0] = 11;
  CHECK_OK(aperture_memory_map(mem1, r, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ_WRITE, NULL));
  CHECK(call(&w, inst, "load1", 1, WINDOW_ADDR, 0) == 11);
  call(&w, inst, "store1", 2, WINDOW_ADDR + 8, 12);
  CHECK(((uint32_t*)aperture_region_data(r))[2] == 12);
  CHECK(aperture_instance_memory(inst, 2) == NULL);
  CHECK_LAST_ERROR("has no memory 2");
  aperture_region_delete(r);
  aperture_region_delete(bound);
  wasm_memory_delete(mem1);
  wasm_instance_delete(inst);
  world_delete(&w);
}

static void test_wait_notify(void) {
  world w;
  wasm_instance_t* inst;
  wasm_memory_t* mem;
  aperture_region_t* r = NULL;
  aperture_wait_result_t result = 99;
  uint32_t woken = 99;
  uint32_t* data;
  pid_t child;
  int status = -1, tries;
  printf("wait/notify from the host, in one process and across a fork\n");
  world_new(&w, "two_memories");
  inst = instantiate(&w);
  mem = aperture_instance_memory(inst, 0);
  CHECK_OK(aperture_region_create_memfd(4096, "flags", &r));
  data = (uint32_t*)aperture_region_data(r);
  CHECK_OK(aperture_memory_map(mem, r, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ_WRITE, NULL));
  CHECK_OK(aperture_memory_wait32(mem, WINDOW_ADDR, 5, -1, &result));
  CHECK(result == APERTURE_WAIT_NOT_EQUAL);
  CHECK_OK(aperture_memory_wait64(mem, WINDOW_ADDR, 0, 1000000, &result));
  CHECK(result == APERTURE_WAIT_TIMED_OUT);
  CHECK_OK(aperture_region_wait32(r, 0, 0, 1000000, &result));
  CHECK(result == APERTURE_WAIT_TIMED_OUT);
  CHECK_OK(aperture_memory_notify(mem, WINDOW_ADDR, APERTURE_NOTIFY_ALL, &woken));
  CHECK(woken == 0);
  CHECK_ERROR(aperture_memory_wait32(mem, WINDOW_ADDR + 2, 0, 0, &result), "not a multiple of 4", 0);
  CHECK_ERROR(aperture_region_notify(r, 4096, 1, &woken), "", 0);
  fflush(stdout);
  child = fork();
  if (child == 0) {
    /* The child waits on the region's word; the parent wakes it through its window. */
    aperture_error_t* e = aperture_region_wait32(r, 0, 0, 10 * 1000000000LL, &result);
    _exit(e == NULL && result == APERTURE_WAIT_WOKEN && data[1] == 42 ? 0 : 1);
  }
  woken = 0;
  for (tries = 0; tries < 10000 && woken == 0; ++tries) {
    call(&w, inst, "store", 2, WINDOW_ADDR + 4, 42);
    CHECK_OK(aperture_memory_notify(mem, WINDOW_ADDR, 1, &woken));
    if (woken == 0) usleep(1000);
  }
  CHECK(woken == 1);
  waitpid(child, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  aperture_region_delete(r);
  wasm_memory_delete(mem);
  wasm_instance_delete(inst);
  world_delete(&w);
}

static void test_shared_heap(void) {
  world w;
  wasm_instance_t* inst;
  aperture_region_t* r = NULL;
  aperture_region_t* fresh = NULL;
  aperture_shared_heap_t* heap = NULL;
  aperture_shared_heap_t* other = NULL;
  aperture_shared_heap_usage_t usage;
  aperture_shared_heap_owner_t owners[4];
  aperture_shared_heap_options_t reclaim = {true, true};
  aperture_shared_heap_options_t join_only = {false, false};
  uint64_t host_block, base;
  int32_t guest_block;
  printf("shared heap: guest and host allocate from one heap\n");
  world_new(&w, "heap_guest");
  CHECK_OK(aperture_region_create_memfd(65536, "heap", &r));
  CHECK_OK(aperture_shared_heap_open(r, NULL, &heap));
  base = aperture_shared_heap_address(heap);
  CHECK(base > 0 && aperture_shared_heap_capacity(heap) > 0);
  CHECK_OK(aperture_linker_define_shared_heap(w.linker, heap));
  inst = instantiate(&w);
  guest_block = call(&w, inst, "alloc_store", 2, 64, 77);
  CHECK((uint64_t)(uint32_t)guest_block >= base);
  host_block = aperture_shared_heap_malloc(heap, 64);
  CHECK(host_block >= base && host_block != (uint64_t)(uint32_t)guest_block);
  CHECK(aperture_shared_heap_malloc(heap, 1u << 20) == 0);  /* more than the heap */
  /* A second handle, reclaiming: its block goes with it. */
  CHECK_OK(aperture_shared_heap_open(r, &reclaim, &other));
  CHECK(aperture_shared_heap_malloc(other, 16) != 0);
  CHECK_OK(aperture_shared_heap_usage(heap, &usage, owners, 4));
  CHECK(usage.blocks == 3 && usage.kept_blocks == 2 && usage.owner_count == 1);
  CHECK(owners[0].pid == (uint32_t)getpid() && owners[0].alive && owners[0].blocks == 1);
  CHECK_ERROR(aperture_shared_heap_reset(heap), "", EBUSY_);
  aperture_shared_heap_delete(other);
  CHECK_OK(aperture_shared_heap_usage(heap, &usage, NULL, 0));
  CHECK(usage.blocks == 2);
  aperture_shared_heap_free(heap, host_block);
  call(&w, inst, "free", 1, guest_block, 0);
  CHECK_OK(aperture_shared_heap_usage(heap, &usage, NULL, 0));
  CHECK(usage.blocks == 0);
  /* create = false refuses a region holding no heap. */
  CHECK_OK(aperture_region_create_memfd(65536, "empty", &fresh));
  CHECK_ERROR(aperture_shared_heap_open(fresh, &join_only, &other), "", 0);
  CHECK(other == NULL);
  wasm_instance_delete(inst);
  aperture_shared_heap_delete(heap);
  aperture_region_delete(fresh);
  aperture_region_delete(r);
  world_delete(&w);
}

/* Chained heaps (docs/regions.md, "Chained heaps"): the guest takes all of the first heap,
 * the next block comes from the second one, directly below it; frees go to their heap. */
static void test_shared_heap_chain(void) {
  world w;
  wasm_instance_t* inst;
  aperture_region_t* ra = NULL;
  aperture_region_t* rb = NULL;
  aperture_shared_heap_t* heaps[2] = {NULL, NULL};
  aperture_shared_heap_t* twice[2];
  aperture_shared_heap_chain_t* chain = NULL;
  aperture_shared_heap_chain_t* bad = NULL;
  aperture_shared_heap_usage_t usage;
  uint64_t a, b, in_b;
  int32_t whole_a, guest_in_b;
  printf("shared heap chain: the first heap with room serves, frees go to their heap\n");
  world_new(&w, "heap_guest");
  CHECK_OK(aperture_region_create_memfd(65536, "a", &ra));
  CHECK_OK(aperture_region_create_memfd(65536, "b", &rb));
  CHECK_OK(aperture_shared_heap_open(ra, NULL, &heaps[0]));
  CHECK_OK(aperture_shared_heap_open(rb, NULL, &heaps[1]));
  twice[0] = heaps[0];
  twice[1] = heaps[0];
  CHECK_ERROR(aperture_shared_heap_chain_new(twice, 2, &bad), "is heap 1 and heap 2", EINVAL_);
  CHECK(bad == NULL);
  CHECK_ERROR(aperture_shared_heap_chain_new(heaps, 0, &bad), "no heap", EINVAL_);
  CHECK_OK(aperture_shared_heap_chain_new(heaps, 2, &chain));
  a = aperture_shared_heap_address(heaps[0]);
  b = aperture_shared_heap_address(heaps[1]);
  CHECK(a == 0x100000000ull - aperture_shared_heap_capacity(heaps[0]));
  CHECK(b == a - aperture_shared_heap_capacity(heaps[1]));
  CHECK_ERROR(aperture_shared_heap_chain_new(heaps + 1, 1, &bad), "in another chain", EINVAL_);
  CHECK_OK(aperture_linker_define_shared_heap_chain(w.linker, chain));
  inst = instantiate(&w);
  whole_a = call(&w, inst, "alloc_store", 2, (int32_t)aperture_shared_heap_capacity(heaps[0]), 5);
  CHECK((uint64_t)(uint32_t)whole_a == a);
  in_b = aperture_shared_heap_chain_malloc(chain, 16);
  CHECK(in_b == b);
  guest_in_b = call(&w, inst, "alloc_store", 2, 16, 6);
  CHECK((uint64_t)(uint32_t)guest_in_b == b + 16);
  aperture_shared_heap_chain_free(chain, in_b);
  call(&w, inst, "free", 1, whole_a, 0);
  CHECK_OK(aperture_shared_heap_usage(heaps[0], &usage, NULL, 0));
  CHECK(usage.blocks == 0);
  CHECK_OK(aperture_shared_heap_usage(heaps[1], &usage, NULL, 0));
  CHECK(usage.blocks == 1);
  call(&w, inst, "free", 1, guest_in_b, 0);
  CHECK_OK(aperture_shared_heap_usage(heaps[1], &usage, NULL, 0));
  CHECK(usage.blocks == 0);
  wasm_instance_delete(inst);
  aperture_shared_heap_chain_delete(chain);
  aperture_shared_heap_delete(heaps[0]);
  aperture_shared_heap_delete(heaps[1]);
  aperture_region_delete(ra);
  aperture_region_delete(rb);
  world_delete(&w);
}

/* A heap over a host buffer (WAMR's pre_allocated_addr): a buffer allocated from a region
 * maps zero-copy; a malloc'ed one cannot, and the error says what to do. */
static void test_shared_heap_buffer(void) {
  aperture_region_t* r = NULL;
  aperture_region_t* host = NULL;
  aperture_shared_heap_t* heap = NULL;
  aperture_shared_heap_t* again = NULL;
  aperture_shared_heap_t* refused = NULL;
  void* plain = malloc(131072);
  uint8_t* buffer;
  uint64_t p;
  printf("shared heap over a host buffer\n");
  CHECK_OK(aperture_region_create_memfd(262144, "pool", &r));
  buffer = aperture_region_data(r);
  CHECK(buffer != NULL);
  /* The second half of the pool, as a library handed the pointer would see it. */
  CHECK_OK(aperture_shared_heap_open_buffer(buffer + 131072, 131072, NULL, &heap));
  p = aperture_shared_heap_malloc(heap, 64);
  CHECK(p != 0);
  /* A host-memory region over the same bytes joins the same heap. */
  CHECK_OK(aperture_region_from_host_memory(buffer + 131072, 131072, true, "host", &host));
  CHECK_OK(aperture_shared_heap_open(host, NULL, &again));
  CHECK(aperture_shared_heap_malloc(again, 64) == p + 64);
  CHECK_ERROR(aperture_shared_heap_open_buffer(plain, 131072, NULL, &refused), "allocate the buffer from a region", EINVAL_);
  CHECK_ERROR(aperture_shared_heap_open_buffer(buffer + 100, 65536, NULL, &refused), "page boundary", EINVAL_);
  CHECK(refused == NULL);
  aperture_shared_heap_delete(heap);
  aperture_shared_heap_delete(again);
  aperture_region_delete(host);
  aperture_region_delete(r);
  free(plain);
}

static void test_region_memory_imported(void) {
  world w;
  wasm_instance_t* inst;
  wasm_memory_t* mem = NULL;
  wasm_memory_t* grown = NULL;
  wasm_memory_t* failed = NULL;
  wasm_memorytype_t* type;
  wasm_limits_t limits = {1, 8};
  aperture_region_t* r = NULL;
  aperture_region_t* ro = NULL;
  printf("region-backed imported memory: within the region, and extending it\n");
  world_new(&w, "import_memory");
  type = wasm_memorytype_new(&limits);
  CHECK_OK(aperture_region_create_memfd(2 * 65536, "mem", &r));
  CHECK_OK(aperture_memory_new_from_region(w.store, type, r, 0, APERTURE_GROWTH_WITHIN_REGION, &mem));
  CHECK_OK(aperture_linker_define(w.linker, "env", "memory", wasm_memory_as_extern(mem)));
  inst = instantiate(&w);
  call(&w, inst, "store", 2, 65536 - 4, 555);
  CHECK(((uint32_t*)aperture_region_data(r))[65536 / 4 - 1] == 555);
  CHECK(call(&w, inst, "grow", 1, 1, 0) == 1);
  CHECK(call(&w, inst, "grow", 1, 1, 0) == -1);  /* the region's end */
  wasm_instance_delete(inst);
  /* EXTEND_REGION grows the memfd with the memory. */
  CHECK_OK(aperture_memory_new_from_region(w.store, type, r, 0, APERTURE_GROWTH_EXTEND_REGION, &grown));
  CHECK(wasm_memory_grow(grown, 3));
  CHECK(wasm_memory_size(grown) == 4);
  CHECK_OK(aperture_memory_write(grown, 3 * 65536, "x", 1));
  CHECK_ERROR(aperture_memory_new_from_region(w.store, type, r, 0, 9, &failed), "growth 9 is invalid", EINVAL_);
  CHECK_OK(aperture_region_create_anonymous(4096, "small", &ro));
  CHECK_ERROR(aperture_memory_new_from_region(w.store, type, ro, 0, APERTURE_GROWTH_WITHIN_REGION, &failed),
              "", EINVAL_);  /* too small for one wasm page */
  CHECK(failed == NULL);
  wasm_memory_delete(mem);
  aperture_region_delete(ro);
  wasm_memory_delete(grown);
  wasm_memorytype_delete(type);
  aperture_region_delete(r);
  world_delete(&w);
}

static void test_region_memory_defined(void) {
  world w;
  wasm_instance_t* inst;
  aperture_region_t* r = NULL;
  printf("region-backed defined memory through the linker\n");
  world_new(&w, "two_memories");
  CHECK_OK(aperture_region_create_memfd(65536, "defined", &r));
  ((uint32_t*)aperture_region_data(r))[3] = 808;
  CHECK_OK(aperture_linker_bind_memory(w.linker, 0, r, 0, APERTURE_GROWTH_WITHIN_REGION));
  inst = instantiate(&w);
  CHECK(call(&w, inst, "load", 1, 12, 0) == 808);
  call(&w, inst, "store", 2, 16, 909);
  CHECK(((uint32_t*)aperture_region_data(r))[4] == 909);
  CHECK(call(&w, inst, "grow", 1, 1, 0) == -1);  /* a one-page region */
  wasm_instance_delete(inst);
  aperture_region_delete(r);
  world_delete(&w);
}

static void test_bind_with_options(void) {
  world w;
  wasm_instance_t* inst;
  wasm_trap_t* trap = NULL;
  aperture_region_t* r = NULL;
  aperture_window_options_t excl = {APERTURE_WINDOW_MAP, APERTURE_ATTACH_EXCLUSIVE, 0};
  printf("bindings with options: the exclusive writer holds its lock\n");
  world_new(&w, "two_memories");
  CHECK_OK(aperture_region_create_memfd(4096, "writer", &r));
  CHECK_OK(aperture_linker_bind_with_options(w.linker, 0, r, 0, 0, WINDOW_ADDR, APERTURE_ACCESS_READ_WRITE, &excl));
  inst = instantiate(&w);
  CHECK(aperture_linker_instantiate(w.linker, w.module, &trap) == NULL);
  CHECK_TRAP(trap, "");
  wasm_instance_delete(inst);
  aperture_region_delete(r);
  world_delete(&w);
}

static void test_bind_section(void) {
  world w;
  wasm_instance_t* inst;
  wasm_trap_t* trap = NULL;
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  aperture_region_t* r = NULL;
  printf("a module's aperture.bind section: applied, or a clear error\n");
  world_new(&w, "bound_section");
  CHECK(aperture_linker_instantiate(w.linker, w.module, &trap) == NULL);
  CHECK_TRAP(trap, "binds region 'input'");
  CHECK_LAST_ERROR("aperture_linker_define_region(linker, \"input\", region)");
  CHECK(wasm_instance_new(w.store, w.module, &none, &trap) == NULL);
  CHECK_TRAP(trap, "aperture_linker_define_region");
  CHECK_OK(aperture_region_create_memfd(65536, "input", &r));
  ((uint32_t*)aperture_region_data(r))[1] = 4242;
  CHECK_OK(aperture_linker_define_region(w.linker, "input", r));
  CHECK_ERROR(aperture_linker_define_region(w.linker, "input", r), "defined twice", 0);
  inst = instantiate(&w);
  CHECK(call(&w, inst, "read", 1, WINDOW_ADDR + 4, 0) == 4242);
  wasm_instance_delete(inst);
  aperture_region_delete(r);
  world_delete(&w);
}

static void test_bind_section_memory(void) {
  world w;
  wasm_instance_t* inst;
  wasm_trap_t* trap = NULL;
  aperture_region_t* backing = NULL;
  aperture_region_t* other = NULL;
  aperture_region_t* grows = NULL;
  printf("a section that backs memory 1 with a region; the linker's memory replaces it\n");
  world_new(&w, "bound_memory");
  CHECK(aperture_linker_instantiate(w.linker, w.module, &trap) == NULL);
  CHECK_TRAP(trap, "binds region 'backing'");
  CHECK_OK(aperture_region_create_memfd(65536, "backing", &backing));
  ((uint32_t*)aperture_region_data(backing))[2] = 606;
  CHECK_OK(aperture_linker_define_region(w.linker, "backing", backing));
  inst = instantiate(&w);
  CHECK(call(&w, inst, "load1", 1, 8, 0) == 606);
  call(&w, inst, "store1", 2, 12, 607);
  CHECK(((uint32_t*)aperture_region_data(backing))[3] == 607);
  wasm_instance_delete(inst);
  /* aperture_linker_bind_memory for memory 1 replaces the section's record; extend lets
   * memory 0 grow past its region's end, extending the memfd. */
  CHECK_OK(aperture_region_create_memfd(65536, "other", &other));
  CHECK_OK(aperture_linker_bind_memory(w.linker, 1, other, 0, APERTURE_GROWTH_WITHIN_REGION));
  CHECK_OK(aperture_region_create_memfd(65536, "grows", &grows));
  CHECK_OK(aperture_linker_bind_memory(w.linker, 0, grows, 0, APERTURE_GROWTH_EXTEND_REGION));
  inst = instantiate(&w);
  call(&w, inst, "store1", 2, 20, 708);
  CHECK(((uint32_t*)aperture_region_data(other))[5] == 708);
  CHECK(((uint32_t*)aperture_region_data(backing))[5] == 0);
  CHECK(call(&w, inst, "grow", 1, 2, 0) == 1);
  call(&w, inst, "store", 2, 2 * 65536, 809);
  CHECK(call(&w, inst, "load", 1, 2 * 65536, 0) == 809);
  wasm_instance_delete(inst);
  aperture_region_delete(backing);
  aperture_region_delete(other);
  aperture_region_delete(grows);
  world_delete(&w);
}

static void test_grants_max_handles(void) {
  world w;
  wasm_instance_t* inst;
  aperture_region_t* r = NULL;
  aperture_grants_t* grants = aperture_grants_new_with_max_handles(3);
  printf("grants with a handle limit: the fourth region_open is -EMFILE\n");
  world_new(&w, "handles");
  CHECK_OK(aperture_region_create_memfd(4096, "shared", &r));
  CHECK_OK(aperture_grants_add(grants, "shared", r, APERTURE_ACCESS_READ));
  CHECK_OK(aperture_linker_define_grants(w.linker, grants));
  inst = instantiate(&w);
  CHECK(call(&w, inst, "open_n", 1, 3, 0) == 3);
  CHECK(call(&w, inst, "open_n", 1, 1, 0) == -33);
  wasm_instance_delete(inst);
  aperture_grants_delete(grants);
  aperture_region_delete(r);
  world_delete(&w);
}

int main(void) {
  test_host_memory_region();
  test_attach_modes();
  test_attach_waits_until_released();
  test_copy_mode_and_default();
  test_window_on_memory_1();
  test_wait_notify();
  test_shared_heap();
  test_shared_heap_chain();
  test_shared_heap_buffer();
  test_region_memory_imported();
  test_region_memory_defined();
  test_bind_with_options();
  test_bind_section();
  test_bind_section_memory();
  test_grants_max_handles();
  return test_summary("region_features_test");
}
