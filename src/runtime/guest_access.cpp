// Fault-safe host access to guest memory (runtime/guest_access.h).
#include "runtime/guest_access.h"

#include <cstring>

#include "aperture/memory.h"
#include "aperture/trap.h"

namespace aperture {

bool run_catching_guest_faults(GuestBytes first, GuestBytes second, void (*fn)(void*), void* arg,
                               FaultInfo* fault) {
  FaultScope scope;
  FaultScope* const saved = current_fault_scope();
  scope.previous = saved;
  scope.host_access = true;
  const GuestBytes ranges[2] = {first, second};
  for (int i = 0; i < 2; ++i) {
    scope.host_lo[i] = reinterpret_cast<uintptr_t>(ranges[i].begin);
    scope.host_hi[i] = scope.host_lo[i] + ranges[i].len;
  }
  // SAFETY: sigsetjmp returns twice; after the jump only `scope`, `saved` and `fault` are
  // used, none of them modified between the two returns (so no volatile is needed).
  if (sigsetjmp(scope.jump, 0) != 0) {
    current_fault_scope() = saved;
    if (fault) *fault = scope.fault;
    return false;
  }
  current_fault_scope() = &scope;
  fn(arg);
  current_fault_scope() = saved;
  return true;
}

namespace {

// The byte movement itself. Under ThreadSanitizer it is a plain loop the sanitizer does not
// see, for the interpreter loop's reasons (interp/execute.cpp): guest memory follows wasm's
// memory model, where racing accesses (a guest thread's store, another party's window
// being mapped) are defined, and a fault must not land inside the sanitizer's memmove
// interceptor, from which it could not become a trap. `volatile` keeps the compiler from
// turning the loops back into memmove/memset calls.
#if defined(__SANITIZE_THREAD__)
__attribute__((no_sanitize("thread"))) void move_bytes(void* dst, const void* src, uint64_t n) {
  auto* d = static_cast<volatile uint8_t*>(dst);
  auto* s = static_cast<const volatile uint8_t*>(src);
  if (d < s) {
    for (uint64_t i = 0; i < n; ++i) d[i] = s[i];
  } else {
    for (uint64_t i = n; i > 0; --i) d[i - 1] = s[i - 1];
  }
}
__attribute__((no_sanitize("thread"))) void set_bytes(void* dst, uint8_t value, uint64_t n) {
  auto* d = static_cast<volatile uint8_t*>(dst);
  for (uint64_t i = 0; i < n; ++i) d[i] = value;
}
#else
void move_bytes(void* dst, const void* src, uint64_t n) { std::memmove(dst, src, n); }
void set_bytes(void* dst, uint8_t value, uint64_t n) { std::memset(dst, value, n); }
#endif

}  // namespace

bool guest_memmove(void* dst, const void* src, uint64_t n, FaultInfo* fault) {
  if (n == 0) return true;
  return catching_guest_faults(GuestBytes{dst, n}, GuestBytes{src, n},
                               [&] { move_bytes(dst, src, n); }, fault);
}

bool guest_memset(void* dst, uint8_t value, uint64_t n, FaultInfo* fault) {
  if (n == 0) return true;
  return catching_guest_faults(GuestBytes{dst, n}, GuestBytes{},
                               [&] { set_bytes(dst, value, n); }, fault);
}

namespace {

// Copies len bytes; at least one side is guest memory inside the guarded range.
bool guarded_copy(void* dst, const void* src, const uint8_t* guest, uint64_t len, FaultInfo* fault) {
  return catching_guest_faults(guest, len, [&] { move_bytes(dst, src, len); }, fault);
}

[[noreturn]] void throw_fault(const FaultInfo& fault) { throw Trap(describe_fault(fault)); }

// The range failed the check; a window mapped meanwhile by another thread may make it
// pass by now, but this access failed.
[[noreturn]] void throw_inaccessible(const Memory& m, uint64_t addr, uint64_t len, bool write) {
  std::string why = m.access_failure(addr, len, write);
  throw Trap(why.empty() ? std::string(trap_msg::kMemoryOutOfBounds) : why);
}

}  // namespace

bool Memory::read(uint64_t addr, void* out, uint64_t len) const {
  if (!range_accessible(addr, len, false)) return false;
  return len == 0 || guarded_copy(out, base_ + addr, base_ + addr, len, nullptr);
}

bool Memory::write(uint64_t addr, const void* in, uint64_t len) {
  if (!range_accessible(addr, len, true)) return false;
  return len == 0 || guarded_copy(base_ + addr, in, base_ + addr, len, nullptr);
}

void Memory::read_or_trap(uint64_t addr, void* out, uint64_t len) const {
  if (!range_accessible(addr, len, false)) throw_inaccessible(*this, addr, len, false);
  FaultInfo fault;
  if (len != 0 && !guarded_copy(out, base_ + addr, base_ + addr, len, &fault)) throw_fault(fault);
}

void Memory::write_or_trap(uint64_t addr, const void* in, uint64_t len) {
  if (!range_accessible(addr, len, true)) throw_inaccessible(*this, addr, len, true);
  FaultInfo fault;
  if (len != 0 && !guarded_copy(base_ + addr, in, base_ + addr, len, &fault)) throw_fault(fault);
}

}  // namespace aperture
