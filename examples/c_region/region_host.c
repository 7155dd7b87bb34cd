/* Embedding Aperture from C with memory shared between the host and a guest, zero-copy.
 *
 * The host writes sensor samples into a POSIX shared-memory region and binds it
 * read-only at wasm address 0x10000000 of the guest before the guest starts; it grants a
 * second region, "results", which the guest maps into its own memory through the guest
 * API and fills. The host then reads the results straight from its own mapping of that
 * region and checks every one against a native computation. Finally the guest tries to
 * write the read-only samples and the host reads the trap's message and origin.
 *
 *   region_host [region_guest.wasm]       exit status 0 when every check passed */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <aperture/aperture.h>

#define SAMPLE_COUNT 1024
#define SAMPLES_ADDR 0x10000000u

static int32_t transform_reference(int32_t x) { return x * 3 - 1000; }

/* Prints and deletes an error; returns true if there was one. */
static bool failed(aperture_error_t* error, const char* what) {
  if (!error) return false;
  fprintf(stderr, "%s: %s\n", what, aperture_error_message(error));
  aperture_error_delete(error);
  return true;
}

static bool read_module(wasm_store_t* store, const char* path, wasm_module_t** out) {
  FILE* file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "cannot open %s\n", path);
    return false;
  }
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  wasm_byte_vec_t bytes;
  wasm_byte_vec_new_uninitialized(&bytes, (size_t)size);
  bool ok = fread(bytes.data, 1, (size_t)size, file) == (size_t)size;
  fclose(file);
  ok = ok && !failed(aperture_module_new(store, &bytes, out), path);
  wasm_byte_vec_delete(&bytes);
  return ok;
}

/* Calls `func` with i32 arguments; returns its trap, or NULL with the i32 result in *result. */
static wasm_trap_t* call(const wasm_func_t* func, int32_t arg, int32_t* result) {
  wasm_val_t args[1] = {WASM_I32_VAL(arg)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = {wasm_func_param_arity(func), args};
  wasm_val_vec_t result_vec = {wasm_func_result_arity(func), results};
  wasm_trap_t* trap = wasm_func_call(func, &arg_vec, &result_vec);
  if (!trap && result) *result = results[0].of.i32;
  return trap;
}

int main(int argc, char** argv) {
  const char* guest_path = argc > 1 ? argv[1] : "region_guest.wasm";
  char shm_name[64];
  snprintf(shm_name, sizeof shm_name, "/aperture-example-%d", (int)getpid());
  int status = 1;

  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = NULL;
  aperture_region_t* samples = NULL;
  aperture_region_t* results = NULL;
  aperture_grants_t* grants = aperture_grants_new();
  aperture_linker_t* linker = aperture_linker_new(store);
  wasm_instance_t* instance = NULL;
  wasm_extern_vec_t exports = WASM_EMPTY_VEC;
  wasm_trap_t* trap = NULL;

  if (!read_module(store, guest_path, &module)) goto done;
  if (failed(aperture_region_create_shm(shm_name, SAMPLE_COUNT * sizeof(int32_t), &samples), "samples") ||
      failed(aperture_region_create_memfd(SAMPLE_COUNT * sizeof(int32_t), "results", &results), "results"))
    goto done;

  /* The host writes samples through its own mapping of the shm object. */
  int32_t* host_samples = (int32_t*)aperture_region_data(samples);
  for (int32_t i = 0; i < SAMPLE_COUNT; ++i) host_samples[i] = (i * 37) % 2000 - 1000;

  if (failed(aperture_linker_bind(linker, 0, samples, 0, 0, SAMPLES_ADDR, APERTURE_ACCESS_READ), "bind") ||
      failed(aperture_grants_add(grants, "results", results, APERTURE_ACCESS_READ_WRITE), "grant") ||
      failed(aperture_linker_define_grants(linker, grants), "grants"))
    goto done;
  instance = aperture_linker_instantiate(linker, module, &trap);
  if (!instance) goto done;
  printf("bound the samples region read-only at 0x%x\n", SAMPLES_ADDR);

  /* exports: memory, process, tamper (in the guest's order). */
  wasm_instance_exports(instance, &exports);
  wasm_exporttype_vec_t types;
  wasm_module_exports(module, &types);
  const wasm_func_t* process = NULL;
  const wasm_func_t* tamper = NULL;
  for (size_t i = 0; i < types.size; ++i) {
    const wasm_name_t* name = wasm_exporttype_name(types.data[i]);
    if (name->size == 7 && memcmp(name->data, "process", 7) == 0) process = wasm_extern_as_func(exports.data[i]);
    if (name->size == 6 && memcmp(name->data, "tamper", 6) == 0) tamper = wasm_extern_as_func(exports.data[i]);
  }
  wasm_exporttype_vec_delete(&types);
  if (!process || !tamper) {
    fprintf(stderr, "the guest lacks the exports process and tamper\n");
    goto done;
  }

  int32_t processed = 0;
  trap = call(process, SAMPLE_COUNT, &processed);
  if (trap || processed != SAMPLE_COUNT) {
    fprintf(stderr, "process returned %d\n", processed);
    goto done;
  }
  printf("the guest mapped the granted results region itself and wrote %d results\n", processed);

  /* The host reads the guest's results in place: the same pages, no copy. */
  const int32_t* host_results = (const int32_t*)aperture_region_data(results);
  int mismatches = 0;
  for (int32_t i = 0; i < SAMPLE_COUNT; ++i)
    mismatches += host_results[i] != transform_reference(host_samples[i]);
  printf("the host checked %d results in the shared region: %d mismatches\n", SAMPLE_COUNT, mismatches);
  if (mismatches) goto done;

  /* A write to the read-only window traps; the trap says where and why. */
  trap = call(tamper, 0, NULL);
  if (!trap) {
    fprintf(stderr, "writing the read-only window did not trap\n");
    goto done;
  }
  wasm_message_t message;
  wasm_trap_message(trap, &message);
  wasm_frame_t* origin = wasm_trap_origin(trap);
  printf("the guest's write to the read-only window trapped in function %u: %s\n",
         origin ? wasm_frame_func_index(origin) : 0u, message.data);
  bool names_region = strstr(message.data, "read-only window of region") != NULL;
  wasm_frame_delete(origin);
  wasm_byte_vec_delete(&message);
  status = names_region ? 0 : 1;

done:
  if (trap && status) {
    wasm_message_t m;
    wasm_trap_message(trap, &m);
    fprintf(stderr, "trap: %s\n", m.data);
    wasm_byte_vec_delete(&m);
  }
  wasm_trap_delete(trap);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  aperture_linker_delete(linker);
  aperture_grants_delete(grants);
  aperture_region_delete(results);
  if (samples) failed(aperture_region_remove_shm(shm_name), "remove shm");
  aperture_region_delete(samples);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  if (status == 0) printf("done\n");
  return status;
}
