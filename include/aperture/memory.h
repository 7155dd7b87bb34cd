// A 32-bit linear memory as one fixed virtual reservation (docs/architecture.md, "Memories and faults").
//
// The reservation covers 8 GiB + one guard page: every `i32 address + u32 offset + width`
// lands inside it, so wasm loads and stores need no bounds compare: pages outside
// [0, size) and outside windows are PROT_NONE and fault, and the fault handler turns the
// fault into a trap. The base address never changes, not even on memory.grow.
#pragma once

#include <algorithm>
#include <cstdint>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aperture/types.h"

namespace aperture {

class FreeRanges;  // runtime/free_ranges.h

// Who asks for a window change: the host (kHostOwner, may change any window) or the guest
// code of one instance, named by Instance::id(), which may change only its own windows.
inline constexpr uint64_t kHostOwner = 0;

// The region layer's side of one window (src/region/window.cpp): what the runtime asks
// of a window's region when its bytes need more than the MMU mapping.
class WindowBacking {
 public:
  virtual ~WindowBacking() = default;
  // memory.discard of the window's bytes [offset, offset+len); `pages` is the window's
  // first byte in the reservation. Zeroes the region's bytes and gives their pages back to
  // the OS where the backing allows it. Called with the memory's window lock held.
  // false: the bytes could not be zeroed (a fault or a failed system call).
  virtual bool discard(uint8_t* pages, uint64_t offset, uint64_t len) = 0;
  // Copy mode: writes the window's `length` bytes at `pages` back to the region. Called on
  // sync, before the window is removed and before the memory goes away, with the memory's
  // window lock held. false: not written (errno is set). Mapped windows have nothing to do.
  virtual bool write_back(const uint8_t* /*pages*/, uint64_t /*length*/) { return true; }
  // The window's access was changed (protect_window), with the window lock held.
  virtual void access_changed(bool /*writable*/) {}
};

// One window: region bytes mapped MAP_SHARED|MAP_FIXED at a wasm address (src/region).
struct WindowRecord {
  uint64_t addr = 0;     // wasm address, host-page aligned
  uint64_t length = 0;   // bytes, host-page aligned
  bool writable = false;
  // The most access the window may ever get: false for a read-only region, and for a guest
  // window mapped through a read-only handle.
  bool may_write = true;
  uint64_t owner = kHostOwner;        // who mapped it (see kHostOwner)
  std::string region_name;            // named in trap messages
  std::shared_ptr<void> keep_alive;   // keeps the region's backing alive while mapped
  // The region layer's operations on the window; without one, memory.discard zeroes the
  // window's bytes through the mapping.
  std::shared_ptr<WindowBacking> backing;
  // The backing bytes behind `addr`: file (st_dev, st_ino) and offset. Two windows alias
  // when they show the same bytes, even through different Region objects.
  uint64_t backing_dev = 0, backing_ino = 0, backing_offset = 0;
};

// Part of a wasm address range that lies in a window, as backing bytes (see aliasing).
struct BackingPiece {
  const void* window_id;  // the same window <=> the same address-to-byte translation
  uint64_t dev, ino;
  uint64_t begin, end;    // backing offsets
};

// The pages of a region-backed memory (docs/regions.md, "Region-backed memories"):
// wasm address A is byte `offset + A` of the file behind `fd`, mapped MAP_SHARED, so every
// instance and process that backs a memory with the same bytes shares the whole memory.
// The memory grows within `length` bytes (whole wasm pages) and no further, unless
// `extend`: then it may grow up to its type's maximum (and 4 GiB), and growth extends the
// file (never shrinks it) to cover the new pages.
struct MemoryBacking {
  int fd = -1;                       // owned by keep_alive's object, not by the memory
  uint64_t offset = 0;               // file offset of wasm address 0 (host-page aligned)
  uint64_t length = 0;               // bytes of the file the memory may use
  bool extend = false;               // growth past `length` extends the file
  std::string region_name;           // named in errors
  std::shared_ptr<void> keep_alive;  // keeps the fd open while the memory lives
};

// Backings for memories a module defines, by memory index (Store::instantiate): memory
// N's pages are the backing's bytes instead of fresh private pages.
using MemoryBackings = std::map<uint32_t, MemoryBacking>;

// Outcome of a request to change a window.
enum class WindowChange {
  kDone,
  kNoWindow,   // no window starts at the address with that length
  kNotOwner,   // a guest asked to change a window it did not map
  kDenied,     // read-write beyond the window's may_write
  kFailed,     // the system call failed (errno is set)
};

class Memory {
 public:
  static constexpr uint64_t kAddressSpace = 1ull << 32;             // 4 GiB of wasm addresses
  static constexpr uint64_t kReservationBytes = (8ull << 30) + 65536;  // + guard for offsets
  // A 64-bit memory (memory64) reserves kAddressSpace64 bytes and no guard zone: every
  // access compares `address + offset + width` with kAddressSpace64 (a constant, so one
  // compare and branch in compiled code), and faults on PROT_NONE pages do the rest
  // (docs/architecture.md, "64-bit memories"). It grows to at most this size.
  static constexpr uint64_t kAddressSpace64 = 1ull << 36;           // 64 GiB

