// The guest builtin API, import module "aperture" (include/aperture/guest.h).
// Expected failures return negative WASI errno values; nothing here traps a guest.
#include <map>
#include <mutex>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "wasi/wasi_types.h"

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
  std::mutex mutex;
  std::map<std::string, Grant> grants;
  std::map<int32_t, Handle> handles;
  int32_t next_handle = 1;
};

namespace {

using State = GuestRegions::State;

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

int32_t region_open(State& s, HostContext& ctx, uint32_t name_ptr, uint32_t name_len, uint32_t bits) {
  Memory* mem = ctx.memory();
  Access want;
  if (!parse_access(bits, &want)) return -static_cast<int32_t>(wasi::kEinval);
  if (!mem || name_len > 4096) return -static_cast<int32_t>(wasi::kEfault);
  std::string name(name_len, '\0');
  if (!mem->read(name_ptr, name.data(), name_len)) return -static_cast<int32_t>(wasi::kEfault);
  std::lock_guard<std::mutex> lock(s.mutex);
  auto it = s.grants.find(name);
  if (it == s.grants.end()) return -static_cast<int32_t>(wasi::kEnoent);
  if (!allows(it->second.max, want)) return -static_cast<int32_t>(wasi::kEacces);
  int32_t h = s.next_handle++;
  s.handles[h] = {it->second.region, want};
  return h;
}

// Looks up a handle; nullptr if unknown.
const State::Handle* handle(State& s, int32_t h) {
  auto it = s.handles.find(h);
  return it == s.handles.end() ? nullptr : &it->second;
}

int64_t map(State& s, HostContext& ctx, int32_t h, uint64_t offset, uint64_t length, int64_t addr,
            uint32_t bits) {
  Memory* mem = ctx.memory();
  Access want;
  if (!parse_access(bits, &want)) return neg(wasi::kEinval);
  if (!mem) return neg(wasi::kEinval);
  std::shared_ptr<Region> region;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    const State::Handle* hd = handle(s, h);
    if (!hd) return neg(wasi::kEbadf);
    if (!allows(hd->access, want)) return neg(wasi::kEacces);
    region = hd->region;
  }
  try {
    uint64_t at = static_cast<uint64_t>(addr);
    if (addr == -1) {
      if (length == 0) length = offset < region->size() ? region->size() - offset : 0;
      std::optional<uint64_t> free = mem->find_free_range(mem->size_bytes(), length);
      if (!free) return neg(wasi::kEnomem);
      at = *free;
    } else if (addr < 0) {
      return neg(wasi::kEinval);
    }
    return static_cast<int64_t>(map_window(*mem, region, offset, length, at, want));
  } catch (const RegionError& e) {
    return neg(e.wasi_errno());
  }
}

int32_t unmap(HostContext& ctx, uint64_t addr, uint64_t length) {
  Memory* mem = ctx.memory();
  if (!mem) return -static_cast<int32_t>(wasi::kEinval);
  try {
    unmap_window(*mem, addr, length);
    return 0;
  } catch (const RegionError& e) {
    return -static_cast<int32_t>(e.wasi_errno());
  }
}

int32_t protect(State& s, HostContext& ctx, uint64_t addr, uint64_t length, uint32_t bits) {
  Memory* mem = ctx.memory();
  Access want;
  if (!parse_access(bits, &want)) return -static_cast<int32_t>(wasi::kEinval);
  if (!mem) return -static_cast<int32_t>(wasi::kEinval);
  std::optional<WindowRecord> w = mem->window_at(addr);
  if (!w || w->addr != addr || w->length != length) return -static_cast<int32_t>(wasi::kEinval);
  // A guest may not raise a window above what some grant of its region allows.
  if (want == Access::ReadWrite) {
    std::lock_guard<std::mutex> lock(s.mutex);
    bool granted = false;
    for (const auto& [name, g] : s.grants)
      if (g.region == w->keep_alive && g.max == Access::ReadWrite) granted = true;
    if (!granted) return -static_cast<int32_t>(wasi::kEacces);
  }
  try {
    protect_window(*mem, addr, length, want);
    return 0;
  } catch (const RegionError& e) {
    return -static_cast<int32_t>(e.wasi_errno());
  }
}

}  // namespace

GuestRegions::GuestRegions() : state_(std::make_unique<State>()) {}
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
  def("region_size", {VT::I32}, {VT::I64}, [s](HostContext&, const uint64_t* a, uint64_t* r) {
    std::lock_guard<std::mutex> lock(s->mutex);
    const State::Handle* h = handle(*s, static_cast<int32_t>(a[0]));
    r[0] = h ? h->region->size() : slot(neg(wasi::kEbadf));
  });
  def("map", {VT::I32, VT::I64, VT::I64, VT::I64, VT::I32}, {VT::I64},
      [s](HostContext& c, const uint64_t* a, uint64_t* r) {
        r[0] = slot(map(*s, c, static_cast<int32_t>(a[0]), a[1], a[2], static_cast<int64_t>(a[3]),
                        static_cast<uint32_t>(a[4])));
      });
  def("unmap", {VT::I64, VT::I64}, {VT::I32}, [](HostContext& c, const uint64_t* a, uint64_t* r) {
    r[0] = slot32(unmap(c, a[0], a[1]));
  });
  def("protect", {VT::I64, VT::I64, VT::I32}, {VT::I32},
      [s](HostContext& c, const uint64_t* a, uint64_t* r) {
        r[0] = slot32(protect(*s, c, a[0], a[1], static_cast<uint32_t>(a[2])));
      });
  def("region_close", {VT::I32}, {VT::I32}, [s](HostContext&, const uint64_t* a, uint64_t* r) {
    std::lock_guard<std::mutex> lock(s->mutex);
    r[0] = s->handles.erase(static_cast<int32_t>(a[0])) ? 0 : slot32(-static_cast<int32_t>(wasi::kEbadf));
  });
  def("page_size", {}, {VT::I32}, [](HostContext&, const uint64_t*, uint64_t* r) {
    r[0] = static_cast<uint32_t>(host_page_size());
  });
}

}  // namespace aperture
