// The WAMR-compatible shared heap (include/aperture/shared_heap.h).
//
// Region layout: [0, meta) the allocator's state, [meta, size) the heap, which is what the
// guests' window shows. The state is a header and two bitmaps over 16-byte granules:
// `used` (the granule belongs to a block) and `start` (a block begins here). Both live in
// the region, so every process that opens the heap shares them; the window never covers
// them, so no guest can corrupt them. Changes happen under an open-file-description lock
// on the region's first byte (processes; released if a holder dies) and a mutex (threads
// of one process, whose locks on one description never conflict). A process killed in
// the middle of an allocation can leak granules, never hand one out twice: a granule is
// given only while its `used` bit is clear, and set under the lock.
//
// Lifetime (docs/regions.md, "Lifetime of a block"): a third array holds each block's
// owner, a byte per granule (read at block starts): 0 = kept, s = owner slot s of the
// header's table, which records the owner's pid. An owner holds an OFD write lock on its
// slot's byte (kSlotLockByte + s) for as long as its handle lives; the kernel drops it when
// the process dies, so a slot whose lock anyone can take belongs to a dead process and its
// blocks are free to reclaim (under the allocator's lock, so never while handed out). Every
// handle also holds a read lock on kOpenLockByte: reset() needs the write lock there, i.e.
// no other handle open anywhere. The lock bytes are file positions of the state pages, which
// no window covers, so they never meet attach locks.
#include "aperture/shared_heap.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "region/shared_heap_imports.h"
#include "support/wasi_errno.h"

namespace aperture {
namespace {

constexpr uint64_t kMagic = 0x3230504145485041ull;        // "APHEAP02"
constexpr uint64_t kOlderMagic = 0x3130504145485041ull;   // "APHEAP01": no owners
// The header, then the owner table (pids of slots 1..kMaxOwners) at kTableOffset, then
// the bitmaps from kHeaderBytes on.
constexpr uint64_t kTableOffset = 64;
constexpr uint64_t kHeaderBytes = 4096;
// Lock bytes, relative to the region's start (see the top of the file).
constexpr uint64_t kAllocLockByte = 0, kOpenLockByte = 1, kSlotLockByte = 2;

struct Header {
  uint64_t magic;
  uint64_t region_bytes;
  uint64_t meta_bytes;
  uint64_t granules;
};
static_assert(kTableOffset + 4 * (SharedHeap::kMaxOwners + 1) <= kHeaderBytes);

uint64_t round_up(uint64_t n, uint64_t to) { return (n + to - 1) / to * to; }

// The state's size for a region of `bytes`: the bitmaps are sized for every granule of
// the whole region (a little more than the heap needs), rounded to whole pages.
uint64_t bitmap_bytes_for(uint64_t bytes) { return round_up(bytes / SharedHeap::kGranule, 64) / 8; }
uint64_t meta_bytes_for(uint64_t bytes) {
  return round_up(kHeaderBytes + 2 * bitmap_bytes_for(bytes) + bytes / SharedHeap::kGranule, host_page_size());
}

[[noreturn]] void fail(uint32_t wasi_errno, const std::string& what) { throw RegionError(wasi_errno, what); }

// Whether the state's bytes [0, meta) are all zero. The holes of a sparse backing (a fresh
// memfd or shm object) are skipped unread (SEEK_DATA), so that a large fresh heap costs no
// pages; `fd` is a description of our own (lseek moves its offset).
bool blank_state(int fd, uint64_t base, const uint8_t* state, uint64_t meta) {
  for (uint64_t pos = 0; pos < meta;) {
    off_t data = lseek(fd, static_cast<off_t>(base + pos), SEEK_DATA);
    if (data < 0 && errno == ENXIO) return true;  // no data past pos
    uint64_t from = data < 0 ? pos : std::max(pos, static_cast<uint64_t>(data) - base);
    off_t hole = data < 0 ? -1 : lseek(fd, data, SEEK_HOLE);
    uint64_t to = hole < 0 ? meta : std::min(meta, static_cast<uint64_t>(hole) - base);
    for (uint64_t i = from; i < to; ++i)
      if (state[i] != 0) return false;
    pos = to;
  }
  return true;
}

}  // namespace

struct SharedHeap::Impl {
  std::shared_ptr<Region> region;
  std::string who;            // "shared heap in region 'NAME'", for errors
  uint64_t meta = 0, granules = 0;
  uint64_t* used = nullptr;   // bitmaps in the region's host view
  uint64_t* start = nullptr;
  uint8_t* owner = nullptr;   // a byte per granule: the block's owner slot, 0 = kept
  uint32_t* pids = nullptr;   // the owner table, indexed by slot (0 unused)
  uint32_t slot = 0;          // this handle's owner slot; 0: its blocks are kept
  int lock_fd = -1;           // a description of our own for the OFD locks
  std::mutex mutex;

