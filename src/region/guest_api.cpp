// The guest builtin API, import module "aperture" (include/aperture/guest.h).
// Expected failures return negative WASI errno values; nothing here traps a guest.
#include <cstdint>
#include <map>
#include <mutex>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "region/guest_wait.h"
#include "support/wasi_errno.h"

namespace aperture {

struct GuestRegions::State {
  struct Grant {
    std::shared_ptr<Region> region;
    Access max;
  };
  struct Handle {
    std::shared_ptr<Region> region;
    Access access;
  };
  // One instance's handles: a handle opened by one instance means nothing to another
  // (docs/regions.md, "Capabilities").
  struct Handles {
    std::map<int32_t, Handle> by_number;
    int32_t next = 1;
  };
  explicit State(uint32_t max) : max_handles(max) {}
  std::mutex mutex;
  std::map<std::string, Grant> grants;
  std::map<uint64_t, Handles> handles;  // by Instance::id()
  const uint32_t max_handles;           // per instance
};

namespace {

using State = GuestRegions::State;

// The longest region name `region_open` reads; a longer one is refused unread.
constexpr uint32_t kMaxNameBytes = 4096;

int64_t neg(uint32_t wasi_errno) { return -static_cast<int64_t>(wasi_errno); }
uint64_t slot(int64_t v) { return static_cast<uint64_t>(v); }
uint64_t slot32(int32_t v) { return static_cast<uint32_t>(v); }

bool parse_access(uint32_t bits, Access* out) {
  if (bits == 1) *out = Access::Read;
  else if (bits == 3) *out = Access::ReadWrite;
  else return false;
  return true;
}

bool allows(Access max, Access want) { return max == Access::ReadWrite || want == Access::Read; }

// The calling instance's id, or 0 when the import was called from the host directly.
uint64_t caller_id(const HostContext& ctx) { return ctx.caller ? ctx.caller->id() : 0; }

// Handle numbers count up from 1 and, after 2^31 - 1 opens, start again at the lowest
// free one: a handle is never zero or negative (those are errors).
// Terminates: at most max_handles numbers are in use.
int32_t next_free_number(State::Handles& mine) {
  for (;;) {
    int32_t h = mine.next;
    mine.next = h == INT32_MAX ? 1 : h + 1;
    if (!mine.by_number.count(h)) return h;
  }
}

int32_t region_open(State& s, HostContext& ctx, uint32_t name_ptr, uint32_t name_len, uint32_t bits) {
  Memory* mem = ctx.memory();
  Access want;
  if (!parse_access(bits, &want)) return -static_cast<int32_t>(wasi::kEinval);
  if (name_len > kMaxNameBytes) return -static_cast<int32_t>(wasi::kEnametoolong);
  if (!mem) return -static_cast<int32_t>(wasi::kEfault);
  std::string name(name_len, '\0');
  if (!mem->read(name_ptr, name.data(), name_len)) return -static_cast<int32_t>(wasi::kEfault);
  std::lock_guard<std::mutex> lock(s.mutex);
  auto it = s.grants.find(name);
  if (it == s.grants.end()) return -static_cast<int32_t>(wasi::kEnoent);
  if (!allows(it->second.max, want)) return -static_cast<int32_t>(wasi::kEacces);
  State::Handles& mine = s.handles[caller_id(ctx)];
  // Each handle costs host memory: a guest opening without closing must hit a wall.
  if (mine.by_number.size() >= s.max_handles) return -static_cast<int32_t>(wasi::kEmfile);
  int32_t h = next_free_number(mine);
  mine.by_number[h] = {it->second.region, want};
  return h;
}

// Looks up a handle of the calling instance; nullptr if it has no such handle.
// Caller holds s.mutex.
const State::Handle* handle(State& s, const HostContext& ctx, int32_t h) {
  auto mine = s.handles.find(caller_id(ctx));
  if (mine == s.handles.end()) return nullptr;
  auto it = mine->second.by_number.find(h);
  return it == mine->second.by_number.end() ? nullptr : &it->second;
}

// map, unmap, protect, attach, detach and sync act on the caller's memory `memory`; a
// memory index the caller does not have is EINVAL.
int64_t map(State& s, HostContext& ctx, uint32_t memory, int32_t h, uint64_t offset, uint64_t length,
            int64_t addr, uint32_t bits, const WindowOptions& options = {}) {
  Memory* mem = ctx.memory(memory);
  Access want;
  if (!parse_access(bits, &want)) return neg(wasi::kEinval);
  if (!mem) return neg(wasi::kEinval);
  if (addr < -1) return neg(wasi::kEinval);
  Requester by{caller_id(ctx), Access::Read};
  std::shared_ptr<Region> region;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    const State::Handle* hd = handle(s, ctx, h);
    if (!hd) return neg(wasi::kEbadf);
    if (!allows(hd->access, want)) return neg(wasi::kEacces);
    region = hd->region;
    by.ceiling = hd->access;
  }
  try {
    uint64_t at = addr == -1 ? kMapAnywhere : static_cast<uint64_t>(addr);
    return static_cast<int64_t>(map_window(*mem, region, offset, length, at, want, options, by));
  } catch (const RegionError& e) {
    return neg(e.wasi_errno());
  }
}

// attach: map with an attach lock. mode 1 = shared (a read-only window), 2 = exclusive
// (read-write); timeout_ns 0 = do not wait (EBUSY), < 0 = wait forever.
int64_t attach(State& s, HostContext& ctx, uint32_t memory, int32_t h, uint64_t offset, uint64_t length,
               int64_t addr, uint32_t mode, int64_t timeout_ns) {
  if (mode != 1 && mode != 2) return neg(wasi::kEinval);
  WindowOptions options;
  options.attach = mode == 2 ? Attach::Exclusive : Attach::Shared;
  options.wait = timeout_ns < 0 ? kWaitForever : std::chrono::nanoseconds(timeout_ns);
  Access access = mode == 2 ? Access::ReadWrite : Access::Read;
  return map(s, ctx, memory, h, offset, length, addr, static_cast<uint32_t>(access), options);
}

// detach: unmap an attached window, which releases its lock.
int32_t detach(HostContext& ctx, uint32_t memory, uint64_t addr, uint64_t length) {
  Memory* mem = ctx.memory(memory);
  if (!mem) return -static_cast<int32_t>(wasi::kEinval);
  std::optional<WindowRecord> w = mem->window_at(addr);
  if (!w || w->addr != addr || window_attach_mode(*mem, addr) == Attach::None)
    return -static_cast<int32_t>(wasi::kEinval);
  try {
    unmap_window(*mem, addr, length, Requester{caller_id(ctx)});
    return 0;
  } catch (const RegionError& e) {
    return -static_cast<int32_t>(e.wasi_errno());
  }
}

int32_t unmap(HostContext& ctx, uint32_t memory, uint64_t addr, uint64_t length) {
  Memory* mem = ctx.memory(memory);
  if (!mem) return -static_cast<int32_t>(wasi::kEinval);
  try {
    unmap_window(*mem, addr, length, Requester{caller_id(ctx)});
    return 0;
  } catch (const RegionError& e) {
    return -static_cast<int32_t>(e.wasi_errno());
  }
}

// sync: writes a copy window back to its region (a mapped window: nothing to do).
int32_t sync(HostContext& ctx, uint32_t memory, uint64_t addr, uint64_t length) {
  Memory* mem = ctx.memory(memory);
  if (!mem) return -static_cast<int32_t>(wasi::kEinval);
  try {
    sync_window(*mem, addr, length);
    return 0;
  } catch (const RegionError& e) {
    return -static_cast<int32_t>(e.wasi_errno());
  }
}

int32_t protect(HostContext& ctx, uint32_t memory, uint64_t addr, uint64_t length, uint32_t bits) {
  Memory* mem = ctx.memory(memory);
  Access want;
  if (!parse_access(bits, &want)) return -static_cast<int32_t>(wasi::kEinval);
  if (!mem) return -static_cast<int32_t>(wasi::kEinval);
  try {
    protect_window(*mem, addr, length, want, Requester{caller_id(ctx)});
    return 0;
  } catch (const RegionError& e) {
    return -static_cast<int32_t>(e.wasi_errno());
  }
}

}  // namespace

