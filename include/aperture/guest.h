/* Aperture's guest API for C programs compiled with clang for wasm32 (import module
 * "aperture"). A guest reaches exactly the regions its host granted, by name.
 *
 *   int32_t h = aperture_region_open("sensors", 7, APERTURE_READ);
 *   int64_t at = aperture_map(h, 0, aperture_region_size(h), APERTURE_MAP_ANYWHERE, APERTURE_READ);
 *   const volatile uint32_t* samples = aperture_ptr(at);   // plain loads, zero copy
 *
 * Every function returns a negative WASI errno on an expected failure; none traps:
 *   -APERTURE_EACCES  access wider than the grant or the handle (or a read-only region
 *                     mapped rw)
 *   -APERTURE_EBADF   unknown handle (handles belong to the instance that opened them)
 *   -APERTURE_EBUSY   attach: a conflicting attachment exists and the call does not wait
 *   -APERTURE_EEXIST  the window would overlap another window
 *   -APERTURE_EFAULT  the name pointer is outside memory
 *   -APERTURE_EMFILE  this instance already holds the maximum of open handles (1024 by
 *                     default); close one first
 *   -APERTURE_EINVAL  misaligned address/offset/length, outside the region or the 4 GiB
 *                     space, bad access value, or no window at (addr, length)
 *   -APERTURE_ENOENT  no region granted under that name
 *   -APERTURE_ENOMEM  no free range for APERTURE_MAP_ANYWHERE
 *   -APERTURE_EPERM   unmap/protect of a window this instance did not map: host
 *                     bindings (--map) are fixed for the guest
 *   -APERTURE_ETIMEDOUT attach: the conflicting attachment outlasted the timeout
 * Writing a read-only window traps. After unmap, an access above memory.size traps; inside
 * [0, memory.size) the pages read as zero again.
 *
 * Growth: memory.grow (and so malloc) fails rather than cover a window. Windows mapped
 * with APERTURE_MAP_ANYWHERE go to the highest free range of the 4 GiB space, leaving the
 * heap the most room.
 */
#ifndef APERTURE_GUEST_H
#define APERTURE_GUEST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define APERTURE_READ 1
#define APERTURE_READ_WRITE 3
#define APERTURE_MAP_ANYWHERE ((int64_t)-1)

#define APERTURE_EACCES 2
#define APERTURE_EBADF 8
#define APERTURE_EBUSY 10
#define APERTURE_EEXIST 20
#define APERTURE_EFAULT 21
#define APERTURE_EINVAL 28
#define APERTURE_EMFILE 33
#define APERTURE_ENOENT 44
#define APERTURE_ENOMEM 48
#define APERTURE_EPERM 63
#define APERTURE_ETIMEDOUT 73

/* Attach modes: one writer at a time, or any number of readers while no writer. */
#define APERTURE_ATTACH_SHARED 1
#define APERTURE_ATTACH_EXCLUSIVE 2
#define APERTURE_WAIT_FOREVER ((int64_t)-1)

#define APERTURE_IMPORT(name) __attribute__((import_module("aperture"), import_name(name)))

/* Opens the region granted as `name` with `access`; returns a handle >= 1. */
APERTURE_IMPORT("region_open") int32_t aperture_region_open(const char* name, int32_t name_len, int32_t access);
/* Size of the region in bytes (a multiple of the page size). */
APERTURE_IMPORT("region_size") int64_t aperture_region_size(int32_t handle);
/* Maps region[offset, offset+length) at wasm address `addr` (page aligned), or at the
 * highest free range above memory.size with APERTURE_MAP_ANYWHERE; returns the window's
 * address. */
APERTURE_IMPORT("map") int64_t aperture_map(int32_t handle, int64_t offset, int64_t length, int64_t addr, int32_t access);
/* Removes the window at exactly (addr, length) that this instance mapped; memory below
 * memory.size reads as zero again, above it accesses trap. */
APERTURE_IMPORT("unmap") int32_t aperture_unmap(int64_t addr, int64_t length);
/* Changes the access of a window this instance mapped (never beyond its handle). */
APERTURE_IMPORT("protect") int32_t aperture_protect(int64_t addr, int64_t length, int32_t access);
/* The same three on memory `memory` of a module with several memories (map, unmap and
 * protect act on memory 0). A memory index the module does not have is -APERTURE_EINVAL. */