  ~Impl() {
    if (lock_fd >= 0) close(lock_fd);  // drops every lock this handle holds
  }

  // An OFD lock on byte `byte` of the region (F_UNLCK releases it); `wait` blocks while
  // another description holds a conflicting one. The caller holds `mutex`.
  bool lock_byte(uint64_t byte, short type, bool wait) {
    struct flock fl {};
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = static_cast<off_t>(region->file_offset() + byte);
    fl.l_len = 1;
    while (fcntl(lock_fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl) != 0) {
      if (errno != EINTR) return false;
    }
    return true;
  }
  // The allocator's lock, across processes.
  bool lock_region(short type) { return lock_byte(kAllocLockByte, type, type != F_UNLCK); }

  // Whether the handle holding owner slot `s` still lives: its lock on the slot's byte is
  // there (a lock of our own description is invisible to F_OFD_GETLK: our slot is alive).
  bool owner_alive(uint32_t s) {
    if (s == slot) return true;
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = static_cast<off_t>(region->file_offset() + kSlotLockByte + s);
    fl.l_len = 1;
    if (fcntl(lock_fd, F_OFD_GETLK, &fl) != 0) return true;  // cannot tell: keep its blocks
    return fl.l_type != F_UNLCK;
  }

  // Granules of the block starting at `g`.
  uint64_t block_granules(uint64_t g) const {
    uint64_t i = g + 1;
    while (i < granules && bit(used, i) && !bit(start, i)) ++i;
    return i - g;
  }
  void free_block(uint64_t g) {
    uint64_t n = block_granules(g);
    clear(start, g);
    owner[g] = 0;
    for (uint64_t i = g; i < g + n; ++i) clear(used, i);
  }
  // Frees the blocks of owner slot `s` (every block for `s` < 0). The caller holds the locks.
  void free_blocks_of(int64_t s) {
    for (uint64_t w = 0; w * 64 < granules; ++w) {
      for (uint64_t bits = start[w]; bits != 0; bits &= bits - 1) {
        uint64_t g = w * 64 + static_cast<uint64_t>(__builtin_ctzll(bits));
        if (s < 0 || owner[g] == s) free_block(g);
      }
    }
  }
  // Frees the blocks of every owner whose process died; whether there were any.
  bool reclaim_dead() {
    bool any = false;
    for (uint32_t s = 1; s <= kMaxOwners; ++s) {
      if (pids[s] == 0 || owner_alive(s)) continue;
      free_blocks_of(s);
      pids[s] = 0;
      any = true;
    }
    return any;
  }

  bool bit(const uint64_t* map, uint64_t i) const { return (map[i / 64] >> (i % 64)) & 1; }
  void set(uint64_t* map, uint64_t i) { map[i / 64] |= 1ull << (i % 64); }
  void clear(uint64_t* map, uint64_t i) { map[i / 64] &= ~(1ull << (i % 64)); }

