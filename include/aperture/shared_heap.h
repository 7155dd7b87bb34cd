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

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "aperture/runtime.h"

namespace aperture {

// How a handle of a shared heap treats the blocks allocated through it (docs/regions.md,
// "Lifetime of a block").
struct SharedHeapOptions {
  // false (the default): a block is kept until it is freed, by any instance or process,
  // or the heap is reset — so blocks can hand data on to processes that start later.
  // true: the blocks allocated through this handle belong to it: they are freed when the
  // handle goes (its last shared_ptr, e.g. the end of `aperture run`), or, if its process
  // dies first, by the next open of the heap or the next allocation that finds no room, in
  // any process. At most kMaxOwners handles that reclaim may have a heap open at once.
  bool reclaim = false;
  // false: refuse a region that holds no heap yet instead of making one (to inspect).
  bool create = true;
};

// A handle whose blocks are reclaimed, as `usage` reports it.
struct SharedHeapOwner {
  uint32_t pid = 0;     // the process that opened the handle
  bool alive = false;   // false: the process died; its blocks go at the next open/allocation
  uint64_t blocks = 0;
  uint64_t bytes = 0;
};

struct SharedHeapUsage {
  uint64_t capacity = 0;       // usable bytes
  uint64_t blocks = 0;         // blocks in use, all owners together
  uint64_t used_bytes = 0;     // their bytes (whole granules)
  uint64_t largest_free = 0;   // the largest block malloc could return now
  uint64_t kept_blocks = 0;    // blocks of no owner (allocated without reclaim)
  uint64_t kept_bytes = 0;
  std::vector<SharedHeapOwner> owners;
};

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
  // `options`: whether this handle's blocks are reclaimed (see SharedHeapOptions); every
  // open first frees the blocks of reclaiming handles whose process died.
  static std::shared_ptr<SharedHeap> open(std::shared_ptr<Region> region,
                                          const SharedHeapOptions& options = {});
  static constexpr uint32_t kMaxOwners = 255;
  ~SharedHeap();
  SharedHeap(const SharedHeap&) = delete;
  SharedHeap& operator=(const SharedHeap&) = delete;

  // The wasm address of the heap's first byte, and its usable bytes. A heap chained
  // second or later (SharedHeapChain) moves below the heaps before it.
  uint64_t address() const { return address_; }
  uint64_t capacity() const { return data_bytes_; }
  static uint64_t default_address(const Region& region);

  // Maps the heap's window into `memory` (read-write, always a mapped window). Throws
  // RegionError (e.g. EEXIST when another window is in the way).
  void attach(Memory& memory);
  // Whether `memory` has this heap's window at address() (what the imports check).
  bool attached_to(const Memory& memory) const;
  const std::shared_ptr<Region>& region() const;
  // Defines env.shared_heap_malloc and env.shared_heap_free (they keep the heap alive).
  // They act on the calling instance's memory 0, which must have attached the heap
  // (otherwise malloc returns 0).
  void define_imports(Store& store, Linker& linker);

  // The allocator itself: a wasm address of `size` free bytes (aligned to kGranule), or
  // 0 when no such block is left (or size is 0). free ignores 0 and any address that is
  // not a block malloc returned, as WAMR does.
  uint64_t malloc(uint32_t size);
  void free(uint64_t addr);

  // What the heap holds now, by owner (dead owners included, not yet reclaimed).
  SharedHeapUsage usage();
  // Frees every block, kept or owned. Only while no other handle, in any process, has the
  // heap open (RegionError EBUSY otherwise): blocks in use would be handed out twice.
  void reset();

 private:
  friend class SharedHeapChain;  // places the heaps it chains
  struct Impl;
  explicit SharedHeap(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  uint64_t address_ = 0;
  uint64_t data_bytes_ = 0;
  // Atomic: instances of several threads may attach one heap while another chains it.
  std::atomic<bool> attached_{false};  // attached to some memory: its address can no longer change
  std::atomic<bool> chained_{false};   // in a chain: in no other
};

// Several shared heaps for one instance, as WAMR's wasm_runtime_chain_shared_heaps
// (docs/regions.md, "Chained heaps"). Placement: the first heap stays where it is alone,
// at 4 GiB minus its capacity; each next heap sits directly below the one before it. Every
// process that chains the same heaps in the same order gets the same addresses, and a
// process that attaches only the first heap (or the first N) agrees with it on those.
// shared_heap_malloc takes a block from the first heap with room, then the next;
// shared_heap_free frees into whichever heap holds the pointer.
//
//   auto chain = aperture::SharedHeapChain::make({SharedHeap::open(a), SharedHeap::open(b)});
//   chain->define_imports(store, linker);
//   store.instantiate(module, linker, [&](aperture::Instance& i) { chain->attach(*i.memory(0)); });
class SharedHeapChain : public std::enable_shared_from_this<SharedHeapChain> {
 public:
  // Chains `heaps` in this order and places them. Throws RegionError EINVAL for no heap, a
  // null one, one heap twice (the same handle, or two handles over overlapping bytes of one
  // backing), a heap already in a chain or already attached (its address would move under
  // its window), or heaps that together take more than 2 GiB of the 4 GiB space.
  static std::shared_ptr<SharedHeapChain> make(std::vector<std::shared_ptr<SharedHeap>> heaps);

  const std::vector<std::shared_ptr<SharedHeap>>& heaps() const { return heaps_; }
  // The lowest heap's first byte: memory.grow stops below it.
  uint64_t address() const { return heaps_.back()->address(); }

  // Maps every heap's window into `memory`, or none (RegionError, e.g. EEXIST when a
  // window or the memory's pages are in the way).
  void attach(Memory& memory);
  // Defines env.shared_heap_malloc and env.shared_heap_free over the chain (they keep it
  // alive); they act on the calling instance's memory 0, which must have attached it.
  void define_imports(Store& store, Linker& linker);
  // Whether `memory` has every heap's window.
  bool attached_to(const Memory& memory) const;
  // The first heap with a free block of `size` bytes gives it; 0 when none has.
  uint64_t malloc(uint32_t size);
  // Frees into the heap that holds `addr`; ignores 0 and addresses of no block.
  void free(uint64_t addr);

 private:
  explicit SharedHeapChain(std::vector<std::shared_ptr<SharedHeap>> heaps) : heaps_(std::move(heaps)) {}
  std::vector<std::shared_ptr<SharedHeap>> heaps_;
};

}  // namespace aperture
