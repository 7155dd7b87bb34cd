/* A SIMD kernel that works in place on a window (issue 22): maps the region granted as
 * "frame" read-write and turns its first LENGTH bytes of RGBA pixels into BGRA with +30
 * (saturating) on the colour channels, 16 bytes at a time with wasm_simd128.h, the last
 * pixels that do not fill 16 bytes one by one. Nothing is copied: the loads and stores
 * hit the region's pages (tests/region/simd_window_test.cpp checks them from the host).
 *   simd_window LENGTH   (LENGTH a multiple of 4, at most the region's size) */
#include <aperture/guest.h>
#include <stdio.h>
#include <stdlib.h>
#include <wasm_simd128.h>

static uint8_t sat_add30(uint8_t v) { return (uint8_t)(v > 225 ? 255 : v + 30); }

int main(int argc, char** argv) {
  long length = argc > 1 ? atol(argv[1]) : 0;
  int32_t h = aperture_region_open("frame", 5, APERTURE_READ_WRITE);
  if (h < 0) {
    printf("region_open: %d\n", h);
    return 1;
  }
  int64_t size = aperture_region_size(h);
  if (length < 0 || length % 4 != 0 || length > size) {
    printf("LENGTH %ld: must be a multiple of 4 and at most the region's %lld bytes\n", length, (long long)size);
    return 2;
  }
  int64_t at = aperture_map(h, 0, size, APERTURE_MAP_ANYWHERE, APERTURE_READ_WRITE);
  if (at < 0) {
    printf("map: %lld\n", (long long)at);
    return 1;
  }
  uint8_t* p = aperture_ptr(at);
  const v128_t add = wasm_u8x16_make(30, 30, 30, 0, 30, 30, 30, 0, 30, 30, 30, 0, 30, 30, 30, 0);
  long i = 0;
  for (; i + 16 <= length; i += 16) {
    v128_t v = wasm_v128_load(p + i);
    v = wasm_i8x16_shuffle(v, v, 2, 1, 0, 3, 6, 5, 4, 7, 10, 9, 8, 11, 14, 13, 12, 15);
    wasm_v128_store(p + i, wasm_u8x16_add_sat(v, add));
  }
  for (; i < length; i += 4) {
    uint8_t r = p[i], g = p[i + 1], b = p[i + 2];
    p[i] = sat_add30(b), p[i + 1] = sat_add30(g), p[i + 2] = sat_add30(r);
  }
  printf("transformed %ld bytes in place\n", length);
  return 0;
}