  // Reserves the address space and commits `type.limits.min` pages. Throws Error.
  explicit Memory(const MemoryType& type);
  // A region-backed memory: [0, size) are the backing's bytes, not private pages. Throws
  // Error when the backing holds fewer than `type.limits.min` pages or is misaligned.
  Memory(const MemoryType& type, MemoryBacking backing);
  ~Memory();
  Memory(const Memory&) = delete;
  Memory& operator=(const Memory&) = delete;

  const MemoryType& type() const { return type_; }
  // The backing of a region-backed memory, or nullptr for ordinary private pages.
  const MemoryBacking* backing() const { return backing_ ? &*backing_ : nullptr; }
  uint8_t* base() const { return base_; }
  // The size may change concurrently (memory.grow on a shared memory in another thread);
  // it only ever increases.
  uint64_t pages() const { return size_bytes() / kWasmPageSize; }
  uint64_t size_bytes() const { return size_bytes_.load(std::memory_order_acquire); }
  std::optional<uint64_t> max_pages() const { return type_.limits.max; }
  // A shared memory (threads proposal): may be used by several threads at once, and
  // memory.atomic.wait is allowed on it.
  bool shared() const { return type_.limits.shared; }
  // A 64-bit memory (memory64): i64 addresses, kAddressSpace64 of them.
  bool is64() const { return type_.limits.is64; }
  // The wasm addresses the reservation covers: kAddressSpace or kAddressSpace64.
  uint64_t address_space() const { return address_space_; }
  // The bytes reserved: kReservationBytes or kAddressSpace64.
  uint64_t reservation_bytes() const { return reservation_bytes_; }

  // A cap below the type's maximum (the store's memory limit): grow beyond it fails.
  // A region-backed memory never grows beyond its backing.
  void set_max_bytes(uint64_t bytes) { max_bytes_ = std::min(bytes, backing_cap_); }
  uint64_t max_bytes() const { return max_bytes_; }

  // memory.grow: returns the old size in pages, or -1 when the limit is reached or the new
  // pages would cover a window (the allocator would otherwise hand out the region's pages
  // as fresh heap and overwrite its data).
  int64_t grow(uint64_t delta_pages);

  // memory.discard (memory-control proposal): [addr, addr+len) reads as zero afterwards and
  // its pages go back to the OS. Committed pages are dropped (madvise MADV_DONTNEED: fresh
  // zero pages on the next touch); bytes inside a window are zeroed in the window's region
  // (WindowBacking::discard). The caller checks alignment and that the range is writable
  // (range_accessible). false: some bytes could not be zeroed.
  bool discard(uint64_t addr, uint64_t len);

  // True when every byte of [addr, addr+len) is inside [0, size) or a window
  // (writable windows only when `write`). Used by bulk operations and host code.
  bool range_accessible(uint64_t addr, uint64_t len, bool write) const;
  // Why [addr, addr+len) is not accessible: "out of bounds memory access", or a message
  // naming the region of a read-only window a write would hit. Empty when accessible.
  std::string access_failure(uint64_t addr, uint64_t len, bool write) const;

  // Host access to guest bytes, fault-safe (src/runtime/guest_access.cpp). The range is
  // checked like a guest access (range_accessible), and a fault during the copy (a window
  // whose backing file was truncated or is shorter than the window, a window unmapped by
  // another thread meanwhile) ends the copy, not the process. Use these rather than
  // touching base() directly: a fault in host code outside them is a crash.
  // false: not accessible or faulted (the destination may be partly written).
  bool read(uint64_t addr, void* out, uint64_t len) const;
  bool write(uint64_t addr, const void* in, uint64_t len);
  // The same, but a failure throws the Trap a guest access would raise: "out of bounds
  // memory access", a write to a read-only window naming its region, or a bus error in a
  // window. For host functions that want to trap their caller.
  void read_or_trap(uint64_t addr, void* out, uint64_t len) const;
  void write_or_trap(uint64_t addr, const void* in, uint64_t len);

  // A raw pointer to [addr, addr+len), or nullptr when not accessible. Only for handing a
  // buffer to a system call (the kernel reports a fault as EFAULT); host code that
  // dereferences it can die of SIGBUS where read()/write() would fail cleanly.
  uint8_t* host_pointer(uint64_t addr, uint64_t len, bool write = true) const {
    return range_accessible(addr, len, write) ? base_ + addr : nullptr;
  }

