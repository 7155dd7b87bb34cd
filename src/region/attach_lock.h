// Attach modes (docs/regions.md, "Attach modes"): an exclusive or shared attachment is an
// open-file-description lock (F_OFD_SETLK / F_OFD_SETLKW) on the window's bytes of its
// region's backing. The lock belongs to a description of its own, opened for this one
// attachment, so two attachments conflict whether they are in two processes or in one;
// a process that dies (even by SIGKILL) closes its descriptions and so releases its locks.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "aperture/region.h"

namespace aperture {

class AttachLock {
 public:
  // Locks [offset, offset+length) of `region` (offsets within the region): shared
  // (F_RDLCK) or exclusive (F_WRLCK). `wait` = 0 fails at once with EBUSY while a
  // conflicting attachment exists; otherwise waits that long (ETIMEDOUT) or, with
  // kWaitForever, until the conflict ends. Throws RegionError.
  static std::unique_ptr<AttachLock> acquire(Region& region, uint64_t offset, uint64_t length,
                                             Attach mode, std::chrono::nanoseconds wait);
  ~AttachLock();  // closes the description, which releases the lock
  AttachLock(const AttachLock&) = delete;
  AttachLock& operator=(const AttachLock&) = delete;

 private:
  explicit AttachLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace aperture
