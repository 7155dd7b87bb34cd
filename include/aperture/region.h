// Regions, windows and grants: host memory inside wasm linear memory, zero-copy
// (docs/regions.md).
//
//   auto r = aperture::Region::create_shm("/sensors", 1 << 20);   // or open_shm, file, ...
//   aperture::map_window(*instance.memory(), r, /*region offset*/ 0, r->size(),
//                        /*wasm address*/ 0x100000, aperture::Access::ReadWrite);
//   // guest loads/stores at 0x100000.. now hit the shared pages directly
//
//   aperture::GuestRegions guest;                 // capabilities for a guest
//   guest.grant("sensors", r, aperture::Access::Read);
//   guest.define_imports(store, linker);          // import module "aperture"
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "aperture/error.h"
#include "aperture/memory.h"
#include "aperture/runtime.h"

namespace aperture {

enum class Access : uint32_t { Read = 1, ReadWrite = 3 };
const char* to_string(Access a);

// A failed region or window request. `wasi_errno` is what the guest API returns (negated).
class RegionError : public Error {
 public:
  RegionError(uint32_t wasi_errno, const std::string& what) : Error(what), errno_(wasi_errno) {}
  uint32_t wasi_errno() const { return errno_; }

 private:
  uint32_t errno_;
};

// A host memory resource: size + backing file descriptor. Reference-counted through
// shared_ptr; windows keep their region alive. Sizes are multiples of the host page size
// (requests are rounded up).
class Region {
 public:
  enum class Backing { Anonymous, Memfd, Shm, File, Device, Fd, HostMemory };

  // Anonymous shared memory (a memfd, so it can be mapped many times).
  static std::shared_ptr<Region> create_anonymous(uint64_t size, const std::string& name = "anon");
  static std::shared_ptr<Region> create_memfd(uint64_t size, const std::string& name = "memfd");
  // POSIX shm: create (O_EXCL, mode 0600, sized) or open (size 0 = the object's size).
  static std::shared_ptr<Region> create_shm(const std::string& shm_name, uint64_t size);
  static std::shared_ptr<Region> open_shm(const std::string& shm_name, uint64_t size = 0,
                                          bool writable = true);
  static void remove_shm(const std::string& shm_name);
  // A file range; `create` creates the file if needed and extends it to offset+size.
  // size 0 = from offset to the end of the file. offset must be page-aligned. The file may
  // end inside the region's last page only for a read-only region (the rest of the page
  // reads as 0); read-write, that needs `create`, since writes there would never reach the
  // file. A page wholly past the file's end is refused.
  static std::shared_ptr<Region> open_file(const std::string& path, uint64_t offset, uint64_t size,
                                           bool create, bool writable = true);
  // A device file (UIO, /dev/mem, PCI BAR resource, udmabuf): never created or truncated;
  // opened O_RDWR|O_SYNC, or O_RDONLY when read-only.
  static std::shared_ptr<Region> open_device(const std::string& path, uint64_t offset,
                                             uint64_t size, bool writable);
  // An fd the host hands in (duplicated; the caller keeps its own): a memfd, shm or file
  // descriptor, or a dma-buf a driver or library gave. size 0 = from offset to the end of
  // what the descriptor holds (fstat, or lseek(SEEK_END) for a dma-buf); a writable one
  // must then end at a page boundary (writes past its end would be lost).
  static std::shared_ptr<Region> from_fd(int fd, uint64_t offset, uint64_t size, bool writable,
                                         const std::string& name = "fd");
  // A host buffer given by pointer and size, with no file descriptor: it cannot be mapped,
  // so its windows are always copy windows (docs/regions.md, "Copy mode"). The buffer
  // stays the caller's and must outlive the region and its windows. size() is `size`
  // rounded up to the page size; the bytes past the buffer's end read as zero and writes
  // to them are dropped. Attach modes need a descriptor and are refused (ENOTSUP).
  static std::shared_ptr<Region> from_host_memory(void* data, uint64_t size, bool writable,
                                                  const std::string& name = "host");
  // A host buffer that is memory of a live region of this process (inside what data()
  // returned, starting at a page boundary of it): a region of its own over the same bytes
  // of the same backing, so it maps zero-copy (docs/regions.md, "A heap over a host
  // buffer"). `size` is rounded up to the page size, and must stay inside the region.
  // Throws RegionError EINVAL for a buffer no live region holds (malloc'ed, a library's):
  // allocate the buffer from a region instead, or pass its descriptor to from_fd.
  static std::shared_ptr<Region> from_region_memory(void* data, uint64_t size, bool writable,
                                                    const std::string& name = "buffer");

