// Region-backed memories: a whole linear memory whose pages are a region's bytes
// (docs/regions.md, "Region-backed memories").
#include "aperture/bindings.h"
#include "wasi/wasi_types.h"

namespace aperture {

Memory* create_region_memory(Store& store, const MemoryType& type, std::shared_ptr<Region> region,
                             uint64_t offset) {
  const std::string& name = region->name();
  if (!region->writable())
    throw RegionError(wasi::kEacces, "region '" + name + "' is read-only; a memory's pages must be writable");
  if (offset % host_page_size() != 0 || offset > region->size())
    throw RegionError(wasi::kEinval, "a memory backed by region '" + name + "' must start at a page-aligned offset inside it, not at " +
                                         std::to_string(offset));
  MemoryBacking backing;
  backing.fd = region->fd();
  backing.offset = region->file_offset() + offset;
  backing.length = region->size() - offset;
  backing.region_name = name;
  backing.keep_alive = region;
  try {
    return store.create_memory(type, std::move(backing));
  } catch (const RegionError&) {
    throw;
  } catch (const Error& e) {
    throw RegionError(wasi::kEinval, e.what());
  }
}

}  // namespace aperture