APERTURE_IMPORT("memory_map") int64_t aperture_memory_map(int32_t memory, int32_t handle, int64_t offset, int64_t length, int64_t addr, int32_t access);
APERTURE_IMPORT("memory_unmap") int32_t aperture_memory_unmap(int32_t memory, int64_t addr, int64_t length);
APERTURE_IMPORT("memory_protect") int32_t aperture_memory_protect(int32_t memory, int64_t addr, int64_t length, int32_t access);
/* Closes a handle; windows made through it stay mapped. */
APERTURE_IMPORT("region_close") int32_t aperture_region_close(int32_t handle);
/* Maps region[offset, offset+length) like aperture_map, attached: EXCLUSIVE maps it
 * read-write once no other attachment of those bytes exists, in any process or instance;
 * SHARED maps it read-only once no exclusive one exists. timeout_ns = 0 returns
 * -APERTURE_EBUSY at once while the bytes are taken, > 0 waits at most that long
 * (-APERTURE_ETIMEDOUT), APERTURE_WAIT_FOREVER waits until they are free. The attachment
 * lasts until detach/unmap, or until the process ends, however it ends. */
APERTURE_IMPORT("attach") int64_t aperture_attach_wait(int32_t handle, int64_t offset, int64_t length, int64_t addr, int32_t mode, int64_t timeout_ns);
static inline int64_t aperture_attach(int32_t handle, int64_t offset, int64_t length, int64_t addr, int32_t mode) {
  return aperture_attach_wait(handle, offset, length, addr, mode, 0);
}
/* Unmaps an attached window (exactly (addr, length)) and releases its attachment;
 * -APERTURE_EINVAL for a window that is not attached. */
APERTURE_IMPORT("detach") int32_t aperture_detach(int64_t addr, int64_t length);
/* Copy mode (docs/regions.md): writes the window at exactly (addr, length) back to its
 * region now, so that other parties see the guest's changes before unmap/detach/exit. A
 * mapped (zero-copy) window has nothing to write: returns 0. -APERTURE_EINVAL: no window
 * at (addr, length). Any window may be synced, host bindings included. */
APERTURE_IMPORT("sync") int32_t aperture_sync(int64_t addr, int64_t length);
/* attach, detach and sync on memory `memory` (the plain ones act on memory 0). */
APERTURE_IMPORT("memory_attach") int64_t aperture_memory_attach_wait(int32_t memory, int32_t handle, int64_t offset, int64_t length, int64_t addr, int32_t mode, int64_t timeout_ns);
static inline int64_t aperture_memory_attach(int32_t memory, int32_t handle, int64_t offset, int64_t length, int64_t addr, int32_t mode) {
  return aperture_memory_attach_wait(memory, handle, offset, length, addr, mode, 0);
}
APERTURE_IMPORT("memory_detach") int32_t aperture_memory_detach(int32_t memory, int64_t addr, int64_t length);
APERTURE_IMPORT("memory_sync") int32_t aperture_memory_sync(int32_t memory, int64_t addr, int64_t length);
/* The host page size: the alignment of window addresses, offsets and lengths. */
APERTURE_IMPORT("page_size") int32_t aperture_page_size(void);

/* Wait and notify on any memory, shared or not (memory.atomic.wait traps on an unshared
 * memory, so ordinary single-threaded WASI programs use these). Inside a window the wait
 * is a shared futex on the region: a notify from another process that maps the same
 * region (guest, host API or native futex) wakes it.
 *   aperture_wait32/64: blocks while *addr == expected, at most timeout_ns nanoseconds
 *     (negative: forever); returns APERTURE_WAIT_WOKEN, _NOT_EQUAL or _TIMED_OUT.
 *   aperture_notify: wakes up to `count` waiters at addr; returns how many were woken.
 * -APERTURE_EINVAL: addr not aligned to the width; -APERTURE_EFAULT: addr outside memory
 * and windows, or in a window past its file's end (a truncated file): waits and notifies
 * alike, whatever the count. */
