// The table of wasi_snapshot_preview1 functions: name, signature and implementation.
#pragma once

#include <cstdint>
#include <vector>

#include "wasi/context_impl.h"
#include "wasi/guest_memory.h"

namespace aperture::wasi {

// Arguments arrive as raw 64-bit slots; the result is a WASI errno.
using CallFn = uint32_t (*)(ContextImpl& ctx, const GuestMemory& mem, const uint64_t* args);

struct CallDef {
  const char* name;
  const char* params;  // one letter per parameter: 'i' = i32, 'I' = i64
  bool returns_errno;  // false only for proc_exit
  CallFn fn;
};

std::vector<CallDef> fd_calls();
std::vector<CallDef> path_calls();
std::vector<CallDef> misc_calls();
std::vector<CallDef> sock_calls();

}  // namespace aperture::wasi
struct iovec;
struct stat;
struct timespec;
namespace aperture::wasi {
// WASI atim/mtim/fst_flags to utimensat's times; false for contradictory flags (EINVAL).
bool file_times(uint64_t atim, uint64_t mtim, uint32_t flags, struct timespec out[2]);
// Writes a WASI filestat (64 bytes) at guest address `addr`; false on a bad pointer.
bool store_filestat(const GuestMemory& m, uint32_t addr, const struct ::stat& st);

// The guest's `count` iovecs at `iovs` as host iovecs, each buffer bounds-checked (for
// writing into it when `write`); a WASI errno: EINVAL beyond IOV_MAX (1024) iovecs,
// EFAULT for a pointer outside memory, else success. fd_read/fd_write and
// sock_recv/sock_send share it.
uint32_t gather_iovecs(const GuestMemory& mem, uint32_t iovs, uint32_t count, bool write,
                       std::vector<struct ::iovec>* out);

inline uint32_t u32(const uint64_t* a, int i) { return static_cast<uint32_t>(a[i]); }
inline uint64_t u64(const uint64_t* a, int i) { return a[i]; }

}  // namespace aperture::wasi
