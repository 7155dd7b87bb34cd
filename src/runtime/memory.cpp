// Linear memory reservations: reserve once, commit by mprotect, never move.
#include "aperture/memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aperture/error.h"
#include "runtime/fault_handler.h"

namespace aperture {

uint64_t host_page_size() {
  static const uint64_t size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return size;
}

Memory::Memory(const MemoryType& type) : type_(type) {
  if (type.limits.min > kMaxMemoryPages)
    throw Error("memory minimum of " + std::to_string(type.limits.min) + " pages exceeds 4 GiB");
  install_fault_handler();
  // MAP_NORESERVE: the reservation is address space only; pages are committed by mprotect.
  void* p = mmap(nullptr, kReservationBytes, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    throw Error(std::string("cannot reserve address space for a linear memory: ") +
                std::strerror(errno));
  base_ = static_cast<uint8_t*>(p);
  uint64_t bytes = type.limits.min * kWasmPageSize;
  if (bytes != 0 && mprotect(base_, bytes, PROT_READ | PROT_WRITE) != 0) {
    int err = errno;
    munmap(base_, kReservationBytes);
    throw Error(std::string("cannot commit linear memory: ") + std::strerror(err));
  }
  size_bytes_ = bytes;
  if (!register_reservation(this)) {
    munmap(base_, kReservationBytes);
    throw Error("too many linear memories alive at once");
  }
}

Memory::~Memory() {
  unregister_reservation(this);
  munmap(base_, kReservationBytes);
}

int64_t Memory::grow(uint64_t delta_pages) {
  uint64_t old_pages = pages();
  uint64_t limit = type_.limits.max.value_or(kMaxMemoryPages);
  if (limit > kMaxMemoryPages) limit = kMaxMemoryPages;
  if (delta_pages > limit || old_pages + delta_pages > limit) return -1;
  if (delta_pages == 0) return static_cast<int64_t>(old_pages);
  uint64_t new_bytes = (old_pages + delta_pages) * kWasmPageSize;
  std::lock_guard<std::mutex> lock(windows_mutex_);
  protect_gaps(size_bytes_, new_bytes, PROT_READ | PROT_WRITE);
  size_bytes_ = new_bytes;
  return static_cast<int64_t>(old_pages);
}

// Caller holds windows_mutex_.
void Memory::protect_gaps(uint64_t from, uint64_t to, int prot) {
  uint64_t cursor = from;
  auto it = windows_.upper_bound(from);
  if (it != windows_.begin()) {
    auto prev = std::prev(it);
    if (prev->second.addr + prev->second.length > cursor)
      cursor = prev->second.addr + prev->second.length;
  }
  for (; cursor < to; ++it) {
    uint64_t gap_end = (it == windows_.end()) ? to : std::min<uint64_t>(it->first, to);
    if (gap_end > cursor) mprotect(base_ + cursor, gap_end - cursor, prot);
    if (it == windows_.end()) break;
    cursor = std::max(cursor, it->second.addr + it->second.length);
  }
}

bool Memory::range_accessible(uint64_t addr, uint64_t len, bool write) const {
  if (addr + len < addr) return false;
  uint64_t end = addr + len;
  if (end > kAddressSpace) return false;
  if (window_count_.load(std::memory_order_acquire) == 0) return end <= size_bytes_;
  std::lock_guard<std::mutex> lock(windows_mutex_);
  if (windows_.empty()) return end <= size_bytes_;
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
    if (cursor >= size_bytes_) return false;
    uint64_t next_window = (it == windows_.end()) ? end : it->first;
    cursor = std::min(std::min(next_window, size_bytes_), end);
  }
  return true;
}

std::string Memory::access_failure(uint64_t addr, uint64_t len, bool write) const {
  if (range_accessible(addr, len, write)) return "";
  if (write && range_accessible(addr, len, false)) {
    // Readable but not writable: some read-only window is in the way; name it.
    std::lock_guard<std::mutex> lock(windows_mutex_);
    for (const auto& [start, w] : windows_) {
      if (!w.writable && start < addr + len && addr < start + w.length)
        return "write to read-only window of region '" + w.region_name + "' at address " +
               std::to_string(std::max(addr, start));
    }
  }
  return "out of bounds memory access";
}

bool Memory::add_window(WindowRecord w) {
  std::lock_guard<std::mutex> lock(windows_mutex_);
  uint64_t end = w.addr + w.length;
  auto it = windows_.lower_bound(w.addr);
  if (it != windows_.end() && it->first < end) return false;
  if (it != windows_.begin()) {
    auto prev = std::prev(it);
    if (prev->second.addr + prev->second.length > w.addr) return false;
  }
  windows_.emplace(w.addr, std::move(w));
  window_count_.store(windows_.size(), std::memory_order_release);
  return true;
}

bool Memory::remove_window(uint64_t addr, uint64_t length) {
  std::lock_guard<std::mutex> lock(windows_mutex_);
  auto it = windows_.find(addr);
  if (it == windows_.end() || it->second.length != length) return false;
  // Replace the shared mapping by fresh private pages: zero-filled read-write inside
  // [0, size), inaccessible above it (DESIGN.md, "Semantics").
  uint64_t end = addr + length;
  void* p = mmap(base_ + addr, length, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
  if (p == MAP_FAILED) return false;
  if (addr < size_bytes_)
    mprotect(base_ + addr, std::min(end, size_bytes_) - addr, PROT_READ | PROT_WRITE);
  windows_.erase(it);
  window_count_.store(windows_.size(), std::memory_order_release);
  return true;
}

bool Memory::set_window_writable(uint64_t addr, uint64_t length, bool writable) {
  std::lock_guard<std::mutex> lock(windows_mutex_);
  auto it = windows_.find(addr);
  if (it == windows_.end() || it->second.length != length) return false;
  it->second.writable = writable;
  return true;
}

std::optional<WindowRecord> Memory::window_at(uint64_t addr) const {
  std::lock_guard<std::mutex> lock(windows_mutex_);
  auto it = windows_.upper_bound(addr);
  if (it == windows_.begin()) return std::nullopt;
  const WindowRecord& w = std::prev(it)->second;
  if (addr >= w.addr + w.length) return std::nullopt;
  return w;
}

std::optional<uint64_t> Memory::find_free_range(uint64_t from, uint64_t len) const {
  uint64_t page = host_page_size();
  uint64_t cursor = (from + page - 1) / page * page;
  std::lock_guard<std::mutex> lock(windows_mutex_);
  for (auto it = windows_.begin(); it != windows_.end(); ++it) {
    const WindowRecord& w = it->second;
    if (w.addr + w.length <= cursor) continue;
    if (w.addr >= cursor + len) break;
    cursor = w.addr + w.length;
  }
  if (cursor + len > kAddressSpace || len == 0) return std::nullopt;
  return cursor;
}

size_t Memory::window_count() const { return window_count_.load(std::memory_order_acquire); }

}  // namespace aperture