  ~Region();
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;

  const std::string& name() const { return name_; }
  Backing backing() const { return backing_; }
  uint64_t size() const { return size_; }
  bool writable() const { return writable_; }
  int fd() const { return fd_; }
  // The descriptor that attach locks reopen (docs/regions.md, "Attach modes").
  int lock_fd() const { return fd_; }
  uint64_t file_offset() const { return file_offset_; }
  // The region's bytes in the host's address space (mapped on first use; the buffer itself
  // for a host-memory region).
  uint8_t* data();
  // Copy mode (docs/regions.md): region bytes [offset, offset+len) into `out`, or from `in`,
  // with pread/pwrite on the backing (a fault-free copy: a file truncated meanwhile or a
  // device that cannot be read is an error, not a crash), memcpy for host memory. Throws
  // RegionError (EIO for a file that ends inside the range).
  void read_bytes(uint64_t offset, void* out, uint64_t len);
  void write_bytes(uint64_t offset, const void* in, uint64_t len);
  // Whether the region can be mapped (it has a descriptor).
  bool mappable() const { return fd_ >= 0; }

 private:
  Region(Backing b, std::string name, int fd, uint64_t offset, uint64_t size, bool writable);

  Backing backing_;
  std::string name_;
  int fd_;
  uint64_t file_offset_;
  uint64_t size_;
  bool writable_;
  uint8_t* host_map_ = nullptr;
  bool owns_host_map_ = true;   // false: the caller's buffer (from_host_memory)
  uint64_t host_bytes_ = 0;     // bytes of the caller's buffer (from_host_memory)
  // Bytes of the region its backing held when opened: less than size_ only for a read-only
  // file ending inside the last page, whose rest copies read as 0 (read_bytes).
  uint64_t backed_bytes_;
};

// Attach modes (docs/regions.md, "Attach modes"). An attached window holds an
// open-file-description lock on its bytes of the region's backing for as long as it is
// mapped: Exclusive (a writer; the window must be read-write) excludes every other
// attachment of those bytes, Shared (a reader; the window must be read-only) excludes
// only exclusive ones. Across all processes and instances; a process that dies releases
// its attachments. None: no lock (plain windows).
enum class Attach : uint32_t { None = 0, Shared = 1, Exclusive = 2 };
const char* to_string(Attach a);

// WindowOptions::wait: block until a conflicting attachment ends, however long.
inline constexpr std::chrono::nanoseconds kWaitForever = std::chrono::nanoseconds::max();

// How a window shows its region's bytes (docs/regions.md, "Copy mode"):
//   Map   the region's pages themselves, mmap(MAP_SHARED): zero-copy, every write is seen
//         at once by every other mapping;
//   Copy  private pages of the memory, filled from the region when the window is made and
//         written back to it (a writable window only) on sync_window, unmap, detach and
//         when the memory goes away; for regions that cannot be mapped (host memory)
//         and wherever mapping is not wanted;
//   Default  the process-wide default (default_window_mode), itself Map unless the
//         environment variable APERTURE_WINDOW_MODE=copy or set_default_window_mode say Copy.
// A region that cannot be mapped always gets Copy.
enum class WindowMode : uint32_t { Default = 0, Map = 1, Copy = 2 };
const char* to_string(WindowMode m);
// The mode Default stands for. The first call reads APERTURE_WINDOW_MODE ("map" or
// "copy"; anything else is an Error naming the variable).
WindowMode default_window_mode();
void set_default_window_mode(WindowMode m);  // Map or Copy

// How a window is made, beyond its place and access.
struct WindowOptions {
  WindowMode mode = WindowMode::Default;
  Attach attach = Attach::None;
  // How long attaching may wait while a conflicting attachment exists: 0 = not at all
  // (RegionError EBUSY), a duration (then ETIMEDOUT), or kWaitForever.
  std::chrono::nanoseconds wait{0};
};

// The address to pass to map_window to let the runtime choose: the highest free range of
// the 4 GiB space above memory.size, which leaves the most room for memory.grow.
inline constexpr uint64_t kMapAnywhere = ~0ull;

// Who asks for a window operation (docs/regions.md, "Capabilities"). The host (the
// default) may change any window. The guest code of an instance, acting through the guest
// API, may unmap or protect only windows it mapped itself, never a host binding, and never
// beyond `ceiling`, the access of the handle it mapped the window through.
struct Requester {
  uint64_t instance = kHostOwner;  // Instance::id() of the guest, or kHostOwner
  Access ceiling = Access::ReadWrite;
};

// Maps region[offset, offset+length) at wasm address `addr` of `memory` with
// mmap(MAP_SHARED|MAP_FIXED). All three must be host-page aligned (length 0 = the rest of
// the region); the window must lie inside the 4 GiB space (64 GiB for a 64-bit memory), not overlap another window,
// and stay inside the region; read-write needs a writable region. Windows may lie inside
// [0, memory.size) (replacing those pages) or above it; memory.grow then stops below
// them. `addr` = kMapAnywhere picks the highest free range above memory.size.
// Throws RegionError. Returns the window's address.
uint64_t map_window(Memory& memory, std::shared_ptr<Region> region, uint64_t offset,
                    uint64_t length, uint64_t addr, Access access, const Requester& by = {});
// The same with options: an attached window (`options.attach`) is mapped only once its
// lock is held, and unmapping it releases the lock. Besides the errors above: EBUSY or
// ETIMEDOUT while a conflicting attachment exists, EINVAL for an exclusive read-only or a
// shared read-write window, EACCES for exclusive on a read-only region.
uint64_t map_window(Memory& memory, std::shared_ptr<Region> region, uint64_t offset,
                    uint64_t length, uint64_t addr, Access access, const WindowOptions& options,
                    const Requester& by = {});
// The attach mode of the window containing `addr` (Attach::None for a plain window or no
// window).
Attach window_attach_mode(const Memory& memory, uint64_t addr);
// The mode of the window containing `addr` (Map or Copy); Default when there is none.
WindowMode window_mode(const Memory& memory, uint64_t addr);
// Copy mode: writes the window at exactly (addr, length) back to its region now (a mapped
// or read-only window has nothing to write: done). Any requester may sync any window.
// Throws RegionError: EINVAL if there is no such window, EIO (or the backing's errno) if
// the region could not be written.
void sync_window(Memory& memory, uint64_t addr, uint64_t length);
// Removes the window that starts at `addr` with `length`; restores zero-filled pages inside
// [0, memory.size) and inaccessible ones above. Throws RegionError: EINVAL if there is no
// such window, EPERM if `by` is a guest that did not map it.
void unmap_window(Memory& memory, uint64_t addr, uint64_t length, const Requester& by = {});
// Changes a window's access. Read-write needs a writable region (EACCES) and, for a guest,
// a read-write handle when it was mapped; a guest may protect only its own windows (EPERM).
void protect_window(Memory& memory, uint64_t addr, uint64_t length, Access access,
                    const Requester& by = {});

// Grants and the guest API (import module "aperture", see include/aperture/guest.h):
// through the API a guest can open exactly the regions granted here, under the granted
// names, with at most the granted access. Handles belong to the instance that opened
// them. (Host bindings are outside grants: they are in the guest's memory whether or not
// their region is granted, and the guest cannot remove or re-protect them.)
class GuestRegions {
 public:
  // Region handles one instance may hold open at once (docs/limits.md): past it,
  // region_open returns -EMFILE (-33) until the guest closes one.
  static constexpr uint32_t kDefaultMaxHandles = 1024;

  explicit GuestRegions(uint32_t max_handles_per_instance = kDefaultMaxHandles);
  ~GuestRegions();
  void grant(const std::string& name, std::shared_ptr<Region> region, Access max_access);
  // Defines region_open, region_size, map, unmap, protect, attach, detach, sync,
  // region_close, page_size and wait32, wait64, notify (include/aperture/wait_notify.h has
  // the host side), which act on the calling instance's memory 0, and memory_map,
  // memory_unmap, memory_protect, memory_attach, memory_detach, memory_sync,
  // memory_wait32, memory_wait64 and memory_notify, which take a memory index first.
  void define_imports(Store& store, Linker& linker);

  struct State;

 private:
  std::unique_ptr<State> state_;
};

// Parses a size with an optional K/M/G suffix (binary units). Throws Error.
uint64_t parse_size(const std::string& text);

}  // namespace aperture
