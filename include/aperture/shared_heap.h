// A WAMR-compatible shared heap (docs/regions.md, "WAMR shared heap"): guests written for
// WAMR's shared heap import
//   env.shared_heap_malloc (i32 size) -> i32 pointer     (0 when the heap is exhausted)
//   env.shared_heap_free   (i32 pointer)
// and run unchanged. The heap is a window over a region near the top of the 4 GiB space;
// the allocator's state lives in the region itself (out of the guest's reach), so
// instances in several processes that attach one heap allocate from it together and never
// get overlapping blocks.
//
//   auto region = aperture::Region::create_shm("/heap", 1 << 20);
//   auto heap = aperture::SharedHeap::open(region);   // initialises a fresh region
//   heap->define_imports(store, linker);
//   store.instantiate(module, linker, [&](aperture::Instance& i) { heap->attach(*i.memory(0)); });
#pragma once

#include <cstdint>
#include <memory>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"

namespace aperture {

class SharedHeap : public std::enable_shared_from_this<SharedHeap> {
 public:
  // Bytes per allocation unit: every block is aligned to it (WAMR: 8).
  static constexpr uint64_t kGranule = 16;

  // The heap of `region` (writable, mappable, at least two pages). A region whose first
  // page carries no heap yet (all zero, e.g. just created) is initialised; one made by
  // an earlier open of the same size is joined. The heap's window goes to wasm address
  // default_address(region) — the top of the 4 GiB space, as in WAMR — so that a pointer
  // means the same bytes in every instance and process (docs/regions.md, "Placement").
  // Throws RegionError.
  static std::shared_ptr<SharedHeap> open(std::shared_ptr<Region> region);
  ~SharedHeap();
  SharedHeap(const SharedHeap&) = delete;
  SharedHeap& operator=(const SharedHeap&) = delete;

  // The wasm address of the heap's first byte, and its usable bytes.
  uint64_t address() const { return address_; }
  uint64_t capacity() const { return data_bytes_; }
  static uint64_t default_address(const Region& region);

  // Maps the heap's window into `memory` (read-write, always a mapped window). Throws
  // RegionError (e.g. EEXIST when another window is in the way).
  void attach(Memory& memory);
  // Defines env.shared_heap_malloc and env.shared_heap_free (they keep the heap alive).
  // They act on the calling instance's memory 0, which must have attached the heap
  // (otherwise malloc returns 0).
  void define_imports(Store& store, Linker& linker);

  // The allocator itself: a wasm address of `size` free bytes (aligned to kGranule), or
  // 0 when no such block is left (or size is 0). free ignores 0 and any address that is
  // not a block malloc returned, as WAMR does.
  uint64_t malloc(uint32_t size);
  void free(uint64_t addr);

 private:
  struct Impl;
  explicit SharedHeap(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  uint64_t address_ = 0;
  uint64_t data_bytes_ = 0;
};

}  // namespace aperture
