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
#include "aperture/shared_heap.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>

#include "wasi/wasi_types.h"

namespace aperture {
namespace {

constexpr uint64_t kMagic = 0x3130504145485041ull;  // "APHEAP01"
constexpr uint64_t kHeaderBytes = 64;

struct Header {
  uint64_t magic;
  uint64_t region_bytes;
  uint64_t meta_bytes;
  uint64_t granules;
};

uint64_t round_up(uint64_t n, uint64_t to) { return (n + to - 1) / to * to; }

// The state's size for a region of `bytes`: the bitmaps are sized for every granule of
// the whole region (a little more than the heap needs), rounded to whole pages.
uint64_t meta_bytes_for(uint64_t bytes) {
  uint64_t bitmap = round_up(bytes / SharedHeap::kGranule, 64) / 8;
  return round_up(kHeaderBytes + 2 * bitmap, host_page_size());
}

[[noreturn]] void fail(uint32_t wasi_errno, const std::string& what) { throw RegionError(wasi_errno, what); }

}  // namespace

struct SharedHeap::Impl {
  std::shared_ptr<Region> region;
  uint64_t meta = 0, granules = 0;
  uint64_t* used = nullptr;   // bitmaps in the region's host view
  uint64_t* start = nullptr;
  int lock_fd = -1;           // a description of our own for the OFD lock
  std::mutex mutex;

  ~Impl() {
    if (lock_fd >= 0) close(lock_fd);
  }

