// Writes into a read-only window: must trap with a message naming the region.
#include <aperture/guest.h>
#include <stdio.h>

int main(void) {
  int32_t h = aperture_region_open("calib", 5, APERTURE_READ);
  int64_t at = aperture_map(h, 0, 0, APERTURE_MAP_ANYWHERE, APERTURE_READ);
  volatile uint32_t* p = aperture_ptr(at);
  printf("read ok: %u\n", p[0]);
  fflush(stdout);
  p[0] = 1;  // traps
  printf("not reached\n");
  return 0;
}
