// aperture.h: regions (every backing), windows on a memory, checked host access to guest
// memory, and grants for the guest import module "aperture".
#include "aperture/memory.h"
#include "api/c_api_internal.h"
#include "wasi/wasi_types.h"

namespace aperture::capi {

static_assert(APERTURE_MAP_ANYWHERE == kMapAnywhere, "aperture.h and region.h agree on \"anywhere\"");

std::optional<Access> to_access(aperture_access_t a) {
  if (a == APERTURE_ACCESS_READ) return Access::Read;
  if (a == APERTURE_ACCESS_READ_WRITE) return Access::ReadWrite;
  return std::nullopt;
}

aperture_error_t* bad_access(const char* api, aperture_access_t a) {
  return new_error(std::string(api) + ": access " + std::to_string(a) +
                       " is invalid (use APERTURE_ACCESS_READ or APERTURE_ACCESS_READ_WRITE)",
                   wasi::kEinval);
}

std::optional<MemoryGrowth> to_growth(aperture_memory_growth_t g) {
  if (g == APERTURE_GROWTH_WITHIN_REGION) return MemoryGrowth::WithinRegion;
  if (g == APERTURE_GROWTH_EXTEND_REGION) return MemoryGrowth::ExtendRegion;
  return std::nullopt;
}

aperture_error_t* bad_growth(const char* api, aperture_memory_growth_t g) {
  return new_error(std::string(api) + ": growth " + std::to_string(g) +
                       " is invalid (use APERTURE_GROWTH_WITHIN_REGION or APERTURE_GROWTH_EXTEND_REGION)",
                   wasi::kEinval);
}

aperture_error_t* null_argument(const char* api, const char* what) {
  return new_error(std::string(api) + ": " + what + " must not be NULL", wasi::kEinval);
}

}  // namespace aperture::capi

using namespace aperture;
using namespace aperture::capi;

namespace {

// Runs `open` (which returns a region) and hands the region out through `out`.
template <typename Open>
aperture_error_t* open_region(const char* api, aperture_region_t** out, Open&& open) {
  if (out == nullptr) return null_argument(api, "out");
  *out = nullptr;
  return guarded([&] { *out = new aperture_region_t{open()}; });
}

std::string name_or(const char* name, const char* fallback) { return name ? name : fallback; }

// Why a checked copy (Memory::read/write, fault-safe) failed.
aperture_error_t* copy_failure(const char* api, const Memory& mem, uint64_t addr, uint64_t length,
                               bool write) {
  std::string why = mem.access_failure(addr, length, write);
  if (why.empty())
    why = "the copy faulted: a window in the range has a backing shorter than the window "
          "(e.g. a file truncated by another process)";
  return new_error(std::string(api) + ": " + why, wasi::kEfault);
}

}  // namespace

