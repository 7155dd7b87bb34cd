/* Aperture's C API: the standard WebAssembly C API (wasm.h, installed next to this header)
 * plus what makes Aperture different: host memory regions mapped zero-copy into an
 * instance's linear memory (windows), grants for the guest import module "aperture",
 * WASI, engine choice, and errors returned as values with messages.
 *
 *   aperture_region_t* shm = NULL;
 *   aperture_error_t* err = aperture_region_create_shm("/sensors", 1 << 20, &shm);
 *   if (err) { fprintf(stderr, "%s\n", aperture_error_message(err)); aperture_error_delete(err); }
 *   ...
 *   wasm_memory_t* mem = aperture_instance_memory(instance, 0);
 *   uint64_t at = 0;
 *   err = aperture_memory_map(mem, shm, 0, 0, 0x100000, APERTURE_ACCESS_READ_WRITE, &at);
 *   // guest loads/stores at 0x100000.. now reach the shared pages directly
 *
 * Conventions:
 *  - Functions that can fail return `own aperture_error_t*`: NULL on success, otherwise an
 *    error the caller deletes with aperture_error_delete(). Nothing here throws or aborts
 *    on bad input.
 *  - Standard wasm.h functions that fail (NULL/false results, or a trap object) record
 *    their reason; aperture_last_error() returns it.
 *  - Ownership follows wasm.h: `own` results belong to the caller.
 *  - Runtime objects (functions, globals, tables, memories, instances) live until their
 *    store is deleted; deleting a handle releases only the handle.
 * Details: docs/embedding.md. */
#ifndef APERTURE_APERTURE_H
#define APERTURE_APERTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* `own` marks ownership transfer, as in wasm.h (defined here only if the includer has
 * not defined it). */
#ifndef own
#define own
#define APERTURE_UNDEF_OWN
#endif

/* ---- Version ---- */

#define APERTURE_VERSION_MAJOR 0
#define APERTURE_VERSION_MINOR 1
#define APERTURE_VERSION_PATCH 0
/* "0.1.0": the version of the library actually loaded. */
WASM_API_EXTERN const char* aperture_version(void);

/* ---- Errors ---- */

typedef struct aperture_error_t aperture_error_t;

WASM_API_EXTERN void aperture_error_delete(own aperture_error_t*);
/* What went wrong and what to do instead; valid until the error is deleted. */
WASM_API_EXTERN const char* aperture_error_message(const aperture_error_t*);
/* For region and window errors: the WASI errno the guest API would return for the same
 * request (e.g. 28 = EINVAL, 44 = ENOENT); 0 for other errors. */
WASM_API_EXTERN uint32_t aperture_error_wasi_errno(const aperture_error_t*);
/* The reason the most recent failing API call on this thread failed, or NULL when none
 * failed since the last call. Clears it. */
WASM_API_EXTERN own aperture_error_t* aperture_last_error(void);

/* ---- Engines ---- */

/* Selects the execution engine by name ("interp" is always available; see
 * aperture_engine_name_at). Fails for an unknown name. */
WASM_API_EXTERN own aperture_error_t* aperture_config_set_engine(wasm_config_t*, const char* name);
/* Optimisation level of compiling engines, 0 (fastest compile) .. 3 (default 2). */
WASM_API_EXTERN own aperture_error_t* aperture_config_set_opt_level(wasm_config_t*, int level);
/* The engine an engine object runs modules with. wasm_engine_new() uses the default
 * engine, or the one named by the environment variable APERTURE_ENGINE (an unknown name
 * makes it return NULL, with the reason in aperture_last_error()). */
WASM_API_EXTERN const char* aperture_engine_name(const wasm_engine_t*);
/* Engines built into this library, the default first: names at 0 .. count-1. */
WASM_API_EXTERN size_t aperture_engine_count(void);
WASM_API_EXTERN const char* aperture_engine_name_at(size_t index);

/* ---- Modules, with the reason for a failure ---- */

/* wasm_module_new, returning why the bytes were rejected (decode or validation error
 * with its byte offset). On success *out is the new module. */
WASM_API_EXTERN own aperture_error_t* aperture_module_new(
  wasm_store_t*, const wasm_byte_vec_t* binary, own wasm_module_t** out);
WASM_API_EXTERN own aperture_error_t* aperture_module_validate(
  wasm_store_t*, const wasm_byte_vec_t* binary);

/* ---- Traps ---- */

/* True when the trap is a WASI proc_exit; *status receives the exit status. */
WASM_API_EXTERN bool aperture_trap_exit_status(const wasm_trap_t*, int* status);

/* ---- Regions: host memory resources ---- */

typedef struct aperture_region_t aperture_region_t;

