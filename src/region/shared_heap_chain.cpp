// Chained shared heaps (include/aperture/shared_heap.h, SharedHeapChain; docs/regions.md,
// "Chained heaps"): placement, attach all-or-nothing, and the chain's allocator, which
// asks each heap in turn as WAMR's shared_heap_malloc walks its chain.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "aperture/shared_heap.h"
#include "region/shared_heap_imports.h"
#include "support/wasi_errno.h"

namespace aperture {
namespace {

[[noreturn]] void fail(const std::string& what) { throw RegionError(wasi::kEinval, "shared heap chain: " + what); }

// Whether two regions show overlapping bytes of one backing (one heap, twice).
bool same_bytes(const Region& a, const Region& b) {
  struct stat sa {}, sb {};
  if (fstat(a.fd(), &sa) != 0 || fstat(b.fd(), &sb) != 0) return false;
  if (sa.st_dev != sb.st_dev || sa.st_ino != sb.st_ino) return false;
  return a.file_offset() < b.file_offset() + b.size() && b.file_offset() < a.file_offset() + a.size();
}

}  // namespace

std::shared_ptr<SharedHeapChain> SharedHeapChain::make(std::vector<std::shared_ptr<SharedHeap>> heaps) {
  if (heaps.empty()) fail("no heap to chain");
  uint64_t total = 0;
  for (size_t i = 0; i < heaps.size(); ++i) {
    if (!heaps[i]) fail("heap " + std::to_string(i + 1) + " is null");
    const Region& r = *heaps[i]->region();
    for (size_t j = 0; j < i; ++j) {
      if (heaps[j] == heaps[i] || same_bytes(*heaps[j]->region(), r))
        fail("region '" + r.name() + "' is heap " + std::to_string(j + 1) + " and heap " + std::to_string(i + 1) +
             " of the chain; a heap can be in a chain once (give each heap its own region)");
    }
    if (heaps[i]->attached_)
      fail("the heap in region '" + r.name() + "' is attached already; chain heaps before attaching them");
    total += heaps[i]->capacity();
  }
  if (total > Memory::kAddressSpace / 2)
    fail("the heaps take " + std::to_string(total) + " bytes together, more than the 2 GiB a chain may take of the "
         "4 GiB space (the rest is the memory's); use fewer or smaller heaps");
  // Claim every heap (a concurrent make may claim one first), then place them: the first
  // at the top, each next one directly below the one before it.
  for (size_t i = 0; i < heaps.size(); ++i) {
    if (heaps[i]->chained_.exchange(true)) {
      for (size_t j = 0; j < i; ++j) heaps[j]->chained_ = false;
      fail("the heap in region '" + heaps[i]->region()->name() + "' is in another chain already (make one chain of all the heaps)");
    }
  }
  uint64_t top = Memory::kAddressSpace;
  for (auto& h : heaps) {
    h->address_ = top - h->capacity();
    top = h->address_;
  }
  return std::shared_ptr<SharedHeapChain>(new SharedHeapChain(std::move(heaps)));
}

void SharedHeapChain::attach(Memory& memory) {
  size_t done = 0;
  try {
    for (; done < heaps_.size(); ++done) heaps_[done]->attach(memory);
  } catch (...) {
    for (size_t i = 0; i < done; ++i) unmap_window(memory, heaps_[i]->address(), heaps_[i]->capacity());
    throw;
  }
}

uint64_t SharedHeapChain::malloc(uint32_t size) {
  for (auto& h : heaps_)
    if (uint64_t p = h->malloc(size)) return p;
  return 0;
}

void SharedHeapChain::free(uint64_t addr) {
  for (auto& h : heaps_) {
    if (addr >= h->address() && addr < h->address() + h->capacity()) {
      h->free(addr);
      return;
    }
  }
}

bool SharedHeapChain::attached_to(const Memory& memory) const {
  for (auto& h : heaps_)
    if (!h->attached_to(memory)) return false;
  return true;
}

void SharedHeapChain::define_imports(Store& store, Linker& linker) {
  define_shared_heap_imports(store, linker, shared_from_this());
}

}  // namespace aperture
