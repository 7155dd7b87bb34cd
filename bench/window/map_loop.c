// Guest side of the mapping-cost benchmark: map + unmap a window `k` times.
#include <aperture/guest.h>
#include <stdint.h>

__attribute__((export_name("map_loop"))) int64_t map_loop(int32_t handle, int64_t length, int32_t k) {
  for (int32_t i = 0; i < k; i++) {
    int64_t at = aperture_map(handle, 0, length, 0x40000000, APERTURE_READ_WRITE);
    if (at < 0) return at;
    int32_t r = aperture_unmap(at, length);
    if (r < 0) return r;
  }
  return 0;
}

__attribute__((export_name("open_region"))) int32_t open_region(void) {
  return aperture_region_open("bench", 5, APERTURE_READ_WRITE);
}