typedef uint8_t aperture_backing_t;
enum aperture_backing_enum {
  APERTURE_BACKING_ANONYMOUS,
  APERTURE_BACKING_MEMFD,
  APERTURE_BACKING_SHM,
  APERTURE_BACKING_FILE,
  APERTURE_BACKING_DEVICE,
  APERTURE_BACKING_FD,
  APERTURE_BACKING_HOST_MEMORY,  /* a host buffer without fd (C++ Region::from_host_memory) */
};

typedef uint32_t aperture_access_t;
enum aperture_access_enum {
  APERTURE_ACCESS_READ = 1,
  APERTURE_ACCESS_READ_WRITE = 3,
};

/* Sizes are rounded up to the host page size. `name` (may be NULL) appears in trap
 * messages. */
WASM_API_EXTERN own aperture_error_t* aperture_region_create_anonymous(
  uint64_t size, const char* name, own aperture_region_t** out);
WASM_API_EXTERN own aperture_error_t* aperture_region_create_memfd(
  uint64_t size, const char* name, own aperture_region_t** out);
/* POSIX shared memory: create (must not exist; mode 0600) or open an existing object
 * (size 0 = the object's size). */
WASM_API_EXTERN own aperture_error_t* aperture_region_create_shm(
  const char* shm_name, uint64_t size, own aperture_region_t** out);
WASM_API_EXTERN own aperture_error_t* aperture_region_open_shm(
  const char* shm_name, uint64_t size, bool writable, own aperture_region_t** out);
WASM_API_EXTERN own aperture_error_t* aperture_region_remove_shm(const char* shm_name);
/* A file range (offset page-aligned; size 0 = to the end of the file). `create` creates
 * the file if needed and extends it to offset+size. */
WASM_API_EXTERN own aperture_error_t* aperture_region_open_file(
  const char* path, uint64_t offset, uint64_t size, bool create, bool writable,
  own aperture_region_t** out);
/* A device file (UIO, /dev/mem, a PCI BAR resource, udmabuf): never created or
 * truncated. */
WASM_API_EXTERN own aperture_error_t* aperture_region_open_device(
  const char* path, uint64_t offset, uint64_t size, bool writable, own aperture_region_t** out);
/* A file descriptor the host hands in (duplicated: the caller keeps its own): memfd, shm,
 * a file, or a dma-buf from a driver or library. size 0 = from offset to the end of what
 * the descriptor holds (a writable one must end at a page boundary). */
WASM_API_EXTERN own aperture_error_t* aperture_region_from_fd(
  int fd, uint64_t offset, uint64_t size, bool writable, const char* name,
  own aperture_region_t** out);

/* Regions are reference-counted: windows and grants keep theirs alive. */
WASM_API_EXTERN void aperture_region_delete(own aperture_region_t*);
WASM_API_EXTERN own aperture_region_t* aperture_region_copy(const aperture_region_t*);
WASM_API_EXTERN const char* aperture_region_name(const aperture_region_t*);
WASM_API_EXTERN aperture_backing_t aperture_region_backing(const aperture_region_t*);
WASM_API_EXTERN uint64_t aperture_region_size(const aperture_region_t*);
WASM_API_EXTERN bool aperture_region_writable(const aperture_region_t*);
/* The region's bytes in the host's address space (mapped on first use; NULL with
 * aperture_last_error() set if that mapping fails). */
WASM_API_EXTERN uint8_t* aperture_region_data(aperture_region_t*);

/* ---- Windows: regions inside a linear memory ---- */

/* Host page size: addresses, offsets and lengths of windows are multiples of it. */
WASM_API_EXTERN uint32_t aperture_page_size(void);

/* For aperture_memory_map's `addr`: the runtime picks the highest free page-aligned range
 * above the memory's current size (leaving the most room for memory.grow), as the guest
 * API's map with addr -1 does. */
#define APERTURE_MAP_ANYWHERE UINT64_MAX

/* Maps region[offset, offset+length) (length 0 = the rest of the region) at wasm address
 * `addr` of `memory`, zero-copy (mmap MAP_SHARED|MAP_FIXED). The window may overlay pages
 * inside the memory's size or lie above it; it may not overlap another window. A write
 * to a read-only window traps, naming the region. *mapped_addr (may be NULL) receives the
 * window's address. */
WASM_API_EXTERN own aperture_error_t* aperture_memory_map(
  wasm_memory_t* memory, const aperture_region_t* region, uint64_t offset, uint64_t length,
  uint64_t addr, aperture_access_t access, uint64_t* mapped_addr);
/* Removes the window at exactly (addr, length); restores zero pages inside the memory's
 * size and inaccessible ones above. */
WASM_API_EXTERN own aperture_error_t* aperture_memory_unmap(
  wasm_memory_t* memory, uint64_t addr, uint64_t length);
WASM_API_EXTERN own aperture_error_t* aperture_memory_protect(
  wasm_memory_t* memory, uint64_t addr, uint64_t length, aperture_access_t access);