  // The process-wide lock; the caller holds `mutex`.
  bool lock_region(short type) {
    struct flock fl {};
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = static_cast<off_t>(region->file_offset());
    fl.l_len = 1;
    while (fcntl(lock_fd, type == F_UNLCK ? F_OFD_SETLK : F_OFD_SETLKW, &fl) != 0) {
      if (errno != EINTR) return false;
    }
    return true;
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
SharedHeap::~SharedHeap() = default;

uint64_t SharedHeap::default_address(const Region& region) {
  uint64_t meta = meta_bytes_for(region.size());
  return region.size() > meta ? Memory::kAddressSpace - (region.size() - meta) : 0;
}

std::shared_ptr<SharedHeap> SharedHeap::open(std::shared_ptr<Region> region) {
  if (!region) fail(wasi::kEinval, "shared heap: no region");
  const std::string who = "shared heap in region '" + region->name() + "'";
  if (!region->mappable())
    fail(wasi::kEinval, who + ": host memory cannot be shared between instances; use shm, memfd or a file");
  if (!region->writable()) fail(wasi::kEacces, who + ": the region is read-only");
  const uint64_t meta = meta_bytes_for(region->size());
  if (region->size() <= meta || region->size() - meta > Memory::kAddressSpace / 2)
    fail(wasi::kEinval, who + ": " + std::to_string(region->size()) + " bytes do not make a heap (give at least " +
                            std::to_string(meta + host_page_size()) + " bytes, at most 2 GiB)");
  auto impl = std::make_unique<Impl>();
  impl->region = region;
  impl->meta = meta;
  impl->granules = (region->size() - meta) / kGranule;
  uint8_t* state = region->data();
  const uint64_t bitmap = round_up(region->size() / kGranule, 64) / 8;
  impl->start = reinterpret_cast<uint64_t*>(state + kHeaderBytes);
  impl->used = reinterpret_cast<uint64_t*>(state + kHeaderBytes + bitmap);
  std::string path = "/proc/self/fd/" + std::to_string(region->fd());
  impl->lock_fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (impl->lock_fd < 0) fail(wasi::errno_from_host(errno), who + ": cannot open its backing again to lock it: " + std::strerror(errno));

  // Initialise a fresh region, or check that an earlier open made this very layout.
  std::lock_guard<std::mutex> guard(impl->mutex);
  if (!impl->lock_region(F_WRLCK)) fail(wasi::errno_from_host(errno), who + ": cannot lock it: " + std::strerror(errno));
  auto* header = reinterpret_cast<Header*>(state);
  std::string problem;
  if (header->magic == 0) {
    bool blank = true;
    for (uint64_t i = 0; i < meta && blank; ++i) blank = state[i] == 0;
    if (blank) *header = Header{kMagic, region->size(), meta, impl->granules};
    else problem = "its first bytes hold data that is not a shared heap";
  } else if (header->magic != kMagic) {
    problem = "its first bytes hold data that is not a shared heap";
  } else if (header->region_bytes != region->size() || header->meta_bytes != meta ||
             header->granules != impl->granules) {
    problem = "it holds a heap made for a region of " + std::to_string(header->region_bytes) + " bytes";
  }
  impl->lock_region(F_UNLCK);
  if (!problem.empty()) fail(wasi::kEinval, who + ": " + problem + " (use a new, zero-filled region)");

  auto heap = std::shared_ptr<SharedHeap>(new SharedHeap(std::move(impl)));
  heap->data_bytes_ = region->size() - meta;
  heap->address_ = Memory::kAddressSpace - heap->data_bytes_;
  return heap;
}

void SharedHeap::attach(Memory& memory) {
  WindowOptions mapped;
  mapped.mode = WindowMode::Map;  // the heap is shared live, never a copy
  map_window(memory, impl_->region, impl_->meta, data_bytes_, address_, Access::ReadWrite, mapped);
}

uint64_t SharedHeap::malloc(uint32_t size) {
  if (size == 0) return 0;
  const uint64_t n = (static_cast<uint64_t>(size) + kGranule - 1) / kGranule;
  if (n > impl_->granules) return 0;
  std::lock_guard<std::mutex> guard(impl_->mutex);
  if (!impl_->lock_region(F_WRLCK)) return 0;
  uint64_t first = impl_->find_free(n);
  if (first < impl_->granules) {
    for (uint64_t i = first; i < first + n; ++i) impl_->set(impl_->used, i);
    impl_->set(impl_->start, first);
  }
  impl_->lock_region(F_UNLCK);
  return first < impl_->granules ? address_ + first * kGranule : 0;
}

void SharedHeap::free(uint64_t addr) {
  if (addr < address_ || addr >= address_ + data_bytes_ || (addr - address_) % kGranule) return;
  const uint64_t g = (addr - address_) / kGranule;
  std::lock_guard<std::mutex> guard(impl_->mutex);
  if (!impl_->lock_region(F_WRLCK)) return;
  if (impl_->bit(impl_->start, g) && impl_->bit(impl_->used, g)) {
    impl_->clear(impl_->start, g);
    for (uint64_t i = g; i < impl_->granules && impl_->bit(impl_->used, i) && (i == g || !impl_->bit(impl_->start, i)); ++i)
      impl_->clear(impl_->used, i);
  }
  impl_->lock_region(F_UNLCK);
}

void SharedHeap::define_imports(Store& store, Linker& linker) {
  // The calling instance must have attached the heap: its memory 0 has the heap's window.
  std::shared_ptr<SharedHeap> self = shared_from_this();
  auto attached = [self](HostContext& c) {
    Memory* mem = c.memory(0);
    if (!mem) return false;
    std::optional<WindowRecord> w = mem->window_at(self->address_);
    return w && w->addr == self->address_ && w->length == self->data_bytes_ &&
           w->keep_alive.get() == static_cast<const void*>(self->impl_->region.get());
  };
  linker.define("env", "shared_heap_malloc",
                Extern::func(store.create_host_function(
                    FuncType{{ValType::I32}, {ValType::I32}},
                    [self, attached](HostContext& c, const uint64_t* a, uint64_t* r) {
                      r[0] = attached(c) ? self->malloc(static_cast<uint32_t>(a[0])) : 0;
                    },
                    "shared_heap_malloc")));
  linker.define("env", "shared_heap_free",
                Extern::func(store.create_host_function(
                    FuncType{{ValType::I32}, {}},
                    [self, attached](HostContext& c, const uint64_t* a, uint64_t*) {
                      if (attached(c)) self->free(static_cast<uint32_t>(a[0]));
                    },
                    "shared_heap_free")));
}

}  // namespace aperture
