/* The proxy/filter case across two processes, from C (docs/embedding.md): the proxy
 * process writes a request into a shared-memory region through an exclusive window; a
 * filter process maps it into two filter instances as shared (read-only) readers; they
 * synchronise with wait/notify on a control word of the same region.
 *   proxy_host [GUEST.wasm]   (default proxy_guest.wasm; built from proxy_guest.c) */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <aperture/aperture.h>

/* Region layout: page 0 holds the control words (STATE...), page 1 the packet. */
enum { STATE, LENGTH, VERDICT_ADMIN, VERDICT_LONG, IDLE = 0, PACKET_READY, VERDICTS_READY, DONE };

static aperture_region_t* region;
static volatile uint32_t* ctl;
static wasm_store_t* store;
static wasm_module_t* module;
static const aperture_window_options_t exclusive = {APERTURE_WINDOW_MAP, APERTURE_ATTACH_EXCLUSIVE, 0};

static void check(aperture_error_t* e, const char* what) {
  if (e) fprintf(stderr, "%s: %s\n", what, aperture_error_message(e)), exit(1);
}

static void set_state(uint32_t s) {
  __atomic_store_n(&ctl[STATE], s, __ATOMIC_SEQ_CST);
  check(aperture_region_notify(region, 0, APERTURE_NOTIFY_ALL, NULL), "notify");
}

/* Sleeps on the control word (a futex shared by both processes) until it holds `s`. */
static void await_state(uint32_t s) {
  aperture_wait_result_t v, r = APERTURE_WAIT_WOKEN;  /* both uint32_t */
  while ((v = __atomic_load_n(&ctl[STATE], __ATOMIC_SEQ_CST)) != s) {
    check(aperture_region_wait32(region, 0, v, 10000000000LL, &r), "wait");
    if (r == APERTURE_WAIT_TIMED_OUT) fprintf(stderr, "no notify within 10 s\n"), exit(1);
  }
}

/* An instance of the guest, and one of its windows on the packet page. */
static wasm_instance_t* instance_with_window(aperture_access_t access, aperture_attach_t attach,
                                             uint64_t* at, const char* who) {
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  wasm_instance_t* inst = wasm_instance_new(store, module, &none, NULL);
  wasm_memory_t* mem = aperture_instance_memory(inst, 0);
  aperture_window_options_t o = {APERTURE_WINDOW_MAP, attach, 0};  /* 0: do not wait */
  check(aperture_memory_map_with_options(mem, region, aperture_page_size(), 0, APERTURE_MAP_ANYWHERE,
                                         access, &o, at), who);
  wasm_memory_delete(mem);
  return inst;
}

static int32_t call(wasm_instance_t* inst, const char* name, uint64_t a, uint32_t b) {
  wasm_extern_vec_t ex;
  wasm_exporttype_vec_t types;
  wasm_val_t args[2] = {WASM_I32_VAL((int32_t)a), WASM_I32_VAL((int32_t)b)}, res[1] = {WASM_INIT_VAL};
  wasm_val_vec_t av = WASM_ARRAY_VEC(args), rv = WASM_ARRAY_VEC(res);
  size_t i;
  wasm_instance_exports(inst, &ex);
  wasm_module_exports(module, &types);
  for (i = 0; i < types.size; ++i) {
    const wasm_name_t* n = wasm_exporttype_name(types.data[i]);
    if (n->size == strlen(name) && !memcmp(n->data, name, n->size)) break;
  }
  if (i < types.size) av.size = wasm_func_param_arity(wasm_extern_as_func(ex.data[i]));  /* 1 or 2 */
  if (i == types.size || wasm_func_call(wasm_extern_as_func(ex.data[i]), &av, &rv))
    fprintf(stderr, "calling %s failed\n", name), exit(1);
  wasm_exporttype_vec_delete(&types);
  wasm_extern_vec_delete(&ex);
  return res[0].of.i32;
}