  // First fit: the lowest run of `n` free granules, or granules when there is none.
  uint64_t find_free(uint64_t n) const {
    uint64_t run = 0, first = 0;
    for (uint64_t i = 0; i < granules;) {
      uint64_t word = used[i / 64];
      if (i % 64 == 0 && word == ~0ull) {  // a full word: skip it
        run = 0;
        i += 64;
        continue;
      }
      if (bit(used, i)) {
        run = 0;
      } else {
        if (run == 0) first = i;
        if (++run == n) return first;
      }
      ++i;
    }
    return granules;
  }
};

SharedHeap::SharedHeap(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SharedHeap::~SharedHeap() {
  if (impl_->slot == 0) return;
  // A reclaiming handle's blocks go with it. Should the lock fail, its slot's lock still
  // goes with the descriptor, and the next open or allocation reclaims them.
  std::lock_guard<std::mutex> guard(impl_->mutex);
  if (!impl_->lock_region(F_WRLCK)) return;
  impl_->free_blocks_of(impl_->slot);
  impl_->pids[impl_->slot] = 0;
  impl_->lock_byte(kSlotLockByte + impl_->slot, F_UNLCK, false);
  impl_->lock_region(F_UNLCK);
}

uint64_t SharedHeap::default_address(const Region& region) {
  uint64_t meta = meta_bytes_for(region.size());
  return region.size() > meta ? Memory::kAddressSpace - (region.size() - meta) : 0;
}

std::shared_ptr<SharedHeap> SharedHeap::open(std::shared_ptr<Region> region, const SharedHeapOptions& options) {
  if (!region) fail(wasi::kEinval, "shared heap: no region");
  const std::string who = "shared heap in region '" + region->name() + "'";
  if (!region->mappable()) {
    // Host memory: usable when it is memory of a live region (mapped again, zero-copy).
    try {
      region = Region::from_region_memory(region->data(), region->size(), region->writable(), region->name());
    } catch (const RegionError& e) {
      fail(e.wasi_errno(), who + ": a heap is shared by mapping it, and " + e.what());
    }
  }
  if (!region->writable()) fail(wasi::kEacces, who + ": the region is read-only");
  const uint64_t meta = meta_bytes_for(region->size());
  if (region->size() <= meta || region->size() - meta > Memory::kAddressSpace / 2)
    fail(wasi::kEinval, who + ": " + std::to_string(region->size()) + " bytes do not make a heap (give at least " +
                            std::to_string(meta + host_page_size()) + " bytes, at most 2 GiB)");
  auto impl = std::make_unique<Impl>();
  impl->region = region;
  impl->meta = meta;
  impl->who = who;
  impl->granules = (region->size() - meta) / kGranule;
  uint8_t* state = region->data();
  const uint64_t bitmap = bitmap_bytes_for(region->size());
  impl->pids = reinterpret_cast<uint32_t*>(state + kTableOffset);
  impl->start = reinterpret_cast<uint64_t*>(state + kHeaderBytes);
  impl->used = reinterpret_cast<uint64_t*>(state + kHeaderBytes + bitmap);
  impl->owner = state + kHeaderBytes + 2 * bitmap;
  std::string path = "/proc/self/fd/" + std::to_string(region->fd());
  impl->lock_fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (impl->lock_fd < 0) fail(wasi::errno_from_host(errno), who + ": cannot open its backing again to lock it: " + std::strerror(errno));

  // Initialise a fresh region, or check that an earlier open made this very layout.
  std::lock_guard<std::mutex> guard(impl->mutex);
  if (!impl->lock_region(F_WRLCK)) fail(wasi::errno_from_host(errno), who + ": cannot lock it: " + std::strerror(errno));
  auto* header = reinterpret_cast<Header*>(state);
  std::string problem;
  if (header->magic == 0) {
    if (!blank_state(impl->lock_fd, region->file_offset(), state, meta)) problem = "its first bytes hold data that is not a shared heap";
    else if (!options.create) problem = "it holds no shared heap (its first pages are all zero)";
    else *header = Header{kMagic, region->size(), meta, impl->granules};
  } else if (header->magic == kOlderMagic) {
    problem = "it holds a shared heap of an earlier layout (without block owners)";
  } else if (header->magic != kMagic) {
    problem = "its first bytes hold data that is not a shared heap";
  } else if (header->region_bytes != region->size() || header->meta_bytes != meta ||
             header->granules != impl->granules) {
    problem = "it holds a heap made for a region of " + std::to_string(header->region_bytes) + " bytes";
  }
  if (problem.empty()) {
    // Every open reclaims what dead owners left, marks the heap open (see reset) and, to
    // reclaim its own blocks, takes a free owner slot.
    impl->reclaim_dead();
    if (!impl->lock_byte(kOpenLockByte, F_RDLCK, false)) problem = std::string("cannot lock it: ") + std::strerror(errno);
    for (uint32_t s = 1; options.reclaim && problem.empty() && s <= kMaxOwners && impl->slot == 0; ++s) {
      if (impl->pids[s] == 0 && impl->lock_byte(kSlotLockByte + s, F_WRLCK, false)) {
        impl->pids[s] = static_cast<uint32_t>(getpid());
        impl->slot = s;
      }
    }
    if (options.reclaim && problem.empty() && impl->slot == 0) {
      impl->lock_region(F_UNLCK);
      fail(wasi::kEmfile, who + ": " + std::to_string(kMaxOwners) +
                              " handles that reclaim their blocks have it open already; close one, or open it "
                              "without reclaim");
    }
  }
  impl->lock_region(F_UNLCK);
  if (!problem.empty()) fail(wasi::kEinval, who + ": " + problem + " (use a new, zero-filled region)");

  auto heap = std::shared_ptr<SharedHeap>(new SharedHeap(std::move(impl)));
  heap->data_bytes_ = region->size() - meta;
  heap->address_ = Memory::kAddressSpace - heap->data_bytes_;
  return heap;
}

void SharedHeap::attach(Memory& memory) {
  // As WAMR: the memory's pages must end below the heap (else the heap would cover them).
  if (memory.size_bytes() > address_)
    fail(wasi::kEinval, impl_->who + ": the memory's " + std::to_string(memory.size_bytes()) +
                            " bytes reach into the heap's window at " + std::to_string(address_) +
                            "; give the module a smaller memory or the heap (or chain) fewer bytes");
  WindowOptions mapped;
  mapped.mode = WindowMode::Map;  // the heap is shared live, never a copy
  map_window(memory, impl_->region, impl_->meta, data_bytes_, address_, Access::ReadWrite, mapped);
  attached_ = true;
}

bool SharedHeap::attached_to(const Memory& memory) const {
  std::optional<WindowRecord> w = memory.window_at(address_);
  return w && w->addr == address_ && w->length == data_bytes_ &&
         w->keep_alive.get() == static_cast<const void*>(impl_->region.get());
}

uint64_t SharedHeap::malloc(uint32_t size) {
  if (size == 0) return 0;
  const uint64_t n = (static_cast<uint64_t>(size) + kGranule - 1) / kGranule;
  if (n > impl_->granules) return 0;
  std::lock_guard<std::mutex> guard(impl_->mutex);
  if (!impl_->lock_region(F_WRLCK)) return 0;
  uint64_t first = impl_->find_free(n);
  if (first == impl_->granules && impl_->reclaim_dead()) first = impl_->find_free(n);
  if (first < impl_->granules) {
    for (uint64_t i = first; i < first + n; ++i) impl_->set(impl_->used, i);
    impl_->set(impl_->start, first);
    impl_->owner[first] = static_cast<uint8_t>(impl_->slot);
  }
  impl_->lock_region(F_UNLCK);
  return first < impl_->granules ? address_ + first * kGranule : 0;
}

void SharedHeap::free(uint64_t addr) {
  if (addr < address_ || addr >= address_ + data_bytes_ || (addr - address_) % kGranule) return;
  const uint64_t g = (addr - address_) / kGranule;
  std::lock_guard<std::mutex> guard(impl_->mutex);
  if (!impl_->lock_region(F_WRLCK)) return;
  if (impl_->bit(impl_->start, g) && impl_->bit(impl_->used, g)) impl_->free_block(g);
  impl_->lock_region(F_UNLCK);
}

SharedHeapUsage SharedHeap::usage() {
  SharedHeapUsage u;
  u.capacity = data_bytes_;
  std::lock_guard<std::mutex> guard(impl_->mutex);
  if (!impl_->lock_region(F_WRLCK)) fail(wasi::errno_from_host(errno), impl_->who + ": cannot lock it: " + std::strerror(errno));
  std::vector<SharedHeapOwner> by_slot(kMaxOwners + 1);
  uint64_t free_run = 0;
  for (uint64_t g = 0; g < impl_->granules;) {
    if (!impl_->bit(impl_->used, g)) {
      u.largest_free = std::max(u.largest_free, ++free_run * kGranule);
      ++g;
      continue;
    }
    free_run = 0;
    uint64_t n = impl_->block_granules(g);
    if (impl_->bit(impl_->start, g)) {  // (used granules without a start: a leak, see above)
      SharedHeapOwner& o = by_slot[impl_->owner[g]];
      ++o.blocks;
      o.bytes += n * kGranule;
      ++u.blocks;
      u.used_bytes += n * kGranule;
    }
    g += n;
  }
  u.kept_blocks = by_slot[0].blocks;
  u.kept_bytes = by_slot[0].bytes;
  for (uint32_t s = 1; s <= kMaxOwners; ++s) {
    if (impl_->pids[s] == 0) continue;
    by_slot[s].pid = impl_->pids[s];
    by_slot[s].alive = impl_->owner_alive(s);
    u.owners.push_back(by_slot[s]);
  }
  impl_->lock_region(F_UNLCK);
  return u;
}

void SharedHeap::reset() {
  std::lock_guard<std::mutex> guard(impl_->mutex);
  if (!impl_->lock_region(F_WRLCK)) fail(wasi::errno_from_host(errno), impl_->who + ": cannot lock it: " + std::strerror(errno));
  // The write lock on the open byte: no other handle has the heap open.
  if (!impl_->lock_byte(kOpenLockByte, F_WRLCK, false)) {
    impl_->lock_region(F_UNLCK);
    fail(wasi::kEbusy, impl_->who + " is in use: another process (or handle) has it open; "
                                    "stop it before resetting the heap");
  }
  impl_->free_blocks_of(-1);
  for (uint32_t s = 1; s <= kMaxOwners; ++s)
    if (s != impl_->slot) impl_->pids[s] = 0;
  impl_->lock_byte(kOpenLockByte, F_RDLCK, false);
  impl_->lock_region(F_UNLCK);
}

void SharedHeap::define_imports(Store& store, Linker& linker) {
  define_shared_heap_imports(store, linker, shared_from_this());
}

const std::shared_ptr<Region>& SharedHeap::region() const { return impl_->region; }

}  // namespace aperture
