// The region layer's side of a window (WindowBacking, include/aperture/memory.h): a mapped
// window shows the region's pages, a copy window private pages filled from the region and
// written back to it (docs/regions.md, "Copy mode"). Both hold the window's attach lock.
#pragma once

#include <cstdint>
#include <memory>

#include "aperture/memory.h"
#include "aperture/region.h"
#include "region/attach_lock.h"

namespace aperture {

class RegionWindow : public WindowBacking {
 public:
  RegionWindow(std::shared_ptr<Region> region, uint64_t offset, Attach attach,
               std::unique_ptr<AttachLock> lock)
      : region_(std::move(region)), offset_(offset), attach_(attach), lock_(std::move(lock)) {}

  Attach attach() const { return attach_; }
  virtual WindowMode mode() const = 0;

 protected:
  std::shared_ptr<Region> region_;
  uint64_t offset_;  // of the window in the region

 private:
  Attach attach_;
  std::unique_ptr<AttachLock> lock_;  // released when the window is gone
};

// The region's pages, mmap(MAP_SHARED) into the reservation (the default mode).
class MappedWindow : public RegionWindow {
 public:
  using RegionWindow::RegionWindow;
  WindowMode mode() const override { return WindowMode::Map; }
  bool discard(uint8_t* pages, uint64_t offset, uint64_t len) override;
};

// Private pages of the memory holding a copy of the window's bytes.
class CopyWindow : public RegionWindow {
 public:
  CopyWindow(std::shared_ptr<Region> region, uint64_t offset, Attach attach,
             std::unique_ptr<AttachLock> lock, bool writable)
      : RegionWindow(std::move(region), offset, attach, std::move(lock)), written_(writable) {}

  WindowMode mode() const override { return WindowMode::Copy; }
  // Fills the window's private pages (already mapped read-write at `pages`) from the
  // region; from then on write_back writes them back. Throws RegionError.
  void fill(uint8_t* pages, uint64_t length);
  // The pages are private anonymous memory: dropping them reads as zero afterwards, and
  // the zeros reach the region with the next write-back.
  bool discard(uint8_t* pages, uint64_t offset, uint64_t len) override;
  bool write_back(const uint8_t* pages, uint64_t length) override;
  void access_changed(bool writable) override;

 private:
  // Only a window that has been writable may hold changes: a read-only one is never
  // written back, so it cannot overwrite what a writer put into the region meanwhile.
  // A window that was never filled has nothing to give back.
  bool written_;
  bool filled_ = false;
};

}  // namespace aperture