static void filter_process(void) {
  uint64_t a1, a2;
  wasm_instance_t *f1, *f2;
  await_state(PACKET_READY);
  f1 = instance_with_window(APERTURE_ACCESS_READ, APERTURE_ATTACH_SHARED, &a1, "filter 1: shared window");
  f2 = instance_with_window(APERTURE_ACCESS_READ, APERTURE_ATTACH_SHARED, &a2, "filter 2: shared window");
  printf("filters: two instances in another process read the packet through shared windows\n");
  ctl[VERDICT_ADMIN] = (uint32_t)call(f1, "block_admin", a1, ctl[LENGTH]);
  ctl[VERDICT_LONG] = (uint32_t)call(f2, "block_long", a2, ctl[LENGTH]);
  set_state(VERDICTS_READY);
  await_state(DONE);  /* keep the readers attached until the proxy has tried to write */
  wasm_instance_delete(f1);
  wasm_instance_delete(f2);
}

static void proxy_process(const char* self, const char* guest) {
  uint64_t at;
  aperture_error_t* e;
  wasm_instance_t* proxy = instance_with_window(APERTURE_ACCESS_READ_WRITE, APERTURE_ATTACH_EXCLUSIVE, &at,
                                                "proxy: exclusive window");
  wasm_memory_t* mem = aperture_instance_memory(proxy, 0);
  pid_t child;
  int status = 1;
  ctl[LENGTH] = (uint32_t)call(proxy, "produce", at, 0);
  printf("proxy: wrote a %u-byte request through an exclusive window\n", ctl[LENGTH]);
  check(aperture_memory_unmap(mem, at, aperture_page_size()), "proxy: unmap");  /* detaches */
  child = fork();  /* stdout is line-buffered: nothing is printed twice */
  if (child == 0) execl(self, self, "--filter", guest, (char*)NULL), _exit(127);
  set_state(PACKET_READY);
  await_state(VERDICTS_READY);
  e = aperture_memory_map_with_options(mem, region, aperture_page_size(), 0, at, APERTURE_ACCESS_READ_WRITE,
                                       &exclusive, NULL);  /* 0: do not wait */
  printf("proxy: exclusive attach while the filters read: %s (errno %u)\n", e ? "refused" : "granted",
         e ? aperture_error_wasi_errno(e) : 0);
  aperture_error_delete(e);
  printf("verdicts: block_admin=%u block_long=%u\n", ctl[VERDICT_ADMIN], ctl[VERDICT_LONG]);
  set_state(DONE);
  waitpid(child, &status, 0);
  printf("filter process exited with status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  check(aperture_memory_map_with_options(mem, region, aperture_page_size(), 0, at, APERTURE_ACCESS_READ_WRITE,
                                         &exclusive, NULL), "proxy: exclusive attach after the filters");
  printf("proxy: exclusive attach after the filters detached: granted\n");
  wasm_memory_delete(mem);
  wasm_instance_delete(proxy);
}

int main(int argc, char** argv) {
  int filter = argc > 1 && strcmp(argv[1], "--filter") == 0;
  char shm[64];
  const char* guest = filter ? argv[2] : argc > 1 ? argv[1] : "proxy_guest.wasm";
  wasm_engine_t* engine = wasm_engine_new();
  FILE* f = fopen(guest, "rb");
  wasm_byte_vec_t bytes;
  if (!engine || !f) return fprintf(stderr, "no engine, or cannot open %s\n", guest), 1;
  setvbuf(stdout, NULL, _IOLBF, 0);  /* both processes write to one pipe, in order */
  fseek(f, 0, SEEK_END);
  wasm_byte_vec_new_uninitialized(&bytes, (size_t)ftell(f));
  rewind(f);
  if (fread(bytes.data, 1, bytes.size, f) != bytes.size) return 1;
  fclose(f);
  store = wasm_store_new(engine);
  check(aperture_module_new(store, &bytes, &module), guest);
  wasm_byte_vec_delete(&bytes);
  snprintf(shm, sizeof shm, "/aperture-proxy-%d", (int)(filter ? getppid() : getpid()));  /* the proxy's */
  check(filter ? aperture_region_open_shm(shm, 0, true, &region)
               : aperture_region_create_shm(shm, 2 * aperture_page_size(), &region), shm);
  ctl = (volatile uint32_t*)aperture_region_data(region);
  if (filter) filter_process();
  else proxy_process("/proc/self/exe", guest);
  if (!filter) check(aperture_region_remove_shm(shm), "remove");
  aperture_region_delete(region);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
