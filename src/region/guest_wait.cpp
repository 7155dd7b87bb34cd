// aperture.wait32 / wait64 / notify: memory.atomic.wait and notify for any memory.
#include "region/guest_wait.h"

#include <algorithm>
#include <climits>
#include <optional>

#include "aperture/memory.h"
#include "aperture/runtime.h"
#include "runtime/futex.h"
#include "support/wasi_errno.h"

namespace aperture {
namespace {

constexpr int32_t kEinval = -static_cast<int32_t>(wasi::kEinval);
constexpr int32_t kEfault = -static_cast<int32_t>(wasi::kEfault);

uint64_t slot32(int32_t v) { return static_cast<uint32_t>(v); }

// A word the guest named, ready for the futex calls.
struct Word {
  const uint8_t* host = nullptr;
  bool shared = false;  // inside a window: a shared futex
};

// The word at [addr, addr+width) of the caller's memory when it is aligned and accessible;
// else nullopt and *error set. A window is page-aligned, so an aligned word starting in
// one lies wholly in it (one lookup decides both questions on this hot path). The word
// itself is read by the kernel, never by this host code, so a window whose file was
// truncated yields -EFAULT rather than a fault.
std::optional<Word> word_of(HostContext& ctx, uint32_t memory, uint32_t addr, uint32_t width,
                            int32_t* error) {
  const Memory* mem = ctx.memory(memory);
  if (!mem || addr % width != 0) {
    *error = kEinval;
    return std::nullopt;
  }
  if (mem->in_window(addr)) return Word{mem->base() + addr, true};
  if (!mem->range_accessible(addr, width, false)) {
    *error = kEfault;
    return std::nullopt;
  }
  return Word{mem->base() + addr, mem->backing() != nullptr};  // region-backed: shared pages
}

int32_t guest_result(uint32_t r) { return r == kWaitFault ? kEfault : static_cast<int32_t>(r); }

int32_t wait32(HostContext& ctx, uint32_t memory, uint32_t addr, uint32_t expected, int64_t timeout_ns) {
  int32_t error = 0;
  std::optional<Word> w = word_of(ctx, memory, addr, 4, &error);
  if (!w) return error;
  return guest_result(futex::wait32(w->host, expected, timeout_ns, w->shared));
}

int32_t wait64(HostContext& ctx, uint32_t memory, uint32_t addr, uint64_t expected, int64_t timeout_ns) {
  int32_t error = 0;
  std::optional<Word> w = word_of(ctx, memory, addr, 8, &error);
  if (!w) return error;
  return guest_result(futex::wait64(w->host, expected, timeout_ns, w->shared));
}

int32_t notify(HostContext& ctx, uint32_t memory, uint32_t addr, uint32_t count) {
  int32_t error = 0;
  std::optional<Word> w = word_of(ctx, memory, addr, 4, &error);
  if (!w) return error;
  uint32_t woken = futex::wake(w->host, count, w->shared);
  if (woken == futex::kWakeFault) return kEfault;  // past its file's end, as for wait32
  return static_cast<int32_t>(std::min<uint32_t>(woken, INT32_MAX));
}

uint32_t u32(uint64_t slot) { return static_cast<uint32_t>(slot); }

}  // namespace

// wait32, wait64 and notify act on memory 0; memory_wait32, memory_wait64 and
// memory_notify take the memory index first (a memory the caller does not have: EINVAL).
void define_wait_imports(Store& store, Linker& linker) {
  using VT = ValType;
  auto def = [&](const char* name, std::vector<VT> params, HostCallback cb) {
    linker.define("aperture", name,
                  Extern::func(store.create_host_function(FuncType{params, {VT::I32}}, std::move(cb), name)));
  };
  def("wait32", {VT::I32, VT::I32, VT::I64}, [](HostContext& c, const uint64_t* a, uint64_t* r) {
    r[0] = slot32(wait32(c, 0, u32(a[0]), u32(a[1]), static_cast<int64_t>(a[2])));
  });
  def("memory_wait32", {VT::I32, VT::I32, VT::I32, VT::I64}, [](HostContext& c, const uint64_t* a, uint64_t* r) {
    r[0] = slot32(wait32(c, u32(a[0]), u32(a[1]), u32(a[2]), static_cast<int64_t>(a[3])));
  });
  def("wait64", {VT::I32, VT::I64, VT::I64}, [](HostContext& c, const uint64_t* a, uint64_t* r) {
    r[0] = slot32(wait64(c, 0, u32(a[0]), a[1], static_cast<int64_t>(a[2])));
  });
  def("memory_wait64", {VT::I32, VT::I32, VT::I64, VT::I64}, [](HostContext& c, const uint64_t* a, uint64_t* r) {
    r[0] = slot32(wait64(c, u32(a[0]), u32(a[1]), a[2], static_cast<int64_t>(a[3])));
  });
  def("notify", {VT::I32, VT::I32}, [](HostContext& c, const uint64_t* a, uint64_t* r) {
    r[0] = slot32(notify(c, 0, u32(a[0]), u32(a[1])));
  });
  def("memory_notify", {VT::I32, VT::I32, VT::I32}, [](HostContext& c, const uint64_t* a, uint64_t* r) {
    r[0] = slot32(notify(c, u32(a[0]), u32(a[1]), u32(a[2])));
  });
}

}  // namespace aperture