  // Window bookkeeping for the region layer. The caller performs the mmap itself and
  // holds no lock; these keep the table consistent and restore pages on removal.
  // add_window fails (returns false) when the range overlaps an existing window.
  bool add_window(WindowRecord w);
  // Records `w` at the highest free host-page-aligned range of `w.length` bytes above
  // memory.size (leaving the most room for growth) and returns its address; nullopt when
  // no such range is left. Choice and insertion are one step, so nothing can race them.
  std::optional<uint64_t> add_window_highest(WindowRecord w);
  // Removes the window starting exactly at `addr` with `length` and restores the pages
  // (zero-filled read-write inside [0,size), PROT_NONE above). A guest `requester` may
  // remove only the windows it owns. A copy window is written back first; if that fails
  // the window stays (kFailed, errno set), so no bytes are lost.
  WindowChange remove_window(uint64_t addr, uint64_t length, uint64_t requester = kHostOwner);
  // Forgets the window just recorded at (addr, length) whose mmap failed, without
  // touching its pages: the failed mmap left them as they were (if an older kernel
  // unmapped them anyway, they are reserved again so that the reservation has no hole).
  void abandon_window(uint64_t addr, uint64_t length);
  // Writes the window starting exactly at `addr` with `length` back to its region
  // (WindowBacking::write_back). kFailed with errno set when that failed.
  WindowChange sync_window(uint64_t addr, uint64_t length);
  // mprotects the window starting exactly at `addr` with `length` and records its access.
  // A guest `requester` may change only the windows it owns; read-write needs may_write.
  WindowChange protect_window(uint64_t addr, uint64_t length, bool writable,
                              uint64_t requester = kHostOwner);
  // Whether some of this memory's bytes can be shared with other mappings (windows, or a
  // region-backed memory): only then can a bulk copy meet the same bytes twice.
  bool may_alias() const { return backing_ || window_count() != 0; }
  // The parts of [addr, addr+len) that are shared bytes (windows, and the pages of a
  // region-backed memory), as backing bytes: bulk copies check aliasing. The caller has
  // checked that the range is accessible.
  std::vector<BackingPiece> backing_pieces(uint64_t addr, uint64_t len) const;
  // The window containing `addr`, copied out, or nullopt.
  std::optional<WindowRecord> window_at(uint64_t addr) const;
  // Whether `addr` lies inside a window (no copy: for wait/notify's hot path).
  bool in_window(uint64_t addr) const;
  size_t window_count() const;

  // Whether `p` lies inside this memory's reservation.
  bool contains(const void* p) const {
    auto a = reinterpret_cast<uintptr_t>(p), b = reinterpret_cast<uintptr_t>(base_);
    return a >= b && a < b + reservation_bytes_;
  }

 private:
  // memory.discard of committed pages [addr, addr+len): zero-filled afterwards. Caller
  // holds windows_mutex_.
  bool drop_committed_pages(uint64_t addr, uint64_t len);
  // memory.discard of bytes [offset, offset+len) of window `w`. Caller holds windows_mutex_.
  bool zero_window_bytes(const WindowRecord& w, uint64_t offset, uint64_t len);
  // Whether a window overlaps [from, to). Caller holds windows_mutex_.
  bool overlaps_window(uint64_t from, uint64_t to) const;
  // The window starting exactly at (addr, length) that `requester` may change, or an
  // error outcome. Caller holds windows_mutex_.
  WindowChange find_changeable(uint64_t addr, uint64_t length, uint64_t requester,
                               std::map<uint64_t, WindowRecord>::iterator* out);
  // Records `w` (its range is free). Caller holds windows_mutex_.
  void insert_window(WindowRecord w);
  // Drops the record of the window at `it`. Caller holds windows_mutex_.
  void erase_window(std::map<uint64_t, WindowRecord>::iterator it);
  // A region-backed memory growing to `new_bytes` with an extendable backing: makes the
  // file hold them (fallocate never shrinks it, unlike a racing ftruncate from another
  // process). False when the file cannot be extended. Caller holds windows_mutex_.
  bool extend_backing(uint64_t new_bytes);
  // Appends the region-backed pages of [begin, end) (outside windows) to `out`.
  void add_backed_piece(uint64_t begin, uint64_t end, std::vector<BackingPiece>& out) const;
  // Fresh private pages over [addr, addr+length): zero-filled read-write inside
  // [0, size), PROT_NONE above. False when mmap failed. Caller holds windows_mutex_.
  bool restore_private_pages(uint64_t addr, uint64_t length);

  // Reserves the address space and registers it (both constructors). Throws Error.
  void reserve();
  void release_reservation();
  // Makes the type's minimum pages accessible. Throws Error (and releases the reservation).
  void commit_initial_pages();

  MemoryType type_;
  uint64_t address_space_ = kAddressSpace;        // set from type_ before anything else
  uint64_t reservation_bytes_ = kReservationBytes;
  std::optional<MemoryBacking> backing_;
  uint8_t* base_ = nullptr;
  std::atomic<uint64_t> size_bytes_{0};  // written under windows_mutex_
  uint64_t max_bytes_ = kAddressSpace;
  uint64_t backing_cap_ = kAddressSpace;  // whole wasm pages of the backing, if any
  uint64_t backing_dev_ = 0, backing_ino_ = 0;  // the backing file (aliasing checks)
  mutable std::mutex windows_mutex_;
  std::map<uint64_t, WindowRecord> windows_;  // by address
  std::unique_ptr<FreeRanges> free_;          // the address ranges no window covers
  // windows_.size(), readable without the lock: bulk operations and WASI pointer checks
  // on a memory without windows skip the mutex.
  std::atomic<size_t> window_count_{0};
};

// Host page size (sysconf), cached.
uint64_t host_page_size();

}  // namespace aperture
