// aperture.h: wait and notify from the host, on words of a memory or of a region
// (include/aperture/wait_notify.h has the semantics).
#include "aperture/wait_notify.h"

#include "aperture/memory.h"
#include "api/c_api_internal.h"

using namespace aperture;
using namespace aperture::capi;

static_assert(APERTURE_WAIT_WOKEN == static_cast<uint32_t>(WaitResult::Woken) &&
                  APERTURE_WAIT_NOT_EQUAL == static_cast<uint32_t>(WaitResult::NotEqual) &&
                  APERTURE_WAIT_TIMED_OUT == static_cast<uint32_t>(WaitResult::TimedOut),
              "aperture.h and wait_notify.h agree on wait results");
static_assert(APERTURE_NOTIFY_ALL == kNotifyAll, "aperture.h and wait_notify.h agree on \"all\"");

namespace {

// Runs a wait (which returns a WaitResult) and hands the result out.
template <typename Wait>
aperture_error_t* waited(aperture_wait_result_t* result, Wait&& wait) {
  return guarded([&] {
    WaitResult r = wait();
    if (result) *result = static_cast<aperture_wait_result_t>(r);
  });
}

template <typename Notify>
aperture_error_t* notified(uint32_t* woken, Notify&& notify) {
  return guarded([&] {
    uint32_t n = notify();
    if (woken) *woken = n;
  });
}

}  // namespace

extern "C" {

aperture_error_t* aperture_memory_wait32(const wasm_memory_t* memory, uint64_t addr, uint32_t expected,
                                         int64_t timeout_ns, aperture_wait_result_t* result) {
  if (memory == nullptr) return null_argument("aperture_memory_wait32", "memory");
  return waited(result, [&] { return wait32(*memory->memory(), addr, expected, timeout_ns); });
}

aperture_error_t* aperture_memory_wait64(const wasm_memory_t* memory, uint64_t addr, uint64_t expected,
                                         int64_t timeout_ns, aperture_wait_result_t* result) {
  if (memory == nullptr) return null_argument("aperture_memory_wait64", "memory");
  return waited(result, [&] { return wait64(*memory->memory(), addr, expected, timeout_ns); });
}

aperture_error_t* aperture_memory_notify(const wasm_memory_t* memory, uint64_t addr, uint32_t count,
                                         uint32_t* woken) {
  if (memory == nullptr) return null_argument("aperture_memory_notify", "memory");
  return notified(woken, [&] { return notify(*memory->memory(), addr, count); });
}

aperture_error_t* aperture_region_wait32(aperture_region_t* region, uint64_t offset, uint32_t expected,
                                         int64_t timeout_ns, aperture_wait_result_t* result) {
  if (region == nullptr) return null_argument("aperture_region_wait32", "region");
  return waited(result, [&] { return wait32(*region->region, offset, expected, timeout_ns); });
}

aperture_error_t* aperture_region_wait64(aperture_region_t* region, uint64_t offset, uint64_t expected,
                                         int64_t timeout_ns, aperture_wait_result_t* result) {
  if (region == nullptr) return null_argument("aperture_region_wait64", "region");
  return waited(result, [&] { return wait64(*region->region, offset, expected, timeout_ns); });
}

aperture_error_t* aperture_region_notify(aperture_region_t* region, uint64_t offset, uint32_t count,
                                         uint32_t* woken) {
  if (region == nullptr) return null_argument("aperture_region_notify", "region");
  return notified(woken, [&] { return notify(*region->region, offset, count); });
}

}  // extern "C"
