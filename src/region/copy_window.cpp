// Copy windows (region/window_backings.h, docs/regions.md "Copy mode") and the default
// window mode.
#include <sys/mman.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "region/window_backings.h"
#include "support/wasi_errno.h"

namespace aperture {
namespace {

std::atomic<WindowMode> g_default_mode{WindowMode::Default};

WindowMode mode_from_environment() {
  const char* v = std::getenv("APERTURE_WINDOW_MODE");
  if (!v || !*v || std::strcmp(v, "map") == 0) return WindowMode::Map;
  if (std::strcmp(v, "copy") == 0) return WindowMode::Copy;
  throw Error(std::string("APERTURE_WINDOW_MODE='") + v + "' is not a window mode: use map or copy");
}

}  // namespace

const char* to_string(WindowMode m) {
  switch (m) {
    case WindowMode::Default: return "default";
    case WindowMode::Map: return "map";
    case WindowMode::Copy: return "copy";
  }
  return "?";
}

WindowMode default_window_mode() {
  WindowMode m = g_default_mode.load(std::memory_order_acquire);
  if (m != WindowMode::Default) return m;
  m = mode_from_environment();
  WindowMode expected = WindowMode::Default;
  g_default_mode.compare_exchange_strong(expected, m);
  return g_default_mode.load(std::memory_order_acquire);
}

void set_default_window_mode(WindowMode m) {
  if (m == WindowMode::Default) throw Error("set_default_window_mode: give Map or Copy");
  g_default_mode.store(m, std::memory_order_release);
}

void CopyWindow::fill(uint8_t* pages, uint64_t length) {
  region_->read_bytes(offset_, pages, length);
  filled_ = true;
}

bool CopyWindow::discard(uint8_t* pages, uint64_t offset, uint64_t len) {
  return madvise(pages + offset, len, MADV_DONTNEED) == 0;
}

void CopyWindow::access_changed(bool writable) { written_ = written_ || writable; }

bool CopyWindow::write_back(const uint8_t* pages, uint64_t length) {
  if (!filled_ || !written_) return true;
  try {
    region_->write_bytes(offset_, pages, length);
    return true;
  } catch (const RegionError& e) {
    if (e.wasi_errno() == wasi::kEio || errno == 0) errno = EIO;
    return false;
  }
}

}  // namespace aperture
