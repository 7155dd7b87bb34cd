/* The guest of the C region example: reads sensor samples from a window its host bound
 * read-only at a fixed address, and writes results into a region it maps itself through
 * the guest API (the host granted it as "results"). Built with
 *   clang-19 --target=wasm32 -nostdlib -O2 -Wl,--no-entry -I include region_guest.c */
#include <stdint.h>

#include <aperture/guest.h>

#define SAMPLES ((const volatile int32_t*)0x10000000)

/* The host computes the same in region_host.c (transform_reference). */
static int32_t transform(int32_t x) { return x * 3 - 1000; }

/* Maps the "results" region and fills results[i] = transform(samples[i]) for i < count.
 * Returns count, or the negative errno of the guest API call that failed. */
__attribute__((export_name("process"))) int32_t process(int32_t count) {
  int32_t handle = aperture_region_open("results", 7, APERTURE_READ_WRITE);
  if (handle < 0) return handle;
  int64_t at = aperture_map(handle, 0, 0, APERTURE_MAP_ANYWHERE, APERTURE_READ_WRITE);
  aperture_region_close(handle);
  if (at < 0) return (int32_t)at;
  volatile int32_t* results = aperture_ptr(at);
  for (int32_t i = 0; i < count; ++i) results[i] = transform(SAMPLES[i]);
  return count;
}

/* Writes the read-only samples window: the runtime stops this with a trap. */
__attribute__((export_name("tamper"))) void tamper(void) {
  *(volatile int32_t*)SAMPLES = 0;
}
