// Host-side wait/notify at a region offset (include/aperture/wait_notify.h): a shared
// futex on the host's mapping, which the kernel keys by the backing page, so it meets
// guests and native programs in every process that maps the region.
#include <string>

#include "aperture/region.h"
#include "aperture/wait_notify.h"
#include "runtime/futex.h"

namespace aperture {
namespace {

const uint8_t* region_word(Region& region, uint64_t offset, uint64_t width, const char* what) {
  if (offset % width != 0)
    throw Error(std::string(what) + ": offset " + std::to_string(offset) + " of region '" +
                region.name() + "' is not a multiple of " + std::to_string(width));
  if (offset >= region.size() || region.size() - offset < width)
    throw Error(std::string(what) + ": offset " + std::to_string(offset) + " is outside region '" +
                region.name() + "' (" + std::to_string(region.size()) + " bytes)");
  return region.data() + offset;
}

WaitResult region_result(uint32_t r, Region& region, const char* what) {
  if (r == kWaitFault)
    throw Error(std::string(what) + ": region '" + region.name() +
                "' is shorter than its size (its file was truncated)");
  return static_cast<WaitResult>(r);
}

}  // namespace

WaitResult wait32(Region& region, uint64_t offset, uint32_t expected, int64_t timeout_ns) {
  const uint8_t* word = region_word(region, offset, 4, "wait32");
  return region_result(futex::wait32(word, expected, timeout_ns, /*shared=*/true), region, "wait32");
}

WaitResult wait64(Region& region, uint64_t offset, uint64_t expected, int64_t timeout_ns) {
  const uint8_t* word = region_word(region, offset, 8, "wait64");
  return region_result(futex::wait64(word, expected, timeout_ns, /*shared=*/true), region, "wait64");
}

uint32_t notify(Region& region, uint64_t offset, uint32_t count) {
  uint32_t woken = futex::wake(region_word(region, offset, 4, "notify"), count, /*shared=*/true);
  if (woken == futex::kWakeFault)
    throw Error("notify: region '" + region.name() + "' is shorter than its size (its file was truncated)");
  return woken;
}

}  // namespace aperture