extern "C" {

// ---- Regions ----

aperture_error_t* aperture_region_create_anonymous(uint64_t size, const char* name,
                                                   aperture_region_t** out) {
  return open_region("aperture_region_create_anonymous", out,
                     [&] { return Region::create_anonymous(size, name_or(name, "anon")); });
}

aperture_error_t* aperture_region_create_memfd(uint64_t size, const char* name,
                                               aperture_region_t** out) {
  return open_region("aperture_region_create_memfd", out,
                     [&] { return Region::create_memfd(size, name_or(name, "memfd")); });
}

aperture_error_t* aperture_region_create_shm(const char* shm_name, uint64_t size,
                                             aperture_region_t** out) {
  if (shm_name == nullptr) return null_argument("aperture_region_create_shm", "shm_name");
  return open_region("aperture_region_create_shm", out,
                     [&] { return Region::create_shm(shm_name, size); });
}

aperture_error_t* aperture_region_open_shm(const char* shm_name, uint64_t size, bool writable,
                                           aperture_region_t** out) {
  if (shm_name == nullptr) return null_argument("aperture_region_open_shm", "shm_name");
  return open_region("aperture_region_open_shm", out,
                     [&] { return Region::open_shm(shm_name, size, writable); });
}

aperture_error_t* aperture_region_remove_shm(const char* shm_name) {
  if (shm_name == nullptr) return null_argument("aperture_region_remove_shm", "shm_name");
  return guarded([&] { Region::remove_shm(shm_name); });
}

aperture_error_t* aperture_region_open_file(const char* path, uint64_t offset, uint64_t size,
                                            bool create, bool writable, aperture_region_t** out) {
  if (path == nullptr) return null_argument("aperture_region_open_file", "path");
  return open_region("aperture_region_open_file", out,
                     [&] { return Region::open_file(path, offset, size, create, writable); });
}

aperture_error_t* aperture_region_open_device(const char* path, uint64_t offset, uint64_t size,
                                              bool writable, aperture_region_t** out) {
  if (path == nullptr) return null_argument("aperture_region_open_device", "path");
  return open_region("aperture_region_open_device", out,
                     [&] { return Region::open_device(path, offset, size, writable); });
}

aperture_error_t* aperture_region_from_fd(int fd, uint64_t offset, uint64_t size, bool writable,
                                          const char* name, aperture_region_t** out) {
  return open_region("aperture_region_from_fd", out, [&] {
    return Region::from_fd(fd, offset, size, writable, name_or(name, "fd"));
  });
}

aperture_error_t* aperture_region_from_host_memory(void* data, uint64_t size, bool writable,
                                                   const char* name, aperture_region_t** out) {
  return open_region("aperture_region_from_host_memory", out, [&] {
    return Region::from_host_memory(data, size, writable, name_or(name, "host"));
  });
}

void aperture_region_delete(aperture_region_t* r) { delete r; }

aperture_region_t* aperture_region_copy(const aperture_region_t* r) {
  return r ? new aperture_region_t{r->region} : nullptr;
}

const char* aperture_region_name(const aperture_region_t* r) { return r->region->name().c_str(); }

aperture_backing_t aperture_region_backing(const aperture_region_t* r) {
  switch (r->region->backing()) {
    case Region::Backing::Anonymous: return APERTURE_BACKING_ANONYMOUS;
    case Region::Backing::Memfd: return APERTURE_BACKING_MEMFD;
    case Region::Backing::Shm: return APERTURE_BACKING_SHM;
    case Region::Backing::File: return APERTURE_BACKING_FILE;
    case Region::Backing::Device: return APERTURE_BACKING_DEVICE;
    case Region::Backing::Fd: return APERTURE_BACKING_FD;
    case Region::Backing::HostMemory: return APERTURE_BACKING_HOST_MEMORY;
  }
  return APERTURE_BACKING_FD;
}

uint64_t aperture_region_size(const aperture_region_t* r) { return r->region->size(); }
bool aperture_region_writable(const aperture_region_t* r) { return r->region->writable(); }

uint8_t* aperture_region_data(aperture_region_t* r) {
  try {
    return r->region->data();
  } catch (...) {
    set_last_error(current_exception_error());
    return nullptr;
  }
}

// ---- Windows ----

uint32_t aperture_page_size(void) { return static_cast<uint32_t>(host_page_size()); }

aperture_error_t* aperture_memory_map(wasm_memory_t* memory, const aperture_region_t* region,
                                      uint64_t offset, uint64_t length, uint64_t addr,
                                      aperture_access_t access, uint64_t* mapped_addr) {
  const char* api = "aperture_memory_map";
  if (memory == nullptr) return null_argument(api, "memory");
  if (region == nullptr) return null_argument(api, "region");
  std::optional<Access> a = to_access(access);
  if (!a) return bad_access(api, access);
  Memory& mem = *memory->memory();
  return guarded([&] {
    // APERTURE_MAP_ANYWHERE is the runtime's kMapAnywhere.
    uint64_t at = map_window(mem, region->region, offset, length, addr, *a);
    if (mapped_addr) *mapped_addr = at;
  });
}

aperture_error_t* aperture_memory_unmap(wasm_memory_t* memory, uint64_t addr, uint64_t length) {
  if (memory == nullptr) return null_argument("aperture_memory_unmap", "memory");
  return guarded([&] { unmap_window(*memory->memory(), addr, length); });
}

aperture_error_t* aperture_memory_protect(wasm_memory_t* memory, uint64_t addr, uint64_t length,
                                          aperture_access_t access) {
  const char* api = "aperture_memory_protect";
  if (memory == nullptr) return null_argument(api, "memory");
  std::optional<Access> a = to_access(access);
  if (!a) return bad_access(api, access);
  return guarded([&] { protect_window(*memory->memory(), addr, length, *a); });
}

size_t aperture_memory_window_count(const wasm_memory_t* memory) {
  return memory ? memory->memory()->window_count() : 0;
}

aperture_error_t* aperture_memory_read(const wasm_memory_t* memory, uint64_t addr, void* dst,
                                       size_t length) {
  if (memory == nullptr) return null_argument("aperture_memory_read", "memory");
  if (dst == nullptr && length) return null_argument("aperture_memory_read", "dst");
  const Memory& mem = *memory->memory();
  if (mem.read(addr, dst, length)) return nullptr;
  return copy_failure("aperture_memory_read", mem, addr, length, false);
}

aperture_error_t* aperture_memory_write(wasm_memory_t* memory, uint64_t addr, const void* src,
                                        size_t length) {
  if (memory == nullptr) return null_argument("aperture_memory_write", "memory");
  if (src == nullptr && length) return null_argument("aperture_memory_write", "src");
  Memory& mem = *memory->memory();
  if (mem.write(addr, src, length)) return nullptr;
  return copy_failure("aperture_memory_write", mem, addr, length, true);
}

// ---- Grants ----

aperture_grants_t* aperture_grants_new(void) {
  try {
    return new aperture_grants_t;
  } catch (...) {
    set_last_error(current_exception_error());
    return nullptr;
  }
}

aperture_grants_t* aperture_grants_new_with_max_handles(uint32_t max_handles) {
  try {
    return new aperture_grants_t{std::make_shared<GuestRegions>(max_handles)};
  } catch (...) {
    set_last_error(current_exception_error());
    return nullptr;
  }
}

void aperture_grants_delete(aperture_grants_t* g) { delete g; }

aperture_error_t* aperture_grants_add(aperture_grants_t* grants, const char* name,
                                      const aperture_region_t* region, aperture_access_t max_access) {
  const char* api = "aperture_grants_add";
  if (grants == nullptr) return null_argument(api, "grants");
  if (name == nullptr) return null_argument(api, "name");
  if (region == nullptr) return null_argument(api, "region");
  std::optional<Access> a = to_access(max_access);
  if (!a) return bad_access(api, max_access);
  return guarded([&] { grants->regions->grant(name, region->region, *a); });
}

}  // extern "C"