GuestRegions::GuestRegions(uint32_t max_handles_per_instance)
    : state_(std::make_unique<State>(max_handles_per_instance)) {}
GuestRegions::~GuestRegions() = default;

void GuestRegions::grant(const std::string& name, std::shared_ptr<Region> region, Access max) {
  if (!region) throw Error("grant '" + name + "': no region");
  if (max == Access::ReadWrite && !region->writable())
    throw Error("grant '" + name + "': region '" + region->name() + "' is read-only");
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->grants[name] = {std::move(region), max};
}

void GuestRegions::define_imports(Store& store, Linker& linker) {
  using VT = ValType;
  State* s = state_.get();
  auto def = [&](const char* name, std::vector<VT> params, std::vector<VT> results, HostCallback cb) {
    linker.define("aperture", name,
                  Extern::func(store.create_host_function(FuncType{params, results}, std::move(cb), name)));
  };
  def("region_open", {VT::I32, VT::I32, VT::I32}, {VT::I32},
      [s](HostContext& c, const uint64_t* a, uint64_t* r) {
        r[0] = slot32(region_open(*s, c, static_cast<uint32_t>(a[0]), static_cast<uint32_t>(a[1]),
                                  static_cast<uint32_t>(a[2])));
      });
  def("region_size", {VT::I32}, {VT::I64}, [s](HostContext& c, const uint64_t* a, uint64_t* r) {
    std::lock_guard<std::mutex> lock(s->mutex);
    const State::Handle* h = handle(*s, c, static_cast<int32_t>(a[0]));
    r[0] = h ? h->region->size() : slot(neg(wasi::kEbadf));
  });
  // map, unmap, protect, attach, detach and sync act on memory 0; their memory_*
  // versions take the memory index as their first argument.
  def("map", {VT::I32, VT::I64, VT::I64, VT::I64, VT::I32}, {VT::I64},
      [s](HostContext& c, const uint64_t* a, uint64_t* r) {
        r[0] = slot(map(*s, c, 0, static_cast<int32_t>(a[0]), a[1], a[2], static_cast<int64_t>(a[3]),
                        static_cast<uint32_t>(a[4])));
      });
  def("attach", {VT::I32, VT::I64, VT::I64, VT::I64, VT::I32, VT::I64}, {VT::I64},
      [s](HostContext& c, const uint64_t* a, uint64_t* r) {
        r[0] = slot(attach(*s, c, 0, static_cast<int32_t>(a[0]), a[1], a[2], static_cast<int64_t>(a[3]),
                           static_cast<uint32_t>(a[4]), static_cast<int64_t>(a[5])));
      });
  def("memory_attach", {VT::I32, VT::I32, VT::I64, VT::I64, VT::I64, VT::I32, VT::I64}, {VT::I64},
      [s](HostContext& c, const uint64_t* a, uint64_t* r) {
        r[0] = slot(attach(*s, c, static_cast<uint32_t>(a[0]), static_cast<int32_t>(a[1]), a[2], a[3],
                           static_cast<int64_t>(a[4]), static_cast<uint32_t>(a[5]), static_cast<int64_t>(a[6])));
      });
  def("detach", {VT::I64, VT::I64}, {VT::I32}, [](HostContext& c, const uint64_t* a, uint64_t* r) {
    r[0] = slot32(detach(c, 0, a[0], a[1]));
  });
  def("memory_detach", {VT::I32, VT::I64, VT::I64}, {VT::I32},
      [](HostContext& c, const uint64_t* a, uint64_t* r) {
        r[0] = slot32(detach(c, static_cast<uint32_t>(a[0]), a[1], a[2]));
      });
  def("memory_map", {VT::I32, VT::I32, VT::I64, VT::I64, VT::I64, VT::I32}, {VT::I64},
      [s](HostContext& c, const uint64_t* a, uint64_t* r) {
        r[0] = slot(map(*s, c, static_cast<uint32_t>(a[0]), static_cast<int32_t>(a[1]), a[2], a[3],
                        static_cast<int64_t>(a[4]), static_cast<uint32_t>(a[5])));
      });
  def("unmap", {VT::I64, VT::I64}, {VT::I32}, [](HostContext& c, const uint64_t* a, uint64_t* r) {
    r[0] = slot32(unmap(c, 0, a[0], a[1]));
  });
  def("memory_unmap", {VT::I32, VT::I64, VT::I64}, {VT::I32},
      [](HostContext& c, const uint64_t* a, uint64_t* r) {
        r[0] = slot32(unmap(c, static_cast<uint32_t>(a[0]), a[1], a[2]));
      });
  def("sync", {VT::I64, VT::I64}, {VT::I32}, [](HostContext& c, const uint64_t* a, uint64_t* r) {
    r[0] = slot32(sync(c, 0, a[0], a[1]));
  });
  def("memory_sync", {VT::I32, VT::I64, VT::I64}, {VT::I32},
      [](HostContext& c, const uint64_t* a, uint64_t* r) {
        r[0] = slot32(sync(c, static_cast<uint32_t>(a[0]), a[1], a[2]));
      });
  def("protect", {VT::I64, VT::I64, VT::I32}, {VT::I32},
      [](HostContext& c, const uint64_t* a, uint64_t* r) {
        r[0] = slot32(protect(c, 0, a[0], a[1], static_cast<uint32_t>(a[2])));
      });
  def("memory_protect", {VT::I32, VT::I64, VT::I64, VT::I32}, {VT::I32},
      [](HostContext& c, const uint64_t* a, uint64_t* r) {
        r[0] = slot32(protect(c, static_cast<uint32_t>(a[0]), a[1], a[2], static_cast<uint32_t>(a[3])));
      });
  def("region_close", {VT::I32}, {VT::I32}, [s](HostContext& c, const uint64_t* a, uint64_t* r) {
    std::lock_guard<std::mutex> lock(s->mutex);
    auto mine = s->handles.find(caller_id(c));
    bool closed = mine != s->handles.end() && mine->second.by_number.erase(static_cast<int32_t>(a[0]));
    r[0] = closed ? 0 : slot32(-static_cast<int32_t>(wasi::kEbadf));
  });
  def("page_size", {}, {VT::I32}, [](HostContext&, const uint64_t*, uint64_t* r) {
    r[0] = static_cast<uint32_t>(host_page_size());
  });
  define_wait_imports(store, linker);
}

}  // namespace aperture
