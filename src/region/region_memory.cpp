// Region-backed memories: a whole linear memory whose pages are a region's bytes
// (docs/regions.md, "Region-backed memories"): an imported memory the host creates
// (create_region_memory), or a memory the module defines, backed at instantiation
// (region_memory_backing passed to Store::instantiate).
#include <sys/stat.h>

#include "aperture/bindings.h"
#include "support/wasi_errno.h"

namespace aperture {
namespace {

// Growth extends the file behind the region: only a file, shm object or memfd whose end
// the region reaches (growing a range in the middle of a file would take the bytes after
// it). Throws RegionError.
void check_extendable(const Region& region) {
  const std::string& name = region.name();
  if (region.backing() == Region::Backing::Device)
    throw RegionError(wasi::kEinval, "region '" + name + "' is a device, whose size is fixed; a memory "
                                     "backed by it grows only within it (drop extend)");
  struct stat st;
  if (fstat(region.fd(), &st) != 0 || !S_ISREG(st.st_mode))
    throw RegionError(wasi::kEinval, "region '" + name + "' is not a file, shm object or memfd, so a memory "
                                     "backed by it cannot extend it (drop extend)");
  if (region.file_offset() + region.size() < static_cast<uint64_t>(st.st_size))
    throw RegionError(wasi::kEinval, "region '" + name + "' ends before the end of its file, so growth "
                                     "would take the bytes after it; extend needs a region that reaches "
                                     "the end of its file (drop extend or the region's size)");
}

}  // namespace

MemoryBacking region_memory_backing(std::shared_ptr<Region> region, uint64_t offset, MemoryGrowth growth) {
  const std::string& name = region->name();
  if (!region->mappable())
    throw RegionError(wasi::kEnotsup, "region '" + name + "' has no file descriptor (host memory), so it "
                                      "cannot be a memory's pages; copy it through a window instead");
  if (!region->writable())
    throw RegionError(wasi::kEacces, "region '" + name + "' is read-only; a memory's pages must be writable");
  if (offset % host_page_size() != 0 || offset > region->size())
    throw RegionError(wasi::kEinval, "a memory backed by region '" + name + "' must start at a page-aligned offset inside it, not at " +
                                         std::to_string(offset));
  if (growth == MemoryGrowth::ExtendRegion) check_extendable(*region);
  MemoryBacking backing;
  backing.fd = region->fd();
  backing.offset = region->file_offset() + offset;
  backing.length = region->size() - offset;
  backing.extend = growth == MemoryGrowth::ExtendRegion;
  backing.region_name = name;
  backing.keep_alive = region;
  return backing;
}

Memory* create_region_memory(Store& store, const MemoryType& type, std::shared_ptr<Region> region,
                             uint64_t offset, MemoryGrowth growth) {
  MemoryBacking backing = region_memory_backing(std::move(region), offset, growth);
  try {
    return store.create_memory(type, std::move(backing));
  } catch (const RegionError&) {
    throw;
  } catch (const Error& e) {
    throw RegionError(wasi::kEinval, e.what());
  }
}

}  // namespace aperture
