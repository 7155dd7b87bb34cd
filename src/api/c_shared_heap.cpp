// aperture.h: the WAMR-compatible shared heap (include/aperture/shared_heap.h has the
// semantics): open, attach, the allocator from the host, usage and reset.
#include "aperture/shared_heap.h"

#include <algorithm>

#include "api/c_api_internal.h"

using namespace aperture;
using namespace aperture::capi;

namespace {

SharedHeapOptions heap_options(const aperture_shared_heap_options_t* options) {
  SharedHeapOptions o;
  if (options) {
    o.reclaim = options->reclaim;
    o.create = options->create;
  }
  return o;
}

}  // namespace

extern "C" {

aperture_error_t* aperture_shared_heap_open(const aperture_region_t* region,
                                            const aperture_shared_heap_options_t* options,
                                            aperture_shared_heap_t** out) {
  const char* api = "aperture_shared_heap_open";
  if (out == nullptr) return null_argument(api, "out");
  *out = nullptr;
  if (region == nullptr) return null_argument(api, "region");
  return guarded([&] { *out = new aperture_shared_heap_t{SharedHeap::open(region->region, heap_options(options))}; });
}

void aperture_shared_heap_delete(aperture_shared_heap_t* heap) { delete heap; }

uint64_t aperture_shared_heap_address(const aperture_shared_heap_t* heap) {
  return heap ? heap->heap->address() : 0;
}

uint64_t aperture_shared_heap_capacity(const aperture_shared_heap_t* heap) {
  return heap ? heap->heap->capacity() : 0;
}

aperture_error_t* aperture_shared_heap_attach(aperture_shared_heap_t* heap, wasm_memory_t* memory) {
  if (heap == nullptr || memory == nullptr) return null_argument("aperture_shared_heap_attach", "heap and memory");
  return guarded([&] { heap->heap->attach(*memory->memory()); });
}

uint64_t aperture_shared_heap_malloc(aperture_shared_heap_t* heap, uint32_t size) {
  if (heap == nullptr) return 0;
  try {
    return heap->heap->malloc(size);
  } catch (...) {
    set_last_error(current_exception_error());
    return 0;
  }
}

void aperture_shared_heap_free(aperture_shared_heap_t* heap, uint64_t addr) {
  if (heap == nullptr) return;
  try {
    heap->heap->free(addr);
  } catch (...) {
    set_last_error(current_exception_error());
  }
}

aperture_error_t* aperture_shared_heap_usage(aperture_shared_heap_t* heap, aperture_shared_heap_usage_t* usage,
                                             aperture_shared_heap_owner_t* owners, size_t max_owners) {
  const char* api = "aperture_shared_heap_usage";
  if (heap == nullptr || usage == nullptr) return null_argument(api, "heap and usage");
  if (owners == nullptr && max_owners) return null_argument(api, "owners (with max_owners > 0)");
  return guarded([&] {
    SharedHeapUsage u = heap->heap->usage();
    *usage = aperture_shared_heap_usage_t{u.capacity,     u.blocks,     u.used_bytes,     u.largest_free,
                                          u.kept_blocks, u.kept_bytes, u.owners.size()};
    size_t n = std::min(max_owners, u.owners.size());
    for (size_t i = 0; i < n; ++i) {
      const SharedHeapOwner& o = u.owners[i];
      owners[i] = aperture_shared_heap_owner_t{o.pid, o.alive, o.blocks, o.bytes};
    }
  });
}

aperture_error_t* aperture_shared_heap_open_buffer(void* addr, size_t size, const aperture_shared_heap_options_t* options,
                                                   aperture_shared_heap_t** out) {
  if (out == nullptr) return null_argument("aperture_shared_heap_open_buffer", "out");
  *out = nullptr;
  return guarded([&] {
    *out = new aperture_shared_heap_t{
        SharedHeap::open(Region::from_region_memory(addr, size, true, "buffer"), heap_options(options))};
  });
}

aperture_error_t* aperture_shared_heap_chain_new(aperture_shared_heap_t* const* heaps, size_t count,
                                                 aperture_shared_heap_chain_t** out) {
  const char* api = "aperture_shared_heap_chain_new";
  if (out == nullptr) return null_argument(api, "out");
  *out = nullptr;
  if (heaps == nullptr && count) return null_argument(api, "heaps (with count > 0)");
  return guarded([&] {
    std::vector<std::shared_ptr<SharedHeap>> list;
    for (size_t i = 0; i < count; ++i) list.push_back(heaps[i] ? heaps[i]->heap : nullptr);
    *out = new aperture_shared_heap_chain_t{SharedHeapChain::make(std::move(list))};
  });
}

void aperture_shared_heap_chain_delete(aperture_shared_heap_chain_t* chain) { delete chain; }

aperture_error_t* aperture_shared_heap_chain_attach(aperture_shared_heap_chain_t* chain, wasm_memory_t* memory) {
  if (chain == nullptr || memory == nullptr)
    return null_argument("aperture_shared_heap_chain_attach", "chain and memory");
  return guarded([&] { chain->chain->attach(*memory->memory()); });
}

uint64_t aperture_shared_heap_chain_malloc(aperture_shared_heap_chain_t* chain, uint32_t size) {
  if (chain == nullptr) return 0;
  try {
    return chain->chain->malloc(size);
  } catch (...) {
    set_last_error(current_exception_error());
    return 0;
  }
}

void aperture_shared_heap_chain_free(aperture_shared_heap_chain_t* chain, uint64_t addr) {
  if (chain == nullptr) return;
  try {
    chain->chain->free(addr);
  } catch (...) {
    set_last_error(current_exception_error());
  }
}

aperture_error_t* aperture_shared_heap_reset(aperture_shared_heap_t* heap) {
  if (heap == nullptr) return null_argument("aperture_shared_heap_reset", "heap");
  return guarded([&] { heap->heap->reset(); });
}

}  // extern "C"
