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
  APERTURE_BACKING_HOST_MEMORY   /* a host buffer without fd (aperture_region_from_host_memory) */
};

typedef uint32_t aperture_access_t;
enum aperture_access_enum {
  APERTURE_ACCESS_READ = 1,
  APERTURE_ACCESS_READ_WRITE = 3
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

/* A host buffer given by pointer and size, with no file descriptor (a buffer from a
 * vendor library). It cannot be mapped, so its windows are always copy windows (see
 * "Window options"); attach modes are refused (ENOTSUP). The buffer stays the caller's
 * and must outlive the region and its windows. The size is rounded up to the page size;
 * bytes past the buffer's end read as zero and writes to them are dropped. For zero-copy,
 * allocate the buffer from a region instead (aperture_region_data) and hand that pointer
 * to the library, or hand in its fd (aperture_region_from_fd). */
WASM_API_EXTERN own aperture_error_t* aperture_region_from_host_memory(
  void* data, uint64_t size, bool writable, const char* name, own aperture_region_t** out);

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

/* ---- Window options: attach modes and copy mode (docs/regions.md) ---- */

/* How a window shows its region's bytes:
 *   MAP      the region's pages themselves (mmap MAP_SHARED): zero-copy;
 *   COPY     private pages filled from the region when the window is made and written
 *            back to it (a writable window only) by aperture_memory_sync, unmap and when
 *            the memory goes away; a region without fd always gets COPY;
 *   DEFAULT  the process-wide default (aperture_set_default_window_mode), itself MAP
 *            unless the environment variable APERTURE_WINDOW_MODE=copy says COPY. */
typedef uint32_t aperture_window_mode_t;
enum aperture_window_mode_enum {
  APERTURE_WINDOW_DEFAULT = 0,
  APERTURE_WINDOW_MAP = 1,
  APERTURE_WINDOW_COPY = 2
};

/* Attach modes: an attached window holds a lock on its bytes of the region's backing,
 * across all processes, for as long as it is mapped. EXCLUSIVE (a writer; the window must
 * be read-write) excludes every other attachment of those bytes, SHARED (a reader; the
 * window must be read-only) only exclusive ones. A process that dies releases its
 * attachments. NONE: no lock. */
typedef uint32_t aperture_attach_t;
enum aperture_attach_enum {
  APERTURE_ATTACH_NONE = 0,
  APERTURE_ATTACH_SHARED = 1,
  APERTURE_ATTACH_EXCLUSIVE = 2
};

/* For aperture_window_options_t.wait_ns (and the timeouts of the wait functions): wait
 * however long it takes. */
#define APERTURE_WAIT_FOREVER (-1)

typedef struct aperture_window_options_t {
  aperture_window_mode_t mode;
  aperture_attach_t attach;
  /* How long attaching may wait while a conflicting attachment exists, in nanoseconds:
   * 0 = not at all (the error's errno is EBUSY, 10), > 0 then ETIMEDOUT (73), negative
   * (APERTURE_WAIT_FOREVER) = until it ends. */
  int64_t wait_ns;
} aperture_window_options_t;

/* aperture_memory_map with options (NULL = all zero: default mode, no attach). Besides
 * aperture_memory_map's errors: EBUSY or ETIMEDOUT while a conflicting attachment exists,
 * EINVAL for an exclusive read-only or a shared read-write window, EACCES for exclusive on
 * a read-only region, ENOTSUP for an attach mode on a region without fd. */
WASM_API_EXTERN own aperture_error_t* aperture_memory_map_with_options(
  wasm_memory_t* memory, const aperture_region_t* region, uint64_t offset, uint64_t length,
  uint64_t addr, aperture_access_t access, const aperture_window_options_t* options,
  uint64_t* mapped_addr);
/* Copy mode: writes the window at exactly (addr, length) back to its region now (a mapped
 * or read-only window has nothing to write). EINVAL if there is no such window, EIO (or
 * the backing's errno) if the region could not be written. */
WASM_API_EXTERN own aperture_error_t* aperture_memory_sync(
  wasm_memory_t* memory, uint64_t addr, uint64_t length);
/* The attach mode of the window containing `addr` (NONE for a plain window or none). */
WASM_API_EXTERN aperture_attach_t aperture_memory_window_attach(
  const wasm_memory_t* memory, uint64_t addr);
/* The mode (MAP or COPY) of the window containing `addr`; DEFAULT when there is none. */
WASM_API_EXTERN aperture_window_mode_t aperture_memory_window_mode(
  const wasm_memory_t* memory, uint64_t addr);
/* The mode DEFAULT stands for now (fails when APERTURE_WINDOW_MODE holds something other
 * than "map" or "copy"), and setting it (MAP or COPY) for the whole process. */
WASM_API_EXTERN own aperture_error_t* aperture_default_window_mode(aperture_window_mode_t* out);
WASM_API_EXTERN own aperture_error_t* aperture_set_default_window_mode(aperture_window_mode_t mode);

/* ---- Wait and notify from the host (docs/regions.md, "Synchronising") ----
 * The semantics of memory.atomic.wait32/64 and memory.atomic.notify, on Linux futexes: a
 * word inside a window or a region is waited on with a shared futex keyed on the
 * region's backing page, so guests and hosts of every process that map the same bytes
 * meet there. Timeouts are relative nanoseconds; negative waits forever. */
typedef uint32_t aperture_wait_result_t;
enum aperture_wait_result_enum {
  APERTURE_WAIT_WOKEN = 0,      /* a notify woke this waiter */
  APERTURE_WAIT_NOT_EQUAL = 1,  /* the word did not hold `expected` */
  APERTURE_WAIT_TIMED_OUT = 2
};
/* For the notify functions' `count`: every waiter. */
#define APERTURE_NOTIFY_ALL UINT32_MAX

/* At wasm address `addr` of `memory` (aligned to the width, inside the memory's size or a
 * window; otherwise an error). *result (may be NULL) receives the outcome. */
WASM_API_EXTERN own aperture_error_t* aperture_memory_wait32(
  const wasm_memory_t* memory, uint64_t addr, uint32_t expected, int64_t timeout_ns,
  aperture_wait_result_t* result);
WASM_API_EXTERN own aperture_error_t* aperture_memory_wait64(
  const wasm_memory_t* memory, uint64_t addr, uint64_t expected, int64_t timeout_ns,
  aperture_wait_result_t* result);
/* Wakes up to `count` waiters at `addr`; *woken (may be NULL) receives how many. */
WASM_API_EXTERN own aperture_error_t* aperture_memory_notify(
  const wasm_memory_t* memory, uint64_t addr, uint32_t count, uint32_t* woken);
/* At byte `offset` of `region` (aligned to the width, inside the region), through the
 * host's own mapping of it. */
WASM_API_EXTERN own aperture_error_t* aperture_region_wait32(
  aperture_region_t* region, uint64_t offset, uint32_t expected, int64_t timeout_ns,
  aperture_wait_result_t* result);
WASM_API_EXTERN own aperture_error_t* aperture_region_wait64(
  aperture_region_t* region, uint64_t offset, uint64_t expected, int64_t timeout_ns,
  aperture_wait_result_t* result);
WASM_API_EXTERN own aperture_error_t* aperture_region_notify(
  aperture_region_t* region, uint64_t offset, uint32_t count, uint32_t* woken);

/* Memory `index` of an instance, exported or not; NULL when it has none. */
WASM_API_EXTERN own wasm_memory_t* aperture_instance_memory(
  const wasm_instance_t* instance, uint32_t index);

/* ---- Region-backed memories (docs/regions.md, "Region-backed memories") ----
 * A whole linear memory whose pages are region[offset, ...): every instance and process
 * backing a memory with the same region shares its bytes. */

/* How a region-backed memory grows. */
typedef uint32_t aperture_memory_growth_t;
enum aperture_memory_growth_enum {
  /* up to the region's end (whole wasm pages), then memory.grow returns -1 */
  APERTURE_GROWTH_WITHIN_REGION = 0,
  /* up to the memory's maximum, extending the region's file, shm object or memfd as it
   * grows (never shrinking it) */
  APERTURE_GROWTH_EXTEND_REGION = 1
};

/* A memory of `type` backed by `region` from `offset` (page-aligned), for a module that
 * imports its memory (pass it to aperture_linker_define or wasm_instance_new). It starts
 * with the type's minimum. Errors: a read-only region (EACCES), an unaligned offset or a
 * region too small for the minimum (EINVAL), a region without fd (ENOTSUP),
 * EXTEND_REGION on a device or a range ending before its file does (EINVAL). Memories a
 * module defines itself: aperture_linker_bind_memory. */
WASM_API_EXTERN own aperture_error_t* aperture_memory_new_from_region(
  wasm_store_t* store, const wasm_memorytype_t* type, const aperture_region_t* region,
  uint64_t offset, aperture_memory_growth_t growth, own wasm_memory_t** out);

/* ---- Grants: regions a guest may map itself (import module "aperture") ---- */

typedef struct aperture_grants_t aperture_grants_t;

WASM_API_EXTERN own aperture_grants_t* aperture_grants_new(void);
/* The same with a limit on the region handles one instance may hold open at once (the
 * CLI's --max-region-handles; aperture_grants_new: 1024): past it, the guest's
 * region_open returns -EMFILE (-33) until it closes one. */
WASM_API_EXTERN own aperture_grants_t* aperture_grants_new_with_max_handles(uint32_t max_handles);
WASM_API_EXTERN void aperture_grants_delete(own aperture_grants_t*);
/* Lets guests open `region` as `name` with at most `max_access`. */
WASM_API_EXTERN own aperture_error_t* aperture_grants_add(
  aperture_grants_t*, const char* name, const aperture_region_t* region,
  aperture_access_t max_access);

/* ---- WAMR-compatible shared heap (docs/regions.md, "WAMR shared heap") ----
 * Guests written for WAMR's shared heap import env.shared_heap_malloc (i32 size -> i32
 * pointer, 0 when exhausted) and env.shared_heap_free (i32 pointer) and run unchanged.
 * The heap is a window over a region at the top of the 4 GiB space; the allocator's state
 * lives in the region, so instances of several processes that attach one heap allocate
 * from it together and never get overlapping blocks. */

typedef struct aperture_shared_heap_t aperture_shared_heap_t;

typedef struct aperture_shared_heap_options_t {
  /* false: a block is kept until it is freed (by any instance or process) or the heap is
   * reset, so blocks can hand data on to processes that start later. true: the blocks
   * allocated through this handle are freed when the handle is deleted or, if its
   * process dies first, by the next open or full allocation in any process. */
  bool reclaim;
  /* false: refuse a region that holds no heap yet instead of making one. */
  bool create;
} aperture_shared_heap_options_t;

/* The heap of `region` (writable, mappable, at least two pages): a region holding no heap
 * yet (all zero) is initialised, one of the same size is joined. options NULL = {false,
 * true}. */
WASM_API_EXTERN own aperture_error_t* aperture_shared_heap_open(
  const aperture_region_t* region, const aperture_shared_heap_options_t* options,
  own aperture_shared_heap_t** out);
/* Releases the handle (linkers and instances keep the heap alive while they use it). */
WASM_API_EXTERN void aperture_shared_heap_delete(own aperture_shared_heap_t*);
/* The wasm address of the heap's first byte (the same in every instance and process),
 * and its usable bytes. */
WASM_API_EXTERN uint64_t aperture_shared_heap_address(const aperture_shared_heap_t*);
WASM_API_EXTERN uint64_t aperture_shared_heap_capacity(const aperture_shared_heap_t*);
/* Maps the heap's window into `memory` (EEXIST when another window is in the way). */
WASM_API_EXTERN own aperture_error_t* aperture_shared_heap_attach(
  aperture_shared_heap_t*, wasm_memory_t* memory);
/* The allocator from the host: a wasm address of `size` free bytes (16-byte aligned), 0
 * when none is left; free ignores 0 and addresses malloc did not return. */
WASM_API_EXTERN uint64_t aperture_shared_heap_malloc(aperture_shared_heap_t*, uint32_t size);
WASM_API_EXTERN void aperture_shared_heap_free(aperture_shared_heap_t*, uint64_t addr);

typedef struct aperture_shared_heap_owner_t {
  uint32_t pid;     /* the process that opened a reclaiming handle */
  bool alive;       /* false: it died; its blocks go at the next open or allocation */
  uint64_t blocks;
  uint64_t bytes;
} aperture_shared_heap_owner_t;

typedef struct aperture_shared_heap_usage_t {
  uint64_t capacity;
  uint64_t blocks;        /* blocks in use, all owners together */
  uint64_t used_bytes;
  uint64_t largest_free;  /* the largest block malloc could return now */
  uint64_t kept_blocks;   /* blocks of no owner (allocated without reclaim) */
  uint64_t kept_bytes;
  size_t owner_count;     /* reclaiming handles with the heap open or blocks left */
} aperture_shared_heap_usage_t;

/* What the heap holds now; the first `max_owners` owners go to `owners` (may be NULL
 * when max_owners is 0). */
WASM_API_EXTERN own aperture_error_t* aperture_shared_heap_usage(
  aperture_shared_heap_t*, aperture_shared_heap_usage_t* usage,
  aperture_shared_heap_owner_t* owners, size_t max_owners);
/* Frees every block; refused (EBUSY) while another handle, in any process, has the heap
 * open. */
WASM_API_EXTERN own aperture_error_t* aperture_shared_heap_reset(aperture_shared_heap_t*);

/* A heap over a host buffer, as WAMR's SharedHeapInitArgs.pre_allocated_addr: `size` bytes
 * at `addr` (docs/regions.md, "A heap over a host buffer"). The buffer must be memory of a
 * live Aperture region (from aperture_region_data, at a page boundary of it): those bytes
 * are mapped again, zero-copy, into every memory that attaches the heap. A buffer from
 * malloc or a library cannot be mapped: EINVAL, saying to allocate it from a region (or
 * to pass its fd to aperture_region_from_fd). aperture_shared_heap_open also takes a
 * host-memory region (aperture_region_from_host_memory) over such a buffer. */
WASM_API_EXTERN own aperture_error_t* aperture_shared_heap_open_buffer(
  void* addr, size_t size, const aperture_shared_heap_options_t* options,
  own aperture_shared_heap_t** out);

/* Several heaps for one instance, as WAMR's wasm_runtime_chain_shared_heaps
 * (docs/regions.md, "Chained heaps"): shared_heap_malloc takes a block from the first heap
 * with room, then the next; shared_heap_free frees into the heap holding the pointer. */
typedef struct aperture_shared_heap_chain_t aperture_shared_heap_chain_t;

/* Chains heaps[0], ..., heaps[count - 1] in this order and places them: the first stays
 * at 4 GiB minus its capacity, each next one directly below the one before
 * (aperture_shared_heap_address tells each one's place). EINVAL for no heap, a heap twice
 * (or two handles over the same bytes), a heap already chained or attached, or heaps over
 * 2 GiB together. The chain keeps its heaps alive; the handles stay the caller's. */
WASM_API_EXTERN own aperture_error_t* aperture_shared_heap_chain_new(
  aperture_shared_heap_t* const* heaps, size_t count, own aperture_shared_heap_chain_t** out);
WASM_API_EXTERN void aperture_shared_heap_chain_delete(own aperture_shared_heap_chain_t*);
/* Maps every heap's window into `memory`, or none (EEXIST when a window is in the way,
 * EINVAL when the memory's pages reach into a heap). */
WASM_API_EXTERN own aperture_error_t* aperture_shared_heap_chain_attach(
  aperture_shared_heap_chain_t*, wasm_memory_t* memory);
/* A block of the first heap with room (0 when none has); free goes to the heap holding
 * `addr` and ignores 0 and addresses of no block. */
WASM_API_EXTERN uint64_t aperture_shared_heap_chain_malloc(aperture_shared_heap_chain_t*, uint32_t size);
WASM_API_EXTERN void aperture_shared_heap_chain_free(aperture_shared_heap_chain_t*, uint64_t addr);

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
/* aperture_linker_bind with window options (attach mode, copy mode). */
WASM_API_EXTERN own aperture_error_t* aperture_linker_bind_with_options(
  aperture_linker_t*, uint32_t memory_index, const aperture_region_t* region,
  uint64_t offset, uint64_t length, uint64_t addr, aperture_access_t access,
  const aperture_window_options_t* options);
/* Provides `region` under `name` for modules' `aperture.bind` sections (docs/regions.md,
 * "Declarative bindings"), as the CLI's --region NAME=SPEC does. aperture_linker_instantiate
 * establishes every binding of the section before the start function, and fails naming
 * a region the section binds but no aperture_linker_define_region provides. */
WASM_API_EXTERN own aperture_error_t* aperture_linker_define_region(
  aperture_linker_t*, const char* name, const aperture_region_t* region);
/* Backs memory `memory_index` of every module this linker instantiates with `region`
 * from `offset`, whether the module imports that memory or defines it (as the CLI's
 * --memory N=NAME[,offset=N][,extend]); replaces the module's aperture.bind record for
 * that memory. */
WASM_API_EXTERN own aperture_error_t* aperture_linker_bind_memory(
  aperture_linker_t*, uint32_t memory_index, const aperture_region_t* region,
  uint64_t offset, aperture_memory_growth_t growth);
/* Defines env.shared_heap_malloc and env.shared_heap_free over `heap` and attaches the
 * heap to memory 0 of every instance this linker creates, before its start function (as
 * the CLI's --shared-heap). */
WASM_API_EXTERN own aperture_error_t* aperture_linker_define_shared_heap(
  aperture_linker_t*, aperture_shared_heap_t* heap);
/* The same for a chain of heaps (as the CLI's repeated --shared-heap). */
WASM_API_EXTERN own aperture_error_t* aperture_linker_define_shared_heap_chain(
  aperture_linker_t*, aperture_shared_heap_chain_t* chain);
/* The externs for the module's imports in import order, for wasm_instance_new (which
 * establishes no bindings; use aperture_linker_instantiate for those). */
WASM_API_EXTERN own aperture_error_t* aperture_linker_imports(
  const aperture_linker_t*, const wasm_module_t*, own wasm_extern_vec_t* out);
/* Resolves imports, applies bindings and instantiates: the module's `aperture.bind`
 * section (regions from aperture_linker_define_region), memories backed by regions
 * (aperture_linker_bind_memory), then windows (aperture_linker_bind) and the shared heap,
 * all before the start function. On failure returns NULL and, when `trap` is not NULL,
 * sets *trap to a trap whose message says why (an unknown or mismatched import, a region
 * the section binds but nobody provides, a binding that cannot be mapped, a trapping
 * start function). wasm_instance_new refuses a module with an `aperture.bind` section:
 * it has no regions to give it. */
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
