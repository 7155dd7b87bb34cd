// Linear memory reservations: reserve once, commit by mprotect, never move.
#include "aperture/memory.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aperture/error.h"
#include "runtime/fault_handler.h"
#include "runtime/free_ranges.h"
#include "runtime/guest_access.h"
#include "runtime/spare_mappings.h"

namespace aperture {

uint64_t host_page_size() {
  static const uint64_t size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return size;
}

namespace {
uint64_t address_space_of(const MemoryType& t) {
  return t.limits.is64 ? Memory::kAddressSpace64 : Memory::kAddressSpace;
}
uint64_t max_pages_of(const MemoryType& t) { return address_space_of(t) / kWasmPageSize; }
}  // namespace

Memory::Memory(const MemoryType& type)
    : type_(type),
      address_space_(address_space_of(type)),
      reservation_bytes_(type.limits.is64 ? kAddressSpace64 : kReservationBytes),
      free_(std::make_unique<FreeRanges>(address_space_)) {
  if (type.limits.min > max_pages_of(type))
    throw Error("memory minimum of " + std::to_string(type.limits.min) + " pages exceeds " +
                (type.limits.is64 ? "64 GiB, the most a 64-bit memory may have (docs/limits.md)"
                                  : "4 GiB"));
  max_bytes_ = backing_cap_ = address_space_;
  reserve();
  commit_initial_pages();
}

Memory::Memory(const MemoryType& type, MemoryBacking backing)
    : type_(type),
      address_space_(address_space_of(type)),
      reservation_bytes_(type.limits.is64 ? kAddressSpace64 : kReservationBytes),
      backing_(std::move(backing)),
      free_(std::make_unique<FreeRanges>(address_space_)) {
  const std::string& name = backing_->region_name;
  if (backing_->offset % host_page_size() != 0)
    throw Error("a memory backed by region '" + name + "' must start at a multiple of the page size (" +
                std::to_string(host_page_size()) + "), not at offset " + std::to_string(backing_->offset));
  // Only whole wasm pages of the backing can become memory; an extendable backing grows
  // with the memory, up to the type's maximum.
  uint64_t type_cap = std::min<uint64_t>(type.limits.max.value_or(max_pages_of(type)), max_pages_of(type)) * kWasmPageSize;
  backing_cap_ = backing_->extend ? type_cap
                                  : std::min(backing_->length, address_space_) / kWasmPageSize * kWasmPageSize;
  uint64_t needed = type.limits.min * kWasmPageSize;
  if (type.limits.min > max_pages_of(type) || needed > backing_cap_)
    throw Error("a memory of " + std::to_string(type.limits.min) + " pages (" + std::to_string(needed) +
                " bytes) does not fit in region '" + name + "' (" + std::to_string(backing_->length) +
                " bytes from offset " + std::to_string(backing_->offset) +
                "); give the region at least that size");
  if (backing_->extend && needed > backing_->length && !extend_backing(needed))
    throw Error("cannot extend region '" + name + "' to hold a memory of " + std::to_string(type.limits.min) +
                " pages: " + std::strerror(errno));
  struct stat st;
  if (fstat(backing_->fd, &st) == 0) {
    backing_dev_ = static_cast<uint64_t>(st.st_dev);
    backing_ino_ = static_cast<uint64_t>(st.st_ino);
  }
  max_bytes_ = backing_cap_;
  reserve();
  if (backing_cap_ != 0 &&
      mmap(base_, backing_cap_, PROT_NONE, MAP_SHARED | MAP_FIXED, backing_->fd,
           static_cast<off_t>(backing_->offset)) == MAP_FAILED) {
    int err = errno;
    release_reservation();
    throw Error("cannot map region '" + name + "' as a memory: " + std::strerror(err));
  }
  commit_initial_pages();
}

void Memory::reserve() {
  install_fault_handler();
  reserve_spare_mappings();
  // MAP_NORESERVE: the reservation is address space only; pages are committed by mprotect.
  void* p = mmap(nullptr, reservation_bytes_, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    throw Error(std::string("cannot reserve address space for a linear memory: ") +
                std::strerror(errno));
  base_ = static_cast<uint8_t*>(p);
  if (!register_reservation(this)) {
    munmap(base_, reservation_bytes_);
    throw Error("too many linear memories alive at once");
  }
}

void Memory::release_reservation() {
  unregister_reservation(this);
  munmap(base_, reservation_bytes_);
}

void Memory::commit_initial_pages() {
  uint64_t bytes = type_.limits.min * kWasmPageSize;
  if (bytes != 0 && mprotect(base_, bytes, PROT_READ | PROT_WRITE) != 0) {
    int err = errno;
    release_reservation();
    throw Error(std::string("cannot commit linear memory: ") + std::strerror(err));
  }
  size_bytes_.store(bytes, std::memory_order_relaxed);
}

Memory::~Memory() {
  // Copy windows keep their bytes in this memory's pages: write them back while the pages
  // are still there (a failure has no one left to report to).
  {
    std::lock_guard<std::mutex> lock(windows_mutex_);
    for (auto& [addr, w] : windows_)
      if (w.backing) w.backing->write_back(base_ + addr, w.length);
  }
  release_reservation();
}

int64_t Memory::grow(uint64_t delta_pages) {
  // Under the lock: threads sharing a memory may grow it at the same time.
  std::lock_guard<std::mutex> lock(windows_mutex_);
  uint64_t old_pages = pages();
  const uint64_t max_pages = address_space_ / kWasmPageSize;
  uint64_t limit = type_.limits.max.value_or(max_pages);
  if (limit > max_pages) limit = max_pages;
  limit = std::min(limit, max_bytes_ / kWasmPageSize);
  if (delta_pages > limit || old_pages + delta_pages > limit) return -1;
  if (delta_pages == 0) return static_cast<int64_t>(old_pages);
  uint64_t old_bytes = size_bytes();
  uint64_t new_bytes = (old_pages + delta_pages) * kWasmPageSize;
  // Never grow over a window: the new pages would be the region's shared pages, and the
  // guest's allocator would hand them out as fresh heap (docs/regions.md, "Growth").
  if (overlaps_window(old_bytes, new_bytes)) return -1;
  if (backing_ && backing_->extend && !extend_backing(new_bytes)) return -1;
  if (mprotect(base_ + old_bytes, new_bytes - old_bytes, PROT_READ | PROT_WRITE) != 0) return -1;
  // Release: a thread that sees the new size also sees the pages accessible.
  size_bytes_.store(new_bytes, std::memory_order_release);
  return static_cast<int64_t>(old_pages);
}

// Caller holds windows_mutex_ (or the constructor runs).
bool Memory::extend_backing(uint64_t new_bytes) {
  struct stat st;
  if (fstat(backing_->fd, &st) != 0) return false;
  uint64_t want = backing_->offset + new_bytes;
  if (static_cast<uint64_t>(st.st_size) >= want) return true;  // another process grew it
  uint64_t from = std::max<uint64_t>(st.st_size, backing_->offset);
  if (fallocate(backing_->fd, 0, static_cast<off_t>(from), static_cast<off_t>(want - from)) == 0) return true;
  // A file system without fallocate: ftruncate, which only extends here (the size was
  // checked just before; a racing process extending further can lose pages to it).
  if (errno != EOPNOTSUPP) return false;
  return ftruncate(backing_->fd, static_cast<off_t>(want)) == 0;
}

// Caller holds windows_mutex_.
bool Memory::overlaps_window(uint64_t from, uint64_t to) const {
  auto it = windows_.lower_bound(from);
  if (it != windows_.end() && it->first < to) return true;
  if (it == windows_.begin()) return false;
  const WindowRecord& prev = std::prev(it)->second;
  return prev.addr + prev.length > from;
}

bool Memory::range_accessible(uint64_t addr, uint64_t len, bool write) const {
  if (addr + len < addr) return false;
  uint64_t end = addr + len;
  if (end > address_space_) return false;
  if (window_count_.load(std::memory_order_acquire) == 0) return end <= size_bytes();
  std::lock_guard<std::mutex> lock(windows_mutex_);
  uint64_t size = size_bytes();
  if (windows_.empty()) return end <= size;
  // Zero bytes: the address itself must be in bounds, as for memory.size: inside
  // [0, size] or inside a window, its end included (the spec traps a zero-length
  // memory.fill/copy/init beyond the memory's end; a window must not switch that off).
  if (len == 0) {
    if (addr <= size) return true;
    auto it = windows_.upper_bound(addr);
    if (it != windows_.begin()) {
      const WindowRecord& w = std::prev(it)->second;
      if (addr <= w.addr + w.length) return true;
    }
    return false;
  }
  // Walk the range: each piece must be a window (of the right access) or committed memory.
  uint64_t cursor = addr;
  while (cursor < end) {
    auto it = windows_.upper_bound(cursor);
    if (it != windows_.begin()) {
      const WindowRecord& w = std::prev(it)->second;
      if (cursor < w.addr + w.length) {
        if (write && !w.writable) return false;
        cursor = w.addr + w.length;
        continue;
      }
    }
    if (cursor >= size) return false;
    uint64_t next_window = (it == windows_.end()) ? end : it->first;
    cursor = std::min(std::min(next_window, size), end);
  }
  return true;
}

bool Memory::discard(uint64_t addr, uint64_t len) {
  std::lock_guard<std::mutex> lock(windows_mutex_);
  const uint64_t end = addr + len;
  uint64_t cursor = addr;
  bool ok = true;
  // Walk the range: window pieces go to their region, committed pieces are dropped.
  while (cursor < end) {
    auto it = windows_.upper_bound(cursor);
    if (it != windows_.begin()) {
      const WindowRecord& w = std::prev(it)->second;
      if (cursor < w.addr + w.length) {
        uint64_t piece_end = std::min(end, w.addr + w.length);
        ok = zero_window_bytes(w, cursor - w.addr, piece_end - cursor) && ok;
        cursor = piece_end;
        continue;
      }
    }
    uint64_t piece_end = it == windows_.end() ? end : std::min(end, it->first);
    ok = drop_committed_pages(cursor, piece_end - cursor) && ok;
    cursor = piece_end;
  }
  return ok;
}

// Caller holds windows_mutex_.
bool Memory::drop_committed_pages(uint64_t addr, uint64_t len) {
  if (!backing_) return madvise(base_ + addr, len, MADV_DONTNEED) == 0;
  // MADV_DONTNEED keeps shared pages' bytes: a region-backed memory's bytes are zeroed in
  // the backing (a hole punched; written zeros where the file system cannot punch).
  if (fallocate(backing_->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                static_cast<off_t>(backing_->offset + addr), static_cast<off_t>(len)) == 0)
    return true;
  // A file system that cannot punch holes: zeros written through the mapping, which
  // faults when the file was truncated under it. The fault is caught here, inside this
  // frame, so the caller's lock_guard still releases windows_mutex_.
  return guest_memset(base_ + addr, 0, len);
}

// Caller holds windows_mutex_.
bool Memory::zero_window_bytes(const WindowRecord& w, uint64_t offset, uint64_t len) {
  uint8_t* pages = base_ + w.addr;
  if (w.backing) return w.backing->discard(pages, offset, len);
  return guest_memset(pages + offset, 0, len);
}

std::string Memory::access_failure(uint64_t addr, uint64_t len, bool write) const {
  if (range_accessible(addr, len, write)) return "";
  if (write && range_accessible(addr, len, false)) {
    // Readable but not writable: some read-only window is in the way; name it. Only the
    // windows inside the range are visited.
    std::lock_guard<std::mutex> lock(windows_mutex_);
    auto it = windows_.upper_bound(addr);
    if (it != windows_.begin()) --it;
    for (; it != windows_.end() && it->first < addr + len; ++it) {
      const WindowRecord& w = it->second;
      if (!w.writable && addr < w.addr + w.length)
        return "write to read-only window of region '" + w.region_name + "' at address " +
               std::to_string(std::max(addr, w.addr));
    }
  }
  return "out of bounds memory access";
}

// Caller holds windows_mutex_.
void Memory::insert_window(WindowRecord w) {
  free_->take(w.addr, w.length);
  windows_.emplace(w.addr, std::move(w));
  window_count_.store(windows_.size(), std::memory_order_release);
}

// Caller holds windows_mutex_.
void Memory::erase_window(std::map<uint64_t, WindowRecord>::iterator it) {
  free_->give_back(it->second.addr, it->second.length);
  windows_.erase(it);
  window_count_.store(windows_.size(), std::memory_order_release);
}

bool Memory::add_window(WindowRecord w) {
  std::lock_guard<std::mutex> lock(windows_mutex_);
  if (w.length == 0 || w.addr >= address_space_ || w.length > address_space_ - w.addr) return false;
  if (overlaps_window(w.addr, w.addr + w.length)) return false;
  insert_window(std::move(w));
  return true;
}

std::optional<uint64_t> Memory::add_window_highest(WindowRecord w) {
  const uint64_t page = host_page_size();
  if (w.length == 0 || w.length > address_space_ || w.length % page) return std::nullopt;
  std::lock_guard<std::mutex> lock(windows_mutex_);
  uint64_t floor = (size_bytes() + page - 1) / page * page;
  std::optional<uint64_t> addr = free_->highest_fit(w.length, floor);
  if (!addr) return std::nullopt;
  w.addr = *addr;
  insert_window(std::move(w));
  return addr;
}

// Caller holds windows_mutex_.
WindowChange Memory::find_changeable(uint64_t addr, uint64_t length, uint64_t requester,
                                     std::map<uint64_t, WindowRecord>::iterator* out) {
  auto it = windows_.find(addr);
  if (it == windows_.end() || it->second.length != length) return WindowChange::kNoWindow;
  if (requester != kHostOwner && it->second.owner != requester) return WindowChange::kNotOwner;
  *out = it;
  return WindowChange::kDone;
}

WindowChange Memory::remove_window(uint64_t addr, uint64_t length, uint64_t requester) {
  std::lock_guard<std::mutex> lock(windows_mutex_);
  std::map<uint64_t, WindowRecord>::iterator it;
  WindowChange found = find_changeable(addr, length, requester, &it);
  if (found != WindowChange::kDone) return found;
  if (it->second.backing && !it->second.backing->write_back(base_ + addr, length))
    return WindowChange::kFailed;
  // Replace the shared mapping by fresh private pages (docs/regions.md, "The model").
  if (!restore_private_pages(addr, length)) return WindowChange::kFailed;
  erase_window(it);
  return WindowChange::kDone;
}

namespace {

// Whether every page of [p, p+length) is mapped (mincore fails with ENOMEM otherwise).
// No allocation: this runs when the process may be out of mappings.
bool fully_mapped(uint8_t* p, uint64_t length) {
  unsigned char residency[4096];
  const uint64_t chunk = sizeof residency * host_page_size();
  for (uint64_t done = 0; done < length; done += chunk) {
    if (mincore(p + done, std::min(chunk, length - done), residency) != 0 && errno == ENOMEM)
      return false;
  }
  return true;
}

}  // namespace

// Caller holds windows_mutex_.
bool Memory::restore_private_pages(uint64_t addr, uint64_t length) {
  // One atomic replacement (MAP_FIXED): unmapping first would leave a hole that another
  // thread's mmap could take. At the kernel's mapping limit, the spares make room. In a
  // region-backed memory, the pages the backing covers show its bytes again.
  uint64_t end = addr + length;
  uint64_t backed_end = backing_ ? std::clamp(backing_cap_, addr, end) : addr;
  bool replaced = with_spare_mappings([&] {
    if (backed_end > addr &&
        mmap(base_ + addr, backed_end - addr, PROT_NONE, MAP_SHARED | MAP_FIXED, backing_->fd,
             static_cast<off_t>(backing_->offset + addr)) == MAP_FAILED)
      return false;
    return end == backed_end ||
           mmap(base_ + backed_end, end - backed_end, PROT_NONE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) != MAP_FAILED;
  });
  if (!replaced) return false;
  uint64_t size = size_bytes();
  if (addr < size) mprotect(base_ + addr, std::min(end, size) - addr, PROT_READ | PROT_WRITE);
  return true;
}

void Memory::abandon_window(uint64_t addr, uint64_t length) {
  std::lock_guard<std::mutex> lock(windows_mutex_);
  auto it = windows_.find(addr);
  if (it == windows_.end() || it->second.length != length) return;
  erase_window(it);
  if (!fully_mapped(base_ + addr, length)) restore_private_pages(addr, length);
}

WindowChange Memory::sync_window(uint64_t addr, uint64_t length) {
  std::lock_guard<std::mutex> lock(windows_mutex_);
  std::map<uint64_t, WindowRecord>::iterator it;
  WindowChange found = find_changeable(addr, length, kHostOwner, &it);
  if (found != WindowChange::kDone) return found;
  if (it->second.backing && !it->second.backing->write_back(base_ + addr, length))
    return WindowChange::kFailed;
  return WindowChange::kDone;
}

WindowChange Memory::protect_window(uint64_t addr, uint64_t length, bool writable,
                                    uint64_t requester) {
  std::lock_guard<std::mutex> lock(windows_mutex_);
  std::map<uint64_t, WindowRecord>::iterator it;
  WindowChange found = find_changeable(addr, length, requester, &it);
  if (found != WindowChange::kDone) return found;
  if (writable && !it->second.may_write) return WindowChange::kDenied;
  int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
  if (mprotect(base_ + addr, length, prot) != 0) return WindowChange::kFailed;
  it->second.writable = writable;
  if (it->second.backing) it->second.backing->access_changed(writable);
  return WindowChange::kDone;
}

bool Memory::in_window(uint64_t addr) const {
  if (window_count_.load(std::memory_order_acquire) == 0) return false;
  std::lock_guard<std::mutex> lock(windows_mutex_);
  auto it = windows_.upper_bound(addr);
  if (it == windows_.begin()) return false;
  const WindowRecord& w = std::prev(it)->second;
  return addr < w.addr + w.length;
}

// A region-backed memory's own pages are one address-to-byte translation: the memory
// itself is the piece's identity. Caller holds windows_mutex_.
void Memory::add_backed_piece(uint64_t begin, uint64_t end, std::vector<BackingPiece>& out) const {
  if (!backing_ || begin >= end) return;
  out.push_back({this, backing_dev_, backing_ino_, backing_->offset + begin, backing_->offset + end});
}

std::vector<BackingPiece> Memory::backing_pieces(uint64_t addr, uint64_t len) const {
  std::vector<BackingPiece> out;
  if (len == 0 || !may_alias()) return out;
  std::lock_guard<std::mutex> lock(windows_mutex_);
  const uint64_t end = addr + len;
  uint64_t cursor = addr;  // the pages before `cursor` are done
  auto it = windows_.upper_bound(addr);
  if (it != windows_.begin()) --it;
  for (; it != windows_.end() && it->first < end; ++it) {
    const WindowRecord& w = it->second;
    uint64_t begin = std::max(addr, w.addr), stop = std::min(end, w.addr + w.length);
    if (begin >= stop) continue;
    add_backed_piece(cursor, begin, out);
    out.push_back({&w, w.backing_dev, w.backing_ino, w.backing_offset + (begin - w.addr),
                   w.backing_offset + (stop - w.addr)});
    cursor = stop;
  }
  add_backed_piece(cursor, end, out);
  return out;
}

std::optional<WindowRecord> Memory::window_at(uint64_t addr) const {
  std::lock_guard<std::mutex> lock(windows_mutex_);
  auto it = windows_.upper_bound(addr);
  if (it == windows_.begin()) return std::nullopt;
  const WindowRecord& w = std::prev(it)->second;
  if (addr >= w.addr + w.length) return std::nullopt;
  return w;
}

size_t Memory::window_count() const { return window_count_.load(std::memory_order_acquire); }

}  // namespace aperture
