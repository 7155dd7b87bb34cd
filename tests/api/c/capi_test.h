/* A minimal check framework for the C API tests (plain C, no C++ involved). Each test
 * program calls its test functions from main() and returns test_summary(). Everything a
 * test creates is deleted again: the ASan stage runs these under LeakSanitizer. */
#ifndef APERTURE_CAPI_TEST_H
#define APERTURE_CAPI_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aperture/aperture.h>

static int test_failures = 0;

#define CHECK(cond)                                                             \
  do {                                                                          \
    if (!(cond)) {                                                              \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
      ++test_failures;                                                          \
    }                                                                           \
  } while (0)

/* True when `text` contains `part`; prints both otherwise. */
static inline bool contains(const char* text, const char* part) {
  if (text && strstr(text, part)) return true;
  fprintf(stderr, "  expected \"%s\" in \"%s\"\n", part, text ? text : "(null)");
  return false;
}

/* Checks that `err` is an error whose message contains `part` (and whose errno is
 * `wasi_errno` unless that is 0); prints the message; deletes the error. */
#define CHECK_ERROR(err, part, wasi_errno)                                        \
  do {                                                                            \
    aperture_error_t* e_ = (err);                                                 \
    CHECK(e_ != NULL);                                                            \
    if (e_) {                                                                     \
      printf("  error: %s\n", aperture_error_message(e_));                       \
      CHECK(contains(aperture_error_message(e_), part));                          \
      if (wasi_errno) CHECK(aperture_error_wasi_errno(e_) == (uint32_t)(wasi_errno)); \
      aperture_error_delete(e_);                                                  \
    }                                                                             \
  } while (0)

#define CHECK_OK(err)                                                             \
  do {                                                                            \
    aperture_error_t* e_ = (err);                                                 \
    if (e_) {                                                                     \
      fprintf(stderr, "%s:%d: unexpected error: %s\n", __FILE__, __LINE__,        \
              aperture_error_message(e_));                                        \
      ++test_failures;                                                            \
      aperture_error_delete(e_);                                                  \
    }                                                                             \
  } while (0)

/* The message of a trap, NUL-terminated, in a static buffer (deletes nothing). */
static inline const char* trap_text(const wasm_trap_t* trap) {
  static char buf[1024];
  wasm_message_t m;
  wasm_trap_message(trap, &m);
  snprintf(buf, sizeof buf, "%s", m.size ? m.data : "");
  wasm_byte_vec_delete(&m);
  return buf;
}

/* Checks that `trap` is a trap whose message contains `part`; prints it; deletes it. */
#define CHECK_TRAP(trap_expr, part)                                               \
  do {                                                                            \
    wasm_trap_t* t_ = (trap_expr);                                                \
    CHECK(t_ != NULL);                                                            \
    if (t_) {                                                                     \
      printf("  trap: %s\n", trap_text(t_));                                     \
      CHECK(contains(trap_text(t_), part));                                       \
      wasm_trap_delete(t_);                                                       \
    }                                                                             \
  } while (0)

/* The last error's message checked and printed (the error is consumed). */
#define CHECK_LAST_ERROR(part) CHECK_ERROR(aperture_last_error(), part, 0)

static inline void read_file(const char* path, wasm_byte_vec_t* out) {
  FILE* f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  wasm_byte_vec_new_uninitialized(out, (size_t)size);
  if (size > 0 && fread(out->data, (size_t)size, 1, f) != 1) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  fclose(f);
}

/* A module from tests/api/c/wat/NAME.wat (built into APERTURE_CAPI_WAT_DIR). */
static inline wasm_module_t* load_module(wasm_store_t* store, const char* name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.wasm", APERTURE_CAPI_WAT_DIR, name);
  wasm_byte_vec_t bytes;
  read_file(path, &bytes);
  wasm_module_t* module = wasm_module_new(store, &bytes);
  wasm_byte_vec_delete(&bytes);
  if (!module) {
    aperture_error_t* e = aperture_last_error();
    fprintf(stderr, "cannot compile %s: %s\n", path, e ? aperture_error_message(e) : "?");
    aperture_error_delete(e);
    exit(2);
  }
  return module;
}

/* Export `name` of an instance's exports, by the module's export names. */
static inline wasm_extern_t* find_export(const wasm_module_t* module, const wasm_extern_vec_t* exports,
                                  const char* name) {
  wasm_exporttype_vec_t types;
  wasm_module_exports(module, &types);
  wasm_extern_t* found = NULL;
  for (size_t i = 0; i < types.size && i < exports->size; ++i) {
    const wasm_name_t* n = wasm_exporttype_name(types.data[i]);
    if (n->size == strlen(name) && memcmp(n->data, name, n->size) == 0) found = exports->data[i];
  }
  wasm_exporttype_vec_delete(&types);
  if (!found) {
    fprintf(stderr, "no export named %s\n", name);
    exit(2);
  }
  return found;
}

static inline wasm_func_t* export_func(const wasm_module_t* m, const wasm_extern_vec_t* e, const char* name) {
  return wasm_extern_as_func(find_export(m, e, name));
}

static inline int test_summary(const char* program) {
  if (test_failures) {
    fprintf(stderr, "%s: %d check(s) failed\n", program, test_failures);
    return 1;
  }
  printf("%s: all checks passed\n", program);
  return 0;
}

#endif
