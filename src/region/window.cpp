// Windows: region pages mapped MAP_SHARED|MAP_FIXED into a memory's reservation.
#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "wasi/wasi_types.h"

namespace aperture {
namespace {

[[noreturn]] void invalid(const std::string& what) { throw RegionError(wasi::kEinval, what); }

int prot_of(Access a) { return a == Access::ReadWrite ? PROT_READ | PROT_WRITE : PROT_READ; }

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

uint64_t map_window(Memory& memory, std::shared_ptr<Region> region, uint64_t offset,
                    uint64_t length, uint64_t addr, Access access) {
  if (!region) invalid("map_window: no region");
  const uint64_t page = host_page_size();
  const std::string who = "window of region '" + region->name() + "'";
  if (length == 0) length = offset < region->size() ? region->size() - offset : 0;
  if (length == 0) invalid(who + ": empty window");
  if (addr % page || offset % page || length % page)
    invalid(who + ": address " + hex(addr) + ", offset " + hex(offset) + " and length " +
            hex(length) + " must be multiples of the page size " + hex(page));
  if (addr >= Memory::kAddressSpace || length > Memory::kAddressSpace - addr)
    invalid(who + " at " + hex(addr) + " + " + hex(length) + " leaves the 4 GiB address space");
  if (offset > region->size() || length > region->size() - offset)
    invalid(who + ": [" + hex(offset) + ", " + hex(offset + length) + ") is outside the region (" +
            hex(region->size()) + " bytes)");
  if (access == Access::ReadWrite && !region->writable())
    throw RegionError(wasi::kEacces, who + ": the region is read-only");

  WindowRecord record;
  record.addr = addr;
  record.length = length;
  record.writable = access == Access::ReadWrite;
  record.region_name = region->name();
  record.keep_alive = region;
  // Reserve the range in the table first so that a concurrent request cannot race us.
  if (!memory.add_window(record))
    throw RegionError(wasi::kEexist, who + " at " + hex(addr) + " overlaps an existing window");
  void* p = mmap(memory.base() + addr, length, prot_of(access), MAP_SHARED | MAP_FIXED,
                 region->fd(), static_cast<off_t>(region->file_offset() + offset));
  if (p == MAP_FAILED) {
    int err = errno;
    memory.remove_window(addr, length);
    throw RegionError(wasi::errno_from_host(err), who + ": mmap failed: " + std::strerror(err));
  }
  return addr;
}

void unmap_window(Memory& memory, uint64_t addr, uint64_t length) {
  if (!memory.remove_window(addr, length))
    invalid("no window at " + hex(addr) + " with length " + hex(length));
}

void protect_window(Memory& memory, uint64_t addr, uint64_t length, Access access) {
  std::optional<WindowRecord> w = memory.window_at(addr);
  if (!w || w->addr != addr || w->length != length)
    invalid("no window at " + hex(addr) + " with length " + hex(length));
  auto region = std::static_pointer_cast<Region>(w->keep_alive);
  if (access == Access::ReadWrite && region && !region->writable())
    throw RegionError(wasi::kEacces, "window of region '" + w->region_name + "': the region is read-only");
  if (mprotect(memory.base() + addr, length, prot_of(access)) != 0)
    throw RegionError(wasi::errno_from_host(errno), "mprotect failed: " + std::string(std::strerror(errno)));
  memory.set_window_writable(addr, length, access == Access::ReadWrite);
}

}  // namespace aperture
