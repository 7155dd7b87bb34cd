// Fault-safe host access to guest memory (runtime/guest_access.h).
#include "runtime/guest_access.h"

#include <cstring>

#include "aperture/memory.h"
#include "aperture/trap.h"

namespace aperture {

bool run_catching_guest_faults(const uint8_t* begin, uint64_t len, void (*fn)(void*), void* arg,
                               FaultInfo* fault) {
  FaultScope scope;
  FaultScope* const saved = current_fault_scope();
  scope.previous = saved;
  scope.host_lo = reinterpret_cast<uintptr_t>(begin);
  scope.host_hi = scope.host_lo + len;
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

// Copies len bytes; at least one side is guest memory inside the guarded range.
bool guarded_copy(void* dst, const void* src, const uint8_t* guest, uint64_t len, FaultInfo* fault) {
  return catching_guest_faults(guest, len, [&] { std::memcpy(dst, src, len); }, fault);
}

[[noreturn]] void throw_fault(const FaultInfo& fault) { throw Trap(describe_fault(fault)); }

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
  if (!range_accessible(addr, len, false)) throw Trap(access_failure(addr, len, false));
  FaultInfo fault;
  if (len != 0 && !guarded_copy(out, base_ + addr, base_ + addr, len, &fault)) throw_fault(fault);
}

void Memory::write_or_trap(uint64_t addr, const void* in, uint64_t len) {
  if (!range_accessible(addr, len, true)) throw Trap(access_failure(addr, len, true));
  FaultInfo fault;
  if (len != 0 && !guarded_copy(base_ + addr, in, base_ + addr, len, &fault)) throw_fault(fault);
}

}  // namespace aperture