#define APERTURE_WAIT_WOKEN 0
#define APERTURE_WAIT_NOT_EQUAL 1
#define APERTURE_WAIT_TIMED_OUT 2
APERTURE_IMPORT("wait32") int32_t aperture_wait32(const volatile void* addr, uint32_t expected, int64_t timeout_ns);
APERTURE_IMPORT("wait64") int32_t aperture_wait64(const volatile void* addr, uint64_t expected, int64_t timeout_ns);
APERTURE_IMPORT("notify") int32_t aperture_notify(const volatile void* addr, uint32_t count);
/* The same on memory `memory`, at wasm address `addr` of that memory (the plain ones act
 * on memory 0; -APERTURE_EINVAL for a memory index the module does not have). */
APERTURE_IMPORT("memory_wait32") int32_t aperture_memory_wait32(int32_t memory, uint32_t addr, uint32_t expected, int64_t timeout_ns);
APERTURE_IMPORT("memory_wait64") int32_t aperture_memory_wait64(int32_t memory, uint32_t addr, uint64_t expected, int64_t timeout_ns);
APERTURE_IMPORT("memory_notify") int32_t aperture_memory_notify(int32_t memory, uint32_t addr, uint32_t count);

/* A window address as a pointer. */
static inline void* aperture_ptr(int64_t addr) { return (void*)(uintptr_t)addr; }

/* Declarative bindings (docs/regions.md, "Declarative bindings"): the compiler writes a
 * record into the module's `aperture.bind` custom section, and the runtime maps the window
 * before the start function runs, from a region the host provides under NAME
 * (aperture run --region NAME=SPEC). A missing or too small region is an instantiation
 * error that names it. At file scope:
 *
 *   APERTURE_BIND_WINDOW("input", 0, 65536, 0xF0000000, APERTURE_READ);
 *   const volatile int32_t* in = (const volatile int32_t*)0xF0000000;
 *
 * NAME is a string literal of 1..255 bytes; OFFSET is the region offset, SIZE the
 * window's bytes (0: the rest of the region), ADDR its wasm address (all three
 * page-aligned); ACCESS is APERTURE_READ or APERTURE_READ_WRITE. The numbers go to the
 * assembler: integer literals, macros that expand to them, and + - * << between them,
 * no casts or suffixes. APERTURE_BIND_WINDOW_IN(MEMORY, ...) binds a window of memory
 * MEMORY; APERTURE_BIND_MEMORY(MEMORY, NAME, OFFSET) makes memory MEMORY (imported or
 * defined) a region-backed memory. */
#define APERTURE_BIND__STR2(x) #x
#define APERTURE_BIND__STR(x) APERTURE_BIND__STR2(x)
#define APERTURE_BIND__RECORD(KIND, MEMORY, NAME, OFFSET, SIZE, ADDR, ACCESS)             \
  _Static_assert(sizeof(NAME) > 1 && sizeof(NAME) <= 256,                                 \
                 "aperture bind: a region name has 1 to 255 bytes");                      \
  __asm__(".section .custom_section.aperture.bind,\"\",@\n"                              \
          ".int8 1\n"                                                                     \
          ".int8 " APERTURE_BIND__STR(KIND) "\n"                                          \
          ".int8 " APERTURE_BIND__STR(ACCESS) "\n"                                        \
          ".int8 2f-1f\n"                                                                 \
          ".int32 " APERTURE_BIND__STR(MEMORY) "\n"                                       \
          ".int64 " APERTURE_BIND__STR(OFFSET) "\n"                                       \
          ".int64 " APERTURE_BIND__STR(SIZE) "\n"                                         \
          ".int64 " APERTURE_BIND__STR(ADDR) "\n"                                         \
          "1:\n.ascii " #NAME "\n2:\n")
#define APERTURE_BIND_WINDOW_IN(MEMORY, NAME, OFFSET, SIZE, ADDR, ACCESS) \
  APERTURE_BIND__RECORD(1, MEMORY, NAME, OFFSET, SIZE, ADDR, ACCESS)
#define APERTURE_BIND_WINDOW(NAME, OFFSET, SIZE, ADDR, ACCESS) \
  APERTURE_BIND_WINDOW_IN(0, NAME, OFFSET, SIZE, ADDR, ACCESS)
#define APERTURE_BIND_MEMORY(MEMORY, NAME, OFFSET) \
  APERTURE_BIND__RECORD(2, MEMORY, NAME, OFFSET, 0, 0, 3)

#ifdef __cplusplus
}
#endif

#endif /* APERTURE_GUEST_H */
