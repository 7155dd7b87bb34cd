// Windows: region pages mapped MAP_SHARED|MAP_FIXED into a memory's reservation, or copied
// into private pages of it (copy mode).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "region/attach_lock.h"
#include "region/window_backings.h"
#include "runtime/guest_access.h"
#include "support/wasi_errno.h"

namespace aperture {
namespace {

[[noreturn]] void invalid(const std::string& what) { throw RegionError(wasi::kEinval, what); }

int prot_of(Access a) { return a == Access::ReadWrite ? PROT_READ | PROT_WRITE : PROT_READ; }

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Checks an attach mode against the window's access; takes the lock.
std::unique_ptr<AttachLock> attach(Region& region, uint64_t offset, uint64_t length,
                                   Access access, const WindowOptions& options,
                                   const std::string& who) {
  if (options.attach == Attach::None) return nullptr;
  if (options.attach == Attach::Exclusive && access != Access::ReadWrite)
    invalid(who + ": an exclusive attachment is a writer's: map it read-write (or attach "
                  "shared to read)");
  if (options.attach == Attach::Shared && access != Access::Read)
    invalid(who + ": a shared attachment is a reader's: map it read-only (or attach "
                  "exclusive to write)");
  return AttachLock::acquire(region, offset, length, options.attach, options.wait);
}

// Replaces the reserved pages of a copy window by private read-write ones. On failure
// (ENOMEM at the kernel's mapping limit) the pages are left as they were. Throws RegionError.
void make_copy_pages(Memory& memory, uint64_t addr, uint64_t length, const std::string& who) {
  if (mmap(memory.base() + addr, length, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
    int err = errno;
    throw RegionError(wasi::errno_from_host(err), who + ": cannot make its pages: " + std::strerror(err));
  }
}

// Fills a copy window's new pages from the region and gives them the window's access.
// Throws RegionError.
void fill_copy(Memory& memory, CopyWindow& copy, uint64_t addr, uint64_t length, Access access,
               const std::string& who) {
  uint8_t* pages = memory.base() + addr;
  copy.fill(pages, length);
  if (mprotect(pages, length, prot_of(access)) != 0) {
    int err = errno;
    throw RegionError(wasi::errno_from_host(err), who + ": mprotect failed: " + std::strerror(err));
  }
}

WindowMode resolve_mode(const Region& region, WindowMode asked) {
  if (!region.mappable()) return WindowMode::Copy;
  return asked == WindowMode::Default ? default_window_mode() : asked;
}

}  // namespace

bool MappedWindow::discard(uint8_t* pages, uint64_t offset, uint64_t len) {
  // Punching a hole zeroes the bytes for every mapping of the region and frees its pages
  // (shm, memfd, tmpfs and most file systems); a device, or a file system that cannot,
  // gets zeros written through the window.
  off_t at = static_cast<off_t>(region_->file_offset() + offset_ + offset);
  if (fallocate(region_->fd(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, at,
                static_cast<off_t>(len)) == 0)
    return true;
  return guest_memset(pages + offset, 0, len);
}

const char* to_string(Attach a) {
  switch (a) {
    case Attach::None: return "none";
    case Attach::Shared: return "shared";
    case Attach::Exclusive: return "exclusive";
  }
  return "?";
}

uint64_t map_window(Memory& memory, std::shared_ptr<Region> region, uint64_t offset,
                    uint64_t length, uint64_t addr, Access access, const Requester& by) {
  return map_window(memory, std::move(region), offset, length, addr, access, WindowOptions{}, by);
}

uint64_t map_window(Memory& memory, std::shared_ptr<Region> region, uint64_t offset,
                    uint64_t length, uint64_t addr, Access access, const WindowOptions& options,
                    const Requester& by) {
  if (!region) invalid("map_window: no region");
  const uint64_t page = host_page_size();
  const std::string who = "window of region '" + region->name() + "'";
  const bool anywhere = addr == kMapAnywhere;
  if (length == 0) length = offset < region->size() ? region->size() - offset : 0;
  if (length == 0) invalid(who + ": empty window");
  if ((!anywhere && addr % page) || offset % page || length % page)
    invalid(who + ": address " + hex(addr) + ", offset " + hex(offset) + " and length " +
            hex(length) + " must be multiples of the page size " + hex(page));
  const uint64_t space = memory.address_space();  // 4 GiB, or 64 GiB for a 64-bit memory
  if (length > space || (!anywhere && addr > space - length))
    invalid(who + " at " + hex(addr) + " + " + hex(length) + " leaves the " +
            (memory.is64() ? "64" : "4") + " GiB address space");
  if (offset > region->size() || length > region->size() - offset)
    invalid(who + ": [" + hex(offset) + ", " + hex(offset + length) + ") is outside the region (" +
            hex(region->size()) + " bytes)");
  if (access == Access::ReadWrite && !region->writable())
    throw RegionError(wasi::kEacces, who + ": the region is read-only");
  if (access == Access::ReadWrite && by.ceiling != Access::ReadWrite)
    throw RegionError(wasi::kEacces, who + ": read-write through a read-only handle");

  // The lock comes first: a window is never mapped before its attachment is granted.
  std::unique_ptr<AttachLock> lock = attach(*region, offset, length, access, options, who);

  WindowRecord record;
  record.addr = addr;
  record.length = length;
  record.writable = access == Access::ReadWrite;
  // A reader's attachment never becomes writable.
  record.may_write = region->writable() && by.ceiling == Access::ReadWrite &&
                     options.attach != Attach::Shared;
  record.owner = by.instance;
  record.region_name = region->name();
  record.keep_alive = region;
  const WindowMode mode = resolve_mode(*region, options.mode);
  std::shared_ptr<CopyWindow> copy;
  if (mode == WindowMode::Copy) {
    // A copy shares no bytes with any other window: backing_dev/ino stay 0 (no aliasing).
    copy = std::make_shared<CopyWindow>(region, offset, options.attach, std::move(lock),
                                        access == Access::ReadWrite);
    record.backing = copy;
  } else {
    struct stat st;
    if (fstat(region->fd(), &st) == 0) {
      record.backing_dev = static_cast<uint64_t>(st.st_dev);
      record.backing_ino = static_cast<uint64_t>(st.st_ino);
    }
    record.backing_offset = region->file_offset() + offset;
    record.backing = std::make_shared<MappedWindow>(region, offset, options.attach, std::move(lock));
  }
  // Reserve the range in the table first so that a concurrent request cannot race us.
  if (anywhere) {
    std::optional<uint64_t> chosen = memory.add_window_highest(record);
    if (!chosen)
      throw RegionError(wasi::kEnomem, who + ": no free range of " + hex(length) +
                                           " bytes is left above memory.size");
    addr = *chosen;
  } else if (!memory.add_window(record)) {
    throw RegionError(wasi::kEexist, who + " at " + hex(addr) + " overlaps an existing window");
  }
  if (copy) {
    try {
      make_copy_pages(memory, addr, length, who);
    } catch (const RegionError&) {
      // The memory's pages were not replaced: they keep their bytes, as under a mapped
      // window whose mmap failed.
      memory.abandon_window(addr, length);
      throw;
    }
    try {
      fill_copy(memory, *copy, addr, length, access, who);
    } catch (const RegionError&) {
      // Not filled: nothing is written back; the pages become what they were meant to be
      // without a window.
      memory.remove_window(addr, length);
      throw;
    }
    return addr;
  }
  void* p = mmap(memory.base() + addr, length, prot_of(access), MAP_SHARED | MAP_FIXED,
                 region->fd(), static_cast<off_t>(region->file_offset() + offset));
  if (p == MAP_FAILED) {
    // ENOMEM when the process has as many mappings as the kernel allows
    // (vm.max_map_count): the pages stay as they were and no window is recorded.
    int err = errno;
    memory.abandon_window(addr, length);
    throw RegionError(wasi::errno_from_host(err), who + ": mmap failed: " + std::strerror(err) +
                                                      (err == ENOMEM ? " (too many mappings in this process? see vm.max_map_count)" : ""));
  }
  return addr;
}

namespace {

// Turns a refused window change into the RegionError the API documents.
void check_change(WindowChange result, uint64_t addr, uint64_t length) {
  switch (result) {
    case WindowChange::kDone:
      return;
    case WindowChange::kNoWindow:
      invalid("no window at " + hex(addr) + " with length " + hex(length));
    case WindowChange::kNotOwner:
      throw RegionError(wasi::kEperm, "the window at " + hex(addr) +
                                          " was not mapped by this instance (a host binding or "
                                          "another instance's window): only its owner may change it");
    case WindowChange::kDenied:
      throw RegionError(wasi::kEacces, "the window at " + hex(addr) +
                                           " cannot become read-write: its region is read-only "
                                           "or it was mapped through a read-only handle");
    case WindowChange::kFailed:
      throw RegionError(wasi::errno_from_host(errno),
                        "changing the window at " + hex(addr) + " failed: " + std::strerror(errno));
  }
}

}  // namespace

Attach window_attach_mode(const Memory& memory, uint64_t addr) {
  std::optional<WindowRecord> w = memory.window_at(addr);
  if (!w) return Attach::None;
  auto* window = dynamic_cast<const RegionWindow*>(w->backing.get());
  return window ? window->attach() : Attach::None;
}

WindowMode window_mode(const Memory& memory, uint64_t addr) {
  std::optional<WindowRecord> w = memory.window_at(addr);
  if (!w) return WindowMode::Default;
  auto* window = dynamic_cast<const RegionWindow*>(w->backing.get());
  return window ? window->mode() : WindowMode::Map;
}

void sync_window(Memory& memory, uint64_t addr, uint64_t length) {
  check_change(memory.sync_window(addr, length), addr, length);
}

void unmap_window(Memory& memory, uint64_t addr, uint64_t length, const Requester& by) {
  check_change(memory.remove_window(addr, length, by.instance), addr, length);
}

void protect_window(Memory& memory, uint64_t addr, uint64_t length, Access access,
                    const Requester& by) {
  check_change(memory.protect_window(addr, length, access == Access::ReadWrite, by.instance),
               addr, length);
}

}  // namespace aperture
