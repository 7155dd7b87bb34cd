// Bounds-checked access to the calling instance's memory 0. Every guest pointer goes
// through here before host code touches it: a host fault is a crash, not a trap.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "aperture/memory.h"

namespace aperture::wasi {

class GuestMemory {
 public:
  explicit GuestMemory(Memory* m) : m_(m) {}

  // Pointer to [addr, addr+len) or nullptr (the caller returns EFAULT).
  uint8_t* span(uint64_t addr, uint64_t len, bool write) const {
    if (m_ == nullptr) return nullptr;
    if (len == 0) return m_->base();  // never dereferenced
    return m_->host_pointer(addr, len, write);
  }
  template <typename T>
  bool load(uint64_t addr, T* out) const {
    const uint8_t* p = span(addr, sizeof(T), false);
    if (!p) return false;
    std::memcpy(out, p, sizeof(T));
    return true;
  }
  template <typename T>
  bool store(uint64_t addr, T value) const {
    uint8_t* p = span(addr, sizeof(T), true);
    if (!p) return false;
    std::memcpy(p, &value, sizeof(T));
    return true;
  }
  bool string(uint64_t addr, uint64_t len, std::string* out) const {
    const uint8_t* p = span(addr, len, false);
    if (!p) return false;
    out->assign(reinterpret_cast<const char*>(p), len);
    return true;
  }

 private:
  Memory* m_;
};

}  // namespace aperture::wasi
