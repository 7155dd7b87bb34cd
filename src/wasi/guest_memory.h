// The calling instance's memory 0 as WASI sees it. Every guest byte host code reads or
// writes goes through Memory::read/write (runtime/guest_access.cpp): bounds-checked and
// fault-safe, so a bad pointer or a window whose backing was truncated is EFAULT, never a
// dead process. Raw pointers exist only for handing buffers to system calls.
#pragma once

#include <cstdint>
#include <string>

#include "aperture/memory.h"

namespace aperture::wasi {

class GuestMemory {
 public:
  explicit GuestMemory(Memory* m) : m_(m) {}

  // Whether [addr, addr+len) is accessible (checked before doing work whose result the
  // guest could not receive). A zero-length range always is.
  bool accessible(uint64_t addr, uint64_t len, bool write) const {
    return len == 0 || (m_ != nullptr && m_->range_accessible(addr, len, write));
  }
  // Copies out of / into guest memory; false (the caller returns EFAULT) on a bad range
  // or a fault.
  bool read(uint64_t addr, void* out, uint64_t len) const {
    return len == 0 || (m_ != nullptr && m_->read(addr, out, len));
  }
  bool write(uint64_t addr, const void* in, uint64_t len) const {
    return len == 0 || (m_ != nullptr && m_->write(addr, in, len));
  }
  template <typename T>
  bool load(uint64_t addr, T* out) const {
    return read(addr, out, sizeof(T));
  }
  template <typename T>
  bool store(uint64_t addr, T value) const {
    return write(addr, &value, sizeof(T));
  }
  bool string(uint64_t addr, uint64_t len, std::string* out) const {
    out->resize(len);
    return read(addr, out->data(), len);
  }

  // A pointer to [addr, addr+len) for a system call's buffer (readv, getrandom, ...), or
  // nullptr (the caller returns EFAULT). The kernel turns a fault there into EFAULT
  // itself; host code must never dereference this pointer.
  uint8_t* syscall_buffer(uint64_t addr, uint64_t len, bool write) const {
    if (m_ == nullptr) return nullptr;
    if (len == 0) return m_->base();
    return m_->host_pointer(addr, len, write);
  }

 private:
  Memory* m_;
};

}  // namespace aperture::wasi