WASM_API_EXTERN size_t aperture_memory_window_count(const wasm_memory_t* memory);

/* Copies between host buffers and guest memory, checking the whole range first (inside
 * the memory's size or a window; writes need a writable window). Returns an error
 * instead of faulting. */
WASM_API_EXTERN own aperture_error_t* aperture_memory_read(
  const wasm_memory_t* memory, uint64_t addr, void* dst, size_t length);
WASM_API_EXTERN own aperture_error_t* aperture_memory_write(
  wasm_memory_t* memory, uint64_t addr, const void* src, size_t length);

/* Memory `index` of an instance, exported or not; NULL when it has none. */
WASM_API_EXTERN own wasm_memory_t* aperture_instance_memory(
  const wasm_instance_t* instance, uint32_t index);

/* ---- Grants: regions a guest may map itself (import module "aperture") ---- */

typedef struct aperture_grants_t aperture_grants_t;

WASM_API_EXTERN own aperture_grants_t* aperture_grants_new(void);
WASM_API_EXTERN void aperture_grants_delete(own aperture_grants_t*);
/* Lets guests open `region` as `name` with at most `max_access`. */
WASM_API_EXTERN own aperture_error_t* aperture_grants_add(
  aperture_grants_t*, const char* name, const aperture_region_t* region,
  aperture_access_t max_access);

/* ---- WASI preview 1 ---- */

typedef struct aperture_wasi_config_t aperture_wasi_config_t;

WASM_API_EXTERN own aperture_wasi_config_t* aperture_wasi_config_new(void);
WASM_API_EXTERN void aperture_wasi_config_delete(own aperture_wasi_config_t*);
/* argv as the guest sees it, argv[0] first. */
WASM_API_EXTERN void aperture_wasi_config_set_args(
  aperture_wasi_config_t*, size_t argc, const char* const argv[]);
WASM_API_EXTERN void aperture_wasi_config_add_env(
  aperture_wasi_config_t*, const char* key, const char* value);
/* The host directory `host_path` appears to the guest as `guest_path`; preopens are the
 * only file system a guest can reach. */
WASM_API_EXTERN void aperture_wasi_config_add_preopen(
  aperture_wasi_config_t*, const char* host_path, const char* guest_path);
/* Host file descriptors used as the guest's fds 0, 1 and 2 (default 0, 1, 2). */
WASM_API_EXTERN void aperture_wasi_config_set_stdio(
  aperture_wasi_config_t*, int stdin_fd, int stdout_fd, int stderr_fd);

/* ---- Linking imports by name ---- */

typedef struct aperture_linker_t aperture_linker_t;

WASM_API_EXTERN own aperture_linker_t* aperture_linker_new(wasm_store_t*);
WASM_API_EXTERN void aperture_linker_delete(own aperture_linker_t*);
WASM_API_EXTERN own aperture_error_t* aperture_linker_define(
  aperture_linker_t*, const char* module, const char* name, const wasm_extern_t* item);
/* Every export of `instance`, importable under module name `module`. */
WASM_API_EXTERN own aperture_error_t* aperture_linker_define_instance(
  aperture_linker_t*, const char* module, const wasm_instance_t* instance);
/* Every wasi_snapshot_preview1 function, with this configuration (fails when a preopen
 * cannot be opened). */
WASM_API_EXTERN own aperture_error_t* aperture_linker_define_wasi(
  aperture_linker_t*, const aperture_wasi_config_t*);
/* The guest region API (import module "aperture": region_open, map, unmap, protect, ...)
 * over these grants. */
WASM_API_EXTERN own aperture_error_t* aperture_linker_define_grants(
  aperture_linker_t*, const aperture_grants_t*);
/* A binding: every instance this linker creates gets the window mapped into its memory
 * `memory_index` after data segments and before its start function runs. */
WASM_API_EXTERN own aperture_error_t* aperture_linker_bind(
  aperture_linker_t*, uint32_t memory_index, const aperture_region_t* region,
  uint64_t offset, uint64_t length, uint64_t addr, aperture_access_t access);
/* The externs for the module's imports in import order, for wasm_instance_new. */
WASM_API_EXTERN own aperture_error_t* aperture_linker_imports(
  const aperture_linker_t*, const wasm_module_t*, own wasm_extern_vec_t* out);
/* Resolves imports, applies bindings and instantiates. On failure returns NULL and, when
 * `trap` is not NULL, sets *trap to a trap whose message says why (an unknown or
 * mismatched import, a binding that cannot be mapped, a trapping start function). */
WASM_API_EXTERN own wasm_instance_t* aperture_linker_instantiate(
  aperture_linker_t*, const wasm_module_t*, own wasm_trap_t** trap);

#ifdef APERTURE_UNDEF_OWN
#undef own
#undef APERTURE_UNDEF_OWN
#endif

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* APERTURE_APERTURE_H */
